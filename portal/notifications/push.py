"""Web push: the installation's VAPID key, the devices that receive push, and sending.

A browser (or the app) subscribes at its push service (Google, Mozilla, Apple, Microsoft) with
our public VAPID key and gives us the subscription: an endpoint URL at that push service and the
device's public key (p256dh) and auth secret. To send, we encrypt the message for the device
(aes128gcm, RFC 8291), sign a VAPID token (RFC 8292) with our private key and POST both to the
endpoint. The push service cannot read the message; only the device can.

The server posts only to the push services in `settings.PUSH_ALLOWED_HOSTS`, over https and
without following redirects: a subscription is made up by a browser, and the portal must not be
a tool to send requests to any address (SSRF). See docs/push.md.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
from typing import cast
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from portal.core import clock
from portal.notifications.models import Notification, PushSubscription, VapidKey

SENT = "sent"
GONE = "gone"  # the push service no longer knows the device: remove the subscription

TIMEOUT_SECONDS = 10
# A push message may carry at most 4096 bytes after encryption; keep the text well below.
MAX_PAYLOAD_BYTES = 3000
BODY_CHARS = 500
# A person's devices: registering one more drops the oldest (a phone replaced many times).
MAX_DEVICES = 20
# The one stored key pair has this id, so two processes that make it at once end up with one.
STORED_KEY_ID = 1

_B64 = re.compile(r"[A-Za-z0-9_\-+/]+={0,2}")


class SubscriptionError(ValueError):
    """A subscription we do not accept, with a message for the person or the app."""


class PushFailed(Exception):
    """The push service refused the message for a reason other than a gone device."""


# ---------------------------------------------------------------- keys


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(value: object, limit: int) -> bytes | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > limit or not _B64.fullmatch(value):
        return None
    value = value.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def _public_b64(private: ec.EllipticCurvePrivateKey) -> str:
    return b64url(
        private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


@functools.lru_cache(maxsize=4)
def _key_from_settings(private_text: str, public_text: str) -> tuple[ec.EllipticCurvePrivateKey, str]:
    text = private_text.strip().replace("\\n", "\n")
    try:
        if text.startswith("-----BEGIN"):
            private = serialization.load_pem_private_key(text.encode(), password=None)
        else:  # the raw 32-byte key or DER, URL-safe base64 (what `vapid --gen` and web-push tools print)
            private = Vapid.from_string(text).private_key
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ImproperlyConfigured(f"VAPID_PRIVATE_KEY cannot be read: {exc}") from exc
    if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
        raise ImproperlyConfigured("VAPID_PRIVATE_KEY must be an elliptic-curve P-256 (prime256v1) private key")
    public = _public_b64(private)
    if public_text and public_text.strip().rstrip("=") != public:
        raise ImproperlyConfigured("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY")
    return private, public


def _stored_key() -> VapidKey:
    """The key pair in the database, made on first use. Two processes that make it at the same
    moment both insert id 1: one wins, the other reads the winner's key."""
    row = VapidKey.objects.filter(pk=STORED_KEY_ID).first()
    if row is not None:
        return row
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    try:
        with transaction.atomic():
            return VapidKey.objects.create(
                pk=STORED_KEY_ID, private_pem=pem, public_key=_public_b64(private), created_at=clock.now()
            )
    except IntegrityError:
        return VapidKey.objects.get(pk=STORED_KEY_ID)


def key_pair() -> tuple[ec.EllipticCurvePrivateKey, str]:
    """(private key, public key as URL-safe base64): from the settings, else from the database."""
    if settings.VAPID_PRIVATE_KEY:
        return _key_from_settings(settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY)
    row = _stored_key()
    private = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
    return cast(ec.EllipticCurvePrivateKey, private), row.public_key  # _stored_key wrote a P-256 key


def public_key() -> str:
    """The applicationServerKey browsers and the app subscribe with."""
    if settings.VAPID_PRIVATE_KEY:
        return key_pair()[1]
    return _stored_key().public_key


# ---------------------------------------------------------------- validation


def _host_allowed(host: str) -> bool:
    for allowed in settings.PUSH_ALLOWED_HOSTS:
        allowed = allowed.strip().lower().lstrip(".")
        if allowed and (host == allowed or host.endswith("." + allowed)):
            return True
    return False


def validate_endpoint(url: object) -> str:
    """The endpoint if the server may post to it: https (http only when PUSH_ALLOW_HTTP is on,
    for tests), a host that is or ends in one of PUSH_ALLOWED_HOSTS, no user name in it."""
    if not isinstance(url, str) or not url.strip():
        raise SubscriptionError(_("The push subscription has no endpoint."))
    if len(url) > 1000:
        raise SubscriptionError(_("The push endpoint is too long (at most 1000 characters)."))
    if any(ord(c) <= 32 or ord(c) >= 127 or c == "\\" for c in url):
        raise SubscriptionError(_("The push endpoint contains characters a URL cannot have."))
    parts = urlsplit(url)
    schemes = {"https", "http"} if settings.PUSH_ALLOW_HTTP else {"https"}
    if parts.scheme.lower() not in schemes:
        raise SubscriptionError(_("A push endpoint must be an https address."))
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise SubscriptionError(_("The push endpoint has an invalid port.")) from exc
    host = (parts.hostname or "").lower()
    if "@" in parts.netloc or not host:
        raise SubscriptionError(_("The push endpoint is not a valid address."))
    if not _host_allowed(host):
        raise SubscriptionError(
            _("%(host)s is not a known push service; notifications cannot be sent there.") % {"host": host}
        )
    return url


def validate_keys(p256dh: object, auth: object) -> tuple[str, str]:
    """The device's keys, as unpadded URL-safe base64, if they are usable."""
    point = _b64decode(p256dh, 200)
    if point is None or len(point) != 65 or point[0] != 4:
        raise SubscriptionError(
            _("The device key (p256dh) must be an uncompressed P-256 public key: 65 bytes in URL-safe base64.")
        )
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise SubscriptionError(_("The device key (p256dh) is not a point on the P-256 curve.")) from exc
    secret = _b64decode(auth, 100)
    if secret is None or len(secret) != 16:
        raise SubscriptionError(_("The device's auth secret must be 16 bytes in URL-safe base64."))
    return b64url(point), b64url(secret)


# ---------------------------------------------------------------- devices


def subscribe(
    *, user, endpoint: object, p256dh: object, auth: object, device_name: object = "", session=None, api_token=None
) -> PushSubscription:
    """Register (or refresh) a device for push. An endpoint registered by someone else moves
    to this person: the device changed hands, and what was waiting for the old owner is dropped
    with the old registration, never sent to the new one."""
    endpoint = validate_endpoint(endpoint)
    p256dh, auth = validate_keys(p256dh, auth)
    name = " ".join(str(device_name or "").split())[:100]
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _subscribe(user, endpoint, p256dh, auth, name, session, api_token)
        except IntegrityError:  # the same device registered twice at once: the second updates
            if attempt:
                raise
    raise AssertionError("unreachable")


def _subscribe(user, endpoint: str, p256dh: str, auth: str, name: str, session, api_token) -> PushSubscription:
    existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if existing is not None and existing.user_id != user.pk:
        existing.delete()  # with its pending deliveries
        existing = None
    if existing is not None:
        existing.p256dh, existing.auth = p256dh, auth
        existing.device_name = name or existing.device_name
        existing.session, existing.api_token = session, api_token
        existing.save(update_fields=["p256dh", "auth", "device_name", "session", "api_token"])
        return existing
    made = PushSubscription.objects.create(
        user=user,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        device_name=name,
        session=session,
        api_token=api_token,
        created_at=clock.now(),
    )
    older = PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)
    surplus = list(older[MAX_DEVICES:])
    if surplus:
        PushSubscription.objects.filter(pk__in=surplus).delete()
    return made


def unsubscribe(*, user, endpoint: str | None = None, subscription_id: int | None = None) -> bool:
    """Remove one of this person's devices (by id or endpoint); False if they have no such one."""
    from portal.access import notifications as notifications_access

    rows = notifications_access.visible_push_devices(user)
    if subscription_id is not None:
        rows = rows.filter(pk=subscription_id)
    elif endpoint:
        rows = rows.filter(endpoint=endpoint)
    else:
        return False
    _total, per_model = rows.delete()
    return bool(per_model.get(PushSubscription._meta.label))


def devices_of(user):
    from portal.access import notifications as notifications_access

    return notifications_access.visible_push_devices(user).order_by("-created_at", "-pk")


def endpoint_hash(endpoint: str) -> str:
    """A short fingerprint, so a page can tell which listed device is this browser without
    putting the endpoint itself in the page."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- sending


def payload_for(notification: Notification) -> bytes:
    """What the service worker (or the app) shows: JSON, at most MAX_PAYLOAD_BYTES.

    `url` opens the notification through the portal (marking it read, then on to `path`)."""
    data = {
        "id": notification.pk,
        "title": notification.title,
        "body": "",
        "url": reverse("notifications:open", args=[notification.pk]),
        "path": notification.url,
        # New photos replace each other on the phone (a group shares many at a time): one
        # buzz, not twenty. Everything else stands on its own.
        "tag": "photos" if notification.kind == "photo" else notification.key,
        "kind": notification.kind,
    }
    text = notification.body
    if len(text) > BODY_CHARS:
        text = text[:BODY_CHARS].rstrip() + "…"
    while True:
        data["body"] = text
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        if len(raw) <= MAX_PAYLOAD_BYTES or not text:
            return raw
        text = text[: len(text) // 2].rstrip() + "…" if len(text) > 2 else ""


class _NoRedirects(requests.Session):
    """A push service answers; it does not send us elsewhere."""

    def request(self, method, url, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def send(subscription: PushSubscription, notification: Notification) -> str:
    """Send one notification to one device: SENT, or GONE when the push service says the
    device no longer exists (404/410). Any other failure raises, to be retried later."""
    validate_endpoint(subscription.endpoint)
    private, _public = key_pair()
    with _NoRedirects() as session:
        try:
            webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=payload_for(notification),
                vapid_private_key=Vapid(private),
                vapid_claims={"sub": settings.PUSH_CONTACT},  # aud (the endpoint's origin) and exp are added
                content_encoding="aes128gcm",
                ttl=settings.PUSH_TTL_SECONDS,
                timeout=TIMEOUT_SECONDS,
                headers={"Urgency": "normal"},
                requests_session=session,
            )
        except WebPushException as exc:
            status = exc.status_code
            if status in (404, 410):
                return GONE
            detail = (getattr(exc.response, "text", "") or "")[:120] if exc.response is not None else exc.message
            raise PushFailed(f"push service answered {status or 'nothing'}: {detail}") from exc
    PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=clock.now())
    return SENT
