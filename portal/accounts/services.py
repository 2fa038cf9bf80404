"""Writes for accounts: invitations, login throttling, API tokens and sessions."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.models import ApiToken, Invitation, LoginFailure, User, UserSession, hash_token
from portal.core import clock
from portal.core.tasks import enqueue_after_commit

# ---------------------------------------------------------------- invitations


def _due_pairs(day: dt.date, organisation=None) -> list[tuple[int, int]]:
    """(organisation id, user id) of guardians without an account yet whom the organisation
    has not invited yet, of a child whose placement starts within the organisation's lead time
    from `day` (or has started and not ended). Each organisation invites on its own: an
    invitation sent for another organisation is none of its business.

    One query per organisation: each has its own lead time."""
    from portal.accounts.models import OrganisationProfile
    from portal.children.models import Placement
    from portal.organisations.models import Organisation

    organisations = Organisation.objects.all()
    if organisation is not None:
        organisations = organisations.filter(pk=organisation.pk)
    pairs: list[tuple[int, int]] = []
    for organisation_id, lead_days in organisations.values_list("id", "invitation_lead_days"):
        due_placements = Placement.objects.filter(
            child__organisation_id=organisation_id, start_date__lte=day + dt.timedelta(days=lead_days)
        ).current_or_upcoming(day)
        invited_here = OrganisationProfile.objects.filter(
            user=OuterRef("pk"), organisation_id=organisation_id, invited_at__isnull=False
        )
        user_ids = (
            User.objects.filter(is_active=True, guardianships__child__placements__in=due_placements)
            .filter(password__startswith="!")  # an unusable password: no account yet
            .exclude(Exists(invited_here))
            .values_list("id", flat=True)
            .distinct()
        )
        pairs.extend((organisation_id, user_id) for user_id in user_ids)
    return pairs


def guardians_due_for_invitation(day: dt.date, organisation=None):
    """Guardians without an account yet whom an organisation (or this one) should invite now."""
    return User.objects.filter(id__in={user_id for _org, user_id in _due_pairs(day, organisation)})


def invitations_send_due(day: dt.date) -> str:
    """The daily job: invite every guardian who is due, once per organisation; retry mails
    that failed. A guardian due at two organisations on the same day gets one mail."""
    from portal.accounts.identity import profiles_mark_invited
    from portal.accounts.tasks import deliver_invitation

    created = 0
    invited: set[int] = set()
    for organisation_id, user_id in _due_pairs(day):
        if user_id not in invited:
            user = User.objects.get(pk=user_id)
            try:
                with transaction.atomic():
                    invitation = Invitation.objects.create(user=user)
            except IntegrityError:
                # An open link exists. Made a moment ago (by another run): that one goes out.
                # Older (another organisation's): a fresh one, naming every organisation.
                just_made = Invitation.objects.filter(
                    user=user,
                    used_at__isnull=True,
                    revoked_at__isnull=True,
                    created_at__gte=clock.now() - dt.timedelta(hours=1),
                ).exists()
                if not just_made:
                    invitation_resend(user=user, resent_by=None)
            else:
                enqueue_after_commit(deliver_invitation, invitation.pk)
            invited.add(user_id)
            created += 1
        profiles_mark_invited(organisation=organisation_id, user=user_id)
    # Invitations whose mail did not go out (the SMTP server was down, say) are tried again.
    unsent = Invitation.objects.filter(
        sent_at__isnull=True,
        used_at__isnull=True,
        revoked_at__isnull=True,
        created_at__lt=clock.now() - dt.timedelta(hours=1),
    ).values_list("pk", flat=True)
    retried = 0
    for pk in unsent:
        enqueue_after_commit(deliver_invitation, pk)
        retried += 1
    return f"{created} invitations queued, {retried} retried"


def invitation_resend(*, user: User, resent_by: User | None, organisation=None) -> Invitation:
    """Send a new link; earlier links stop working. With `organisation`, that organisation's
    profile of the person records that it invited them."""
    from portal.accounts.identity import profiles_mark_invited
    from portal.accounts.tasks import deliver_invitation

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=clock.now()
        )
        invitation = Invitation.objects.create(user=user, resent_by=resent_by)
        enqueue_after_commit(deliver_invitation, invitation.pk)
        if organisation is not None:
            profiles_mark_invited(organisation=organisation, user=user)
    return invitation


def invitation_issue_token(invitation_id: int) -> tuple[Invitation, str] | None:
    """Make the one-time token for an invitation about to be mailed; None when the invitation
    was used or withdrawn meanwhile (a late or retried task must not revive it)."""
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    updated = Invitation.objects.filter(pk=invitation_id, used_at__isnull=True, revoked_at__isnull=True).update(
        token_hash=hash_token(raw), expires_at=now + dt.timedelta(days=settings.INVITATION_VALID_DAYS)
    )
    if not updated:
        return None
    return Invitation.objects.select_related("user").get(pk=invitation_id), raw


def invitation_mark_sent(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=clock.now())


def invitation_by_token(raw: str) -> Invitation | None:
    if not raw:
        return None
    return Invitation.objects.select_related("user").filter(token_hash=hash_token(raw)).first()


def invitation_accept(*, invitation: Invitation, password: str) -> User:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
        if not invitation.is_usable():
            raise ValueError("invitation is not usable")
        user = invitation.user
        user.set_password(password)
        user.must_change_password = False
        user.activated_at = clock.now()
        user.save(update_fields=["password", "must_change_password", "activated_at"])
        invitation.used_at = clock.now()
        invitation.save(update_fields=["used_at"])
        Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=clock.now()
        )
    return user


def password_changed(*, user: User, keep_session_key: str | None) -> None:
    """After a password change or reset: every other session and every app login ends, open
    invitation links stop working and calendar links get a new address."""
    other = UserSession.objects.filter(user=user)
    if keep_session_key:
        other = other.exclude(session_key=keep_session_key)
    ended_keys = list(other.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=ended_keys).delete()
    other.delete()
    from portal.accounts.tablet import tablets_end_for_sessions

    tablets_end_for_sessions(ended_keys)  # a group tablet set up by the person ends with its session
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=clock.now())
    from portal.notifications.models import PushSubscription

    # The apps just logged out get no more push (the ended sessions' devices went with them).
    PushSubscription.objects.filter(user=user, api_token__isnull=False).delete()
    # A calendar link works without a login, so whoever knew the old password may have copied
    # it: each of the person's calendar links gets a new address (the old one stops working).
    from portal.core.scoping import across_organisations
    from portal.planning.models import CalendarFeed, new_feed_token

    with across_organisations():  # the person's own links, in whichever organisation
        for feed in CalendarFeed.objects.filter(user=user):
            feed.token = new_feed_token()
            feed.save(update_fields=["token"])


def password_generate_for(user: User) -> str:
    """Give a user a generated password that they must change at first login."""
    raw = secrets.token_urlsafe(12)
    user.set_password(raw)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return raw


# ---------------------------------------------------------------- login throttling
#
# Guessing is slowed without locking the owner out (OWASP's "device cookie" approach):
#
# - a browser or app that logged in to an account before holds a device key for it (a signed
#   cookie in the browser; `device_key` in the app's token request). It counts only its own
#   failures (`LOGIN_THROTTLE_PER_DEVICE`), whatever strangers do to the account;
# - anyone else is counted per account and address pair: the first `LOGIN_THROTTLE_FREE_FAILURES`
#   failures cost nothing, then each one doubles the wait (2, 4, 8 seconds … up to the window);
# - unknown clients together get `LOGIN_THROTTLE_PER_ACCOUNT` failures per account in the
#   window (guessing from many addresses), and one address `LOGIN_THROTTLE_PER_IP` failures
#   over all accounts: high, since a school or a phone carrier puts many people behind one.

DEVICE_KEY_SALT = "portal.accounts.login-device"
DEVICE_KEY_MAX_AGE = dt.timedelta(days=365)


@dataclass(frozen=True)
class Throttle:
    blocked: bool
    retry_after_seconds: int = 0

    def message(self) -> str:
        if self.retry_after_seconds < 60:
            return ngettext(
                "Too many failed login attempts. Try again in %(seconds)d second, or reset your password.",
                "Too many failed login attempts. Try again in %(seconds)d seconds, or reset your password.",
                self.retry_after_seconds,
            ) % {"seconds": self.retry_after_seconds}
        minutes = math.ceil(self.retry_after_seconds / 60)
        return ngettext(
            "Too many failed login attempts. Try again in %(minutes)d minute, or reset your password.",
            "Too many failed login attempts. Try again in %(minutes)d minutes, or reset your password.",
            minutes,
        ) % {"minutes": minutes}


def _normal(email: str) -> str:
    return (email or "").strip().lower()[:254]


def login_device_key(email: str) -> str:
    """A new device key for a browser or app that just logged in to this account."""
    return signing.dumps({"e": _normal(email), "n": secrets.token_hex(8)}, salt=DEVICE_KEY_SALT, compress=True)


def _device(email: str, device_key: str | None) -> str:
    """The device's id when `device_key` is a valid key for this account, else ""."""
    if not device_key or len(device_key) > 500:
        return ""
    try:
        data = signing.loads(device_key, salt=DEVICE_KEY_SALT, max_age=DEVICE_KEY_MAX_AGE)
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("e") != _normal(email):
        return ""
    return str(data.get("n", ""))[:32]


def _wait_for_limit(failures, limit: int, window: dt.timedelta, now: dt.datetime) -> int:
    """Seconds until fewer than `limit` of these failures are in the window (0: not blocked)."""
    times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return 0
    return max(1, math.ceil((times[-1] + window - now).total_seconds()))


def _wait_after_failures(failures, window: dt.timedelta, now: dt.datetime) -> int:
    """The growing delay of one account and address pair: after the free failures, 2 seconds,
    then twice as long after each further failure, at most the window."""
    count = failures.count()
    beyond = count - settings.LOGIN_THROTTLE_FREE_FAILURES
    if beyond < 0:
        return 0
    delay = min(dt.timedelta(seconds=2 ** min(beyond + 1, 30)), window)
    last = failures.order_by("-at").values_list("at", flat=True).first()
    assert last is not None  # count > 0
    return max(0, math.ceil((last + delay - now).total_seconds()))


def login_throttle_check(*, email: str, ip_address: str | None, device_key: str | None = None) -> Throttle:
    """Whether this login attempt must wait, and how long (see above)."""
    window = dt.timedelta(minutes=settings.LOGIN_THROTTLE_WINDOW_MINUTES)
    now = clock.now()
    email = _normal(email)
    recent = LoginFailure.objects.filter(at__gt=now - window)
    device = _device(email, device_key)
    if device:
        wait = _wait_for_limit(
            recent.filter(email=email, device=device), settings.LOGIN_THROTTLE_PER_DEVICE, window, now
        )
        return Throttle(bool(wait), wait)
    unknown = recent.filter(device="")
    waits = [
        _wait_after_failures(unknown.filter(email=email, ip_address=ip_address), window, now),
        _wait_for_limit(unknown.filter(email=email), settings.LOGIN_THROTTLE_PER_ACCOUNT, window, now),
    ]
    if ip_address:
        waits.append(
            _wait_for_limit(unknown.filter(ip_address=ip_address), settings.LOGIN_THROTTLE_PER_IP, window, now)
        )
    wait = max(waits)
    return Throttle(bool(wait), wait)


def login_failure_record(*, email: str, ip_address: str | None, device_key: str | None = None) -> None:
    now = clock.now()
    email = _normal(email)
    LoginFailure.objects.create(email=email, ip_address=ip_address, device=_device(email, device_key), at=now)
    LoginFailure.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()


def login_failures_clear(*, email: str, ip_address: str | None = None, device_key: str | None = None) -> None:
    """After a successful login the failures of this browser or app are forgiven, or, for one
    not known yet, those of this address with this account; never those of others guessing."""
    email = _normal(email)
    failures = LoginFailure.objects.filter(email=email)
    device = _device(email, device_key)
    if device:
        failures.filter(device=device).delete()
    else:
        failures.filter(device="", ip_address=ip_address).delete()


# ---------------------------------------------------------------- API tokens


def api_token_create(*, user: User, device_name: str, second_factor: bool = False) -> tuple[ApiToken, str]:
    """A device token; `second_factor` records that the login included a valid TOTP code."""
    raw = "op_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        device_name=device_name.strip()[:100] or _("device"),
        key_hash=hash_token(raw),
        second_factor=second_factor,
    )
    return token, raw


def api_token_authenticate(raw: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_revoke(*, token: ApiToken) -> None:
    """Log an app out; its device gets no more push messages."""
    from portal.notifications.models import PushSubscription

    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    PushSubscription.objects.filter(api_token=token).delete()


# ---------------------------------------------------------------- browser sessions


def session_key_renewed(*, old_key: str | None, new_key: str | None) -> None:
    """Keep the session list right when Django gives a session a new key (after the second
    factor or a password change)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def cycle_session(request) -> None:
    old_key = request.session.session_key
    request.session.cycle_key()
    session_key_renewed(old_key=old_key, new_key=request.session.session_key)


def user_session_end(*, user_session: UserSession) -> None:
    """End one browser session; when it is a group tablet, the tablet ends with it."""
    from portal.accounts.tablet import tablets_end_for_sessions

    Session.objects.filter(session_key=user_session.session_key).delete()
    tablets_end_for_sessions([user_session.session_key])
    user_session.delete()


def user_sessions_active(user: User):
    """The user's sessions that still exist and have not expired."""
    live_keys = Session.objects.filter(expire_date__gt=clock.now()).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key__in=live_keys).delete()
    return UserSession.objects.filter(user=user)


# ---------------------------------------------------------------- the person's own password and second factor


def password_set(*, user: User, password: str) -> None:
    """The person chose a new password (a generated one no longer has to be changed)."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


def otp_device_pending(*, user: User, name: str):
    """The authenticator app being set up: the unconfirmed device, made once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name=name, confirmed=False
    )


def otp_device_confirm(*, device) -> None:
    """The first right code: two-step login is on from now on."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def otp_remove(*, user: User) -> None:
    """Two-step login off: every device of the person goes (the caller checked that no role
    of theirs demands it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
