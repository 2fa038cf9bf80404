"""Edges found in review: withdrawn links stay dead, failed mail is retried, app tokens need
the second factor, password changes end other logins, proxies and IPv6 in the throttle."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import ApiToken, Invitation, User, UserSession
from portal.accounts.services import (
    api_token_create,
    invitation_resend,
    invitations_send_due,
)
from portal.accounts.signals import client_ip
from portal.accounts.tasks import deliver_invitation
from portal.children.models import Guardian
from portal.core import clock
from portal.organisations.models import Organisation
from tests.conftest import PASSWORD, TODAY, child, login
from tests.factories import place


@pytest.fixture
def newcomer(world):
    kid = child(world.a.org, "Nina", dt.date(2025, 6, 1))
    place(kid, world.a.toddlers, TODAY + dt.timedelta(days=10))
    guardian = User.objects.create_user("nina.ouder@example.test", None, full_name="Nadia Ouder")
    Guardian.objects.create(user=guardian, child=kid)
    return guardian


def test_a_late_mail_task_cannot_revive_a_withdrawn_invitation(newcomer, committed):
    with committed():
        first = invitation_resend(user=newcomer, resent_by=None)
    with committed():
        invitation_resend(user=newcomer, resent_by=None)
    sent = len(mail.outbox)
    deliver_invitation.call(first.pk)  # the first link's task, retried late
    assert len(mail.outbox) == sent
    first.refresh_from_db()
    assert first.revoked_at is not None and not first.is_usable()


def test_one_open_invitation_per_guardian(newcomer):
    Invitation.objects.create(user=newcomer)
    with pytest.raises(IntegrityError):
        Invitation.objects.create(user=newcomer)


def test_an_invitation_link_stops_working_once_a_password_is_set(client, newcomer, committed):
    with committed():
        invitations_send_due(TODAY)
    [line] = [x for x in mail.outbox[0].body.splitlines() if "/accounts/invitation/" in x]
    newcomer.set_password("Zelf-gekozen-1")
    newcomer.save()
    response = client.get(line.strip().removeprefix("http://testserver"))
    assert response.status_code == 410


def test_a_failed_mail_is_not_shown_as_sent_and_is_retried(newcomer, committed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with committed():
        invitations_send_due(TODAY)  # the task fails (connection refused); the worker logs it
    invitation = Invitation.objects.get(user=newcomer)
    assert invitation.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with clock.frozen(clock.now() + dt.timedelta(hours=2)), committed():
        summary = invitations_send_due(TODAY)
    assert "1 retried" in summary
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_the_daily_job_copes_with_many_organisations(db):
    Organisation.objects.bulk_create(Organisation(name=f"Org {n}", slug=f"org-{n}") for n in range(1100))
    assert invitations_send_due(TODAY).startswith("0 invitations")


def test_an_admins_app_token_needs_the_second_factor(client, world):
    _token, raw = api_token_create(user=world.adam, device_name="old phone")  # made without a code
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403
    _token, raw = api_token_create(user=world.anna, device_name="phone")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    TOTPDevice.objects.create(user=world.anna, name="app", confirmed=True)  # she turns on two-step login
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403


def test_wrong_app_codes_are_throttled(client, world):
    body = {"email": "adam@example.test", "password": PASSWORD, "device_name": "x", "otp": "000000"}
    for _ in range(5):
        client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json")
    response = client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json")
    assert response.status_code == 429


def test_changing_the_password_asks_the_current_one_and_ends_other_logins(world):
    here, there = Client(), Client()
    for browser in (here, there):
        browser.post("/accounts/login/", {"email": "anna@example.test", "password": PASSWORD})
    _token, raw = api_token_create(user=world.anna, device_name="phone")
    wrong = here.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "Nieuw-wachtwoord-1", "new_password2": "Nieuw-wachtwoord-1"},
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["old_password"]
    here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Nieuw-wachtwoord-1", "new_password2": "Nieuw-wachtwoord-1"},
    )
    assert here.get(reverse("home:home")).status_code == 200
    assert there.get(reverse("home:home")).status_code == 302
    assert UserSession.objects.filter(user=world.anna).count() == 1
    assert ApiToken.objects.get(user=world.anna).revoked_at is not None


def test_the_second_factor_gives_a_new_session_key(client, world):
    from tests.test_two_factor import code_for

    client.post("/accounts/login/", {"email": "adam@example.test", "password": PASSWORD})
    before = client.session.session_key
    client.post(reverse("accounts:otp_verify"), {"token": code_for(TOTPDevice.objects.get(user=world.adam))})
    assert client.session.session_key != before
    assert UserSession.objects.get(user=world.adam).session_key == client.session.session_key


def test_client_ip_behind_a_proxy_and_for_ipv6(settings):
    factory = RequestFactory()
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="203.0.113.9")) == "10.0.0.5"
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"
    settings.CLIENT_IP_HEADER = ""
    assert client_ip(factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert client_ip(factory.get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::7")) == "2001:db8:1:2::"
    assert client_ip(factory.get("/", REMOTE_ADDR="::ffff:192.0.2.1")) == "192.0.2.1"


def test_staff_do_not_see_children_who_left_on_earlier_days(client, world):
    world.lin_placement.end_date = TODAY - dt.timedelta(days=1)
    world.lin_placement.save()
    login(client, world.sanne)
    last_friday = client.get(reverse("home:group", args=[world.a.babies.pk]), {"date": "2026-11-20"})
    assert "Lin Test" not in last_friday.content.decode()
