"""Departure: a family takes everything of a child along in one archive, and the day after the
grace period the child's data is removed, except what the fiscal retention keeps
(docs/privacy.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import zipfile
from html import unescape

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from portal.accounts.models import User
from portal.children import services as children_services
from portal.children.models import Child, Guardian
from portal.children.selectors import departure_of
from portal.core import clock
from portal.core.models import AuditEntry
from portal.diary import services as diary_services
from portal.diary.models import DiaryEntry
from portal.exports.models import Archive
from portal.exports.services import archive_request
from portal.media import services as media_services
from portal.media.models import MediaItem, MediaTag
from portal.messaging import services as messaging_services
from portal.messaging.models import Attachment, Thread
from portal.notifications.models import Notification
from portal.planning.models import Absence
from portal.privacy.models import AccessLogEntry, ChildRemoval
from portal.privacy.services import departure_daily
from tests import media_files
from tests.conftest import login, make_user

LAST_DAY = dt.date(2026, 11, 30)  # Bo's last day of care in these tests; the grace period is 90 days


def _unique_colour():
    """Each test's photos differ from every other test's, so that a file found in storage by
    its content is this test's."""
    return tuple(random.randrange(256) for _ in range(3))


def _unique_jpeg() -> bytes:
    buffer = io.BytesIO()
    media_files.picture(colour=_unique_colour()).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _photo(world, committed, children, key):
    image = media_files.picture(colour=_unique_colour())
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    content = buffer.getvalue()
    with committed():
        item, _created = media_services.media_receive(
            user=world.sanne,
            group=world.a.babies,
            upload=SimpleUploadedFile(f"{key}.jpg", content, "image/jpeg"),
            upload_key=key,
            caption="",
            child_ids=[c.pk for c in children],
        )
    item.refresh_from_db()
    assert item.state == "ready"
    return item


@pytest.fixture
def leaving(world, committed):
    """Bo (Anna's baby, Baby's) leaves; Lin (Bert's) stays. Bo has a photo of her own, a photo
    with Lin, a diary with a photo, and a conversation with attachments. Dirk is Bo's second
    guardian, with no other child; Anna also has Mo, who stays."""
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    world.bo.refresh_from_db()
    world.lin.refresh_from_db()
    world.dirk = make_user("dirk@example.test", "Dirk Ouder")
    Guardian.objects.create(user=world.dirk, child=world.bo)
    with clock.frozen(dt.datetime(2026, 11, 2, 10, 0)):
        world.solo = _photo(world, committed, [world.bo], "solo")
        world.shared = _photo(world, committed, [world.bo, world.lin], "shared")
        with committed():
            diary_photo, _c = media_services.media_receive(
                user=world.sanne,
                group=world.a.babies,
                upload=SimpleUploadedFile("d.jpg", _unique_jpeg(), "image/jpeg"),
                upload_key="diary-photo",
                caption="",
                child_ids=[],
            )
        diary_photo.refresh_from_db()
        world.diary_photo = diary_photo
        world.entry = diary_services.entry_save(
            author=world.sanne,
            child=world.bo,
            day=dt.date(2026, 11, 2),
            text="Bo heeft vandaag met zand gespeeld.",
            publish=True,
            sleeps=[{"from": "09:30", "to": "11:00"}],
            media=diary_photo,
        )
        diary_services.reply_add(author=world.anna, entry=world.entry, text="Wat leuk!")
        with committed():
            world.thread = messaging_services.thread_start(
                author=world.anna,
                child=world.bo,
                group=world.a.babies,
                subject="Oma haalt op",
                body="Oma haalt Bo vandaag op.",
                files=[
                    SimpleUploadedFile(
                        "brief.pdf", media_files.pdf_document(f"Brief {random.random()}"), "application/pdf"
                    ),
                    SimpleUploadedFile("foto.jpg", _unique_jpeg(), "image/jpeg"),
                ],
                by_staff=False,
            )
            messaging_services.message_add(
                author=world.sanne, thread=world.thread, body="Dank u, tot straks!", by_staff=True
            )
    with committed():
        children_services.placement_end(placement=world.bo_placement, actor=world.adam, end_date=LAST_DAY)
    return world


def _storage_files() -> dict[str, str]:
    """Every file in private storage with the SHA-256 of its content (walking the disk, not
    the database)."""
    found = {}
    for folder, _dirs, names in os.walk(settings.PRIVATE_MEDIA_ROOT):
        for name in names:
            path = os.path.join(folder, name)
            found[path] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return found


def _files_of(items) -> set[str]:
    digests = set()
    for item in items:
        for rendition in item.renditions.all():
            digests.add(hashlib.sha256(rendition.file.read()).hexdigest())
            rendition.file.close()
    return digests


# ---------------------------------------------------------------- the departure


def test_the_departure_starts_when_the_last_placement_gets_an_end_date(world):
    assert departure_of(world.bo) is None
    children_services.placement_end(placement=world.bo_placement, actor=world.adam, end_date=LAST_DAY)
    world.bo.refresh_from_db()
    departure = departure_of(Child.objects.get(pk=world.bo.pk))
    assert departure.last_day == LAST_DAY
    assert departure.access_until == LAST_DAY + dt.timedelta(days=90)
    assert departure.reminder_day == LAST_DAY + dt.timedelta(days=76)


def test_a_move_to_another_group_is_no_departure(world):
    children_services.placement_move(
        placement=world.bo_placement, actor=world.adam, group=world.a.toddlers, from_date=dt.date(2026, 12, 1)
    )
    assert departure_of(Child.objects.get(pk=world.bo.pk)) is None


def test_the_guardians_hear_once_when_the_end_date_is_set(leaving, committed):
    told = Notification.objects.filter(kind="departure", key__startswith=f"departure:{leaving.bo.pk}:")
    assert set(told.values_list("user__email", flat=True)) == {"anna@example.test", "dirk@example.test"}
    assert any("laatste dag" in m.subject.lower() or "last day" in m.subject.lower() for m in mail.outbox)
    with committed():  # the same end date again: no second notice
        children_services.placement_end(placement=leaving.bo_placement, actor=leaving.adam, end_date=LAST_DAY)
    assert told.count() == 2


@pytest.mark.parametrize(("offset", "reminded"), [(75, False), (76, True), (77, True)])
def test_a_reminder_two_weeks_before_access_ends(leaving, committed, offset, reminded):
    day = LAST_DAY + dt.timedelta(days=offset)
    with clock.frozen(dt.datetime.combine(day, dt.time(0, 30))), committed():
        departure_daily(day)
    assert Notification.objects.filter(key__startswith=f"departure-reminder:{leaving.bo.pk}:").exists() == reminded


def test_the_reminder_comes_once(leaving, committed):
    for offset in (76, 77, 78):
        day = LAST_DAY + dt.timedelta(days=offset)
        with clock.frozen(dt.datetime.combine(day, dt.time(0, 30))), committed():
            departure_daily(day)
    assert Notification.objects.filter(key__startswith=f"departure-reminder:{leaving.bo.pk}:").count() == 2


def test_the_page_is_there_for_the_guardians_from_the_end_date_until_the_grace_period_ends(client, leaving):
    url = reverse("exports:departure", args=[leaving.bo.pk])
    login(client, leaving.anna)
    assert client.get(url).status_code == 200
    home = client.get(reverse("home:home")).content.decode()
    assert url in home
    assert url in client.get(reverse("home:child", args=[leaving.bo.pk])).content.decode()
    with clock.frozen(dt.datetime.combine(LAST_DAY + dt.timedelta(days=90), dt.time(23, 59))):
        assert client.get(url).status_code == 200
    with clock.frozen(dt.datetime.combine(LAST_DAY + dt.timedelta(days=91), dt.time(0, 1))):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["bert", "sanne", "paula", "adam", "otto"])
def test_nobody_else_opens_the_page(client, leaving, who):
    login(client, getattr(leaving, who))
    assert client.get(reverse("exports:departure", args=[leaving.bo.pk])).status_code == 404
    assert client.post(reverse("exports:departure_build", args=[leaving.bo.pk])).status_code == 404


def test_a_child_who_stays_has_no_page(client, world):
    login(client, world.anna)
    assert client.get(reverse("exports:departure", args=[world.mo.pk])).status_code == 404


# ---------------------------------------------------------------- the archive


def _build(client, world, child, committed):
    login(client, world.anna)
    with committed():
        response = client.post(reverse("exports:departure_build", args=[child.pk]))
    assert response.status_code == 302
    archive = Archive.objects.get(requested_by=world.anna, child=child)
    assert archive.state == "ready", archive.error
    return archive


def _download(client, archive) -> zipfile.ZipFile:
    response = client.get(reverse("exports:archive_download", args=[archive.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_archive_holds_everything_of_the_child(client, leaving, committed):
    archive = _build(client, leaving, leaving.bo, committed)
    archive_zip = _download(client, archive)
    names = archive_zip.namelist()
    root = "Bo " + leaving.bo.last_name
    assert all(name.startswith(root + "/") for name in names)
    photos = sorted(n for n in names if "/Foto's en video's/" in n)
    assert photos == sorted(
        [
            f"{root}/Foto's en video's/2026/11/2026-11-02 10.00 Baby's.jpg",
            f"{root}/Foto's en video's/2026/11/2026-11-02 10.00 Baby's (2).jpg",
        ]
    )
    originals = {
        hashlib.sha256(item.renditions.get(name="original").file.read()).hexdigest()
        for item in (leaving.solo, leaving.shared)
    }
    assert {hashlib.sha256(archive_zip.read(n)).hexdigest() for n in photos} == originals
    for name in photos:
        image = Image.open(io.BytesIO(archive_zip.read(name)))
        assert not image.getexif(), "no EXIF (no GPS) in an archived photo"
        assert b"Telefoonfabrikant" not in archive_zip.read(name)
    diary = f"{root}/Schriftje"
    assert f"{diary}/schriftje.pdf" in names, names
    assert archive_zip.read(f"{diary}/schriftje.pdf").startswith(b"%PDF")
    html = unescape(archive_zip.read(f"{diary}/schriftje.html").decode())
    assert "Bo heeft vandaag met zand gespeeld." in html and "Wat leuk!" in html
    [diary_photo] = [n for n in names if n.startswith(f"{diary}/foto's/")]
    assert diary_photo.split(f"{diary}/", 1)[1] in html  # beside the page, linked relatively
    entries = json.loads(archive_zip.read(f"{diary}/schriftje.json"))
    assert entries[0]["text"] == "Bo heeft vandaag met zand gespeeld."
    assert entries[0]["sleeps"] == [{"from": "09:30", "to": "11:00"}]
    assert entries[0]["replies"][0]["text"] == "Wat leuk!"
    [conversation] = [n for n in names if n.startswith(f"{root}/Berichten/") and n.endswith(".html")]
    page = archive_zip.read(conversation).decode()
    assert "Oma haalt Bo vandaag op." in page and "Dank u, tot straks!" in page
    attachments = [n for n in names if "/Berichten/bijlagen/" in n]
    assert sorted(n.rsplit("/", 1)[1] for n in attachments) == ["brief.pdf", "foto.jpg"]
    stored = {a.original_name: a.file.read() for a in Attachment.objects.filter(message__thread=leaving.thread)}
    for name in attachments:
        assert archive_zip.read(name) == stored[name.rsplit("/", 1)[1]]
    readme = archive_zip.read(f"{root}/LEESMIJ.txt").decode()
    assert "andere kinderen" in readme
    assert archive_zip.testzip() is None


def test_the_readme_speaks_the_guardians_language(client, leaving, committed):
    User.objects.filter(pk=leaving.anna.pk).update(language="en")
    leaving.anna.refresh_from_db()
    archive = _build(client, leaving, leaving.bo, committed)
    names = _download(client, archive).namelist()
    assert any(n.endswith("/README.txt") for n in names)
    assert any("/Photos and videos/" in n for n in names)
    assert not any("Foto's" in n or "LEESMIJ" in n for n in names)


def test_a_download_resumes_with_a_range(client, leaving, committed):
    archive = _build(client, leaving, leaving.bo, committed)
    url = reverse("exports:archive_download", args=[archive.pk])
    whole = b"".join(client.get(url).streaming_content)
    part = client.get(url, HTTP_RANGE="bytes=100-")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-{len(whole) - 1}/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[100:]
    # one download in the log, not one per piece
    assert AccessLogEntry.objects.filter(child=leaving.bo, what="archive").count() == 1


def test_a_second_click_while_building_is_the_same_archive(leaving):
    first = archive_request(user=leaving.anna, organisation=leaving.a.org, kind="departure", child=leaving.bo)
    second = archive_request(user=leaving.anna, organisation=leaving.a.org, kind="departure", child=leaving.bo)
    assert first.pk == second.pk and first.state == "waiting"


def test_a_new_archive_replaces_the_old_file(client, leaving, committed):
    old = _build(client, leaving, leaving.bo, committed)
    old_path = old.file.path
    with committed():
        client.post(reverse("exports:departure_build", args=[leaving.bo.pk]))
    new = Archive.objects.get(requested_by=leaving.anna, child=leaving.bo)
    assert new.pk != old.pk and new.state == "ready"
    assert not os.path.exists(old_path)


def test_an_archive_that_fails_is_retried_and_then_says_so(leaving, monkeypatch):
    from portal.exports import services

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("portal.exports.builder.write_zip", broken)
    archive = Archive.objects.create(
        organisation=leaving.a.org, kind="departure", child=leaving.bo, requested_by=leaving.anna
    )
    for _attempt in range(services.MAX_ATTEMPTS):
        services.archive_build(archive.pk)
    archive.refresh_from_db()
    assert archive.state == "failed" and archive.error
    building = os.path.join(settings.PRIVATE_MEDIA_ROOT, "archives", "building")
    assert not [name for name in os.listdir(building) if name.startswith("ouderportaal-archive")]


def test_someone_elses_archive_is_a_404(client, leaving, committed):
    archive = _build(client, leaving, leaving.bo, committed)
    for who in (leaving.dirk, leaving.sanne, leaving.adam, leaving.otto):
        login(client, who)
        assert client.get(reverse("exports:archive_download", args=[archive.pk])).status_code == 404
        assert client.get(reverse("exports:archive_status", args=[archive.pk])).status_code == 404


def test_the_api_starts_polls_and_downloads(client, leaving, committed):
    from tests.test_api_accounts import token_for

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(client, leaving.anna.email).json()['token']}"}
    status = client.get(f"/api/v1/children/{leaving.bo.pk}/departure", **headers)
    assert status.status_code == 200
    assert status.json()["available_until"] == (LAST_DAY + dt.timedelta(days=90)).isoformat()
    with committed():
        started = client.post(f"/api/v1/children/{leaving.bo.pk}/departure/archive", **headers)
    assert started.status_code == 202
    archive = client.get(f"/api/v1/archives/{started.json()['id']}", **headers).json()
    assert archive["state"] == "ready" and archive["percent"] == 100
    download = client.get(archive["download_url"], HTTP_RANGE="bytes=0-9", **headers)
    assert download.status_code == 206 and len(b"".join(download.streaming_content)) == 10
    assert client.get(f"/api/v1/children/{leaving.mo.pk}/departure", **headers).status_code == 404


# ---------------------------------------------------------------- retention


def _run(day: dt.date, committed):
    with clock.frozen(dt.datetime.combine(day, dt.time(0, 30))), committed():
        return departure_daily(day)


@pytest.mark.parametrize("offset", [89, 90])
def test_nothing_is_removed_within_the_grace_period(leaving, committed, offset):
    _run(LAST_DAY + dt.timedelta(days=offset), committed)
    assert MediaItem.objects.filter(pk=leaving.solo.pk).exists()
    assert DiaryEntry.objects.filter(child=leaving.bo).exists()
    assert Thread.objects.filter(child=leaving.bo).exists()
    assert User.objects.filter(pk=leaving.dirk.pk).exists()
    assert not ChildRemoval.objects.exists()


def test_the_day_after_the_grace_period_the_childs_data_goes(leaving, committed, client):
    archive = _build(client, leaving, leaving.bo, committed)
    childs_files = _files_of([leaving.solo, leaving.diary_photo])  # their content is this test's alone
    childs_paths = {archive.file.path} | {
        r.file.path for item in (leaving.solo, leaving.diary_photo) for r in item.renditions.all()
    }
    for attachment in Attachment.objects.filter(message__thread=leaving.thread):
        childs_paths |= {f.path for f in (attachment.file, attachment.thumbnail) if f}
    assert all(os.path.exists(path) for path in childs_paths)
    shared_files = _files_of([leaving.shared])
    Absence.objects.create(
        child=leaving.bo,
        placement=leaving.bo_placement,
        date=dt.date(2026, 11, 23),
        reason="sick",
        note="koorts",
        in_time=True,
    )
    lin_before = set(MediaTag.objects.filter(child=leaving.lin).values_list("media_id", flat=True))

    summary = _run(LAST_DAY + dt.timedelta(days=91), committed)
    assert "1 children's data removed" in summary

    # walk the storage: no file of the child is left; the shared photo's files are there
    on_disk = _storage_files()
    assert not childs_files & set(on_disk.values()), "a photo of the child is still in storage"
    assert not childs_paths & set(on_disk), "a file of the child is still in storage"
    assert shared_files <= set(on_disk.values())
    assert not MediaItem.objects.filter(pk__in=[leaving.solo.pk, leaving.diary_photo.pk]).exists()
    assert MediaItem.objects.filter(pk=leaving.shared.pk).exists()
    assert set(MediaTag.objects.filter(media=leaving.shared).values_list("child_id", flat=True)) == {leaving.lin.pk}
    assert set(MediaTag.objects.filter(child=leaving.lin).values_list("media_id", flat=True)) == lin_before
    assert not DiaryEntry.objects.filter(child=leaving.bo).exists()
    assert not Thread.objects.filter(child=leaving.bo).exists()
    assert not Archive.objects.filter(child=leaving.bo).exists()
    assert not Notification.objects.filter(key__startswith="departure").exists()
    assert not Notification.objects.filter(key=f"photo:{leaving.solo.pk}").exists()
    # the accounts: Dirk had only Bo and goes; Anna keeps hers for Mo
    assert not User.objects.filter(pk=leaving.dirk.pk).exists()
    assert User.objects.filter(pk=leaving.anna.pk).exists()
    assert not Guardian.objects.filter(child=leaving.bo).exists()
    # what the fiscal retention keeps, without free texts
    bo = Child.objects.get(pk=leaving.bo.pk)
    assert bo.first_name == "Bo" and bo.allergies == "" and bo.placements.count() == 1
    assert Absence.objects.get(child=bo).note == ""
    removal = ChildRemoval.objects.get(child=bo)
    assert removal.counts["media_removed"] == 2 and removal.counts["accounts_removed"] == 1
    line = AuditEntry.objects.get(action="privacy.child.removed")
    assert "Bo" not in line.summary and "anna" not in json.dumps(line.changes)
    assert not AuditEntry.objects.filter(child=bo, action__startswith="media.").exclude(summary="").exists()


def test_removal_runs_once(leaving, committed):
    _run(LAST_DAY + dt.timedelta(days=91), committed)
    assert "0 children's data removed" in _run(LAST_DAY + dt.timedelta(days=92), committed)
    assert ChildRemoval.objects.count() == 1


def test_the_family_no_longer_sees_the_child(client, leaving, committed):
    _run(LAST_DAY + dt.timedelta(days=91), committed)
    login(client, leaving.anna)
    assert client.get(reverse("home:child", args=[leaving.bo.pk])).status_code == 404
    assert client.get(reverse("home:child", args=[leaving.mo.pk])).status_code == 200
    login(client, leaving.bert)
    assert client.get(reverse("media:detail", args=[leaving.shared.pk])).status_code == 200


def test_a_placement_that_starts_later_keeps_everything(leaving, committed):
    from tests.factories import place

    place(leaving.bo, leaving.a.toddlers, dt.date(2027, 9, 1))
    _run(LAST_DAY + dt.timedelta(days=120), committed)
    assert MediaItem.objects.filter(pk=leaving.solo.pk).exists()


def test_what_the_accounts_need_goes_after_seven_years(leaving, committed):
    _run(LAST_DAY + dt.timedelta(days=91), committed)
    _run(dt.date(2033, 12, 31), committed)
    assert Child.objects.filter(pk=leaving.bo.pk).exists()
    _run(dt.date(2034, 1, 1), committed)
    assert not Child.objects.filter(pk=leaving.bo.pk).exists()
    removal = ChildRemoval.objects.get(child_number=leaving.bo.pk)
    assert removal.fiscal_removed_at is not None


# ---------------------------------------------------------------- the check before an archive is offered


def _members():
    from portal.exports.builder import Member

    moment = dt.datetime(2026, 11, 2, 10, 0, tzinfo=clock.AMSTERDAM)
    stored = b"zebra" * 20
    return [
        Member.text("a/één.txt", "hallo " * 100, moment),
        Member(name="a/foto.jpg", modified=moment, chunks=lambda: [stored], size=len(stored)),
    ]


def test_a_written_archive_checks_out():
    from portal.exports.builder import write_zip

    written = write_zip(_members())
    with zipfile.ZipFile(written.path) as archive:
        assert archive.read("a/één.txt") == b"hallo " * 100
    os.unlink(written.path)


@pytest.mark.parametrize("damage", ["missing", "wrong_sum", "corrupt"])
def test_an_archive_that_does_not_check_out_is_refused(damage, tmp_path):
    from portal.exports.builder import ArchiveInvalid, check_zip, write_zip

    members = _members()
    written = write_zip(members)
    names = written.names
    sums = [(zlib_crc(b"hallo " * 100), 600), (zlib_crc(b"zebra" * 20), 100)]
    if damage == "missing":
        names = [*names, "a/drie.txt"]
    elif damage == "wrong_sum":
        sums[1] = (sums[1][0] ^ 1, 100)
    else:
        data = bytearray(open(written.path, "rb").read())
        at = data.index(b"zebra")
        data[at] = ord("Z")
        open(written.path, "wb").write(bytes(data))
    with pytest.raises(ArchiveInvalid):
        check_zip(written.path, names, sums)
    os.unlink(written.path)


def zlib_crc(data: bytes) -> int:
    import zlib

    return zlib.crc32(data)
