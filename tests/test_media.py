"""Photos and videos end to end: upload, tag, process, feed, detail, file, download, and who
may see what."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.children.models import Child
from portal.media import selectors, services
from portal.media.models import MediaItem, MediaTag
from tests import media_files
from tests.conftest import login


@pytest.fixture
def consent(world):
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk, world.mo.pk, world.olle.pk]).update(photo_consent=True)
    for kid in (world.bo, world.lin, world.mo):
        kid.refresh_from_db()
    return world


def upload(world, *, children, content=None, name="foto.jpg", key="k1", committed=None):
    content = content if content is not None else media_files.jpeg_with_gps()
    file = SimpleUploadedFile(name, content, "image/jpeg")
    with committed():
        item, created = services.media_receive(
            user=world.sanne,
            group=world.a.babies,
            upload=file,
            upload_key=key,
            caption="Buiten spelen",
            child_ids=[c.pk for c in children],
        )
    item.refresh_from_db()
    return item, created


def test_staff_upload_is_processed_and_the_gps_file_is_gone(consent, committed):
    item, created = upload(consent, children=[consent.bo], committed=committed)
    assert created and item.state == "ready" and not item.incoming
    names = {r.name for r in item.renditions.all()}
    assert names == {"original", "screen", "thumb"}
    for rendition in item.renditions.all():
        path = rendition.file.path
        assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
        assert not path.startswith(str(settings.MEDIA_ROOT)) and not path.startswith(str(settings.STATIC_ROOT))
        assert b"Telefoonfabrikant" not in open(path, "rb").read()


def test_sending_the_same_file_again_is_one_upload(consent, committed):
    first, _ = upload(consent, children=[consent.bo], committed=committed)
    again, created = upload(consent, children=[consent.bo], committed=committed)
    assert not created and again == first and MediaItem.objects.count() == 1


def test_a_child_without_photo_consent_cannot_be_tagged(consent, committed):
    Child.objects.filter(pk=consent.lin.pk).update(photo_consent=False)
    with pytest.raises(Exception, match="Lin"):
        upload(consent, children=[consent.bo, consent.lin], committed=committed)
    assert not MediaItem.objects.exists()


def test_a_child_of_another_group_cannot_be_tagged(consent, committed):
    with pytest.raises(Exception):
        upload(consent, children=[consent.mo], committed=committed)


def test_a_broken_photo_is_never_shown(consent, committed):
    source = media_files.jpeg_with_gps()
    item, _ = upload(consent, children=[consent.bo], content=source[: len(source) // 3], committed=committed)
    assert item.state == "failed" and item.error
    assert not selectors.feed(consent.anna)[0]


FILE_NAMES = ["thumb", "screen", "download"]


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("anna", True),  # guardian of Bo, who is tagged
        ("bert", False),  # guardian of Lin: same group, not tagged
        ("carla", False),  # another group
        ("otto", False),  # another organisation
        ("sanne", True),  # staff of the group
        ("olga", False),  # staff of a group of another organisation
        ("paula", False),  # planner: photos are for families and the group's staff only
        ("adam", False),  # admin
    ],
)
def test_who_sees_a_photo(client, consent, committed, user, sees):
    item, _ = upload(consent, children=[consent.bo], committed=committed)
    login(client, getattr(consent, user))
    feed = client.get(reverse("media:feed")).content.decode()
    assert (reverse("media:detail", args=[item.pk]) in feed) == sees
    expected = 200 if sees else 404
    assert client.get(reverse("media:detail", args=[item.pk])).status_code == expected
    for name in FILE_NAMES:
        response = client.get(reverse("media:file", args=[item.pk, name]))
        assert response.status_code == expected, name
        if sees:
            assert response["Cache-Control"] == "private, max-age=3600"
            assert response["Content-Type"] == "image/jpeg"


def test_staff_of_another_group_of_the_same_organisation_see_nothing(client, consent, committed):
    from portal.organisations.models import GroupStaff
    from tests.conftest import make_user

    item, _ = upload(consent, children=[consent.bo], committed=committed)
    tess = make_user("tess@example.test", "Tess Peuters")
    GroupStaff.objects.create(user=tess, group=consent.a.toddlers)
    login(client, tess)
    assert reverse("media:detail", args=[item.pk]) not in client.get(reverse("media:feed")).content.decode()
    for url in (reverse("media:detail", args=[item.pk]), reverse("media:file", args=[item.pk, "download"])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("media:tags", args=[item.pk]), {"children": []}).status_code == 404


def test_the_download_is_the_original_quality_without_metadata(client, consent, committed):
    import io

    from PIL import Image

    item, _ = upload(
        consent, children=[consent.bo], content=media_files.jpeg_with_gps(width=2400, height=1600), committed=committed
    )
    login(client, consent.anna)
    response = client.get(reverse("media:file", args=[item.pk, "download"]))
    assert response["Content-Disposition"].startswith("attachment;")
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (2400, 1600) and len(image.getexif()) == 0


def test_untagging_removes_the_photo_from_that_family_at_once(client, consent, committed):
    item, _ = upload(consent, children=[consent.bo, consent.lin], committed=committed)
    login(client, consent.sanne)
    client.post(reverse("media:tags", args=[item.pk]), {"children": [consent.lin.pk]})
    assert list(MediaTag.objects.filter(media=item).values_list("child_id", flat=True)) == [consent.lin.pk]
    login(client, consent.anna)
    assert client.get(reverse("media:detail", args=[item.pk])).status_code == 404
    login(client, consent.bert)
    assert client.get(reverse("media:detail", args=[item.pk])).status_code == 200


def test_hand_off_to_the_web_server(client, consent, committed, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    item, _ = upload(consent, children=[consent.bo], committed=committed)
    login(client, consent.anna)
    response = client.get(reverse("media:file", args=[item.pk, "thumb"]))
    assert response["X-Accel-Redirect"].startswith("/protected-media/renditions/")
    assert response.content == b""
    login(client, consent.bert)
    assert client.get(reverse("media:file", args=[item.pk, "thumb"])).status_code == 404


def test_the_upload_page_explains_refusals(client, consent):
    login(client, consent.sanne)
    url = reverse("media:upload", args=[consent.a.babies.pk])
    text = SimpleUploadedFile("brief.jpg", b"Dit is geen foto " * 10, "image/jpeg")
    response = client.post(url, {"files": [text], "upload_key": "x"}, follow=True)
    assert "brief.jpg" in response.content.decode()
    assert not MediaItem.objects.exists()
    empty = client.post(
        url, {"files": [SimpleUploadedFile("leeg.jpg", b"", "image/jpeg")], "upload_key": "y"}, follow=True
    )
    assert "leeg.jpg" in empty.content.decode()


def test_the_group_page_disables_children_without_consent(client, consent):
    Child.objects.filter(pk=consent.lin.pk).update(photo_consent=False)
    login(client, consent.sanne)
    page = client.get(reverse("media:group", args=[consent.a.babies.pk])).content.decode()
    assert f'value="{consent.lin.pk}" disabled' in page


def test_feed_queries_do_not_grow(client, consent, committed, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    upload(consent, children=[consent.bo], committed=committed, key="a")
    login(client, consent.anna)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("media:feed")).status_code == 200
        return len(queries)

    one = count()
    for number in range(5):
        upload(consent, children=[consent.bo], committed=committed, key=f"more{number}")
    assert count() == one


def test_a_child_who_left_the_group_cannot_be_tagged(consent, committed):
    import datetime as dt

    from tests.factories import place

    consent.mo_placement.delete()
    place(consent.mo, consent.a.babies, dt.date(2026, 1, 1), end=dt.date(2026, 10, 31))
    place(consent.mo, consent.a.toddlers, dt.date(2026, 11, 1))
    assert consent.mo not in services.taggable_children(consent.a.babies)
    with pytest.raises(Exception, match="Alleen kinderen van deze groep|Only children"):
        upload(consent, children=[consent.mo], committed=committed)


def test_a_file_that_crashes_the_decoder_fails_cleanly_and_is_deleted(consent, committed):
    from pathlib import Path

    uploads = Path(settings.PRIVATE_MEDIA_ROOT) / "uploads"
    before = set(uploads.rglob("*")) if uploads.exists() else set()
    source = bytearray(media_files.heic())
    source[200:260] = b"\xff" * 60
    item, _ = upload(consent, children=[consent.bo], content=bytes(source), name="IMG_1.HEIC", committed=committed)
    assert item.state == "failed" and not item.incoming
    assert set(uploads.rglob("*")) - before <= {p for p in uploads.rglob("*") if p.is_dir()}  # no file stays


def test_withdrawn_consent_hides_the_photos_from_families(client, consent, committed):
    from portal.children.services import consent_change

    item, _ = upload(consent, children=[consent.bo, consent.lin], committed=committed)
    consent_change(child=consent.lin, actor=consent.adam, consent=False)
    for guardian in (consent.anna, consent.bert):
        login(client, guardian)
        assert client.get(reverse("media:detail", args=[item.pk])).status_code == 404
    login(client, consent.sanne)  # the staff still see it, to remove or retag it
    assert client.get(reverse("media:detail", args=[item.pk])).status_code == 200
    client.post(reverse("media:tags", args=[item.pk]), {"children": [consent.bo.pk]})
    login(client, consent.anna)
    assert client.get(reverse("media:detail", args=[item.pk])).status_code == 200


def test_an_upload_key_used_for_another_file_is_refused(consent, committed):
    upload(consent, children=[consent.bo], committed=committed, key="same")
    with pytest.raises(Exception, match="al voor een ander bestand gebruikt|already used"):
        upload(
            consent, children=[consent.bo], content=media_files.png(), name="ander.png", key="same", committed=committed
        )
    assert MediaItem.objects.count() == 1
