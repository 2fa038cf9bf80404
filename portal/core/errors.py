"""The page (or JSON answer) for a request that failed: a lost database connection answers
"try again" with 503, anything else the plain 500 page. Django calls `server_error` while the
exception is being handled, so it can look at it. After the request Django closes a broken
connection (`close_old_connections`), so the next request opens a fresh one."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.defaults import server_error as default_server_error

RETRY_AFTER_SECONDS = 10


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError))


def server_error(request: HttpRequest) -> HttpResponse:
    if not database_unavailable(sys.exc_info()[1]):
        return default_server_error(request)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        message = _("The portal is briefly unavailable. Please try again in a moment.")
        body = {"detail": message, "error": {"code": "unavailable", "message": message}}
        return JsonResponse(body, status=503, headers=headers)
    # No context processors: they would ask the database that just failed.
    return HttpResponse(loader.get_template("503.html").render(), status=503, headers=headers)
