from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from portal.api.api import api
from portal.api.errors import not_found_view
from portal.core.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="home:home", permanent=False), name="root"),
    path("accounts/", include("portal.accounts.urls")),
    path("tablet/", include("portal.accounts.tablet_urls")),
    path("", include("portal.home.urls")),
    path("", include("portal.backoffice.urls")),
    path("", include("portal.planning.urls")),
    path("", include("portal.media.urls")),
    path("", include("portal.diary.urls")),
    path("", include("portal.messaging.urls")),
    path("", include("portal.news.urls")),
    path("", include("portal.notifications.urls")),
    path("", include("portal.exports.urls")),
    path("", include("portal.privacy.urls")),
    path("api/v1/", api.urls),
    # Any other path under the API: the API's JSON 404.
    re_path(r"^api/v1/(?P<rest>.*)$", not_found_view, name="api_not_found"),
    path("operator/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler500 = "portal.core.errors.server_error"
