from django.urls import path

from portal.privacy import views

app_name = "privacy"
urlpatterns = [
    path("account/privacy/", views.overview, name="overview"),
    path("children/<int:child_id>/privacy/", views.child_privacy, name="child"),
]
