"""A parent of one organisation is invited as admin of another: on a phone they accept the
role, keep their own pages, and set up two-step login only when they open the admin pages."""

import os

import pytest

from portal.accounts import identity
from portal.accounts.models import User
from portal.organisations.models import OrganisationAdmin
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


def test_a_parent_accepts_an_admin_role_on_a_phone(world, live_server, browser):
    identity.role_invite(
        organisation=world.b.org, actor=world.oscar, user=world.anna, full_name="Annemarie de Vries", role="admin"
    )
    context, page = log_in(browser, live_server, "anna@example.test")
    assert page.get_by_role("heading", name="A role is waiting for you").is_visible()
    page.get_by_role("link", name="View and accept").click()
    page.wait_for_url(f"{live_server.url}/accounts/roles/")
    offer = page.get_by_role("article", name="Regenboog invites you as organisation admin")
    assert offer.get_by_text("two-step login").is_visible()
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "roles-390.png"), full_page=True)
    offer.get_by_role("button", name="Accept the role").click()
    page.wait_for_url(f"{live_server.url}/home/")
    assert page.get_by_text("You are now organisation admin at Regenboog.").is_visible()
    assert OrganisationAdmin.objects.filter(user=User.objects.get(email="anna@example.test")).exists()
    # Her children are still there; the admin page asks for two-step login first.
    assert page.get_by_role("heading", name="My children").is_visible()
    page.goto(f"{live_server.url}/manage/{world.b.org.pk}/children/")
    page.wait_for_url(f"{live_server.url}/accounts/security/two-step/")
    assert page.get_by_text("Your other pages and the app keep working without it.").is_visible()
    context.close()
