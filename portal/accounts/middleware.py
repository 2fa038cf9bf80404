from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from portal.access import accounts as security
from portal.access.accounts import user_has_totp
from portal.accounts.models import UserSession
from portal.core import clock

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """Dutch unless the user chose English: the user's setting when logged in, else the
    language cookie. The browser's Accept-Language is not used for pages (the portal is Dutch
    first), only for the API before a token names the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED:
            language = user.language
        else:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            if language not in SUPPORTED and request.path.startswith("/api/"):
                # An app says its language in Accept-Language (before its token names the user's).
                language = translation.get_language_from_request(request)
            if language not in SUPPORTED:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class SessionTrackingMiddleware:
    """Keeps the 'last seen' time of the user's session list fresh (at most once a minute).
    The session itself remembers when it last did so, so most requests cost no query.

    Noting it saves the session, and Django then moves the session's expiry SESSION_DAYS ahead
    and sends the cookie with a new max-age: a login stays valid while it is used (sliding)."""

    SEEN_KEY = "_portal_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        key = getattr(session, "session_key", None)
        if user is not None and user.is_authenticated and key and session is not None:
            now = clock.now()
            seen = session.get(self.SEEN_KEY)
            if not isinstance(seen, (int, float)) or not (0 <= now.timestamp() - seen < 60):
                UserSession.objects.filter(session_key=key, last_seen_at__lt=now - dt.timedelta(minutes=1)).update(
                    last_seen_at=now
                )
                session[self.SEEN_KEY] = now.timestamp()
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
    "/healthz",
)


class AccountGateMiddleware:
    """Before anything else a logged-in user must: pass the second factor if they have one, and
    choose a new password if theirs was generated. Then the roles whose security demand is not
    met are left out of this request (`portal.access.accounts`): an organisation admin without
    two-step login keeps their other pages, and that organisation's admin pages ask for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # On a group tablet the device was opened with a full login when it was set up; the
        # person who unlocked it with their PIN reaches only the group's work there, never their
        # own account (`portal.access.tablet`), so the personal gates do not apply.
        on_tablet = getattr(request, "tablet", None) is not None
        if user is not None and user.is_authenticated:
            if not on_tablet and not request.path.startswith(GATE_FREE_PREFIXES):
                target = self.gate_for(request, user)
                if target and request.path != target:
                    return redirect(target)
            security.apply_security_demands(user)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        organisation_id = security.admin_page_organisation_id(request.resolver_match, view_kwargs)
        if organisation_id is None:
            return None
        target = security.admin_page_gate(user, organisation_id)
        return redirect(target) if target else None

    def gate_for(self, request, user) -> str | None:
        has_totp = user_has_totp(user)
        if has_totp and not user.is_verified():
            return reverse("accounts:otp_verify")
        if user.must_change_password:
            return reverse("accounts:password_change")
        return None
