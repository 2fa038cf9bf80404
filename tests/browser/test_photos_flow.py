"""Staff share photos from a phone, each with its own children; each guardian sees what they may."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from portal.children.models import Child
from portal.media.models import MediaItem
from tests import media_files
from tests.browser.conftest import log_in
from tests.browser.test_phone_pages import axe_source, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_staff_share_and_each_family_sees_its_own(world, live_server, browser):
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    sanne_context, sanne = log_in(browser, live_server, "sanne@example.test")
    sanne.get_by_role("link", name="Share photos").click()

    def share(name, content, child):
        sanne.get_by_label("Photos and videos", exact=True).set_input_files(
            files=[{"name": name, "mimeType": "image/jpeg", "buffer": content}]
        )
        sanne.locator(".upload-card").get_by_label(child).check()
        sanne.get_by_role("button", name="Share").click()
        sanne.wait_for_load_state("load")
        sanne.get_by_role("heading", name="Recently shared").wait_for()

    share("bo.jpg", media_files.jpeg_with_gps(), "Bo Test")
    sanne.locator(".media-row img").nth(0).wait_for()
    share("lin.jpg", media_files.jpeg_with_gps(width=900, height=900), "Lin Test")
    sanne.locator(".media-row img").nth(1).wait_for()

    anna_context, anna = log_in(browser, live_server, "anna@example.test")
    anna.get_by_role("link", name="Photos").first.click()
    anna.wait_for_url("**/photos/")
    anna.wait_for_load_state("load")
    assert anna.locator(".feed img").count() == 1
    anna.locator(".feed a").first.click()
    assert anna.get_by_text("Bo", exact=False).first.is_visible()
    assert anna.get_by_role("link", name="Download").is_visible()
    assert "Lin" not in anna.content()

    bert_context, bert = log_in(browser, live_server, "bert@example.test")
    bert.get_by_role("link", name="Photos").first.click()
    bert.wait_for_url("**/photos/")
    bert.wait_for_load_state("load")
    assert bert.locator(".feed img").count() == 1

    carla_context, carla = log_in(browser, live_server, "carla@example.test")
    carla.get_by_role("link", name="Photos").first.click()
    carla.wait_for_url("**/photos/")
    carla.wait_for_load_state("load")
    assert carla.locator(".feed img").count() == 0
    assert carla.get_by_text("No photos yet").is_visible()
    for context in (sanne_context, anna_context, bert_context, carla_context):
        context.close()


def test_two_photos_each_with_its_own_children_on_a_phone(world, live_server, browser, tmp_path):
    """Pick two real photos, see two previews, tick Bo on the first and Lin on the second (Mo,
    without consent, is shown but cannot be ticked), leave out a third, and share."""
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    import datetime as dt

    from tests.conftest import child
    from tests.factories import place

    noor = child(world.a.org, "Noor", dt.date(2026, 2, 1), guardians=[world.bert])  # no photo consent
    place(noor, world.a.babies, dt.date(2026, 9, 1))
    paths = []
    for name, content in (
        ("zandbak.jpg", media_files.jpeg_with_gps()),
        ("verven.png", media_files.png()),
        ("weg.mp4", media_files.mp4(seconds=1.0)),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        paths.append(str(path))
    context, page = log_in(browser, live_server, "sanne@example.test")
    page.goto(f"{live_server.url}/groups/{world.a.babies.pk}/photos/")
    page.get_by_label("Photos and videos", exact=True).set_input_files(paths[:2])
    cards = page.locator(".upload-card")
    assert cards.count() == 2
    for n in range(2):  # the previews are the photos themselves, loaded from the device
        preview = cards.nth(n).locator(".upload-preview img")
        preview.wait_for()
        assert preview.evaluate("img => img.complete && img.naturalWidth > 0 && img.src.startsWith('blob:')")
    page.get_by_label("Photos and videos", exact=True).set_input_files(paths[2:])  # choosing again adds
    assert cards.count() == 3
    assert cards.nth(2).locator(".upload-preview .video-icon").is_visible()  # a video: an icon
    assert (
        cards.nth(0).get_by_label("Noor Test").is_disabled()
        and cards.nth(0).get_by_text("no photo consent").is_visible()
    )
    box = cards.nth(0).locator("label.tag-child").first.bounding_box()
    assert box["height"] >= 44
    cards.nth(0).get_by_label("Bo Test").check()
    cards.nth(0).get_by_role("button", name="Same children on all").click()
    assert cards.nth(1).get_by_label("Bo Test").is_checked() and cards.nth(2).get_by_label("Bo Test").is_checked()
    cards.nth(0).get_by_label("Caption").fill("In de zandbak")
    cards.nth(1).get_by_label("Bo Test").uncheck()
    cards.nth(1).get_by_label("Lin Test").check()
    cards.nth(2).get_by_role("button", name="Don't send").click()
    assert cards.count() == 2
    no_overflow(page)
    words_broken = page.evaluate(
        """() => [...document.querySelectorAll('.upload-card .tag-name, .upload-card button, .no-consent')]
              .filter(e => e.getClientRects().length > 1 && e.textContent.trim().indexOf(' ') === -1)
              .map(e => e.textContent)"""
    )
    assert words_broken == []
    page.evaluate(axe_source())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    page.screenshot(path=str(tmp_path / "upload-previews.png"), full_page=True)

    page.get_by_role("button", name="Share").click()
    page.wait_for_load_state("load")
    page.locator(".media-row img").nth(1).wait_for()
    items = {i.original_name: i for i in MediaItem.objects.all()}
    assert set(items) == {"zandbak.jpg", "verven.png"}
    assert [t.child for t in items["zandbak.jpg"].tags.all()] == [world.bo]
    assert items["zandbak.jpg"].caption == "In de zandbak"
    assert [t.child for t in items["verven.png"].tags.all()] == [world.lin]
    assert all(i.state == "ready" for i in MediaItem.objects.all())

    # The group's page lists who is on each photo; the form to change it loads into the row.
    check_page(page, f"{live_server.url}/groups/{world.a.babies.pk}/photos/", axe_source())
    row = page.locator(f"#media-{items['zandbak.jpg'].pk}")
    assert "Bo" in row.locator(".media-tags").inner_text()
    row.get_by_role("link", name="Edit tags").click()
    heading = row.locator(".media-edit h3")
    heading.wait_for()
    expect(heading).to_be_focused()  # htmx moves focus when the swap settles
    page.screenshot(path=str(tmp_path / "group-photos.png"), full_page=True)
    row.get_by_label("Lin Test").check()
    row.get_by_role("button", name="Save tags").click()
    page.wait_for_load_state("load")
    assert {t.child for t in items["zandbak.jpg"].tags.all()} == {world.bo, world.lin}
    if shots := os.environ.get("UPLOAD_SHOTS"):
        for name in ("upload-previews.png", "group-photos.png"):
            shutil.copy(tmp_path / name, f"{shots}/{name}")
    context.close()


def test_without_javascript_the_form_sends_every_file_with_one_set_of_children(world, live_server, browser, tmp_path):
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    paths = []
    for name, content in (("een.jpg", media_files.jpeg_with_gps()), ("twee.png", media_files.png())):
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    context, page = log_in(browser, live_server, "sanne@example.test", java_script_enabled=False)
    page.goto(f"{live_server.url}/groups/{world.a.babies.pk}/photos/")
    page.get_by_label("Photos and videos", exact=True).set_input_files(paths)
    assert page.locator(".upload-card").count() == 0
    page.get_by_label("Lin Test").check()
    page.get_by_role("button", name="Share").click()
    page.wait_for_load_state("load")
    page.get_by_text("2 received").wait_for()
    assert [[t.child for t in i.tags.all()] for i in MediaItem.objects.order_by("id")] == [[world.lin], [world.lin]]
    item = MediaItem.objects.order_by("id").first()
    page.locator(f"#media-{item.pk}").get_by_role("link", name="Edit tags").click()  # a page of its own
    page.get_by_role("heading", name="Edit tags").wait_for()
    if shots := os.environ.get("UPLOAD_SHOTS"):  # the screenshots for a look, with UPLOAD_SHOTS=<folder>
        page.screenshot(path=f"{shots}/edit-tags.png", full_page=True)
    page.get_by_label("Bo Test").check()
    page.get_by_role("button", name="Save tags").click()
    page.get_by_text("The tags are saved.").wait_for()
    assert {t.child for t in item.tags.all()} == {world.bo, world.lin}
    context.close()


def test_a_refused_file_keeps_its_card_and_the_rest_is_not_sent_twice(world, live_server, browser, tmp_path):
    Child.objects.filter(pk__in=[world.bo.pk]).update(photo_consent=True)
    (tmp_path / "goed.jpg").write_bytes(media_files.jpeg_with_gps())
    (tmp_path / "brief.jpg").write_bytes(b"Dit is geen foto " * 20)
    context, page = log_in(browser, live_server, "sanne@example.test")
    page.goto(f"{live_server.url}/groups/{world.a.babies.pk}/photos/")
    page.get_by_label("Photos and videos", exact=True).set_input_files(
        [str(tmp_path / "goed.jpg"), str(tmp_path / "brief.jpg")]
    )
    cards = page.locator(".upload-card")
    cards.nth(0).get_by_label("Bo Test").check()
    page.get_by_role("button", name="Share").click()
    cards.nth(1).locator(".upload-state.error").wait_for()
    assert "brief.jpg" in cards.nth(1).locator(".upload-state").inner_text()
    assert "done" in cards.nth(0).get_attribute("class") and cards.nth(0).get_by_label("Bo Test").is_disabled()
    assert MediaItem.objects.count() == 1
    cards.nth(1).get_by_role("button", name="Don't send").click()
    page.get_by_role("button", name="Share").click()  # nothing left to send: the page shows what arrived
    page.locator(".media-row img").first.wait_for()
    assert MediaItem.objects.count() == 1 and page.locator(".upload-card").count() == 0
    context.close()
