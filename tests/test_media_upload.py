"""Sharing several photos at once, each with its own children (the form of a group's photos
page, with and without JavaScript, and the app's API), what is refused and how, and the group's
photos page staying cheap however many photos it has."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts.services import api_token_create
from portal.children.models import Child
from portal.media.models import MediaItem, MediaTag
from tests import media_files
from tests.conftest import login

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def consent(world):
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk, world.mo.pk, world.olle.pk]).update(photo_consent=True)
    return world


def photo(name="foto.jpg", **size):
    return SimpleUploadedFile(name, media_files.jpeg_with_gps(**size), "image/jpeg")


def tags_of(item) -> set[int]:
    return set(MediaTag.objects.filter(media=item).values_list("child_id", flat=True))


def url(world):
    return reverse("media:upload", args=[world.a.babies.pk])


def send_one(client, world, *, children, key="dev1-1", caption="", file=None):
    """What static/js/upload.js sends for one file of the batch."""
    data = {"files": [file or photo()], "upload_key": key, "children": children, "caption": caption}
    return client.post(url(world), data, **JSON)


class TestEachFileItsOwnChildren:
    def test_one_file_per_request_each_with_its_own_children_and_caption(self, client, consent):
        login(client, consent.sanne)
        first = send_one(client, consent, children=[consent.bo.pk], key="dev1-1", caption="Zandbak")
        second = send_one(
            client, consent, children=[consent.lin.pk], key="dev1-2", caption="Verven", file=photo(width=900)
        )
        assert first.status_code == second.status_code == 200
        one, two = (MediaItem.objects.get(pk=r.json()["items"][0]["id"]) for r in (first, second))
        assert tags_of(one) == {consent.bo.pk} and one.caption == "Zandbak"
        assert tags_of(two) == {consent.lin.pk} and two.caption == "Verven"

    def test_a_form_post_of_several_files_with_per_file_fields(self, client, consent):
        login(client, consent.sanne)
        data = {
            "files": [photo("a.jpg"), photo("b.jpg", width=900), photo("c.jpg", width=700)],
            "upload_key": "batch1",
            "per_file": "1",
            "file-0-children": [consent.bo.pk],
            "file-0-caption": "Bo",
            "file-1-children": [consent.bo.pk, consent.lin.pk],
            # the third file: nobody ticked
            "children": [consent.lin.pk],  # the shared list does not count when the files have their own
        }
        response = client.post(url(consent), data, follow=True)
        assert "3 ontvangen" in response.content.decode() or "3 received" in response.content.decode()
        items = {i.original_name: i for i in MediaItem.objects.all()}
        assert tags_of(items["a.jpg"]) == {consent.bo.pk} and items["a.jpg"].caption == "Bo"
        assert tags_of(items["b.jpg"]) == {consent.bo.pk, consent.lin.pk}
        assert tags_of(items["c.jpg"]) == set() and items["c.jpg"].caption == ""

    def test_without_javascript_every_file_gets_the_one_set_of_children(self, client, consent):
        login(client, consent.sanne)
        data = {"files": [photo("a.jpg"), photo("b.jpg", width=900)], "upload_key": "nojs", "children": [consent.bo.pk]}
        assert client.post(url(consent), data).status_code == 302
        assert [tags_of(i) for i in MediaItem.objects.order_by("id")] == [{consent.bo.pk}, {consent.bo.pk}]

    def test_sending_again_with_the_same_key_is_the_first_upload_with_its_first_children(self, client, consent):
        login(client, consent.sanne)
        file = media_files.jpeg_with_gps()
        first = send_one(client, consent, children=[consent.bo.pk], file=SimpleUploadedFile("x.jpg", file))
        again = send_one(client, consent, children=[consent.lin.pk], file=SimpleUploadedFile("x.jpg", file))
        assert first.json()["items"][0]["created"] is True
        assert again.status_code == 200 and again.json()["items"][0] == {**first.json()["items"][0], "created": False}
        assert MediaItem.objects.count() == 1 and tags_of(MediaItem.objects.get()) == {consent.bo.pk}

    def test_duplicate_ids_tag_the_child_once(self, client, consent):
        login(client, consent.sanne)
        response = send_one(client, consent, children=[consent.bo.pk, consent.bo.pk, f" {consent.bo.pk} "])
        assert response.status_code == 200 and MediaTag.objects.filter(child=consent.bo).count() == 1


class TestRefused:
    @pytest.mark.parametrize(
        ("who", "message"),
        [
            ("mo", "Alleen kinderen van deze groep"),  # same organisation, another group
            ("olle", "Alleen kinderen van deze groep"),  # another organisation
            ("nobody", "Alleen kinderen van deze groep"),  # an id that is no child at all
            ("lin_without_consent", "Geen toestemming voor foto's van Lin"),
        ],
    )
    def test_a_child_who_cannot_be_on_it_is_refused_with_a_reason(self, client, consent, who, message):
        if who == "lin_without_consent":
            Child.objects.filter(pk=consent.lin.pk).update(photo_consent=False)
        child_id = {"mo": consent.mo.pk, "olle": consent.olle.pk, "nobody": 987654}.get(who, consent.lin.pk)
        login(client, consent.sanne)
        response = send_one(client, consent, children=[consent.bo.pk, child_id])
        assert response.status_code == 400
        assert message in " ".join(response.json()["errors"]) and "foto.jpg" in response.json()["errors"][0]
        assert not MediaItem.objects.exists()

    def test_one_refused_file_does_not_stop_the_others(self, client, consent):
        Child.objects.filter(pk=consent.lin.pk).update(photo_consent=False)
        login(client, consent.sanne)
        data = {
            "files": [photo("goed.jpg"), photo("fout.jpg", width=900)],
            "upload_key": "mixed",
            "per_file": "1",
            "file-0-children": [consent.bo.pk],
            "file-1-children": [consent.lin.pk],
        }
        page = client.post(url(consent), data, follow=True).content.decode()
        assert "fout.jpg" in page and "Lin" in page
        assert [i.original_name for i in MediaItem.objects.all()] == ["goed.jpg"]

    @pytest.mark.parametrize(
        "bad", ["abc", "-1", "0", "1.5", "99999999999999999999999", "1\x00", "\x00", "１"]
    )  # the last: a full-width digit
    def test_a_child_id_that_is_no_id_is_refused_not_dropped(self, client, consent, bad):
        login(client, consent.sanne)
        response = send_one(client, consent, children=[consent.bo.pk, bad])
        assert response.status_code == 400 and response.json()["errors"]
        assert not MediaItem.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("caption", "Buiten\x00spelen"),
            ("caption", "x" * 501),
            ("upload_key", "key\x00one"),
            ("upload_key", "two words"),
        ],
    )
    def test_nul_bytes_and_odd_values_are_a_message(self, client, consent, field, value):
        login(client, consent.sanne)
        data = {"files": [photo()], "upload_key": "good-key", "children": [consent.bo.pk], field: value}
        response = client.post(url(consent), data, **JSON)
        assert response.status_code == 400 and response.json()["errors"]
        page = client.post(url(consent), data, follow=True)
        assert page.status_code == 200 and not MediaItem.objects.exists()

    def test_a_file_name_with_a_nul_byte_is_stored_without_it(self, client, consent):
        login(client, consent.sanne)
        response = send_one(client, consent, children=[], file=photo("zand\x00bak.jpg"))
        assert response.status_code == 200
        assert "\x00" not in MediaItem.objects.get().original_name

    def test_the_api_refuses_the_same_children_with_422(self, client, consent):
        _token, raw = api_token_create(user=consent.sanne, device_name="tablet", second_factor=True)
        api = f"/api/v1/groups/{consent.a.babies.pk}/media"
        for child in (consent.mo.pk, consent.olle.pk):
            answer = client.post(
                api,
                {"file": photo(), "upload_key": f"app-key-{child}", "children": [child]},
                HTTP_AUTHORIZATION=f"Bearer {raw}",
            )
            assert answer.status_code == 422, answer.content
        ok = client.post(
            api,
            {"file": photo(), "upload_key": "app-key-ok", "children": [consent.bo.pk, consent.bo.pk]},
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert ok.status_code == 201 and ok.json()["children"] == [consent.bo.pk]


class TestTheForm:
    def test_the_file_field_offers_the_gallery_as_well_as_the_camera(self, client, consent):
        login(client, consent.sanne)
        page = client.get(reverse("media:group", args=[consent.a.babies.pk])).content.decode()
        field = page[page.index('<input type="file"') :].split(">", 1)[0]
        assert 'accept="image/*,video/*"' in field and "multiple" in field and "capture" not in field

    def test_children_without_consent_are_shown_marked_and_not_tickable(self, client, consent):
        Child.objects.filter(pk=consent.lin.pk).update(photo_consent=False)
        login(client, consent.sanne)
        page = client.get(reverse("media:group", args=[consent.a.babies.pk])).content.decode()
        assert f'value="{consent.lin.pk}" disabled aria-describedby="no-consent-{consent.lin.pk}"' in page
        assert f'id="no-consent-{consent.lin.pk}"' in page and ">LT<" in page  # marked, with initials
        assert f'value="{consent.bo.pk}">' in page


def many_photos(world, count: int) -> None:
    items = MediaItem.objects.bulk_create(
        MediaItem(
            organisation=world.a.org,
            group=world.a.babies,
            uploaded_by=world.sanne,
            upload_key=f"many-{n}",
            kind="photo",
            state="ready",
            caption=f"Foto {n}",
        )
        for n in range(MediaItem.objects.count(), MediaItem.objects.count() + count)
    )
    MediaTag.objects.bulk_create(MediaTag(media=item, child=child) for item in items for child in (world.bo, world.lin))


class TestTheGroupPage:
    def test_the_queries_do_not_grow_with_the_photos(self, client, consent):
        login(client, consent.sanne)
        page_url = reverse("media:group", args=[consent.a.babies.pk])

        def queries() -> tuple[int, str]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page_url)
            assert response.status_code == 200
            return len(captured), response.content.decode()

        many_photos(consent, 5)
        client.get(page_url)  # the session's first request notes things once
        few, page = queries()
        assert page.count("Foto ") >= 5
        many_photos(consent, 45)
        more, page = queries()
        assert more == few
        assert few <= 12, few

    def test_the_tag_forms_are_not_on_the_page(self, client, consent):
        """Each photo shows who is on it and a link to change that, not a form of every child."""
        many_photos(consent, 10)
        login(client, consent.sanne)
        page = client.get(reverse("media:group", args=[consent.a.babies.pk])).content.decode()
        children = Child.objects.filter(pk__in=[consent.bo.pk, consent.lin.pk]).count()
        assert page.count('type="checkbox"') == children  # the upload form's own list only
        assert page.count(reverse("media:tags", args=[MediaItem.objects.first().pk])) == 0
        item = MediaItem.objects.order_by("-id").first()
        assert f'href="{reverse("media:edit", args=[item.pk])}"' in page
        assert "Bo, Lin" in page

    def test_the_edit_page_works_without_javascript_and_as_a_fragment(self, client, consent):
        many_photos(consent, 1)
        item = MediaItem.objects.get()
        MediaTag.objects.filter(media=item, child=consent.lin).delete()
        login(client, consent.sanne)
        edit = reverse("media:edit", args=[item.pk])
        page = client.get(edit).content.decode()
        assert "<html" in page and f'action="{reverse("media:tags", args=[item.pk])}"' in page
        assert f'value="{consent.bo.pk}" checked' in page and f'value="{consent.lin.pk}">' in page
        fragment = client.get(edit, HTTP_HX_REQUEST="true")
        assert "<html" not in fragment.content.decode() and "autofocus" in fragment.content.decode()
        assert "HX-Request" in fragment["Vary"]
        saved = client.post(reverse("media:tags", args=[item.pk]), {"children": [consent.lin.pk]})
        assert saved.status_code == 302 and tags_of(item) == {consent.lin.pk}

    @pytest.mark.parametrize("user", ["anna", "olga", "paula", "adam"])
    def test_only_the_groups_staff_edit(self, client, consent, user):
        many_photos(consent, 1)
        login(client, getattr(consent, user))
        assert client.get(reverse("media:edit", args=[MediaItem.objects.get().pk])).status_code == 404


def test_an_id_beyond_64_bits_in_the_path_is_a_404(client, consent):
    login(client, consent.sanne)
    for name in ("media:edit", "media:detail"):
        assert client.get(reverse(name, args=[99999999999999999999999])).status_code == 404
    assert client.post(reverse("media:tags", args=[99999999999999999999999]), {}).status_code == 404
