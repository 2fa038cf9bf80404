"""Departure in a real browser: the admin ends a child's placement; the guardian opens the
"Take it all along" page, has the archive made and downloads it; every file in the ZIP is
checked against the photos, the diary and the messages in the database, and every photo is
checked for metadata the way exiftool would read it (no EXIF, no GPS, no XMP, no IPTC)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.access.media import family_media_of_child
from portal.children.models import Child
from portal.diary import services as diary_services
from portal.diary.models import DiaryEntry
from portal.media import services as media_services
from portal.messaging import services as messaging_services
from portal.messaging.models import Attachment, Message
from tests import media_files
from tests.browser.conftest import log_in
from tests.browser.test_backoffice_flows import log_in_as_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the image data (as exiftool walks them)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the image data follows
            break
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        markers.append(marker)
        at += 2 + length
    return markers


def assert_no_metadata(data: bytes) -> None:
    markers = jpeg_segments(data)
    assert 0xE1 not in markers, "an APP1 segment (EXIF or XMP) is there"
    assert 0xED not in markers, "an APP13 segment (IPTC) is there"
    assert b"GPS" not in data and b"Exif" not in data and b"Telefoonfabrikant" not in data


def _family_world(world):
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    for n, children in enumerate([[world.bo.pk], [world.bo.pk, world.lin.pk], [world.lin.pk]]):
        media_services.media_receive(
            user=world.sanne,
            group=world.a.babies,
            upload=SimpleUploadedFile(f"f{n}.jpg", media_files.jpeg_with_gps(colour=(60 * n, 120, 200)), "image/jpeg"),
            upload_key=f"flow-{n}",
            caption="",
            child_ids=children,
        )
    for day, text in [(dt.date(2026, 11, 23), "Bo kroop door de tunnel."), (dt.date(2026, 11, 24), "Bo sliep goed.")]:
        diary_services.entry_save(
            author=world.sanne, child=world.bo, day=day, text=text, publish=True, feeds=[{"time": "10:00", "ml": 120}]
        )
    thread = messaging_services.thread_start(
        author=world.anna,
        child=world.bo,
        group=world.a.babies,
        subject="Zwemkleding",
        body="Moet Bo morgen zwemkleding mee?",
        files=[SimpleUploadedFile("brief.pdf", media_files.pdf_document(), "application/pdf")],
        by_staff=False,
    )
    messaging_services.message_add(author=world.sanne, thread=thread, body="Ja, graag!", by_staff=True)


def test_the_admin_ends_a_placement_and_the_family_takes_everything_along(world, live_server, browser, page, tmp_path):
    _family_world(world)

    # The admin ends Bo's placement in the back office.
    log_in_as_admin(page, live_server, world)
    page.goto(f"{live_server.url}/manage/{world.a.org.pk}/children/{world.bo.pk}/")
    page.get_by_text("End this placement", exact=True).click()
    page.get_by_label("Last day of care").fill("2026-12-31")
    page.get_by_label("Yes, end this placement").check()
    page.get_by_role("button", name="End placement").click()
    assert page.get_by_text("The placement ends on").is_visible()

    # The guardian finds the page from home, has the archive made and downloads it.
    context, anna = log_in(browser, live_server, "anna@example.test")
    card = anna.get_by_text("The last day of Bo is 31 December 2026")
    assert card.is_visible()
    anna.get_by_role("link", name="Take it all along").click()
    assert anna.get_by_role("heading", name="Take it all along").is_visible()
    assert anna.get_by_text("Until 31 March 2027 you can download everything here in one go.").is_visible()
    anna.get_by_role("button", name="Make the archive").click()
    link = anna.get_by_role("link", name="Download the archive (ZIP)")
    link.wait_for()
    anna.screenshot(path=str(tmp_path / "departure.png"), full_page=True)
    width = anna.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing is wider than the phone"
    with anna.expect_download() as info:
        link.click()
    path = tmp_path / "archive.zip"
    info.value.save_as(path)
    context.close()

    archive = zipfile.ZipFile(path)
    assert archive.testzip() is None
    names = archive.namelist()
    root = f"{world.bo.full_name}/"
    assert all(name.startswith(root) for name in names)

    # Photos: exactly the family's photos of Bo (her own and the shared one), the originals.
    expected = {
        hashlib.sha256(item.renditions.get(name="original").file.read()).hexdigest()
        for item in family_media_of_child(world.bo)
    }
    photos = [n for n in names if n.startswith(f"{root}Photos and videos/")]
    assert len(photos) == len(expected) == 2
    assert {hashlib.sha256(archive.read(n)).hexdigest() for n in photos} == expected
    for name in photos:
        assert name.startswith(f"{root}Photos and videos/2026/11/2026-11-25 10.00 Baby's")
        assert_no_metadata(archive.read(name))

    # The diary: every published page in the web page and the data, and the PDF.
    entries = list(DiaryEntry.objects.filter(child=world.bo, state="published"))
    html = unescape(archive.read(f"{root}Diary/diary.html").decode())
    data = json.loads(archive.read(f"{root}Diary/diary.json"))
    assert sorted(e["text"] for e in data) == sorted(e.text for e in entries)
    for entry in entries:
        assert entry.text in html
    assert data[0]["feeds"] == [{"time": "10:00", "ml": 120}]
    assert archive.read(f"{root}Diary/diary.pdf").startswith(b"%PDF")

    # The messages: every message of the conversation, and the attachment as it is stored.
    [conversation] = [n for n in names if n.startswith(f"{root}Messages/") and n.endswith(".html")]
    page_text = unescape(archive.read(conversation).decode())
    for message in Message.objects.filter(thread__child=world.bo):
        assert message.body in page_text
    attachment = Attachment.objects.get(message__thread__child=world.bo)
    [stored] = [n for n in names if n.endswith("/brief.pdf")]
    assert archive.read(stored) == attachment.file.read()

    readme = archive.read(f"{root}README.txt").decode()
    assert "Please be careful with photos of other children" in readme
    assert set(names) == {*photos, *[n for n in names if not n.startswith(f"{root}Photos and videos/")]}
