from django.urls import path

from portal.news import views

app_name = "news"
urlpatterns = [
    path("news/", views.news_list, name="list"),
    path("news/<int:item_id>/", views.detail, name="detail"),
    path("news/attachments/<int:attachment_id>/<str:name>/", views.attachment, name="attachment"),
    path("news/manage/", views.manage, name="manage"),
    path("news/manage/new/", views.create, name="create"),
    path("news/manage/<int:item_id>/edit/", views.edit, name="edit"),
    path("news/manage/<int:item_id>/delete/", views.delete, name="delete"),
]
