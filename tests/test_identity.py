"""A person's identity across organisations: one login, and each organisation sees only what
it entered itself. World: Anna is a guardian at Zonnebloem (organisation A, admin Adam) with
an account; Oscar is the admin of Regenboog (organisation B), where Olle is placed."""

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.access import roles as roles_module
from portal.accounts.models import Invitation, OrganisationProfile, RoleInvitation, User
from portal.children.models import Guardian
from portal.core import clock
from portal.organisations.models import OrganisationAdmin
from tests.conftest import PASSWORD, TODAY, child, login
from tests.factories import place
from tests.test_two_factor import code_for


def manage(name, world, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"organisation_id": world.b.org.pk, **kwargs})


def guardians_section(html: str) -> str:
    return html[html.index('id="h-guardians"') : html.index("</ul>", html.index('id="h-guardians"'))]


def staff_invitations_section(html: str) -> str:
    start = html.index("Invited, not accepted yet") if "Invited, not" in html else html.index("nog niet geaccepteerd")
    return html[start : html.index("</ul>", start)]


def normalise(text: str, email: str, name: str) -> str:
    text = text.replace(email, "EMAIL").replace(name, "NAME")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return re.sub(r"/\d+/", "/ID/", text)


@pytest.fixture
def oscar(client, world):
    login(client, world.oscar)
    return client


@pytest.fixture
def b_child(world):
    """A second child of Regenboog, placed now, so two additions can be compared."""
    kid = child(world.b.org, "Pip", dt.date(2025, 4, 4))
    place(kid, world.b.babies, dt.date(2026, 2, 1), weekdays=(1,))
    Guardian.objects.create(user=world.otto, child=kid)
    return kid


def anna_app_token(client) -> str:
    body = {"email": "anna@example.test", "password": PASSWORD, "device_name": "Anna's phone"}
    return client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json").json()["token"]


# ---------------------------------------------------------------- guardians


def test_adding_another_organisations_parent_looks_like_adding_a_new_address(oscar, world, b_child, committed):
    with committed():
        oscar.post(
            manage("guardian_add", world, child_id=world.olle.pk),
            {"email": "anna@example.test", "full_name": "Annemarie de Vries", "relation": "parent"},
        )
    existing = oscar.get(manage("child", world, child_id=world.olle.pk))
    with committed():
        oscar.post(
            manage("guardian_add", world, child_id=b_child.pk),
            {"email": "nieuw@example.test", "full_name": "Annemarie de Vries", "relation": "parent"},
        )
    new = oscar.get(manage("child", world, child_id=b_child.pk))
    existing_html, new_html = existing.content.decode(), new.content.decode()
    # Nothing of Zonnebloem: not its name for Anna, not that she has an account.
    for html in (existing_html, new_html):
        assert "Anna Ouder" not in html and "Zonnebloem" not in html
        assert "heeft een account" not in html and "nog geen account" not in html
    assert normalise(guardians_section(existing_html), "anna@example.test", "Olle") == normalise(
        guardians_section(new_html), "nieuw@example.test", "Pip"
    )
    assert [m.message for m in existing.context["messages"]] == [
        m.message.replace("nieuw@example.test", "anna@example.test").replace("Pip", "Olle")
        for m in new.context["messages"]
    ]
    # Anna gets a notice (log in as always); the new address the link to choose a password.
    by_address = {m.to[0]: m for m in mail.outbox}
    notice = by_address["anna@example.test"]
    assert "Regenboog" in notice.subject and "Olle" in notice.subject
    assert "/accounts/invitation/" not in notice.body and "/accounts/login/" in notice.body
    assert "/accounts/invitation/" in by_address["nieuw@example.test"].body


def test_the_parent_keeps_their_password_session_app_token_and_own_name(client, world, committed):
    token = anna_app_token(client)
    anna_browser = client.__class__()
    login(anna_browser, world.anna)
    login(client, world.oscar)
    with committed():
        client.post(
            manage("guardian_add", world, child_id=world.olle.pk),
            {"email": "ANNA@example.test", "full_name": "Annemarie de Vries", "relation": "parent"},
        )
    world.anna.refresh_from_db()
    assert world.anna.check_password(PASSWORD) and world.anna.full_name == "Anna Ouder"
    assert anna_browser.get(reverse("home:home")).status_code == 200
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert {c["first_name"] for c in me["children"]} == {"Bo", "Mo", "Olle"}
    assert me["user"]["name"] == "Anna Ouder"  # her own name, not what Regenboog entered
    # Each organisation sees its own name for her.
    names = dict(OrganisationProfile.objects.filter(user=world.anna).values_list("organisation__name", "full_name"))
    assert names == {"Zonnebloem": "Anna Ouder", "Regenboog": "Annemarie de Vries"}
    login(client, world.adam)
    assert "Annemarie" not in client.get(reverse("home:child", args=[world.bo.pk])).content.decode()


def test_an_organisation_sees_its_own_name_in_messages_and_the_diary(client, world, committed):
    from portal.diary.services import reply_add
    from portal.messaging.services import thread_start

    login(client, world.oscar)
    with committed():
        client.post(
            manage("guardian_add", world, child_id=world.olle.pk),
            {"email": "anna@example.test", "full_name": "Annemarie de Vries", "relation": "parent"},
        )
    roles_module.forget_roles(world.anna)
    thread = thread_start(
        author=world.anna, child=world.olle, group=world.b.babies, subject="Oma", body="Oma haalt op", by_staff=False
    )
    login(client, world.olga)
    html = client.get(reverse("messaging:thread", args=[thread.pk])).content.decode()
    assert "Annemarie" in html and "Anna" not in html.replace("Annemarie", "")
    from portal.diary.models import DiaryEntry

    entry = DiaryEntry.objects.create(
        child=world.olle, date=TODAY, author=world.olga, text="Goed geslapen", state="published"
    )
    reply_add(author=world.anna, entry=entry, text="Dank je!")
    html = client.get(reverse("diary:child", args=[world.olle.pk])).content.decode()
    assert "— Annemarie" in html


def test_each_organisation_invites_on_its_own(world, committed):
    """A guardian invited by A, without an account yet, is invited by B too when B adds them:
    B's page does not show A's invitation, and B's own invitation goes out."""
    from portal.accounts.services import invitations_send_due

    kid = child(world.a.org, "Nina", dt.date(2025, 6, 1))
    place(kid, world.a.toddlers, TODAY + dt.timedelta(days=10))
    waiting = User.objects.create_user("wacht@example.test", None, full_name="Wim Wacht")
    Guardian.objects.create(user=waiting, child=kid)
    with committed():
        invitations_send_due(TODAY)
    assert len(mail.outbox) == 1
    Invitation.objects.filter(user=waiting).update(created_at=clock.now() - dt.timedelta(days=2))
    Guardian.objects.create(user=waiting, child=world.olle)
    b_profile = OrganisationProfile.objects.get(user=waiting, organisation=world.b.org)
    assert b_profile.full_name == "" and b_profile.invited_at is None  # A's name and invitation stay A's
    with committed():
        invitations_send_due(TODAY)
    assert len(mail.outbox) == 2 and "Regenboog" in mail.outbox[1].body
    with committed():
        invitations_send_due(TODAY + dt.timedelta(days=1))
    assert len(mail.outbox) == 2


def test_the_organisation_page_lists_its_own_relation_only(client, world, committed):
    login(client, world.oscar)
    with committed():
        client.post(
            manage("guardian_add", world, child_id=world.olle.pk),
            {"email": "anna@example.test", "full_name": "Annemarie de Vries", "relation": "parent"},
        )
    html = client.get(reverse("home:organisation", args=[world.b.org.pk])).content.decode()
    assert "anna@example.test" in html and "Annemarie de Vries" in html  # not logged in since B added her
    with committed():
        answer = client.post(reverse("home:guardian_invite", args=[world.b.org.pk, world.anna.pk]), follow=True)
    assert "heeft al een account" not in answer.content.decode()
    assert mail.outbox[-1].to == ["anna@example.test"] and "/accounts/invitation/" not in mail.outbox[-1].body
    anna = client.__class__()
    anna.post("/accounts/login/", {"email": "anna@example.test", "password": PASSWORD})
    assert "anna@example.test" not in client.get(reverse("home:organisation", args=[world.b.org.pk])).content.decode()


# ---------------------------------------------------------------- staff roles


def add_admin(client, world, email="anna@example.test", name="Annemarie de Vries"):
    return client.post(manage("staff", world), {"email": email, "full_name": name, "role": "admin"})


def test_adding_an_existing_address_as_admin_waits_for_acceptance(oscar, client, world, committed):
    token = anna_app_token(client)
    login(oscar, world.oscar)
    with committed():
        assert add_admin(oscar, world).status_code == 302
        add_admin(oscar, world, email="nieuwe@example.test")
    # Pending role = no access, and nothing changes for Anna's login.
    assert not OrganisationAdmin.objects.filter(user=world.anna, organisation=world.b.org).exists()
    roles_module.forget_roles(world.anna)
    assert roles_module.roles_of(world.anna).admin_organisation_ids == frozenset()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["roles"] == ["guardian"]
    # The staff page shows both invitations alike.
    html = oscar.get(manage("staff", world)).content.decode()
    section = staff_invitations_section(html)
    rows = re.findall(r"<li>.*?</li>", section, flags=re.S)
    assert len(rows) == 2
    assert normalise(rows[0], "anna@example.test", "Annemarie de Vries") == normalise(
        rows[1], "nieuwe@example.test", "Annemarie de Vries"
    )
    # Anna is asked to accept, logged in; the new address gets the link to choose a password.
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "/accounts/roles/" in by_address["anna@example.test"].body
    assert "/accounts/invitation/" not in by_address["anna@example.test"].body
    assert "twee stappen" in by_address["anna@example.test"].body
    assert "/accounts/invitation/" in by_address["nieuwe@example.test"].body
    # Anna's session is not sent to the two-step setup.
    login(client, world.anna)
    assert client.get(reverse("home:home")).status_code == 200
    assert client.get(manage("children", world)).status_code == 404


def test_after_accepting_admin_pages_ask_for_two_step_login_and_guardian_pages_do_not(oscar, client, world, committed):
    token = anna_app_token(client)
    with committed():
        add_admin(oscar, world)
    anna = client.__class__()
    login(anna, world.anna)
    page = anna.get(reverse("accounts:roles"))
    assert page.status_code == 200 and "Regenboog" in page.content.decode()
    [invitation] = RoleInvitation.objects.filter(user=world.anna)
    assert anna.post(reverse("accounts:role_accept", args=[invitation.pk])).status_code == 302
    assert OrganisationAdmin.objects.filter(user=world.anna, organisation=world.b.org).exists()
    # Guardian pages and the guardian API keep working without two-step login.
    home = anna.get(reverse("home:home"))
    assert home.status_code == 200 and "twee stappen" in home.content.decode()
    assert anna.get(reverse("home:child", args=[world.bo.pk])).status_code == 200
    assert anna.get(reverse("planning:calendar", args=[world.bo.pk])).status_code == 200
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"/api/v1/children/{world.bo.pk}/calendar", **auth).status_code == 200
    me = client.get("/api/v1/me", **auth).json()
    assert me["roles"] == ["guardian"] and "Olle" not in {c["first_name"] for c in me["children"]}
    # Admin work asks for it: the back office, the organisation page, B's children, the admin API.
    for url in (manage("children", world), reverse("home:organisation", args=[world.b.org.pk])):
        response = anna.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_setup")
    assert anna.get(reverse("home:child", args=[world.olle.pk])).status_code == 404
    news = json.dumps({"title": "Nieuws", "body": "Tekst", "audience": f"organisation:{world.b.org.pk}"})
    assert client.post("/api/v1/news", news, content_type="application/json", **auth).status_code in (403, 404)
    # Anna may not turn two-step login off once she has it, and after setting it up B's pages open.
    anna.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=world.anna)
    anna.post(reverse("accounts:otp_setup"), {"token": code_for(device)})
    assert anna.get(manage("children", world)).status_code == 200
    anna.post(reverse("accounts:otp_disable"))
    assert TOTPDevice.objects.filter(user=world.anna, confirmed=True).exists()


def test_declining_and_withdrawing_leave_no_role(oscar, world, committed):
    with committed():
        add_admin(oscar, world)
        oscar.post(manage("staff", world), {"email": "bert@example.test", "full_name": "B", "role": "admin"})
    anna_invitation = RoleInvitation.objects.get(user=world.anna)
    bert_invitation = RoleInvitation.objects.get(user=world.bert)
    client = oscar.__class__()
    login(client, world.anna)
    client.post(reverse("accounts:role_decline", args=[anna_invitation.pk]))
    oscar.post(manage("staff_invitation_withdraw", world, invitation_id=bert_invitation.pk))
    login(client, world.bert)
    answer = client.post(reverse("accounts:role_accept", args=[bert_invitation.pk]), follow=True)
    assert "niet meer open" in answer.content.decode()
    assert not OrganisationAdmin.objects.filter(organisation=world.b.org, user__in=[world.anna, world.bert]).exists()
    # Someone else cannot accept Anna's invitation, and another organisation cannot withdraw it.
    with committed():
        add_admin(oscar, world)
    fresh = RoleInvitation.objects.get(user=world.anna, accepted_at=None, declined_at=None)
    client.post(reverse("accounts:role_accept", args=[fresh.pk]))
    login(client, world.adam)
    assert (
        client.post(reverse("backoffice:staff_invitation_withdraw", args=[world.a.org.pk, fresh.pk])).status_code == 404
    )
    fresh.refresh_from_db()
    assert fresh.is_open


def test_the_accept_page_in_english(client, world, committed, english):
    login(client, world.oscar)
    with committed():
        add_admin(client, world)
    world.anna.language = "en"
    world.anna.save()
    login(client, world.anna)
    html = client.get(reverse("accounts:roles")).content.decode()
    assert "Regenboog invites you as organisation admin" in html and "Accept the role" in html


def test_the_accept_page_in_dutch(client, world, committed):
    login(client, world.oscar)
    with committed():
        add_admin(client, world)
    login(client, world.anna)
    html = client.get(reverse("accounts:roles")).content.decode()
    assert "Regenboog nodigt je uit als beheerder" in html and "Rol accepteren" in html


# ---------------------------------------------------------------- existing data


def test_the_migration_gives_existing_relations_a_profile(world):
    from importlib import import_module

    fill = import_module("portal.accounts.migrations.0004_fill_organisation_profiles").fill
    OrganisationProfile.objects.all().delete()
    waiting = User.objects.create_user("wacht@example.test", None, full_name="Wim Wacht")
    Guardian.objects.create(user=waiting, child=world.olle)
    OrganisationProfile.objects.all().delete()
    fill(apps, None)
    anna = OrganisationProfile.objects.get(user=world.anna)
    assert anna.organisation == world.a.org and anna.full_name == "Anna Ouder" and anna.joined_at is not None
    assert OrganisationProfile.objects.get(user=waiting).joined_at is None
    assert OrganisationProfile.objects.filter(user=world.oscar, organisation=world.b.org).exists()
    fill(apps, None)  # running it again changes nothing
    assert OrganisationProfile.objects.filter(user=world.anna).count() == 1
