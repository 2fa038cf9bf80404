import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal.accounts.models import Invitation, User
from portal.accounts.services import invitation_resend, invitations_send_due
from portal.children.models import Guardian
from portal.core import clock
from tests.conftest import TODAY, child, login
from tests.factories import place


@pytest.fixture
def newcomer(world):
    """A child starting on Peuters in exactly 42 days, with a guardian who has no account yet."""
    kid = child(world.a.org, "Nina", dt.date(2025, 6, 1))
    place(kid, world.a.toddlers, TODAY + dt.timedelta(days=42))
    guardian = User.objects.create_user("nina.ouder@example.test", None, full_name="Nadia Ouder")
    Guardian.objects.create(user=guardian, child=kid)
    return guardian


@pytest.fixture
def send_due(committed):
    def _send(day):
        with committed():
            return invitations_send_due(day)

    return _send


def link_from(message) -> str:
    [line] = [line for line in message.body.splitlines() if "/accounts/invitation/" in line]
    return line.strip().removeprefix("http://testserver")


def test_guardian_is_invited_42_days_before_the_start(newcomer, send_due, committed):
    send_due(TODAY)
    assert [m.to for m in mail.outbox] == [[newcomer.email]]
    assert "/accounts/invitation/" in mail.outbox[0].body
    invitation = Invitation.objects.get(user=newcomer)
    assert invitation.expires_at == invitation.sent_at + dt.timedelta(days=7)


def test_not_invited_43_days_before_the_start(newcomer, send_due, committed):
    send_due(TODAY - dt.timedelta(days=1))
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_the_lead_time_is_the_organisations_setting(world, newcomer, send_due, committed):
    world.a.org.invitation_lead_days = 30
    world.a.org.save()
    send_due(TODAY)
    assert mail.outbox == []
    send_due(TODAY + dt.timedelta(days=12))
    assert len(mail.outbox) == 1


def test_never_invited_twice(newcomer, send_due, committed):
    with committed():
        call_command("run_daily", "--date", TODAY.isoformat())
    with committed():
        call_command("run_daily", "--date", (TODAY + dt.timedelta(days=1)).isoformat())
    assert len(mail.outbox) == 1
    assert Invitation.objects.filter(user=newcomer).count() == 1


def test_guardians_with_an_account_and_ended_placements_are_not_invited(world, send_due, committed):
    # anna has a password already; olle's guardian otto too; nobody else is due.
    send_due(TODAY)
    assert mail.outbox == []
    kid = child(world.a.org, "Oud", dt.date(2023, 1, 1))
    place(kid, world.a.toddlers, dt.date(2025, 1, 1), end=TODAY - dt.timedelta(days=1))
    Guardian.objects.create(user=User.objects.create_user("oud@example.test"), child=kid)
    send_due(TODAY)
    assert mail.outbox == []


def test_a_guardian_of_a_child_already_placed_is_invited(world, send_due, committed):
    kid = child(world.a.org, "Laat", dt.date(2025, 1, 1))
    place(kid, world.a.toddlers, TODAY - dt.timedelta(days=3))
    guardian = User.objects.create_user("laat@example.test")
    Guardian.objects.create(user=guardian, child=kid)
    send_due(TODAY)
    assert [m.to for m in mail.outbox] == [[guardian.email]]


def test_setting_the_password_logs_in(client, newcomer, send_due, committed):
    send_due(TODAY)
    url = link_from(mail.outbox[0])
    assert client.get(url).status_code == 200
    response = client.post(url, {"new_password1": "Zonnige-dag-42", "new_password2": "Zonnige-dag-42"})
    assert response.status_code == 302 and response["Location"] == reverse("home:home")
    home = client.get(reverse("home:home"))
    assert ">Nina</a>" in home.content.decode()  # the Today page names each child
    newcomer.refresh_from_db()
    assert newcomer.check_password("Zonnige-dag-42") and newcomer.activated_at == clock.now()
    # The link works once.
    client.logout()
    assert client.get(url).status_code == 410


def test_a_weak_password_is_refused_with_reasons(client, newcomer, send_due, committed):
    send_due(TODAY)
    response = client.post(link_from(mail.outbox[0]), {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()
    assert response.context["form"].errors["new_password2"]


def test_the_link_expires_after_seven_days(client, newcomer, send_due, committed):
    send_due(TODAY)
    url = link_from(mail.outbox[0])
    sent = Invitation.objects.get().sent_at
    with clock.frozen(sent + dt.timedelta(days=7) - dt.timedelta(seconds=1)):
        assert client.get(url).status_code == 200
    with clock.frozen(sent + dt.timedelta(days=7)):
        response = client.get(url)
        assert response.status_code == 410
        assert "expired" in response.content.decode() or "verlopen" in response.content.decode()


def test_an_admin_resends_and_the_old_link_stops_working(client, world, newcomer, send_due, committed):
    send_due(TODAY)
    old_url = link_from(mail.outbox[0])
    login(client, world.adam)
    with committed():
        response = client.post(reverse("home:guardian_invite", args=[world.a.org.pk, newcomer.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert client.get(old_url).status_code == 410
    client.logout()
    assert client.get(link_from(mail.outbox[1])).status_code == 200
    assert Invitation.objects.filter(user=newcomer).latest("pk").resent_by == world.adam


def test_the_mail_is_in_the_guardians_language(newcomer, send_due, committed):
    newcomer.language = "en"
    newcomer.save()
    send_due(TODAY)
    assert mail.outbox[0].subject == "Your login for Ouderportaal"
    other = User.objects.create_user("nl@example.test")
    Guardian.objects.create(user=other, child=newcomer.guardianships.get().child)
    with committed():
        invitation_resend(user=other, resent_by=newcomer)
    assert mail.outbox[1].subject == "Je login voor Ouderportaal"


def test_run_daily_rejects_a_bad_date(db, send_due, committed):
    with pytest.raises(CommandError, match="is not a date"):
        call_command("run_daily", "--date", "25-11-2026")
