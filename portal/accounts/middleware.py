from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from portal.accounts.models import UserSession
from portal.core import clock

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """Dutch unless the user chose English: the user's setting when logged in, else the
    language cookie. The browser's Accept-Language is not used: the portal is Dutch first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED:
            language = user.language
        else:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            if language not in SUPPORTED:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class SessionTrackingMiddleware:
    """Keeps the 'last seen' time of the user's session list fresh (at most once a minute)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        key = getattr(getattr(request, "session", None), "session_key", None)
        if user is not None and user.is_authenticated and key:
            now = clock.now()
            UserSession.objects.filter(session_key=key, last_seen_at__lt=now - dt.timedelta(minutes=1)).update(
                last_seen_at=now
            )
        return self.get_response(request)


# Paths a user can reach while a gate below still asks something of them.
GATE_FREE_PREFIXES = (
    "/static/",
    "/accounts/logout/",
    "/accounts/language/",
    "/api/",
    "/favicon",
    # The installable app's public files: nothing personal in them.
    "/sw.js",
    "/manifest.webmanifest",
    "/offline/",
)


def user_has_totp(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class AccountGateMiddleware:
    """Before anything else a logged-in user must: pass the second factor if they have one,
    choose a new password if theirs was generated, and (organisation admins) set up TOTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(GATE_FREE_PREFIXES):
            target = self.gate_for(request, user)
            if target and request.path != target:
                return redirect(target)
        return self.get_response(request)

    def gate_for(self, request, user) -> str | None:
        from portal.access.roles import roles_of

        has_totp = user_has_totp(user)
        if has_totp and not user.is_verified():
            return reverse("accounts:otp_verify")
        if user.must_change_password:
            return reverse("accounts:password_change")
        if not has_totp and roles_of(user).is_organisation_admin:
            return reverse("accounts:otp_setup")
        return None
