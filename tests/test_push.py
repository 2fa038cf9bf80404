"""Web push up to the encrypted request that would reach the push service.

A local HTTP server on 127.0.0.1 stands in for the push service; a test "browser" (a P-256
key pair and a 16-byte auth secret) decrypts what arrives there. Tests allow http and that
host through the settings, as docs/push.md describes; everything else runs as in production.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from PIL import Image
from requests.structures import CaseInsensitiveDict

from portal.accounts.services import api_token_create
from portal.core import clock
from portal.notifications import push, services, tasks
from portal.notifications.models import Delivery, Kind, Notification, PushSubscription, VapidKey
from portal.notifications.push_views import BACKGROUND_COLOUR, THEME_COLOUR
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("english")  # the messages checked here are the English ones

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- the stand-ins


@dataclass
class Received:
    path: str
    headers: CaseInsensitiveDict  # header names are case-insensitive
    body: bytes


class PushService:
    """A push service on a free local port that records every request and answers with the
    statuses queued in `answers` (201 when none is queued)."""

    def __init__(self):
        self.received: list[Received] = []
        self.answers: list[int] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                service.received.append(Received(self.path, CaseInsensitiveDict(self.headers.items()), body))
                status = service.answers.pop(0) if service.answers else 201
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"{service.origin}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def endpoint(self, name: str = "device-1") -> str:
        return f"{self.origin}/push/{name}"


class TestBrowser:
    """What a browser keeps for its subscription: the private key and the auth secret."""

    __test__ = False

    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.secret = os.urandom(16)
        point = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = push.b64url(point)
        self.auth = push.b64url(self.secret)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.private, auth_secret=self.secret, version="aes128gcm")
        return json.loads(plain)


@pytest.fixture
def push_service(settings, monkeypatch):
    settings.PUSH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.PUSH_ALLOW_HTTP = True
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    service = PushService()
    service.thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def tell(user, key="diary:1", body="Bo heeft lekker geslapen", path="/diary/children/1/"):
    return services.notify(
        users=[user], kind=Kind.DIARY, key=key, render=lambda u: services.Text("Nieuwe dagboekpagina", body, path)
    )


def push_delivery(notification) -> Delivery:
    return Delivery.objects.get(notification=notification, channel=Delivery.Channel.PUSH)


# ---------------------------------------------------------------- sending


def test_a_notification_reaches_the_device_encrypted_and_signed(world, push_service, committed):
    browser = TestBrowser()
    device = push.subscribe(
        user=world.anna,
        endpoint=push_service.endpoint("anna-phone"),
        p256dh=browser.p256dh,
        auth=browser.auth,
        device_name="Telefoon van Anna",
    )
    with committed():
        [notification] = tell(world.anna)

    assert len(push_service.received) == 1
    request = push_service.received[0]
    assert request.path == "/push/anna-phone"
    assert request.headers["Content-Encoding"] == "aes128gcm"
    assert request.headers["TTL"] == str(django_settings.PUSH_TTL_SECONDS)
    assert request.headers["Urgency"] == "normal"
    assert b"geslapen" not in request.body  # the push service cannot read it

    payload = browser.decrypt(request.body)
    assert payload == {
        "id": notification.pk,
        "title": "Nieuwe dagboekpagina",
        "body": "Bo heeft lekker geslapen",
        "url": reverse("notifications:open", args=[notification.pk]),
        "path": "/diary/children/1/",
        "tag": "diary:1",
        "kind": "diary",
    }
    # Someone else's keys cannot read it.
    with pytest.raises(Exception):  # noqa: B017 - http_ece raises InvalidTag or ECEException
        TestBrowser().decrypt(request.body)

    # The VAPID token: `vapid t=<JWT>,k=<our public key>`, signed with our private key.
    scheme, _sp, rest = request.headers["Authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in rest.split(","))
    assert fields["k"] == push.public_key()
    head_b64, claims_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(b64decode(head_b64)) == {"typ": "JWT", "alg": "ES256"}
    claims = json.loads(b64decode(claims_b64))
    assert claims["aud"] == push_service.origin  # the endpoint's origin, not the whole URL
    assert claims["sub"] == django_settings.PUSH_CONTACT
    assert claims["sub"].startswith("mailto:")
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600  # real time: the push service checks it
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(fields["k"]))
    signature = b64decode(signature_b64)
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "aud": "https://elsewhere"}).encode()).rstrip(b"=")
    with pytest.raises(InvalidSignature):
        public.verify(der, f"{head_b64}.{forged.decode()}".encode(), ec.ECDSA(hashes.SHA256()))

    assert push_delivery(notification).state == Delivery.State.SENT
    device.refresh_from_db()
    assert device.last_success_at == clock.now()


def test_each_device_gets_its_own_message(world, push_service, committed):
    phone, laptop = TestBrowser(), TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint("phone"), p256dh=phone.p256dh, auth=phone.auth)
    push.subscribe(user=world.anna, endpoint=push_service.endpoint("laptop"), p256dh=laptop.p256dh, auth=laptop.auth)
    push.subscribe(user=world.bert, endpoint=push_service.endpoint("bert"), p256dh=phone.p256dh, auth=phone.auth)
    with committed():
        tell(world.anna)
    by_path = {r.path: r for r in push_service.received}
    assert set(by_path) == {"/push/phone", "/push/laptop"}  # not Bert's
    assert phone.decrypt(by_path["/push/phone"].body)["title"] == "Nieuwe dagboekpagina"
    assert laptop.decrypt(by_path["/push/laptop"].body)["title"] == "Nieuwe dagboekpagina"


def test_a_long_text_is_shortened_to_fit_a_push_message(world, push_service):
    browser = TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    [notification] = tell(world.anna, body="Oma’s verhaal 🌷 " * 2000)
    assert len(push.payload_for(notification)) <= push.MAX_PAYLOAD_BYTES
    assert services.deliver_one(push_delivery(notification).pk) == Delivery.State.SENT
    payload = browser.decrypt(push_service.received[0].body)
    assert payload["body"].startswith("Oma’s verhaal 🌷") and payload["body"].endswith("…")
    assert len(payload["body"]) <= push.BODY_CHARS + 1


@pytest.mark.parametrize("status", [410, 404])
def test_a_device_the_push_service_forgot_is_removed(world, push_service, status):
    browser = TestBrowser()
    device = push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    [notification] = tell(world.anna)
    delivery = push_delivery(notification)
    push_service.answers = [status]
    assert services.deliver_one(delivery.pk) == Delivery.State.SKIPPED
    assert len(push_service.received) == 1
    assert not PushSubscription.objects.filter(pk=device.pk).exists()
    # The delivery went with the subscription (on_delete CASCADE): nothing is left to retry.
    assert not Delivery.objects.filter(notification=notification, channel=Delivery.Channel.PUSH).exists()
    services.send_due(clock.now())  # the e-mail goes; no push is tried again
    assert len(push_service.received) == 1


def test_a_push_service_error_is_retried_later(world, push_service):
    browser = TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    [notification] = tell(world.anna)
    delivery = push_delivery(notification)
    push_service.answers = [500]

    assert services.deliver_one(delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.due_at == clock.now() + dt.timedelta(minutes=1)
    assert "500" in delivery.last_error
    assert services.deliver_one(delivery.pk) == "not due"  # not before its time
    assert len(push_service.received) == 1

    with clock.frozen(delivery.due_at):
        assert services.deliver_one(delivery.pk) == Delivery.State.SENT
    assert len(push_service.received) == 2
    assert browser.decrypt(push_service.received[1].body)["tag"] == "diary:1"


def test_an_unreachable_push_service_is_retried_later(world, push_service, settings):
    browser = TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    [notification] = tell(world.anna)
    push_service.server.shutdown()
    push_service.server.server_close()  # nothing listens on that port now
    delivery = push_delivery(notification)
    assert services.deliver_one(delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert "ConnectionError" in delivery.last_error


def test_a_redirect_is_not_followed(world, push_service):
    """A push service that sends us elsewhere does not get us to post there."""
    browser = TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    [notification] = tell(world.anna)
    push_service.answers = [307]
    assert services.deliver_one(push_delivery(notification).pk) == Delivery.State.PENDING
    assert [r.path for r in push_service.received] == ["/push/device-1"]


def test_a_delivery_is_sent_once_however_often_it_runs(world, push_service, committed):
    browser = TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    [notification] = tell(world.anna)
    delivery = push_delivery(notification)
    assert services.deliver_one(delivery.pk) == Delivery.State.SENT
    assert services.deliver_one(delivery.pk) == "not due"
    with committed():
        tasks.deliver.enqueue(delivery.pk)
        tasks.deliver.enqueue(delivery.pk)
    services.send_due(clock.now() + dt.timedelta(hours=2))
    assert len(push_service.received) == 1
    # The same event told again makes no second notification and no second push.
    with committed():
        assert tell(world.anna) == []
    assert len(push_service.received) == 1


def test_sending_checks_the_endpoint_again(world, push_service, settings):
    """A device registered while a host was allowed gets nothing once it no longer is."""
    browser = TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    [notification] = tell(world.anna)
    settings.PUSH_ALLOWED_HOSTS = ["fcm.googleapis.com"]
    delivery = push_delivery(notification)
    assert services.deliver_one(delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert "not a known push service" in delivery.last_error
    assert push_service.received == []


def test_push_follows_the_persons_choice(world, push_service, committed):
    browser = TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    services.preferences_save(user=world.anna, choices={Kind.DIARY: (False, "off")})
    with committed():
        tell(world.anna)
    assert push_service.received == []


# ---------------------------------------------------------------- what we accept


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
        "https://web.push.apple.com/QGx1a2U",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
        "https://FCM.googleapis.com/fcm/send/x",
    ],
)
def test_the_known_push_services_are_accepted(endpoint):
    assert push.validate_endpoint(endpoint) == endpoint


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://fcm.googleapis.com/fcm/send/x", "must be an https address"),
        ("ftp://fcm.googleapis.com/x", "must be an https address"),
        ("https://evil.example/push", "evil.example is not a known push service"),
        ("https://fcm.googleapis.com.evil.example/x", "is not a known push service"),
        ("https://evilfcm.googleapis.com/x", "evilfcm.googleapis.com is not a known push service"),
        ("https://127.0.0.1/x", "127.0.0.1 is not a known push service"),
        ("https://localhost:8000/admin", "localhost is not a known push service"),
        ("https://169.254.169.254/latest/meta-data", "is not a known push service"),
        ("https://[::1]/x", "is not a known push service"),
        ("https://user@fcm.googleapis.com/x", "not a valid address"),
        ("https://evil.example\\@fcm.googleapis.com/x", "characters a URL cannot have"),
        ("https://fcm.googleapis.com /x", "characters a URL cannot have"),
        ("https://fcm.googleapis.com:abc/x", "invalid port"),
        ("https:///x", "not a valid address"),
        ("", "has no endpoint"),
        (None, "has no endpoint"),
        ("https://fcm.googleapis.com/" + "x" * 1000, "too long"),
    ],
)
def test_other_addresses_are_refused(endpoint, message):
    with pytest.raises(push.SubscriptionError, match=re.escape(message)):
        push.validate_endpoint(endpoint)


def test_http_is_refused_even_for_an_allowed_host(settings):
    settings.PUSH_ALLOWED_HOSTS = ["127.0.0.1"]
    with pytest.raises(push.SubscriptionError, match="https"):
        push.validate_endpoint("http://127.0.0.1:9/push")
    settings.PUSH_ALLOW_HTTP = True
    assert push.validate_endpoint("http://127.0.0.1:9/push")


def _point(raw: bytes) -> str:
    return push.b64url(raw)


@pytest.mark.parametrize(
    ("p256dh", "auth", "message"),
    [
        ("not base64 $$", None, "65 bytes"),
        (_point(b"\x04" + b"\x01" * 63), None, "65 bytes"),  # too short
        (_point(b"\x02" + b"\x01" * 64), None, "65 bytes"),  # not the uncompressed form
        (_point(b"\x04" + b"\x01" * 64), None, "not a point on the P-256 curve"),
        (None, "", "auth secret must be 16 bytes"),
        (None, _point(b"\x00" * 15), "auth secret must be 16 bytes"),
        (None, _point(b"\x00" * 17), "auth secret must be 16 bytes"),
        (None, "%%%%", "auth secret must be 16 bytes"),
        (12345, None, "65 bytes"),
    ],
)
def test_bad_keys_are_refused(world, p256dh, auth, message):
    browser = TestBrowser()
    with pytest.raises(push.SubscriptionError, match=re.escape(message)):
        push.subscribe(
            user=world.anna,
            endpoint="https://fcm.googleapis.com/fcm/send/x",
            p256dh=browser.p256dh if p256dh is None else p256dh,
            auth=browser.auth if auth is None else auth,
        )
    assert not PushSubscription.objects.exists()


def test_keys_in_padded_standard_base64_are_stored_url_safe(world):
    browser = TestBrowser()
    padded = base64.b64encode(b64decode(browser.p256dh)).decode()
    device = push.subscribe(
        user=world.anna,
        endpoint="https://fcm.googleapis.com/fcm/send/x",
        p256dh=padded,
        auth=base64.b64encode(browser.secret).decode(),
    )
    assert (device.p256dh, device.auth) == (browser.p256dh, browser.auth)


# ---------------------------------------------------------------- devices


def test_registering_again_updates_the_same_device(world):
    first, second = TestBrowser(), TestBrowser()
    url = "https://fcm.googleapis.com/fcm/send/abc"
    a = push.subscribe(user=world.anna, endpoint=url, p256dh=first.p256dh, auth=first.auth, device_name="Telefoon")
    b = push.subscribe(user=world.anna, endpoint=url, p256dh=second.p256dh, auth=second.auth)
    assert a.pk == b.pk
    device = PushSubscription.objects.get()
    assert (device.p256dh, device.auth, device.device_name) == (second.p256dh, second.auth, "Telefoon")


def test_a_device_that_changed_hands_moves_without_the_old_owners_messages(world, push_service):
    browser = TestBrowser()
    url = push_service.endpoint("shared-tablet")
    old = push.subscribe(user=world.anna, endpoint=url, p256dh=browser.p256dh, auth=browser.auth)
    tell(world.anna)  # waiting for Anna (not sent yet)
    new = push.subscribe(user=world.bert, endpoint=url, p256dh=browser.p256dh, auth=browser.auth, device_name="Tablet")
    assert new.pk != old.pk and new.user == world.bert
    assert list(PushSubscription.objects.values_list("user__email", flat=True)) == ["bert@example.test"]
    services.send_due(clock.now())
    assert push_service.received == []  # Anna's diary never reaches Bert's device


def test_a_person_keeps_at_most_the_newest_devices(world):
    browser = TestBrowser()
    start = clock.now()
    for i in range(push.MAX_DEVICES + 2):
        with clock.frozen(start + dt.timedelta(minutes=i)):
            push.subscribe(
                user=world.anna,
                endpoint=f"https://fcm.googleapis.com/fcm/send/{i}",
                p256dh=browser.p256dh,
                auth=browser.auth,
            )
    kept = set(PushSubscription.objects.filter(user=world.anna).values_list("endpoint", flat=True))
    assert len(kept) == push.MAX_DEVICES
    assert "https://fcm.googleapis.com/fcm/send/0" not in kept
    assert "https://fcm.googleapis.com/fcm/send/1" not in kept
    assert f"https://fcm.googleapis.com/fcm/send/{push.MAX_DEVICES + 1}" in kept


def test_unsubscribe_removes_only_ones_own_device(world):
    browser = TestBrowser()
    mine = push.subscribe(
        user=world.anna, endpoint="https://fcm.googleapis.com/fcm/send/a", p256dh=browser.p256dh, auth=browser.auth
    )
    theirs = push.subscribe(
        user=world.bert, endpoint="https://fcm.googleapis.com/fcm/send/b", p256dh=browser.p256dh, auth=browser.auth
    )
    assert push.unsubscribe(user=world.anna, subscription_id=theirs.pk) is False
    assert push.unsubscribe(user=world.anna, endpoint=theirs.endpoint) is False
    assert push.unsubscribe(user=world.anna) is False
    assert PushSubscription.objects.count() == 2
    assert push.unsubscribe(user=world.anna, endpoint=mine.endpoint) is True
    assert list(PushSubscription.objects.all()) == [theirs]


# ---------------------------------------------------------------- the VAPID key


def test_the_vapid_key_is_made_once(db):
    key = push.public_key()
    assert push.public_key() == key
    assert VapidKey.objects.count() == 1
    raw = b64decode(key)
    assert len(raw) == 65 and raw[0] == 4
    private, public = push.key_pair()
    assert public == key and push._public_b64(private) == key


def test_two_processes_making_the_key_at_once_end_up_with_one(db, monkeypatch):
    """The other process inserted its key between our look and our insert: we use theirs."""
    theirs = ec.generate_private_key(ec.SECP256R1())
    pem = theirs.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    VapidKey.objects.create(pk=push.STORED_KEY_ID, private_pem=pem, public_key=push._public_b64(theirs))
    manager = VapidKey.objects
    monkeypatch.setattr(manager, "filter", lambda **kwargs: manager.none())  # our look found nothing
    assert push.public_key() == push._public_b64(theirs)
    monkeypatch.undo()
    assert VapidKey.objects.count() == 1


def test_a_key_pair_from_the_settings_is_used(world, settings, push_service):
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    expected = push._public_b64(private)
    settings.VAPID_PRIVATE_KEY = pem.replace("\n", "\\n")  # as one line in an .env file
    settings.VAPID_PUBLIC_KEY = expected
    assert push.public_key() == expected
    browser = TestBrowser()
    push.subscribe(user=world.anna, endpoint=push_service.endpoint(), p256dh=browser.p256dh, auth=browser.auth)
    [notification] = tell(world.anna)
    assert services.deliver_one(push_delivery(notification).pk) == Delivery.State.SENT
    assert f"k={expected}" in push_service.received[0].headers["Authorization"]
    assert not VapidKey.objects.exists()
    # The raw 32-byte form that key generators print works too.
    settings.VAPID_PRIVATE_KEY = push.b64url(private.private_numbers().private_value.to_bytes(32, "big"))
    assert push.public_key() == expected


def test_a_wrong_key_in_the_settings_stops_with_a_clear_error(settings):
    settings.VAPID_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nbm9uc2Vuc2U=\n-----END PRIVATE KEY-----"
    with pytest.raises(ImproperlyConfigured, match="VAPID_PRIVATE_KEY cannot be read"):
        push.public_key()
    private = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.VAPID_PUBLIC_KEY = TestBrowser().p256dh
    with pytest.raises(ImproperlyConfigured, match="does not belong"):
        push.public_key()


# ---------------------------------------------------------------- pages


def _csrf_client(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    login(client, user)
    client.get(reverse("notifications:settings"))
    return client, client.cookies["csrftoken"].value


def test_the_browser_subscribes_and_unsubscribes_with_the_csrf_token(world):
    browser = TestBrowser()
    client, token = _csrf_client(world.anna)
    body = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "expirationTime": None,
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
        "device_name": "Chrome · Android",
    }
    url = reverse("notifications:push_subscribe")
    refused = client.post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 403 and not PushSubscription.objects.exists()

    response = client.post(url, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    device = PushSubscription.objects.get()
    assert response.json() == {"id": device.pk, "device_name": "Chrome · Android"}
    assert device.user == world.anna
    # A double click registers one device.
    client.post(url, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert PushSubscription.objects.count() == 1

    off = client.post(
        reverse("notifications:push_unsubscribe"),
        json.dumps({"endpoint": body["endpoint"]}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert off.json() == {"removed": True}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "Send the subscription as JSON."),
        ("[1, 2]", "Send the subscription as JSON."),
        (json.dumps({"endpoint": "https://evil.example/x", "keys": {}}), "evil.example is not a known push service"),
        (json.dumps({"endpoint": "https://fcm.googleapis.com/x", "keys": "x"}), "65 bytes"),
    ],
)
def test_a_bad_subscription_gets_a_clear_error(client, world, body, message):
    login(client, world.anna)
    response = client.post(reverse("notifications:push_subscribe"), body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_unsubscribing_another_persons_endpoint_changes_nothing(client, world):
    browser = TestBrowser()
    theirs = push.subscribe(
        user=world.bert, endpoint="https://fcm.googleapis.com/fcm/send/b", p256dh=browser.p256dh, auth=browser.auth
    )
    login(client, world.anna)
    response = client.post(
        reverse("notifications:push_unsubscribe"), json.dumps({"endpoint": theirs.endpoint}), "application/json"
    )
    assert response.json() == {"removed": False}
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()
    assert client.post(reverse("notifications:push_unsubscribe"), "{}", "application/json").status_code == 400


def test_a_device_is_removed_from_the_list(client, world):
    browser = TestBrowser()
    mine = push.subscribe(
        user=world.anna, endpoint="https://fcm.googleapis.com/fcm/send/a", p256dh=browser.p256dh, auth=browser.auth
    )
    theirs = push.subscribe(
        user=world.bert, endpoint="https://fcm.googleapis.com/fcm/send/b", p256dh=browser.p256dh, auth=browser.auth
    )
    login(client, world.anna)
    assert client.post(reverse("notifications:push_device_remove", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("notifications:push_device_remove", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:settings")
    assert list(PushSubscription.objects.all()) == [theirs]
    assert client.post(reverse("notifications:push_device_remove", args=[mine.pk])).status_code == 404  # twice


def _panel(user) -> str:
    request = RequestFactory().get("/notifications/settings/")
    request.user = user
    return render_to_string("notifications/_push.html", request=request)


def test_the_push_panel_lists_ones_own_devices_safely(world, django_assert_max_num_queries):
    browser = TestBrowser()
    push.subscribe(
        user=world.anna,
        endpoint="https://fcm.googleapis.com/fcm/send/a",
        p256dh=browser.p256dh,
        auth=browser.auth,
        device_name="<script>alert(1)</script>",
    )
    push.subscribe(
        user=world.bert,
        endpoint="https://fcm.googleapis.com/fcm/send/b",
        p256dh=browser.p256dh,
        auth=browser.auth,
        device_name="Bert's phone",
    )
    html = _panel(world.anna)
    assert f'data-key="{push.public_key()}"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Bert" not in html
    assert push.endpoint_hash("https://fcm.googleapis.com/fcm/send/a") in html
    assert "fcm.googleapis.com" not in html  # endpoints stay out of the page
    assert "Turn on notifications on this device" in html and 'name="csrfmiddlewaretoken"' in html
    assert reverse("notifications:push_subscribe") in html

    for i in range(10):  # more devices, the same queries
        push.subscribe(
            user=world.anna,
            endpoint=f"https://fcm.googleapis.com/fcm/send/n{i}",
            p256dh=browser.p256dh,
            auth=browser.auth,
        )
    with django_assert_max_num_queries(2):
        html = _panel(world.anna)
    assert html.count("data-endpoint-hash=") == 11


def test_the_panel_without_devices_says_so(world):
    assert "No device receives notifications yet." in _panel(world.carla)


def test_the_manifest_makes_the_portal_installable(client, db):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Ouderportaal"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    css = (ROOT / "static/css/portal.css").read_text()
    assert re.search(r"--brand:\s*(#[0-9a-f]{6})", css).group(1) == THEME_COLOUR == manifest["theme_color"]
    assert re.search(r"--bg:\s*(#[0-9a-f]{6})", css).group(1) == BACKGROUND_COLOUR == manifest["background_color"]
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert {(i["sizes"], i["purpose"]) for i in pngs} >= {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    for icon in pngs:
        path = ROOT / "static" / icon["src"].removeprefix(django_settings.STATIC_URL)
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
    with Image.open(ROOT / "static/img/apple-touch-icon.png") as image:
        assert (image.format, image.size, image.mode) == ("PNG", (180, 180), "RGB")  # iOS wants no transparency


def test_the_service_worker_is_served_from_the_root(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    for part in ('addEventListener("push"', "showNotification", 'addEventListener("notificationclick"'):
        assert part in script
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", script).group(1))
    # Its cache holds the offline page and that page's stylesheet, icon and script, nothing else.
    assert config["assets"] == [
        reverse("notifications:offline"),
        "/static/css/portal.css",
        "/static/img/icon.svg",
        "/static/js/offline.js",
    ]
    assert script.count("cache.put(") == 1 and "cache.put(url, response)" in script
    assert "{{" not in script and "{%" not in script


def test_the_offline_page_holds_nothing_personal(client, world):
    login(client, world.anna)
    response = client.get(reverse("notifications:offline"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No connection" in html or "Geen verbinding" in html
    assert 'lang="nl"' in html and 'lang="en"' in html
    for personal in ("Anna", "Bo", "anna@example.test", "csrfmiddlewaretoken"):
        assert personal not in html


# ---------------------------------------------------------------- the API


def _bearer(user) -> dict:
    _token, raw = api_token_create(user=user, device_name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_app_registers_lists_and_removes_its_device(client, world):
    anna, bert = _bearer(world.anna), _bearer(world.bert)
    assert client.get("/api/v1/push/key", **anna).json() == {"public_key": push.public_key()}

    browser = TestBrowser()
    body = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/app",
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
        "device_name": "iPhone van Anna",
    }
    made = client.post("/api/v1/devices", json.dumps(body), content_type="application/json", **anna)
    assert made.status_code == 201
    device = made.json()
    assert device["device_name"] == "iPhone van Anna" and device["last_success_at"] is None

    assert [d["id"] for d in client.get("/api/v1/devices", **anna).json()] == [device["id"]]
    assert client.get("/api/v1/devices", **bert).json() == []
    assert client.delete(f"/api/v1/devices/{device['id']}", **bert).status_code == 404
    assert PushSubscription.objects.filter(pk=device["id"]).exists()
    assert client.delete(f"/api/v1/devices/{device['id']}", **anna).status_code == 204
    assert not PushSubscription.objects.exists()
    assert client.delete(f"/api/v1/devices/{device['id']}", **anna).status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"endpoint": "http://fcm.googleapis.com/x"}, 422, "https"),
        ({"endpoint": "https://10.0.0.1/x"}, 422, "not a known push service"),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAA"}}, 422, "65 bytes"),
        ({"keys": {"p256dh": "AAAA"}}, 422, ""),
    ],
)
def test_the_app_gets_a_clear_error_for_a_bad_device(client, world, change, status, message):
    browser = TestBrowser()
    body = {"endpoint": "https://fcm.googleapis.com/x", "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}
    response = client.post(
        "/api/v1/devices", json.dumps({**body, **change}), content_type="application/json", **_bearer(world.anna)
    )
    assert response.status_code == status
    assert message in json.dumps(response.json())
    assert not PushSubscription.objects.exists()


def test_the_push_endpoints_are_in_the_openapi(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/push/key" in paths
    assert set(paths["/api/v1/devices"]) >= {"get", "post"}
    assert "delete" in paths["/api/v1/devices/{device_id}"]


def test_a_notification_for_an_app_device_is_the_same_push(world, push_service, client, committed):
    """The app registers like a browser does and gets the same encrypted message."""
    browser = TestBrowser()
    body = {"endpoint": push_service.endpoint("app"), "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}
    assert (
        client.post(
            "/api/v1/devices", json.dumps(body), content_type="application/json", **_bearer(world.anna)
        ).status_code
        == 201
    )
    with committed():
        [notification] = tell(world.anna, key="news:3")
    assert browser.decrypt(push_service.received[0].body)["tag"] == "news:3"
    assert Notification.objects.get(pk=notification.pk).user == world.anna


# ---------------------------------------------------------------- a device follows its login


def test_logging_out_stops_push_to_that_browser(client, world):
    browser = TestBrowser()
    login(client, world.anna)
    client.get(reverse("notifications:settings"))
    body = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/logout-test",
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
    }
    response = client.post(reverse("notifications:push_subscribe"), json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert PushSubscription.objects.get().session is not None
    other = push.subscribe(
        user=world.anna,
        endpoint="https://fcm.googleapis.com/fcm/send/other-phone",
        p256dh=browser.p256dh,
        auth=browser.auth,
    )
    client.post(reverse("accounts:logout"))
    assert list(PushSubscription.objects.all()) == [other]  # the phone of another login stays


def test_revoking_an_app_login_stops_push_to_that_app(client, world):
    browser = TestBrowser()
    _token, raw = api_token_create(user=world.bert, device_name="Bert's phone", second_factor=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/app-test",
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
        "device_name": "Bert's phone",
    }
    response = client.post("/api/v1/devices", json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 201 and PushSubscription.objects.get().api_token is not None
    assert client.delete("/api/v1/auth/token", **auth).status_code == 204
    assert not PushSubscription.objects.exists()
