"""The diary: staff write (draft, publish), guardians read, write and reply; only the child's
guardians and the group's staff see it; the PDF read back."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.core import clock
from portal.diary import services
from portal.diary.models import DiaryEntry, DiaryExport, DiaryTemplate
from tests import media_files
from tests.conftest import TODAY, login


def write(client, world, **data):
    defaults = {"date": TODAY.isoformat(), "text": "Bo heeft lekker gespeeld.", "action": "publish"}
    return client.post(reverse("diary:write", args=[world.bo.pk]), {**defaults, **data})


def test_staff_write_a_draft_then_publish_and_the_guardians_are_told(client, world, committed):
    login(client, world.sanne)
    response = write(
        client,
        world,
        action="draft",
        **{
            "sleep-0-from": "09:30",
            "sleep-0-to": "11:00",
            "feed-0-time": "10:00",
            "feed-0-what": "fles",
            "feed-0-ml": "150",
            "nappy-0-time": "11:15",
            "nappy-0-kind": "wet",
            "mood": "happy",
        },
    )
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert entry.state == "draft" and entry.sleeps == [{"from": "09:30", "to": "11:00"}]
    assert entry.feeds == [{"time": "10:00", "what": "fles", "ml": 150}] and entry.mood == "happy"
    login(client, world.anna)
    assert "lekker gespeeld" not in client.get(reverse("diary:child", args=[world.bo.pk])).content.decode()
    login(client, world.sanne)
    with committed():
        client.post(
            reverse("diary:edit", args=[world.bo.pk, entry.pk]),
            {"date": TODAY.isoformat(), "text": "Bo heeft lekker gespeeld.", "action": "publish"},
        )
    assert [m.to for m in mail.outbox] == [["anna@example.test"]]
    login(client, world.anna)
    page = client.get(reverse("diary:child", args=[world.bo.pk])).content.decode()
    assert "lekker gespeeld" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "", "action": "publish"}, "Schrijf iets"),
        ({"sleep-0-from": "9 uur", "sleep-0-to": "11:00"}, "dutje"),
        ({"feed-0-time": "10:00", "feed-0-ml": "9000"}, "500"),
        ({"nappy-0-time": "10:00", "nappy-0-kind": "soggy"}, "luier"),
        ({"date": (TODAY + dt.timedelta(days=1)).isoformat()}, "vandaag"),
    ],
)
def test_wrong_values_are_explained_and_nothing_is_saved(client, world, fields, message):
    login(client, world.sanne)
    response = write(client, world, **fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_guardians_write_and_reply(client, world):
    login(client, world.anna)
    client.post(
        reverse("diary:write", args=[world.bo.pk]),
        {"text": "Vannacht slecht geslapen.", "action": "publish", "sleep-0-from": "01:00", "sleep-0-to": "02:00"},
    )
    entry = DiaryEntry.objects.get()
    assert entry.by_guardian and entry.state == "published" and entry.sleeps == []  # care notes are the staff's
    login(client, world.sanne)
    client.post(reverse("diary:reply", args=[entry.pk]), {"text": "Dank je, we houden het in de gaten."})
    login(client, world.anna)
    assert "in de gaten" in client.get(reverse("diary:child", args=[world.bo.pk])).content.decode()


@pytest.mark.parametrize(
    ("user", "status"),
    [("anna", 200), ("sanne", 200), ("bert", 404), ("carla", 404), ("paula", 404), ("adam", 404), ("otto", 404)],
)
def test_only_the_guardians_and_the_groups_staff_see_the_diary(client, world, user, status):
    entry = services.entry_save(author=world.sanne, child=world.bo, day=TODAY, text="Geheim", publish=True)
    login(client, getattr(world, user))
    assert client.get(reverse("diary:child", args=[world.bo.pk])).status_code == status
    assert client.post(reverse("diary:reply", args=[entry.pk]), {"text": "x"}).status_code in (
        (302,) if status == 200 else (404,)
    )


def test_the_group_page_lists_who_still_lacks_todays_page(client, world):
    login(client, world.sanne)
    page = client.get(reverse("diary:group", args=[world.a.babies.pk])).content.decode()
    assert "2 kinderen hebben nog geen pagina van vandaag" in page
    services.entry_save(author=world.sanne, child=world.bo, day=TODAY, text="Fijne dag", publish=True)
    page = client.get(reverse("diary:group", args=[world.a.babies.pk])).content.decode()
    assert "1 kind heeft nog geen pagina van vandaag" in page
    login(client, world.anna)
    assert client.get(reverse("diary:group", args=[world.a.babies.pk])).status_code == 403


def test_templates_prefill_the_text(client, world):
    template = DiaryTemplate.objects.create(group=world.a.babies, title="Buiten", text="We waren buiten.")
    login(client, world.sanne)
    page = client.get(reverse("diary:write", args=[world.bo.pk]) + f"?template={template.pk}").content.decode()
    assert "We waren buiten." in page


def test_a_photo_in_the_diary_follows_the_diary_access(client, world, committed):
    login(client, world.sanne)
    with committed():
        write(
            client,
            world,
            photo=SimpleUploadedFile("dag.jpg", media_files.jpeg_with_gps(), "image/jpeg"),
            upload_key="diary-photo-1",
        )
    entry = DiaryEntry.objects.get()
    assert entry.media is not None and entry.media.state == "ready"
    login(client, world.anna)
    assert client.get(reverse("diary:photo", args=[entry.pk, "screen"])).status_code == 200
    login(client, world.bert)
    assert client.get(reverse("diary:photo", args=[entry.pk, "screen"])).status_code == 404


def test_the_pdf_read_back(client, world, committed):
    from pypdf import PdfReader

    login(client, world.sanne)
    with committed():
        write(
            client,
            world,
            text="Eerste dag op de groep!",
            date=(TODAY - dt.timedelta(days=1)).isoformat(),
            photo=SimpleUploadedFile("dag.jpg", media_files.jpeg_with_gps(), "image/jpeg"),
            upload_key="pdf-1",
            **{"feed-0-time": "10:00", "feed-0-what": "fles", "feed-0-ml": "120"},
        )
    services.entry_save(author=world.sanne, child=world.bo, day=TODAY, text="Tweede dag, veel gelachen.", publish=True)
    services.entry_save(author=world.sanne, child=world.bo, day=TODAY, text="Nog een concept", publish=False)
    login(client, world.anna)
    with committed():
        client.post(reverse("diary:export", args=[world.bo.pk]), {})
    export = DiaryExport.objects.get()
    assert export.file and export.pages >= 2
    response = client.get(reverse("diary:export_download", args=[export.pk]))
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Het schriftje van Bo" in text and "Eerste dag op de groep!" in text and "Tweede dag" in text
    assert "Nog een concept" not in text  # drafts are not printed
    assert "120 ml" in text
    # WeasyPrint shares one resource dictionary between pages: count distinct images.
    images = {image.name: image.image.size for page in reader.pages for image in page.images}
    assert list(images.values()) == [(1200, 800)]
    assert len(reader.pages) == export.pages
    login(client, world.bert)
    assert client.get(reverse("diary:export_download", args=[export.pk])).status_code == 404


def test_the_diary_is_one_timeline_per_day_in_time_order_newest_day_first(client, world):
    from portal.diary import services as diary_services

    with clock.frozen(dt.datetime(2026, 11, 24, 16, 0)):
        diary_services.entry_save(
            author=world.sanne, child=world.bo, day=TODAY - dt.timedelta(days=1), text="Dinsdag", publish=True
        )
    with clock.frozen(dt.datetime(2026, 11, 25, 12, 30)):
        diary_services.entry_save(
            author=world.sanne,
            child=world.bo,
            day=TODAY,
            text="Lekker gespeeld",
            publish=True,
            sleeps=[{"from": "13:30", "to": "15:00"}, {"from": "09:15", "to": "10:00"}],
            feeds=[{"time": "10:30", "what": "fles", "ml": 150}],
            nappies=[{"time": "11:45", "kind": "wet"}],
        )
    login(client, world.anna)
    html = client.get(reverse("diary:child", args=[world.bo.pk])).content.decode()
    order = ["Vandaag", "9.15", "fles", "11.45", "Lekker gespeeld", "13.30", "Gisteren", "Dinsdag"]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    # The family's own page is a button to a page of its own, not a form above the timeline.
    assert 'name="text"' not in html.split('class="card diary-day"')[0]
    assert client.get(reverse("diary:write", args=[world.bo.pk])).status_code == 200


def test_one_note_for_several_children_of_the_group(client, world):
    from portal.core.models import AuditEntry

    services.entry_save(author=world.sanne, child=world.bo, day=TODAY, text="Ochtend", publish=True)
    login(client, world.sanne)
    url = reverse("diary:group", args=[world.a.babies.pk])
    children = [world.bo.pk, world.lin.pk, world.mo.pk]  # Mo is not on Baby's: left out
    response = client.post(url, {"note": "  slapen   allemaal ", "children": children})
    assert response.status_code == 302
    bo = DiaryEntry.objects.get(child=world.bo, date=TODAY)
    lin = DiaryEntry.objects.get(child=world.lin, date=TODAY)
    assert bo.text == "Ochtend\n10.00 slapen allemaal" and bo.state == "published"
    assert lin.text == "10.00 slapen allemaal" and lin.state == "draft"  # a new page: staff publish it later
    assert not DiaryEntry.objects.filter(child=world.mo).exists()
    assert AuditEntry.objects.filter(action__startswith="diary.").count() >= 3
    empty = client.post(url, {"note": "", "children": children})
    assert empty.status_code == 400 and "Schrijf de notitie" in empty.content.decode()
    nobody = client.post(url, {"note": "buiten"})
    assert nobody.status_code == 400
    login(client, world.anna)
    assert client.post(url, {"note": "x", "children": children}).status_code == 403  # not staff of the group
