"""Writes for the group tablet: the staff's PINs, starting, unlocking, locking and ending a
tablet. Who may do what, and which pages a tablet opens, is decided in `portal.access.tablet`."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.models import GroupTablet, LoginFailure, User
from portal.core import clock
from portal.core.scoping import across_organisations

# What the browser session of a tablet remembers.
SESSION_TABLET = "_portal_tablet"  # the GroupTablet's id: this device is a group tablet
SESSION_ACTIVE = "_portal_tablet_user"  # the id of the staff member who unlocked it
SESSION_SEEN = "_portal_tablet_seen"  # when that person last used it (a timestamp)
SESSION_IDLE_LOCKED = "_portal_tablet_idle_locked"  # the lock screen says once that it locked by itself

# ---------------------------------------------------------------- the personal PIN

PIN_PATTERN = re.compile(r"^[0-9]{4,6}$")


def pin_problem(pin: str) -> str:
    """Why this PIN cannot be used, or "" when it can: 4 to 6 digits, not one digit repeated
    (0000) and not a run up or down (1234, 9876), the first codes anyone tries."""
    if not PIN_PATTERN.match(pin or ""):
        return _("A PIN is 4 to 6 digits.")
    if len(set(pin)) == 1:
        return _("Choose a PIN that is harder to guess than one digit repeated.")
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({1}, {9}):
        return _("Choose a PIN that is harder to guess than a run of digits like 1234.")
    return ""


def pin_set(*, user: User, pin: str) -> None:
    """The person's new PIN for group tablets, kept only as a hash (the password hashers). The
    caller checked the person's current password and `pin_problem`."""
    user.tablet_pin = make_password(pin)
    user.tablet_pin_set_at = clock.now()
    user.save(update_fields=["tablet_pin", "tablet_pin_set_at"])


def pin_remove(*, user: User) -> None:
    user.tablet_pin = ""
    user.tablet_pin_set_at = None
    user.save(update_fields=["tablet_pin", "tablet_pin_set_at"])


def pin_matches(user: User, pin: str) -> bool:
    if not user.tablet_pin or not PIN_PATTERN.match(pin or ""):
        return False

    def upgrade(raw: str) -> None:  # a hash made with an older hasher is renewed on a right PIN
        user.tablet_pin = make_password(raw)
        user.save(update_fields=["tablet_pin"])

    return check_password(pin, user.tablet_pin, setter=upgrade)


# ---------------------------------------------------------------- wrong PINs
#
# Wrong PINs are counted per person per tablet (`TABLET_PIN_TRIES` within
# `TABLET_PIN_WAIT_MINUTES`); then that person waits on that tablet, however good the next PIN.
# The count is kept apart from the login's: guessing someone's PIN never slows their own login,
# nor their PIN on another tablet.


def _pin_key(tablet: GroupTablet, user: User) -> str:
    return f"tablet-pin:{tablet.pk}:{user.pk}"


def pin_wait_seconds(*, tablet: GroupTablet, user: User) -> int:
    """Seconds until this person may try a PIN on this tablet again (0: now)."""
    window = dt.timedelta(minutes=settings.TABLET_PIN_WAIT_MINUTES)
    now = clock.now()
    times = list(
        LoginFailure.objects.filter(email=_pin_key(tablet, user), at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.TABLET_PIN_TRIES]
    )
    if len(times) < settings.TABLET_PIN_TRIES:
        return 0
    return max(1, math.ceil((times[-1] + window - now).total_seconds()))


@dataclass(frozen=True)
class Unlock:
    ok: bool
    wait_seconds: int = 0

    def message(self) -> str:
        if self.ok:
            return ""
        if self.wait_seconds:
            minutes = max(1, math.ceil(self.wait_seconds / 60))
            return ngettext(
                "Too many wrong PINs. Try again in %(minutes)d minute, or use your full login.",
                "Too many wrong PINs. Try again in %(minutes)d minutes, or use your full login.",
                minutes,
            ) % {"minutes": minutes}
        return _("This PIN is not right.")


def tablet_unlock(*, session, tablet: GroupTablet, user: User, pin: str) -> Unlock:
    """The person typed their PIN on the lock screen: when it is right (and they have tries
    left), they become the tablet's user. The caller checked that they are on its staff."""
    wait = pin_wait_seconds(tablet=tablet, user=user)
    if wait:
        return Unlock(False, wait)
    key = _pin_key(tablet, user)
    if not pin_matches(user, pin):
        LoginFailure.objects.create(email=key, ip_address=None, at=clock.now())
        return Unlock(False, pin_wait_seconds(tablet=tablet, user=user))
    LoginFailure.objects.filter(email=key).delete()
    session[SESSION_ACTIVE] = user.pk
    session[SESSION_SEEN] = clock.now().timestamp()
    return Unlock(True)


def tablet_lock(*, session) -> None:
    """Back to the lock screen: nobody is the tablet's user until the next PIN."""
    session.pop(SESSION_ACTIVE, None)
    session.pop(SESSION_SEEN, None)


# ---------------------------------------------------------------- the tablet itself


def tablet_start(*, session, user: User, group) -> GroupTablet:
    """This browser session, of `user` with their full login, becomes the tablet of `group`
    (the caller checked that they are on its staff). It starts locked."""
    if not session.session_key:
        session.save()
    with across_organisations():
        GroupTablet.objects.filter(session_key=session.session_key, ended_at__isnull=True).update(ended_at=clock.now())
    tablet = GroupTablet.objects.create(
        organisation_id=group.location.organisation_id, group=group, session_key=session.session_key, set_up_by=user
    )
    session[SESSION_TABLET] = tablet.pk
    tablet_lock(session=session)
    return tablet


def tablet_end(*, tablet: GroupTablet) -> None:
    """The tablet is no more: left with a full login, its session ended, or the person who set
    it up no longer works on the group."""
    with across_organisations():
        GroupTablet.objects.filter(pk=tablet.pk, ended_at__isnull=True).update(ended_at=clock.now())


def tablets_end_for_sessions(session_keys) -> None:
    """The sessions with these keys were ended (sessions page, password change): so are the
    tablets they held."""
    keys = [key for key in session_keys if key]
    if keys:
        with across_organisations():
            GroupTablet.objects.filter(session_key__in=keys, ended_at__isnull=True).update(ended_at=clock.now())


def tablets_by_session_key(session_keys) -> dict[str, GroupTablet]:
    """For the sessions page: which of these sessions is a group's tablet."""
    with across_organisations():  # the person's own sessions, in whichever organisation
        tablets = GroupTablet.objects.filter(session_key__in=list(session_keys), ended_at__isnull=True).select_related(
            "group__location"
        )
        return {t.session_key: t for t in tablets}
