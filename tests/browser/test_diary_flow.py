"""Staff write and publish a diary page with a photo; the guardian reads it, replies, and
downloads the PDF."""

import io

import pytest

from tests import media_files
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_publish_read_reply_and_print(world, live_server, browser, smtp_server, settings):
    from pypdf import PdfReader

    settings.SITE_URL = live_server.url
    sanne_context, sanne = log_in(browser, live_server, "sanne@example.test", accept_downloads=True)
    sanne.get_by_role("link", name="Diary of today").click()
    row = sanne.get_by_role("listitem").filter(has_text="Bo Test")
    row.get_by_role("link", name="Write").click()
    sanne.get_by_label("The day").fill("Bo heeft met water gespeeld en veel gelachen.")
    sanne.get_by_label("happy").check()
    sanne.locator("input[name=feed-0-time]").fill("10:00")
    sanne.locator("input[name=feed-0-what]").fill("fles")
    sanne.locator("input[name=feed-0-ml]").fill("150")
    sanne.get_by_label("Photo or video (optional)").set_input_files(
        files=[{"name": "water.jpg", "mimeType": "image/jpeg", "buffer": media_files.jpeg_with_gps()}]
    )
    sanne.get_by_role("button", name="Publish for the parents").click()
    assert sanne.get_by_text("Saved in the diary.").is_visible()
    [mail] = smtp_server.messages
    assert mail["To"] == "anna@example.test"

    anna_context, anna = log_in(browser, live_server, "anna@example.test", accept_downloads=True)
    # Today's page is on the Today page; the Diary tab asks whose diary (Anna has two children).
    assert "met water gespeeld" in anna.get_by_role("article").filter(has_text="Bo").inner_text()
    anna.get_by_role("navigation", name="Main menu").get_by_role("link", name="Diary").click()
    anna.get_by_role("link", name="Bo", exact=True).click()
    assert anna.get_by_text("met water gespeeld").is_visible()
    assert anna.get_by_text("150 ml").is_visible()
    anna.get_by_alt_text("Photo of the day").wait_for()
    anna.get_by_placeholder("Reply…").fill("Wat leuk, dank jullie wel!")
    anna.get_by_role("button", name="Reply", exact=True).click()
    assert anna.get_by_text("Wat leuk, dank jullie wel!").is_visible()

    anna.get_by_role("button", name="Make a PDF").click()
    with anna.expect_download() as download_info:
        anna.get_by_role("link", name="PDF of").click()
    pdf = PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read()))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "The diary of Bo" in text and "met water gespeeld" in text and "Wat leuk" in text
    sanne_context.close()
    anna_context.close()
