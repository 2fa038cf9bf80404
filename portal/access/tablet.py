"""The group tablet: one device shared by a group's staff, who take turns with a short PIN.

How it works (see docs/decisions.md, "The group tablet"):

- A member of a group's staff, logged in on the device with their full login (and their
  second factor if they have one), turns the device into the group's tablet
  (`portal.accounts.tablet.tablet_start`). The browser session stays theirs: it is listed on
  their sessions page, and ending it there ends the tablet.
- The tablet starts locked. Its lock screen lists the group's staff who have set a PIN; one
  taps their name and types their PIN, and from then on every request of the device is *that
  person's* (`request.user`), so whatever they write or upload carries their name.
- In tablet mode a person has exactly one role: staff of the tablet's group, in its
  organisation (`narrow_roles`). Their other groups, their own children, their admin role are
  not in use there, and only the pages of `GROUP_WORK` open; any other page answers with the
  page "not on the group tablet" (403). While locked, every page but the lock screen's goes to
  the lock screen.
- After `TABLET_IDLE_MINUTES` without a request of the person who unlocked it, the tablet
  locks (checked here, on the server, at the next request; static/js/tablet.js also returns to
  the lock screen in the browser, and keeps the server informed while someone is typing).

Everything a tablet request may reach is decided here, in `tablet_page`, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse

from portal.access import roles as roles_module
from portal.access.tenancy import found_in_users_organisations
from portal.accounts import tablet as tablet_services
from portal.accounts.models import GroupTablet, User
from portal.core import clock
from portal.core.scoping import across_organisations
from portal.organisations.models import Group, GroupStaff

# ---------------------------------------------------------------- which pages a tablet opens

# The lock screen and its companions: open whether the tablet is locked or not.
LOCK_SCREEN = frozenset(
    {
        "tablet:lock",
        "tablet:unlock",
        "tablet:lock_now",
        "tablet:leave",
        "tablet:ping",
        # The installable app's public files and the health check: nothing personal in them.
        "notifications:manifest",
        "notifications:service_worker",
        "notifications:offline",
        "healthz",
    }
)

# The group's work, open while a member of its staff has unlocked the tablet: the staff home
# page and the group's page, the children's pages, the diary, photos, the group's messages and
# the day view (the attendance list). Each view still asks its own rule in `portal.access`,
# with the person's one role on the tablet (their group, nothing else).
GROUP_WORK = frozenset(
    {
        "root",
        "home:home",
        "home:section",
        "home:group",
        "home:child",
        "diary:group",
        "diary:child",
        "diary:write",
        "diary:edit",
        "diary:reply",
        "diary:photo",
        "media:group",
        "media:upload",
        "media:detail",
        "media:file",
        "media:tags",
        "media:delete",
        "messaging:inbox",
        "messaging:group_inbox",
        "messaging:group_new",
        "messaging:thread",
        "messaging:handled",
        "messaging:attachment",
        "planning:day",
    }
)
# Everything else is closed on a tablet: the person's account, security, sessions, password,
# two-step login, notifications and push settings, language, logout (the tablet is left with a
# full login: tablet:leave), the guardian's pages (calendar, requests, photo feed, consent,
# PDF of the diary), news, data exports and privacy, the back office and the API.


class Verdict(Enum):
    OPEN = "open"
    LOCK_SCREEN = "lock_screen"  # locked: go to the lock screen
    REFUSED = "refused"  # unlocked, but not the group's work: 403


def tablet_page(route_name: str, *, unlocked: bool) -> Verdict:
    """THE allow-list of the tablet: may a tablet request open the route `route_name`
    ("namespace:name")? Locked, only the lock screen opens; unlocked, also the group's work."""
    if route_name in LOCK_SCREEN:
        return Verdict.OPEN
    if not unlocked:
        return Verdict.LOCK_SCREEN
    return Verdict.OPEN if route_name in GROUP_WORK else Verdict.REFUSED


def route_name_of(resolver_match) -> str:
    if resolver_match is None:
        return ""
    return (
        f"{resolver_match.namespace}:{resolver_match.url_name}"
        if resolver_match.namespace
        else str(resolver_match.url_name or "")
    )


def path_opens_on_tablet(path: str, *, unlocked: bool = True) -> bool:
    """For the navigation: does this path open on an unlocked tablet?"""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return tablet_page(route_name_of(match), unlocked=unlocked) is Verdict.OPEN


# ---------------------------------------------------------------- the tablet of a request


@dataclass
class TabletState:
    """What a request on a tablet knows: the tablet, and the person who unlocked it (None
    while it is locked)."""

    tablet: GroupTablet
    user: User | None

    @property
    def unlocked(self) -> bool:
        return self.user is not None

    @property
    def idle_seconds(self) -> int:
        return idle_seconds()


def idle_seconds() -> int:
    return max(1, int(settings.TABLET_IDLE_MINUTES * 60))


def current(request) -> TabletState | None:
    """The tablet state of this request, or None when the device is not a group tablet."""
    return getattr(request, "tablet", None)


def narrow_roles(user, tablet: GroupTablet) -> None:
    """On the tablet the person is staff of the tablet's group, in its organisation, and
    nothing else, for the rest of the request."""
    user._portal_roles = roles_module.Roles(
        staff_group_ids=frozenset({tablet.group_id}), organisation_ids=frozenset({tablet.organisation_id})
    )
    # No second factor was given on this device by this person: their admin role (left out
    # above) stays out of use, and the personal gates do not apply (see the middleware).
    user.is_verified = lambda: False
    user.otp_device = None


def works_on_tablet_group(user_id: int, tablet: GroupTablet) -> bool:
    """Is this person staff of the tablet's group now (their real role, read from the
    database, not the narrowed roles of a tablet request)?"""
    with across_organisations():
        return GroupStaff.objects.filter(group_id=tablet.group_id, user_id=user_id, user__is_active=True).exists()


def unlockers(tablet: GroupTablet) -> list[dict]:
    """The lock screen's names: the group's staff who set a PIN, with the names the
    organisation entered, in alphabetical order."""
    from portal.accounts import identity

    users = list(
        User.objects.filter(is_active=True, group_roles__group_id=tablet.group_id, tablet_pin__gt="").distinct()
    )
    names = identity.names_in(tablet.organisation_id, [u.pk for u in users])
    rows = [{"user": u, "name": names.get(u.pk, u.email)} for u in users]
    return sorted(rows, key=lambda row: row["name"].lower())


def unlocker(tablet: GroupTablet, user_id) -> dict:
    """One name of the lock screen, or a 404: someone not on the group's staff (another
    organisation's staff above all), or without a PIN, cannot unlock this tablet."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    for row in unlockers(tablet):
        if row["user"].pk == pk:
            return row
    raise Http404


def group_for_tablet_setup(user, group_id) -> Group:
    """The group whose tablet this person may set up: they are on its staff. Another
    organisation's group (or none) is a 404; a group of their organisation they do not work
    on is a 403."""
    group = found_in_users_organisations(
        user, Group.objects.select_related("location__organisation"), group_id, lambda g: g.location.organisation_id
    )
    if not roles_module.works_on_group(user, group):
        raise PermissionDenied
    return group


def tablet_groups(user):
    """The groups this person could make this device the tablet of."""
    return Group.objects.filter(id__in=roles_module.roles_of(user).staff_group_ids).select_related("location")


def may_have_pin(user) -> bool:
    """A PIN is for group staff: only they see the PIN on their security page."""
    return roles_module.roles_of(user).is_group_staff or bool(user.tablet_pin)


# ---------------------------------------------------------------- the middleware


class TabletMiddleware:
    """Runs right after authentication, before the request's scope is set: on a group tablet
    it makes the person who unlocked it the user of the request (with the one role of
    `narrow_roles`), locks the tablet after the idle time, and lets through only the pages of
    `tablet_page`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tablet = None
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or tablet_services.SESSION_TABLET not in session:
            return self.get_response(request)
        if not user.is_authenticated:
            return self.get_response(request)
        with across_organisations():  # read before the request's scope exists, by the session's id
            tablet = (
                GroupTablet.objects.select_related("group__location")
                .filter(
                    pk=session.get(tablet_services.SESSION_TABLET),
                    session_key=session.session_key,
                    set_up_by=user,
                    ended_at__isnull=True,
                )
                .first()
            )
        if tablet is None or not works_on_tablet_group(user.pk, tablet):
            # Ended, or the person who set it up left the group: the device is logged out.
            if tablet is not None:
                tablet_services.tablet_end(tablet=tablet)
            logout(request)
            return redirect("accounts:login")
        state = TabletState(tablet=tablet, user=None)
        active_id = session.get(tablet_services.SESSION_ACTIVE)
        if active_id is not None:
            seen = session.get(tablet_services.SESSION_SEEN)
            now = clock.now().timestamp()
            idle = not isinstance(seen, (int, float)) or now - seen >= idle_seconds()
            active = None if idle else User.objects.filter(pk=active_id, is_active=True).first()
            if active is not None and works_on_tablet_group(active.pk, tablet):
                session[tablet_services.SESSION_SEEN] = now
                state.user = active
            else:
                tablet_services.tablet_lock(session=session)
                if idle:
                    session[tablet_services.SESSION_IDLE_LOCKED] = True
        person = state.user or user
        narrow_roles(person, tablet)
        request.user = person
        request.tablet = state
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = current(request)
        if state is None:
            return None
        verdict = tablet_page(route_name_of(request.resolver_match), unlocked=state.unlocked)
        if verdict is Verdict.OPEN:
            return None
        if verdict is Verdict.LOCK_SCREEN:
            if request.headers.get("HX-Request"):
                # A part of a page asked for: the whole page goes to the lock screen.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("tablet:lock")
                return response
            return redirect("tablet:lock")
        return render(request, "tablet/refused.html", {"tablet_group": state.tablet.group}, status=403)


def context(request) -> dict:
    """Context processor: `tablet`, the tablet state of the request (None off a tablet)."""
    return {"tablet": current(request)}
