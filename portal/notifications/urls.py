from django.urls import path

from portal.notifications import push_views, views

app_name = "notifications"
urlpatterns = [
    # The notification list and each person's choices.
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:notification_id>/", views.notification_open, name="open"),
    path("notifications/read/", views.read_all, name="read_all"),
    path("notifications/settings/", views.settings_page, name="settings"),
    # ---- web push and the installable app (PWA)
    path("notifications/push/subscribe/", push_views.push_subscribe, name="push_subscribe"),
    path("notifications/push/unsubscribe/", push_views.push_unsubscribe, name="push_unsubscribe"),
    path(
        "notifications/push/devices/<int:subscription_id>/remove/",
        push_views.push_device_remove,
        name="push_device_remove",
    ),
    path("manifest.webmanifest", push_views.manifest, name="manifest"),
    path("sw.js", push_views.service_worker, name="service_worker"),
    path("offline/", push_views.offline, name="offline"),
    # ---- end of web push
]
