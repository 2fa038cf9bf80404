import ipaddress

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.accounts.models import UserSession
from portal.core import clock


def client_ip(request) -> str | None:
    """The client's address, for throttling and the session list.

    Behind a reverse proxy every request comes from the proxy: set CLIENT_IP_HEADER to the
    header the proxy sets (e.g. X-Real-IP). An IPv6 address counts as its /64 network, since
    one household or phone gets a whole /64."""
    raw = ""
    if settings.CLIENT_IP_HEADER:
        raw = request.headers.get(settings.CLIENT_IP_HEADER, "").split(",")[0].strip()
    raw = raw or request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


@receiver(user_logged_in)
def remember_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    from portal.accounts.middleware import REFRESHED_KEY

    request.session[REFRESHED_KEY] = int(clock.now().timestamp())  # a new login: its expiry is fresh
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
    from portal.accounts.identity import profiles_mark_joined

    profiles_mark_joined(user)
    # A language chosen on the login page carries over to the account.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        user.language = chosen
        user.save(update_fields=["language"])


@receiver(user_logged_out)
def forget_session(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def _profile_for_relation(sender, instance, created, raw=False, **kwargs):
    """Every guardian and staff relation has the organisation's profile of the person, also
    when it was made without a service (demo data, tests)."""
    if not created or raw:
        return
    from portal.accounts.identity import profile_ensure

    organisation_id = {
        "guardian": lambda: instance.child.organisation_id,
        "groupstaff": lambda: instance.group.location.organisation_id,
        "locationplanner": lambda: instance.location.organisation_id,
        "organisationadmin": lambda: instance.organisation_id,
    }[sender._meta.model_name]()
    profile_ensure(organisation_id=organisation_id, user=instance.user)


def connect_profile_signals() -> None:
    from portal.children.models import Guardian
    from portal.organisations.models import GroupStaff, LocationPlanner, OrganisationAdmin

    for model in (Guardian, GroupStaff, LocationPlanner, OrganisationAdmin):
        post_save.connect(_profile_for_relation, sender=model, dispatch_uid=f"profile_for_{model._meta.model_name}")
