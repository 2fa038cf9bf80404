from django.urls import path

from portal.home import views

app_name = "home"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("go/<slug:name>/", views.section, name="section"),
    path("home/notifications-later/", views.push_offer_hide, name="push_offer_hide"),
    path("children/<int:child_id>/", views.child_detail, name="child"),
    path("children/<int:child_id>/photo-consent/", views.photo_consent, name="photo_consent"),
    path("groups/<int:group_id>/", views.group_detail, name="group"),
    path("locations/<int:location_id>/", views.location_detail, name="location"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation"),
    path(
        "organisations/<int:organisation_id>/guardians/<int:user_id>/invite/",
        views.guardian_invite,
        name="guardian_invite",
    ),
]
