"""A guardian of a child starting in 42 days is invited by the daily job, opens the link from
the mail in a real browser, sets a password, lands on the home page and sees the child."""

import datetime as dt

import pytest
from django.core.management import call_command

from portal.accounts.models import User
from portal.children.models import Guardian
from tests.conftest import TODAY, child
from tests.factories import place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invitation_to_home_page(world, live_server, smtp_server, page, settings):
    settings.SITE_URL = live_server.url
    kid = child(world.a.org, "Sofie", dt.date(2025, 8, 1))
    place(kid, world.a.toddlers, TODAY + dt.timedelta(days=42), weekdays=(0, 3))
    guardian = User.objects.create_user("sofie.ouder@example.test", None, full_name="Sara Ouder")
    Guardian.objects.create(user=guardian, child=kid)

    call_command("run_daily", "--date", TODAY.isoformat())

    [message] = smtp_server.messages
    assert message["To"] == "sofie.ouder@example.test"
    body = message.get_body(preferencelist=("plain",)).get_content()
    [link] = [line.strip() for line in body.splitlines() if "/accounts/invitation/" in line]

    page.goto(link)
    assert page.get_by_role("heading", name="Welkom bij Ouderportaal").is_visible()
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("Zonnige-dag-2026")
    page.get_by_label("Nieuw wachtwoord (nog een keer)").fill("Zonnige-dag-2026")
    page.get_by_role("button").filter(has_text="wachtwoord").click()

    page.wait_for_url(f"{live_server.url}/home/")
    assert page.get_by_role("link", name="Sofie", exact=True).is_visible()
    assert page.get_by_text("Peuters").first.is_visible()
    assert page.get_by_text("Zonnebloem Centrum").first.is_visible()
    # Before the start date the portal says when requests become possible.
    assert page.get_by_text("6 januari 2027").first.is_visible()


def test_login_logout_and_language_switch(world, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail address").fill("anna@example.test")
    page.get_by_label("Password").fill("a-Long-test-passw0rd")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/home/")
    assert page.get_by_role("heading", name="Today", exact=True).is_visible()
    page.get_by_text("Menu", exact=True).click()  # account, language and logout live in one menu
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
