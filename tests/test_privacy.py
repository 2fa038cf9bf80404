"""The family's privacy controls: erasure requests decided by the admin, the access log of a
child's files, and the export of all data the organisation holds about a guardian."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.accounts.models import User
from portal.children import services as children_services
from portal.children.models import Child, Guardian
from portal.diary.models import DiaryExport
from portal.exports.models import Archive
from portal.media import services as media_services
from portal.notifications.models import Notification
from portal.privacy.models import AccessLogEntry, ChildRemoval, ErasureRequest
from tests import media_files
from tests.conftest import login


@pytest.fixture
def photo(world, committed):
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    with committed():
        item, _created = media_services.media_receive(
            user=world.sanne,
            group=world.a.babies,
            upload=SimpleUploadedFile("f.jpg", media_files.jpeg_with_gps(), "image/jpeg"),
            upload_key="p1",
            caption="",
            child_ids=[world.bo.pk, world.lin.pk],
        )
    item.refresh_from_db()
    return item


# ---------------------------------------------------------------- erasure


def _ask(client, world, child):
    login(client, world.anna)
    return client.post(reverse("privacy:child", args=[child.pk]), {"confirm": "yes", "note": "We verhuizen."})


def test_asking_needs_the_box_ticked(client, world):
    login(client, world.anna)
    response = client.post(reverse("privacy:child", args=[world.bo.pk]), {"note": "x"})
    assert response.status_code == 400 and not ErasureRequest.objects.exists()


def test_a_second_request_while_one_is_open_is_the_same_request(client, world):
    _ask(client, world, world.bo)
    _ask(client, world, world.bo)
    assert ErasureRequest.objects.filter(child=world.bo, state="open").count() == 1


def test_the_admin_cannot_erase_a_child_who_is_still_placed(client, world):
    _ask(client, world, world.bo)
    request = ErasureRequest.objects.get()
    login(client, world.adam)
    url = reverse("backoffice:erasure_request", args=[world.a.org.pk, request.pk])
    response = client.post(url, {"decision": "confirm", "confirm": "yes"})
    assert response.status_code == 400
    assert "beëindig eerst de plaatsing" in response.content.decode().lower()
    request.refresh_from_db()
    assert request.state == "open" and not ChildRemoval.objects.exists()


def test_a_confirmed_erasure_removes_the_data_at_once_and_mails_the_guardian(client, world, committed, photo):
    children_services.placement_end(placement=world.bo_placement, actor=world.adam, end_date=dt.date(2026, 11, 24))
    _ask(client, world, world.bo)
    request = ErasureRequest.objects.get()
    login(client, world.adam)
    url = reverse("backoffice:erasure_request", args=[world.a.org.pk, request.pk])
    assert "We verhuizen." in client.get(url).content.decode()
    with committed():
        response = client.post(url, {"decision": "confirm", "confirm": "yes"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "confirmed" and request.decided_by == world.adam
    removal = ChildRemoval.objects.get(child=world.bo)
    assert removal.reason == "erasure"
    assert not Guardian.objects.filter(child=world.bo).exists()
    assert set(photo.tags.values_list("child_id", flat=True)) == {world.lin.pk}  # Lin keeps the photo
    assert User.objects.filter(pk=world.anna.pk).exists()  # Mo is still there
    [message] = [m for m in mail.outbox if m.to == ["anna@example.test"] and "gewist" in m.subject]
    assert "Bo" in message.subject


def test_a_refusal_needs_an_explanation_that_the_guardian_reads(client, world, committed):
    _ask(client, world, world.bo)
    request = ErasureRequest.objects.get()
    login(client, world.adam)
    url = reverse("backoffice:erasure_request", args=[world.a.org.pk, request.pk])
    assert client.post(url, {"decision": "refuse", "refusal": "  "}).status_code == 400
    with committed():
        client.post(url, {"decision": "refuse", "refusal": "Er loopt nog een factuur."})
    request.refresh_from_db()
    assert request.state == "refused"
    notice = Notification.objects.get(user=world.anna, key=f"erasure:{request.pk}")
    assert notice.body == "Er loopt nog een factuur."
    login(client, world.anna)
    assert "Er loopt nog een factuur." in client.get(reverse("privacy:child", args=[world.bo.pk])).content.decode()
    # decided once: a second decision is refused
    login(client, world.adam)
    assert client.post(url, {"decision": "confirm", "confirm": "yes"}).status_code == 400


def test_another_organisations_admin_sees_no_request(client, world):
    _ask(client, world, world.bo)
    request = ErasureRequest.objects.get()
    login(client, world.oscar)
    assert client.get(reverse("backoffice:erasure_request", args=[world.b.org.pk, request.pk])).status_code == 404


# ---------------------------------------------------------------- the access log


def test_downloads_and_the_back_office_record_are_logged(client, world, photo, committed):
    login(client, world.bert)
    client.get(reverse("media:file", args=[photo.pk, "download"]))
    client.get(reverse("media:file", args=[photo.pk, "screen"]))  # looking is not downloading
    login(client, world.adam)
    client.get(reverse("backoffice:child", args=[world.a.org.pk, world.bo.pk]))
    export = DiaryExport(child=world.bo, requested_by=world.anna, pages=1)
    from django.core.files.base import ContentFile

    export.file.save("s.pdf", ContentFile(b"%PDF-1.4"), save=True)
    login(client, world.anna)
    client.get(reverse("diary:export_download", args=[export.pk]))
    rows = list(AccessLogEntry.objects.filter(child=world.bo).order_by("at", "id").values_list("what", "actor"))
    assert rows == [
        ("photo_original", world.bert.pk),
        ("record", world.adam.pk),
        ("diary_pdf", world.anna.pk),
    ]
    assert AccessLogEntry.objects.filter(child=world.lin, what="photo_original").count() == 1


def test_the_family_sees_the_log_with_another_family_anonymous(client, world, photo):
    login(client, world.bert)
    client.get(reverse("media:file", args=[photo.pk, "download"]))
    login(client, world.adam)
    client.get(reverse("backoffice:child", args=[world.a.org.pk, world.bo.pk]))
    login(client, world.anna)
    page = client.get(reverse("privacy:child", args=[world.bo.pk])).content.decode()
    assert "de ouder van een ander kind op de foto" in page
    assert "Bert" not in page
    assert "Adam Beheer" in page
    login(client, world.adam)
    page = client.get(reverse("backoffice:child", args=[world.a.org.pk, world.bo.pk])).content.decode()
    assert "Bert Ouder" in page  # the admin sees who it was


def test_the_api_gives_the_log_to_the_family_only(client, world, photo):
    from tests.test_api_accounts import token_for

    login(client, world.bert)
    client.get(reverse("media:file", args=[photo.pk, "download"]))
    token = token_for(client, "anna@example.test").json()["token"]
    rows = client.get(f"/api/v1/children/{world.bo.pk}/access-log", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [r["who"] for r in rows] == ["de ouder van een ander kind op de foto"]
    token = token_for(client, "bert@example.test").json()["token"]
    response = client.get(f"/api/v1/children/{world.bo.pk}/access-log", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404


# ---------------------------------------------------------------- the data export


def test_the_data_export_holds_the_guardian_and_their_children(client, world, committed, photo):
    login(client, world.anna)
    assert client.get(reverse("exports:data")).status_code == 200
    with committed():
        response = client.post(reverse("exports:data_build", args=[world.a.org.pk]))
    assert response.status_code == 302
    archive = Archive.objects.get(kind="data", requested_by=world.anna)
    assert archive.state == "ready", archive.error
    download = client.get(reverse("exports:archive_download", args=[archive.pk]))
    content = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = content.namelist()
    [data_name] = [n for n in names if n.endswith("/gegevens.json")]
    data = json.loads(content.read(data_name))
    assert data["you"]["email"] == "anna@example.test"
    assert {c["first_name"] for c in data["children"]} == {"Bo", "Mo"}
    bo = next(c for c in data["children"] if c["first_name"] == "Bo")
    assert bo["allergies"] == "pinda's" and bo["placements"][0]["group"] == "Baby's"
    assert any("/Bo " in n and n.endswith(".jpg") for n in names)  # Bo's photo beside the data
    assert content.testzip() is None
    logged = set(AccessLogEntry.objects.filter(what="data_export").values_list("child_id", flat=True))
    assert logged == {world.bo.pk, world.mo.pk}


def test_no_data_export_of_another_organisation(client, world):
    login(client, world.anna)
    assert client.post(reverse("exports:data_build", args=[world.b.org.pk])).status_code == 404


def test_control_characters_never_reach_the_database(client, world):
    login(client, world.anna)
    client.post(reverse("privacy:child", args=[world.bo.pk]), {"confirm": "yes", "note": "Graag\x00 wissen\x07\nDank"})
    assert ErasureRequest.objects.get().note == "Graag wissen\nDank"
