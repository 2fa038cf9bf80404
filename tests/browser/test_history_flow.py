"""The history on a phone (390 px): filter by child and by kind of action, nothing wider than
the screen, in English and in Dutch."""

import pytest

from portal.core.audit import log_action
from tests.browser.test_backoffice_flows import log_in_as_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def status(page) -> str:
    return page.get_by_role("status").inner_text().strip()


def test_the_history_filters_on_a_phone(world, live_server, page):
    org = world.a.org
    log_action("planning.request.approved", actor=world.paula, organisation=org, target=world.bo, summary="Bo: ja")
    log_action(
        "media.item.deleted",
        actor=world.sanne,
        organisation=org,
        child=world.bo,
        summary="Photo 12 of Baby's deleted; Bo was on it, a rather long line that has to wrap on a phone",
    )
    log_action("planning.absence.reported", actor=world.anna, organisation=org, target=world.mo, summary="Mo: ziek")
    log_in_as_admin(page, live_server, world)
    page.goto(f"{live_server.url}/manage/{org.pk}/history/")
    assert page.locator("ol.history").get_by_text("Request approved").is_visible() and fits_the_screen(page)

    page.get_by_label("Child").fill("bo")
    page.get_by_role("button", name="Filter").click()
    assert status(page).startswith("2 changes")
    assert page.get_by_text("Mo: ziek").count() == 0

    page.get_by_label("What").select_option(label="Planning: everything")
    page.get_by_role("button", name="Filter").click()
    assert status(page).startswith("1 change ") and page.get_by_text("Bo: ja").is_visible()
    assert fits_the_screen(page)

    page.get_by_label("What").select_option(label="News: everything")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_text("Nothing in the history matches these filters.").is_visible()
    page.get_by_role("link", name="Show everything").first.click()
    assert status(page) == "3 changes"


def test_the_history_and_staff_pages_fit_a_phone_and_pass_axe(world, live_server, page):
    from tests.browser.test_phone_pages import axe_source, check_page

    org = world.a.org
    for n in range(55):
        log_action("planning.absence.reported", actor=world.anna, organisation=org, target=world.bo, summary=f"Bo {n}")
    log_in_as_admin(page, live_server, world)
    axe = axe_source()
    base = f"{live_server.url}/manage/{org.pk}"
    check_page(page, f"{base}/history/", axe)
    page.get_by_role("link", name="earlier").click()
    assert page.get_by_text("Bo 4", exact=True).is_visible() and page.get_by_text("Bo 5", exact=True).count() == 0
    page.get_by_role("link", name="newer").click()
    assert page.get_by_text("Bo 54", exact=True).is_visible()
    check_page(page, f"{base}/history/?actor={world.anna.pk}&child={world.bo.pk}", axe)
    check_page(page, f"{base}/staff/?q=sanne", axe)
    check_page(page, f"{base}/staff/?location={world.a.noord.pk}", axe)
