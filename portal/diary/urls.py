from django.urls import path

from portal.diary import views

app_name = "diary"
urlpatterns = [
    path("children/<int:child_id>/diary/", views.child_diary, name="child"),
    path("children/<int:child_id>/diary/write/", views.write, name="write"),
    path("children/<int:child_id>/diary/<int:entry_id>/edit/", views.write, name="edit"),
    path("children/<int:child_id>/diary/pdf/", views.export_request, name="export"),
    path("diary/entries/<int:entry_id>/reply/", views.reply, name="reply"),
    path("diary/entries/<int:entry_id>/photo/<str:name>/", views.entry_photo, name="photo"),
    path("diary/exports/<int:export_id>/", views.export_download, name="export_download"),
    path("groups/<int:group_id>/diary/", views.group_today, name="group"),
]
