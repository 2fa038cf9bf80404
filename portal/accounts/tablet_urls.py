from django.urls import path

from portal.accounts import tablet_views

app_name = "tablet"
urlpatterns = [
    path("", tablet_views.lock, name="lock"),
    path("setup/", tablet_views.setup, name="setup"),
    path("unlock/<int:user_id>/", tablet_views.unlock, name="unlock"),
    path("lock/", tablet_views.lock_now, name="lock_now"),
    path("active/", tablet_views.ping, name="ping"),
    path("leave/", tablet_views.leave, name="leave"),
]
