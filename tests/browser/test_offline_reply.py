"""A reply written without a connection is kept on the phone and sent once when the connection
is back (static/js/outbox.js), with the key its form was given: however often it is sent, the
conversation gets it once. It belongs to the person who wrote it; logging out removes it."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from portal.messaging import services
from portal.messaging.models import Message
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORE = "ouderportaal.outbox"


@pytest.fixture
def thread(world):
    return services.thread_start(
        author=world.anna, child=world.bo, group=world.a.babies, subject="", body="Hallo", by_staff=False
    )


def kept(page) -> list:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{STORE}') || '[]')")


def wait_until_all_sent(page) -> None:
    """The page's own policy forbids evaluating strings (no wait_for_function): ask in turn."""
    for _ in range(100):
        try:
            if not kept(page):
                return
        except PlaywrightError:  # the page reloads once everything is sent
            pass
        page.wait_for_timeout(100)
    raise AssertionError(f"still kept on the phone: {kept(page)}")


def test_a_reply_written_offline_is_sent_once_when_back_online(world, live_server, browser, thread):
    context, page = log_in(browser, live_server, "anna@example.test")
    page.goto(f"{live_server.url}/messages/{thread.pk}/")
    context.set_offline(True)
    page.get_by_label("Message", exact=True).fill("Bo komt morgen later, rond 10 uur")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("No connection. Your message is kept on this phone").wait_for()
    pending = page.locator(".bubble.pending")
    assert pending.inner_text().count("waiting for a connection") == 1
    assert "Bo komt morgen later, rond 10 uur" in pending.inner_text()
    assert page.get_by_label("Message", exact=True).input_value() == ""
    [item] = kept(page)
    assert item["body"] == "Bo komt morgen later, rond 10 uur" and item["owner"] == str(world.anna.pk)
    assert not Message.objects.filter(body__startswith="Bo komt").exists()

    # A second one while still offline: kept beside the first, with a key of its own.
    page.get_by_label("Message", exact=True).fill("En hij heeft zijn knuffel mee")
    page.get_by_role("button", name="Send").click()
    page.locator(".bubble.pending").nth(1).wait_for()
    first, second = kept(page)
    assert first["key"] != second["key"]

    context.set_offline(False)  # the browser's "online" event sends both, oldest first
    wait_until_all_sent(page)
    page.locator(".bubble.pending").first.wait_for(state="detached")
    bodies = list(Message.objects.filter(thread=thread).order_by("pk").values_list("body", flat=True))
    assert bodies == ["Hallo", "Bo komt morgen later, rond 10 uur", "En hij heeft zijn knuffel mee"]
    page.get_by_text("En hij heeft zijn knuffel mee").wait_for()
    assert page.locator(".bubble.pending").count() == 0

    # Sending a kept message again (its answer lost on the way) does not make a second one.
    page.evaluate(
        "(item) => window.ouderportaalOutbox.send(item)",
        {"path": f"/messages/{thread.pk}/", "key": first["key"], "body": first["body"]},
    )
    assert Message.objects.filter(thread=thread, body__startswith="Bo komt").count() == 1
    context.close()


def test_a_kept_reply_is_sent_the_next_time_the_portal_opens(world, live_server, browser, thread):
    context, page = log_in(browser, live_server, "anna@example.test")
    page.goto(f"{live_server.url}/messages/{thread.pk}/")
    context.set_offline(True)
    page.get_by_label("Message", exact=True).fill("Bo is ziek")
    page.get_by_role("button", name="Send").click()
    page.locator(".bubble.pending").wait_for()
    page.close()  # the app is closed before the connection comes back

    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/home/")
    wait_until_all_sent(page)
    assert Message.objects.filter(thread=thread, body="Bo is ziek").count() == 1
    context.close()


def test_another_person_on_the_same_phone_never_sends_it_and_logout_removes_it(world, live_server, browser, thread):
    context, page = log_in(browser, live_server, "anna@example.test")
    page.goto(f"{live_server.url}/messages/{thread.pk}/")
    # Kept by someone else (another login on this phone): not shown here and not sent.
    page.evaluate(
        f"localStorage.setItem('{STORE}', JSON.stringify([{{owner: '999999', path: '/messages/{thread.pk}/', "
        "key: 'someoneelse0001', body: 'niet van Anna'}]))"
    )
    page.reload()
    assert page.locator(".bubble.pending").count() == 0
    page.evaluate("window.ouderportaalOutbox.flush()")
    assert not Message.objects.filter(body="niet van Anna").exists()

    # One of Anna's own that the portal refused (so it is not sent again by itself).
    page.evaluate(
        f"localStorage.setItem('{STORE}', JSON.stringify(JSON.parse(localStorage.getItem('{STORE}')).concat("
        f"[{{owner: '{world.anna.pk}', path: '/messages/{thread.pk}/', key: 'vananna00000001', body: 'van Anna', "
        "error: 'te lang'}])))"
    )
    page.reload()
    assert page.locator(".bubble.pending").count() == 1
    page.locator("details.menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert [item["owner"] for item in kept(page)] == ["999999"]
    context.close()


def test_a_refused_reply_stays_readable_and_can_be_put_back(world, live_server, browser, thread):
    context, page = log_in(browser, live_server, "anna@example.test")
    page.goto(f"{live_server.url}/messages/{thread.pk}/")
    page.evaluate(
        f"localStorage.setItem('{STORE}', JSON.stringify([{{owner: '{world.anna.pk}', path: '/messages/{thread.pk}/', "
        "key: 'toolong00000001', body: 'x'.repeat(20000)}]))"
    )
    page.reload()
    pending = page.locator(".bubble.pending")
    pending.locator(".error").wait_for()
    assert "not sent" in pending.inner_text()
    pending.get_by_role("button", name="Put it back in the reply box").click()
    assert len(page.get_by_label("Message", exact=True).input_value()) > 1000
    assert kept(page) == []
    context.close()
