from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from portal.accounts.models import UserSession
from portal.core import clock


def client_ip(request) -> str | None:
    """The client's address. Behind a proxy, configure it to set REMOTE_ADDR (e.g. uwsgi/gunicorn
    with a trusted forwarded header); the portal does not trust X-Forwarded-For by itself."""
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in)
def remember_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "created_at": clock.now(),
            "last_seen_at": clock.now(),
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )
    # A language chosen on the login page carries over to the account.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        user.language = chosen
        user.save(update_fields=["language"])


@receiver(user_logged_out)
def forget_session(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
