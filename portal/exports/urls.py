from django.urls import path

from portal.exports import views

app_name = "exports"
urlpatterns = [
    path("children/<int:child_id>/take-it-along/", views.departure, name="departure"),
    path("children/<int:child_id>/take-it-along/build/", views.departure_build, name="departure_build"),
    path("archives/<int:archive_id>/status/", views.archive_status, name="archive_status"),
    path("archives/<int:archive_id>/download/", views.archive_download, name="archive_download"),
    path("account/my-data/", views.data_export, name="data"),
    path("account/my-data/<int:organisation_id>/build/", views.data_export_build, name="data_build"),
]
