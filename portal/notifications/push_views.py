"""Web push and the installable app (PWA): subscribing this browser, the manifest, the service
worker and its offline page. The manifest, the service worker and the offline page are public
and hold nothing personal."""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.models import UserSession
from portal.notifications import push

# The --brand and --bg colours of static/css/portal.css (a test keeps them in step).
THEME_COLOUR = "#0b6e4f"
BACKGROUND_COLOUR = "#f7f5f2"


def _json_body(request) -> dict | None:
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@require_POST
def push_subscribe(request):
    """This browser's PushSubscription.toJSON() plus a `device_name`, as JSON (CSRF token in
    the X-CSRFToken header)."""
    data = _json_body(request)
    if data is None:
        return _error(_("Send the subscription as JSON."))
    keys = data.get("keys")
    if not isinstance(keys, dict):
        keys = {}
    try:
        subscription = push.subscribe(
            user=request.user,
            endpoint=data.get("endpoint"),
            p256dh=keys.get("p256dh"),
            auth=keys.get("auth"),
            device_name=data.get("device_name") or "",
            session=UserSession.objects.filter(user=request.user, session_key=request.session.session_key).first(),
        )
    except push.SubscriptionError as exc:
        return _error(str(exc))
    return JsonResponse({"id": subscription.pk, "device_name": subscription.device_name}, status=201)


@login_required
@require_POST
def push_unsubscribe(request):
    """Turn push off for this browser: JSON {"endpoint": ...}. Only one's own device."""
    data = _json_body(request)
    if data is None or not isinstance(data.get("endpoint"), str) or not data["endpoint"]:
        return _error(_("Send the endpoint of the subscription as JSON."))
    removed = push.unsubscribe(user=request.user, endpoint=data["endpoint"])
    return JsonResponse({"removed": removed})


@login_required
@require_POST
def push_device_remove(request, subscription_id: int):
    """Stop push to one of my devices (a lost phone, say), from the settings page."""
    if not push.unsubscribe(user=request.user, subscription_id=subscription_id):
        raise Http404
    messages.success(request, _("That device no longer receives notifications."))
    return redirect("notifications:settings")


@require_GET
def manifest(request):
    icons = [
        {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": static("img/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        {"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
    ]
    data = {
        "id": "/",
        "name": "Ouderportaal",
        "short_name": "Ouderportaal",
        "description": _("Photos, the diary, messages and planning of your child at the childcare."),
        "lang": getattr(request, "LANGUAGE_CODE", "nl"),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/manifest+json; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _offline_assets() -> list[str]:
    return [reverse("notifications:offline"), static("css/portal.css"), static("img/icon.svg"), static("js/offline.js")]


@require_GET
def service_worker(request):
    """Served from the root so that its scope is the whole portal. It shows push messages and
    keeps only the offline page in its cache (see the script)."""
    assets = _offline_assets()
    config = {
        # A new name when an asset's URL changes, so that an update replaces the old cache.
        "cache": "ouderportaal-offline-" + hashlib.sha256("|".join(assets).encode()).hexdigest()[:10],
        "offline": assets[0],
        "assets": assets,
        "icon": static("img/icon-192.png"),
        "home": "/",
    }
    body = render_to_string("notifications/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    """The page the installed app shows without a connection: no names, no children, no photos."""
    response = render(request, "notifications/offline.html")
    response["Cache-Control"] = "no-cache"
    return response
