from django.urls import path

from portal.media import views

app_name = "media"
urlpatterns = [
    path("photos/", views.feed, name="feed"),
    path("photos/<int:media_id>/", views.detail, name="detail"),
    path("photos/<int:media_id>/file/<str:name>/", views.media_file, name="file"),
    path("photos/<int:media_id>/edit/", views.edit, name="edit"),
    path("photos/<int:media_id>/tags/", views.set_tags, name="tags"),
    path("photos/<int:media_id>/delete/", views.delete, name="delete"),
    path("groups/<int:group_id>/photos/", views.group_media, name="group"),
    path("groups/<int:group_id>/photos/upload/", views.upload, name="upload"),
]
