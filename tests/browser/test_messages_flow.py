"""A guardian writes to the group, the group's staff see it unread in their inbox and reply,
the guardian sees the reply with an unread badge; every guardian screen says that urgent
matters go by phone, with a tap-to-call link."""

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def quiet_diary_page(world, text):
    from portal.core import clock
    from portal.diary.models import DiaryEntry

    DiaryEntry.objects.create(
        child=world.bo,
        group=world.a.babies,
        date=clock.today(),
        author=world.sanne,
        text=text,
        state=DiaryEntry.State.PUBLISHED,
        published_at=clock.now(),
    )


def open_messages(page):
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Messages").click()


@pytest.mark.keep_reads  # the Today page is kept for Anna as in production (portal.accounts.kept)
def test_guardian_writes_staff_reply_guardian_sees_it_unread(world, live_server, browser, smtp_server):
    anna_context, anna = log_in(browser, live_server, "anna@example.test")
    anna.goto(f"{live_server.url}/home/")
    assert anna.locator(".latest-message").count() == 0  # kept: no conversation yet
    open_messages(anna)
    anna.get_by_role("link", name="New message").click()
    call = anna.get_by_role("link", name="Call Zonnebloem Centrum")
    assert call.first.get_attribute("href") == "tel:0301112233"
    anna.get_by_label("Bo (to group Baby's)").check()
    anna.get_by_label("Message", exact=True).fill("oma haalt haar vandaag op")
    anna.get_by_role("button", name="Send").click()
    anna.get_by_text("Your message has been sent to Baby's.").wait_for()
    assert anna.get_by_text("oma haalt haar vandaag op").is_visible()
    assert anna.get_by_text("Urgent? Please call.").is_visible()
    assert anna.get_by_role("link", name="Call Zonnebloem Centrum").get_attribute("href") == "tel:0301112233"
    anna.goto(f"{live_server.url}/home/")  # her own message shows at once, and this page is kept
    assert "oma haalt haar vandaag op" in anna.locator(".latest-message").inner_text()
    quiet_diary_page(world, "Bo heeft lekker geslapen")  # nobody is told of this one
    anna.reload()
    assert anna.get_by_text("Bo heeft lekker geslapen").count() == 0  # the kept page, as it was

    sanne_context, sanne = log_in(browser, live_server, "sanne@example.test")
    open_messages(sanne)
    sanne.wait_for_url(f"{live_server.url}/groups/{world.a.babies.pk}/inbox/")
    row = sanne.locator(".thread-row").filter(has_text="Bo Test")
    assert row.locator(".badge.unread").inner_text().startswith("1 new")
    assert "oma haalt haar vandaag op" in row.inner_text()
    row.get_by_role("link").click()
    assert sanne.get_by_text("oma haalt haar vandaag op").is_visible()
    sanne.get_by_label("Message", exact=True).fill("Dank je wel, we geven het door!")
    sanne.get_by_role("button", name="Send").click()
    sanne.get_by_text("Dank je wel, we geven het door!").wait_for()
    sanne.get_by_role("button", name="Mark as handled").click()
    sanne.get_by_text("Marked as handled.").wait_for()

    # The reply reached Anna as a mail (through the real SMTP server), in the language she chose.
    [mail] = smtp_server.messages
    assert mail["To"] == "anna@example.test" and mail["Subject"] == "New message from Baby's"
    anna.goto(f"{live_server.url}/home/")  # not the conversation: opening it would read it
    latest = anna.locator(".latest-message")  # told of the reply: her kept page is read afresh
    assert "Dank je wel, we geven het door!" in latest.inner_text()
    assert anna.get_by_text("Bo heeft lekker geslapen").is_visible()
    assert latest.locator(".badge.unread").inner_text().startswith("1 new")
    assert anna.locator("#nav-unread-messages").inner_text().startswith("1")
    assert anna.locator("#nav-unread-notifications").inner_text().startswith("1")
    open_messages(anna)
    row = anna.locator(".thread-row").filter(has_text="Baby's")
    badge = row.locator(".badge.unread")
    assert badge.inner_text().startswith("1 new")
    assert "Dank je wel, we geven het door!" in row.inner_text()
    assert anna.get_by_role("link", name="Call Zonnebloem Centrum").get_attribute("href") == "tel:0301112233"
    row.get_by_role("link").click()
    assert anna.get_by_text("Dank je wel, we geven het door!").is_visible()
    assert anna.locator(".bubble.new").count() == 1
    open_messages(anna)
    assert anna.locator(".thread-row .badge.unread").count() == 0
    assert anna.locator("#nav-unread-messages").count() == 0
    anna.goto(f"{live_server.url}/home/")  # read a moment ago, within the window: no longer new
    assert anna.locator(".latest-message .badge.unread").count() == 0
    sanne_context.close()
    anna_context.close()
