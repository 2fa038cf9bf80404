"""A guardian reports an absence with a swap; the planner sees that it fits and approves; the
guardian sees it approved and receives a mail."""

import pytest
from playwright.sync_api import expect

from portal.organisations.models import RosterPattern
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_absence_with_swap_approved_by_the_planner(world, live_server, browser, smtp_server, settings):
    settings.SITE_URL = live_server.url
    for weekday in range(5):
        for part in ("morning", "afternoon"):
            RosterPattern.objects.create(group=world.a.babies, weekday=weekday, day_part=part, professionals=2)

    anna_context, anna = log_in(browser, live_server, "anna@example.test")
    anna.get_by_role("navigation", name="Main menu").get_by_role("link", name="Planning").click()
    anna.get_by_role("link", name="Bo").click()  # two children: the tab asks whose planning
    anna.get_by_role("link", name="Monday 30 November").click()  # tap the day in the calendar
    form = anna.get_by_role("form", name="Report this day absent")
    assert "Reported before Sunday 29 November 12:00: yes" in form.inner_text()
    form.get_by_label("Reason").select_option(value="holiday")
    form.get_by_label("swap to another day").check()
    form.get_by_label("Replacement day").fill("2026-12-01")
    form.get_by_role("button", name="Report absence").click()
    assert anna.get_by_text("the swap waits for the planner").is_visible()

    paula_context, paula = log_in(browser, live_server, "paula@example.test")
    console_errors = []  # a refused inline style or eval (CSP) shows up here
    paula.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    paula.goto(f"{live_server.url}/planning/queue/")
    request = paula.get_by_role("article").filter(has_text="Bo Test")
    assert request.get_by_text("Fits", exact=True).is_visible()
    request.get_by_label("Note for the parents").fill("Tot dinsdag!")
    request.get_by_role("button", name="Approve").click()
    # htmx swaps only this request's card (without JavaScript the page reloads, with the same text).
    expect(request.get_by_role("status")).to_have_text("Approved.")
    expect(paula.get_by_text("No open requests")).to_be_visible()
    expect(paula.get_by_role("button", name="Approve all requests that fit, oldest first")).to_have_count(0)
    assert paula.evaluate("typeof htmx") == "object"
    assert console_errors == []

    anna.reload()
    requests = anna.get_by_role("region", name="Requests")
    assert requests.get_by_text("approved").first.is_visible()
    assert requests.get_by_text("Tot dinsdag!").is_visible()
    [mail] = smtp_server.messages
    assert mail["To"] == "anna@example.test" and "Approved" in mail["Subject"]
    anna_context.close()
    paula_context.close()
