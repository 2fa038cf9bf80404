from django.urls import path

from portal.planning import views

app_name = "planning"
urlpatterns = [
    path("children/<int:child_id>/planning/", views.child_calendar, name="calendar"),
    path("children/<int:child_id>/planning/absence/", views.absence_report, name="absence_report"),
    path("children/<int:child_id>/planning/holiday/", views.absence_range, name="absence_range"),
    path("children/<int:child_id>/planning/extra-day/", views.extra_day_request, name="extra_day_request"),
    path("children/<int:child_id>/credits/", views.credits, name="credits"),
    path("children/<int:child_id>/calendar-link/", views.feed_create, name="feed_create"),
    path("children/<int:child_id>/calendar-link/revoke/", views.feed_revoke, name="feed_revoke"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("planning/requests/<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("planning/queue/", views.queue, name="queue"),
    path("planning/queue/<int:request_id>/decide/", views.decide, name="decide"),
    path("planning/queue/approve-all/", views.approve_all, name="approve_all"),
    path("locations/<int:location_id>/day/", views.day_view, name="day"),
]
