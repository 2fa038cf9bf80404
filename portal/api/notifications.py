"""The notifications endpoints of the v1 API."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from portal.access import notifications as notifications_access
from portal.api.auth import TokenAuth
from portal.api.schemas import InputSchema, PageSize
from portal.core.bounds import ClockTime, Id
from portal.notifications import push, services
from portal.notifications.models import EmailChoice, Kind

router = Router(tags=["notifications"], auth=TokenAuth())

# ---- the notification list and preferences


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str = Field(description="A path within the portal")
    created_at: dt.datetime
    read: bool


class NotificationPage(Schema):
    unread: int
    items: list[NotificationOut]


class ReadIn(InputSchema):
    ids: list[Id] | None = Field(default=None, description="Leave out to mark all as read")


class NotificationReadOut(Schema):
    marked: int
    unread: int


class KindPreference(Schema):
    kind: str = Field(description="message, photo, diary, decision or news")
    push: bool
    email: str = Field(description="off, instant or digest")


class KindPreferenceIn(InputSchema):
    kind: str = Field(max_length=20, description="message, photo, diary, decision or news")
    push: bool
    email: str = Field(max_length=20, description="off, instant or digest")


class PreferencesOut(Schema):
    kinds: list[KindPreference]
    quiet_start: ClockTime | None = None
    quiet_end: ClockTime | None = None
    digest_time: ClockTime = "19:00"


class PreferencesIn(InputSchema):
    kinds: list[KindPreferenceIn] = Field(default_factory=list, max_length=20)
    quiet_start: ClockTime | None = None
    quiet_end: ClockTime | None = None
    digest_time: ClockTime = "19:00"


def _clock_time(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value is not None else None


@router.get("/notifications", response=NotificationPage)
def notification_list(request, before_id: Id | None = None, limit: PageSize = 30):
    """Newest first; pass the last id you have as `before_id` for older ones (at most 100)."""
    rows = notifications_access.visible_notifications(request.user)
    if before_id:
        rows = rows.filter(pk__lt=before_id)
    items = [
        NotificationOut(
            id=n.pk, kind=n.kind, title=n.title, body=n.body, url=n.url, created_at=n.created_at, read=bool(n.read_at)
        )
        for n in rows.order_by("-pk")[:limit]
    ]
    return NotificationPage(unread=services.unread_count(request.user), items=items)


@router.post("/notifications/read", response=NotificationReadOut)
def notification_read(request, payload: ReadIn):
    """Mark some (ids) or all of your notifications as read."""
    marked = services.mark_read(user=request.user, ids=payload.ids)
    return NotificationReadOut(marked=marked, unread=services.unread_count(request.user))


def _preferences(user) -> PreferencesOut:
    chosen = services.preferences_of(user)
    quiet = services.quiet_hours_of(user)
    return PreferencesOut(
        kinds=[KindPreference(kind=k, push=chosen[k][0], email=chosen[k][1]) for k in Kind.values],
        quiet_start=_clock_time(quiet.start),
        quiet_end=_clock_time(quiet.end),
        digest_time=_clock_time(quiet.digest_time) or "19:00",
    )


@router.get("/notifications/preferences", response=PreferencesOut)
def preferences_get(request):
    """How each kind reaches you (push, e-mail now, in the daily summary or not), quiet hours."""
    return _preferences(request.user)


@router.put("/notifications/preferences", response=PreferencesOut)
def preferences_put(request, payload: PreferencesIn):
    """Only what you send changes: kinds, quiet hours and the summary time left out keep their
    setting. Quiet hours need both times (or both null for none)."""
    choices = {}
    for row in payload.kinds:
        if row.kind not in Kind.values:
            raise HttpError(422, _("Unknown kind: %(kind)s") % {"kind": row.kind})
        if row.email not in EmailChoice.values:
            raise HttpError(422, _("E-mail must be one of: %(choices)s") % {"choices": ", ".join(EmailChoice.values)})
        choices[row.kind] = (row.push, row.email)
    sent = payload.model_fields_set
    quiet = services.quiet_hours_of(request.user)
    start = _time(payload.quiet_start) if "quiet_start" in sent else quiet.start
    end = _time(payload.quiet_end) if "quiet_end" in sent else quiet.end
    digest = _time(payload.digest_time) if "digest_time" in sent else quiet.digest_time
    services.settings_save(user=request.user, choices=choices, start=start, end=end, digest=digest)
    return _preferences(request.user)


# ---- end of the notification list and preferences


# ---- web push: the app's devices


class PushKeyOut(Schema):
    public_key: str = Field(description="The VAPID public key (applicationServerKey): URL-safe base64, 65-byte point")


class DeviceKeys(InputSchema):
    p256dh: str = Field(max_length=200, description="The device's P-256 public key, URL-safe base64 (65 bytes)")
    auth: str = Field(max_length=100, description="The device's auth secret, URL-safe base64 (16 bytes)")


class DeviceIn(InputSchema):
    endpoint: str = Field(max_length=1000, description="The push service URL of the subscription (https)")
    keys: DeviceKeys
    device_name: str = Field(default="", max_length=100)


class DeviceOut(Schema):
    id: int
    device_name: str
    created_at: dt.datetime
    last_success_at: dt.datetime | None


def _device_out(device) -> DeviceOut:
    return DeviceOut(
        id=device.pk,
        device_name=device.device_name,
        created_at=device.created_at,
        last_success_at=device.last_success_at,
    )


@router.get("/push/key", response=PushKeyOut)
def push_key(request):
    """Subscribe at the push service with this key; then register the subscription at POST /devices."""
    return PushKeyOut(public_key=push.public_key())


@router.post("/devices", response={201: DeviceOut})
def device_register(request, payload: DeviceIn):
    """Register this device for web push (again: the same endpoint updates its keys). The push
    message is JSON: id, title, body, url (opens it in the portal), path, tag, kind."""
    try:
        device = push.subscribe(
            user=request.user,
            endpoint=payload.endpoint,
            p256dh=payload.keys.p256dh,
            auth=payload.keys.auth,
            device_name=payload.device_name,
            api_token=request.api_token,
        )
    except push.SubscriptionError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, _device_out(device))


@router.get("/devices", response=list[DeviceOut])
def device_list(request):
    """Your devices that receive push, newest first."""
    return [_device_out(d) for d in push.devices_of(request.user)]


@router.delete("/devices/{device_id}", response={204: None})
def device_delete(request, device_id: Id):
    """Stop push to one of your devices."""
    if not push.unsubscribe(user=request.user, subscription_id=device_id):
        raise Http404
    return Status(204, None)


# ---- end of web push
