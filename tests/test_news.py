"""News items and newsletters: who publishes where, who reads what, scheduled items, telling
the families once, files without metadata, escaping, pages in constant queries, the API."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from portal.access import news as news_access
from portal.access import roles as roles_access
from portal.accounts.services import api_token_create
from portal.children.models import Guardian
from portal.core import clock
from portal.media.attachments import prepare_photo
from portal.news import services
from portal.news.audience import NewsAudience
from portal.news.models import NewsAttachment, NewsItem
from portal.news.tasks import notify_item
from portal.notifications.models import Notification
from portal.organisations.models import GroupStaff
from tests import media_files
from tests.conftest import TODAY, child, login, make_user
from tests.factories import place

NOW = clock.at(TODAY, dt.time(10, 0))


def audience(world, name: str) -> NewsAudience:
    a, b = world.a, world.b
    return {
        "org": NewsAudience(organisation=a.org),
        "centrum": NewsAudience(organisation=a.org, location=a.centrum),
        "noord": NewsAudience(organisation=a.org, location=a.noord),
        "babies": NewsAudience(organisation=a.org, group=a.babies),
        "toddlers": NewsAudience(organisation=a.org, group=a.toddlers),
        "bso": NewsAudience(organisation=a.org, group=a.bso),
        "other_org": NewsAudience(organisation=b.org),
    }[name]


def publish(world, to: str, title: str | None = None, *, by=None, publish_at=None, kind="news", body="Tekst.", **kw):
    return services.item_create(
        user=by or world.adam,
        audience=audience(world, to),
        kind=kind,
        title=title or f"Nieuws voor {to}",
        body=body,
        publish_at=publish_at,
        **kw,
    )


def english(*users) -> None:
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


def news_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "news"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def form(world, audience_value: str, **extra) -> dict:
    return {
        "audience": audience_value,
        "kind": "news",
        "title": "Sluitingsdag",
        "body": "De locatie is dicht.",
        "when": "now",
        "form_key": extra.pop("form_key", "k1"),
        **extra,
    }


# ---------------------------------------------------------------- who publishes where


@pytest.mark.parametrize(
    ("user", "target", "outcome"),
    [
        ("adam", "org", "ok"),
        ("adam", "noord", "ok"),
        ("adam", "bso", "ok"),
        ("adam", "other_org", 404),
        ("paula", "centrum", "ok"),
        ("paula", "babies", "ok"),
        ("paula", "toddlers", "ok"),
        ("paula", "org", 403),
        ("paula", "noord", 403),
        ("paula", "bso", 403),
        ("sanne", "babies", 403),
        ("anna", "babies", 403),
        ("otto", "babies", 404),
        ("oscar", "org", 404),
        ("oscar", "other_org", "ok"),
    ],
)
def test_who_may_publish_to_which_audience(world, user, target, outcome):
    value = audience(world, target).value
    if outcome == "ok":
        assert news_access.news_audience_for_publisher(getattr(world, user), value).value == value
    else:
        with pytest.raises(Http404 if outcome == 404 else PermissionDenied):
            news_access.news_audience_for_publisher(getattr(world, user), value)


def test_the_audience_select_offers_only_what_the_user_may_publish_to(client, world):
    login(client, world.paula)
    page = client.get(reverse("news:create")).content.decode()
    for allowed in (
        f"location:{world.a.centrum.pk}",
        f"group:{world.a.babies.pk}",
        f"group:{world.a.toddlers.pk}",
    ):
        assert f'value="{allowed}"' in page
    for refused in (f"organisation:{world.a.org.pk}", f"location:{world.a.noord.pk}", f"group:{world.a.bso.pk}"):
        assert f'value="{refused}"' not in page
    login(client, world.adam)
    page = client.get(reverse("news:create")).content.decode()
    assert f'value="organisation:{world.a.org.pk}"' in page and f'value="group:{world.a.bso.pk}"' in page
    assert f"organisation:{world.b.org.pk}" not in page and "Regenboog" not in page


def test_a_planner_cannot_post_to_the_whole_organisation_and_nothing_is_saved(client, world):
    login(client, world.paula)
    response = client.post(reverse("news:create"), form(world, f"organisation:{world.a.org.pk}"))
    assert response.status_code == 400 and not NewsItem.objects.exists()
    response = client.post(reverse("news:create"), form(world, f"group:{world.a.babies.pk}"))
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert (item.group, item.location, item.organisation, item.created_by) == (
        world.a.babies,
        None,
        world.a.org,
        world.paula,
    )


@pytest.mark.parametrize(
    ("user", "status"), [("anna", 403), ("bert", 403), ("sanne", 403), ("otto", 403), ("paula", 200), ("adam", 200)]
)
def test_only_publishers_reach_the_management_pages(client, world, user, status):
    login(client, getattr(world, user))
    assert client.get(reverse("news:manage")).status_code == status
    assert client.get(reverse("news:create")).status_code == status


def test_editing_another_scope_is_403_and_another_organisation_404(client, world):
    org_item = publish(world, "org")
    group_item = publish(world, "babies")
    other = services.item_create(
        user=world.oscar, audience=audience(world, "other_org"), kind="news", title="Elders", body="x"
    )
    login(client, world.paula)
    assert client.get(reverse("news:edit", args=[org_item.pk])).status_code == 403
    assert client.get(reverse("news:edit", args=[group_item.pk])).status_code == 200
    assert client.get(reverse("news:edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("news:delete", args=[other.pk])).status_code == 404
    assert client.post(reverse("news:delete", args=[org_item.pk])).status_code == 403
    assert NewsItem.objects.count() == 3


# ---------------------------------------------------------------- who reads what

ALL_A = {"org", "centrum", "noord", "babies", "toddlers", "bso"}


@pytest.fixture
def items(world):
    made = {name: publish(world, name, f"Bericht {name}", publish_at=None) for name in ALL_A}
    made["other_org"] = services.item_create(
        user=world.oscar, audience=audience(world, "other_org"), kind="news", title="Bericht other_org", body="x"
    )
    return made


def readable(user) -> set[str]:
    roles_access.forget_roles(user)
    return {i.title.removeprefix("Bericht ") for i in news_access.news_readable(user)}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("anna", {"org", "centrum", "babies", "toddlers"}),  # Bo on Baby's, Mo on Peuters
        ("bert", {"org", "centrum", "babies"}),
        ("carla", {"org", "centrum", "toddlers"}),  # Fien's placement starts in 20 days
        ("sanne", {"org", "centrum", "babies"}),
        ("paula", {"org", "centrum", "babies", "toddlers"}),
        ("adam", ALL_A),
        ("otto", {"other_org"}),
        ("oscar", {"other_org"}),
        ("nobody", set()),
    ],
)
def test_who_reads_which_item(client, world, items, user, expected):
    assert readable(getattr(world, user)) == expected
    login(client, getattr(world, user))
    page = client.get(reverse("news:list")).content.decode()
    for name, item in items.items():
        assert (f"Bericht {name}<" in page) == (name in expected), name
        status = client.get(reverse("news:detail", args=[item.pk])).status_code
        assert status == (200 if name in expected else 404), name


def test_a_guardian_of_another_location_and_staff_of_another_group(world, items):
    dirk = make_user("dirk@example.test", "Dirk Noord")
    kid = child(world.a.org, "Kees", dt.date(2018, 1, 1))
    place(kid, world.a.bso, dt.date(2025, 8, 1), weekdays=(0,))
    Guardian.objects.create(user=dirk, child=kid)
    assert readable(dirk) == {"org", "noord", "bso"}
    tess = make_user("tess@example.test", "Tess Peuters")
    GroupStaff.objects.create(user=tess, group=world.a.toddlers)
    assert readable(tess) == {"org", "centrum", "toddlers"}


def test_a_child_whose_placement_ended_no_longer_brings_news(world, items):
    world.lin_placement.end_date = TODAY - dt.timedelta(days=1)
    world.lin_placement.save()
    assert readable(world.bert) == set()
    world.lin_placement.end_date = TODAY  # the last day of care is still today
    world.lin_placement.save()
    assert readable(world.bert) == {"org", "centrum", "babies"}


def test_the_list_labels_kind_and_audience(client, world):
    publish(world, "org", "Nieuwsbrief december", kind="newsletter")
    publish(world, "babies", "Pyjamadag")
    publish(world, "centrum", "Zandbak")
    english(world.anna)
    login(client, world.anna)
    page = client.get(reverse("news:list")).content.decode()
    assert page.count("Newsletter</span>") == 1 and page.count(">News</span>") == 2
    assert "Whole organisation" in page and "Baby&#x27;s" in page and "Zonnebloem Centrum" in page
    assert page.index("Zandbak") < page.index("Pyjamadag") < page.index("Nieuwsbrief december")  # newest first
    detail = client.get(reverse("news:detail", args=[NewsItem.objects.get(kind="newsletter").pk])).content.decode()
    assert "Newsletter</span>" in detail


def test_the_empty_list_says_so(client, world):
    english(world.bert)
    login(client, world.bert)
    assert "No news yet" in client.get(reverse("news:list")).content.decode()


# ---------------------------------------------------------------- scheduled items


def test_a_scheduled_item_is_invisible_until_its_time_and_visible_at_it(client, world):
    at = NOW + dt.timedelta(hours=2)
    item = publish(world, "babies", "Later nieuws", publish_at=at)
    login(client, world.anna)
    assert "Later nieuws" not in client.get(reverse("news:list")).content.decode()
    assert client.get(reverse("news:detail", args=[item.pk])).status_code == 404
    english(world.paula)
    login(client, world.paula)  # the publisher previews it and sees it on the management page
    assert "Scheduled for" in client.get(reverse("news:detail", args=[item.pk])).content.decode()
    assert "Scheduled for" in client.get(reverse("news:manage")).content.decode()
    assert "Later nieuws" not in client.get(reverse("news:list")).content.decode()
    with clock.frozen(at - dt.timedelta(seconds=1)):
        login(client, world.anna)
        assert client.get(reverse("news:detail", args=[item.pk])).status_code == 404
    with clock.frozen(at):  # exactly its moment: there
        login(client, world.anna)
        assert "Later nieuws" in client.get(reverse("news:list")).content.decode()
        assert client.get(reverse("news:detail", args=[item.pk])).status_code == 200


def test_scheduling_on_the_form_uses_dutch_time_and_refuses_the_past(client, world):
    login(client, world.adam)
    data = form(world, f"group:{world.a.babies.pk}", when="later", publish_date="2026-12-01", publish_time="07:30")
    assert client.post(reverse("news:create"), data).status_code == 302
    item = NewsItem.objects.get()
    assert item.publish_at == dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)  # 07:30 in Amsterdam (winter)
    past = form(world, f"group:{world.a.babies.pk}", when="later", publish_date="2026-11-25", publish_time="09:59")
    response = client.post(reverse("news:create"), {**past, "form_key": "k2"})
    assert response.status_code == 400 and NewsItem.objects.count() == 1
    missing = form(world, f"group:{world.a.babies.pk}", when="later", publish_date="", publish_time="", form_key="k3")
    assert client.post(reverse("news:create"), missing).status_code == 400


# ---------------------------------------------------------------- telling the families


def news_notifications(item) -> list[str]:
    return sorted(Notification.objects.filter(key=f"news:{item.pk}").values_list("user__email", flat=True))


def test_publishing_now_tells_every_guardian_it_reaches_once(client, world, committed):
    login(client, world.paula)
    with committed():
        response = client.post(reverse("news:create"), form(world, f"group:{world.a.babies.pk}", body="x" * 500))
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert news_notifications(item) == ["anna@example.test", "bert@example.test"]
    note = Notification.objects.filter(user=world.anna).get()
    assert note.kind == "news" and note.title == "Sluitingsdag" and note.url == f"/news/{item.pk}/"
    assert 150 <= len(note.body) <= 201
    item.refresh_from_db()
    assert item.notified_at == NOW
    assert services.publish_due() == "0 news items announced to 0 people"
    with committed():  # the same form sent again: the same item, nobody told twice
        client.post(reverse("news:create"), form(world, f"group:{world.a.babies.pk}"))
    assert NewsItem.objects.count() == 1 and len(news_notifications(item)) == 2


def test_an_organisation_wide_item_reaches_families_with_a_current_or_coming_placement(world, committed):
    world.lin_placement.end_date = TODAY - dt.timedelta(days=1)
    world.lin_placement.save()
    with committed():
        item = publish(world, "org", kind="newsletter")
    assert news_notifications(item) == ["anna@example.test", "carla@example.test"]  # not bert, not otto
    assert Notification.objects.filter(user=world.anna).get().title.endswith(item.title)


def test_a_scheduled_item_is_told_once_by_publish_due(world, committed):
    at = NOW + dt.timedelta(hours=1)
    with committed():
        item = publish(world, "toddlers", publish_at=at)
    assert news_notifications(item) == []
    assert services.publish_due() == "0 news items announced to 0 people"
    assert services.item_notify(item.pk) is None  # too early, also for the task
    with clock.frozen(at):
        with committed():
            assert services.publish_due() == "1 news items announced to 2 people"
            assert services.publish_due() == "0 news items announced to 0 people"
    assert news_notifications(item) == ["anna@example.test", "carla@example.test"]
    assert Notification.objects.filter(user=world.anna).count() == 1


def test_a_scheduled_item_enqueues_a_task_for_its_time(world, committed, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    backend = notify_item.get_backend()
    at = NOW + dt.timedelta(days=2)
    with committed():
        item = publish(world, "babies", publish_at=at)
    queued = [r for r in backend.results if r.task.func is notify_item.func]
    assert len(queued) == 1 and queued[0].args == [item.pk] and queued[0].task.run_after == at
    assert notify_item.call(item.pk) is None  # a worker that ran early tells nobody
    with clock.frozen(at):
        assert notify_item.call(item.pk) == 2
        assert notify_item.call(item.pk) is None  # and a second run nobody again
        assert services.publish_due() == "0 news items announced to 0 people"
    assert news_notifications(item) == ["anna@example.test", "bert@example.test"]


def test_editing_a_published_item_does_not_tell_again(client, world, committed):
    with committed():
        item = publish(world, "babies", "Eerste versie")
    told_at = NewsItem.objects.get().notified_at
    login(client, world.adam)
    with committed():
        response = client.post(
            reverse("news:edit", args=[item.pk]),
            {"audience": f"location:{world.a.centrum.pk}", "kind": "news", "title": "Tweede versie", "body": "Nieuw"},
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Tweede versie" and item.location == world.a.centrum and item.group is None
    assert item.notified_at == told_at and item.publish_at == NOW
    assert Notification.objects.count() == 2 and services.publish_due().startswith("0 ")


def test_a_scheduled_item_moved_to_now_is_told_then(client, world, committed):
    item = publish(world, "babies", publish_at=NOW + dt.timedelta(days=3))
    login(client, world.paula)
    page = client.get(reverse("news:edit", args=[item.pk])).content.decode()
    assert 'value="2026-11-28"' in page and 'value="10:00"' in page  # the moment, ready to change
    with committed():
        client.post(
            reverse("news:edit", args=[item.pk]),
            {"audience": item.audience, "kind": "news", "title": "Toch nu", "body": "x", "when": "now"},
        )
    item.refresh_from_db()
    assert item.publish_at == NOW and news_notifications(item) == ["anna@example.test", "bert@example.test"]


# ---------------------------------------------------------------- files


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type)


def test_photos_lose_their_metadata_and_files_are_served_privately(client, world):
    source = media_files.jpeg_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the source has GPS
    login(client, world.adam)
    files = [
        upload("IMG_0001.JPG", source, "image/jpeg"),
        upload("tekening.png", media_files.png(), "image/png"),
        upload("Brief ouders.pdf", media_files.pdf_document("Brief"), "application/pdf"),
    ]
    response = client.post(reverse("news:create"), {**form(world, f"organisation:{world.a.org.pk}"), "files": files})
    assert response.status_code == 302
    item = NewsItem.objects.get()
    images = list(item.attachments.filter(kind="image"))
    assert [a.original_name for a in images] == ["IMG_0001.jpg", "tekening.jpg"]
    for image in images:
        for stored in (image.file, image.thumbnail):
            with stored.open("rb") as handle:
                opened = Image.open(io.BytesIO(handle.read()))
                assert opened.format == "JPEG" and len(opened.getexif()) == 0 and "exif" not in opened.info
    with images[0].thumbnail.open("rb") as handle:
        assert max(Image.open(handle).size) <= 480
    login(client, world.bert)
    url = reverse("news:attachment", args=[images[0].pk, images[0].original_name])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private") and response["X-Content-Type-Options"] == "nosniff"
    assert b"Telefoonfabrikant" not in b"".join(response.streaming_content)
    assert client.get(url + "?size=thumb").status_code == 200
    pdf = item.attachments.get(kind="file")
    response = client.get(reverse("news:attachment", args=[pdf.pk, pdf.original_name]))
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith('attachment; filename="Brief ouders.pdf"')
    assert response["Cache-Control"].startswith("private")
    assert client.get(reverse("news:attachment", args=[pdf.pk, pdf.original_name]) + "?size=thumb").status_code == 404
    login(client, world.otto)
    assert client.get(url).status_code == 404


def test_a_heic_photo_is_accepted(client, world):
    login(client, world.adam)
    data = {**form(world, f"organisation:{world.a.org.pk}"), "files": [upload("IMG.HEIC", media_files.heic())]}
    assert client.post(reverse("news:create"), data).status_code == 302
    assert NewsAttachment.objects.get().content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a pdf at all", "only photos (JPEG, PNG, HEIC) and PDF"),
        ("leeg.pdf", b"", "empty"),
        ("film.mp4", media_files.mp4(1.0), "only photos (JPEG, PNG, HEIC) and PDF"),
        ("kapot.jpg", media_files.jpeg_with_gps()[:2000], "damaged"),
        ("bom.png", media_files.decompression_bomb(), "pixels"),
        ("groot.pdf", b"%PDF-1.4\n" + b"0" * 3000, "too large"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(client, world, settings, name, content, message):
    settings.NEWS_MAX_FILE_BYTES = 2000
    english(world.adam)
    login(client, world.adam)
    before = news_files()
    files = [upload("goed.png", media_files.png(), "image/png"), upload(name, content)]
    response = client.post(reverse("news:create"), {**form(world, f"organisation:{world.a.org.pk}"), "files": files})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NewsItem.objects.exists() and not NewsAttachment.objects.exists()
    assert news_files() == before


def test_removing_asks_first_and_takes_the_files_along(client, world, committed):
    login(client, world.adam)
    data = {**form(world, f"group:{world.a.babies.pk}"), "files": [upload("a.png", media_files.png(), "image/png")]}
    client.post(reverse("news:create"), data)
    item = NewsItem.objects.get()
    stored = [Path(settings.PRIVATE_MEDIA_ROOT) / n for n in (item.attachments.get().file.name,)]
    assert all(p.exists() for p in stored)
    english(world.paula)
    login(client, world.paula)
    page = client.get(reverse("news:delete", args=[item.pk]))
    assert page.status_code == 200 and "Remove this item?" in page.content.decode()
    assert NewsItem.objects.exists()  # asking removes nothing
    with committed():
        response = client.post(reverse("news:delete", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("news:manage")
    assert not NewsItem.objects.exists() and not NewsAttachment.objects.exists()
    assert not any(p.exists() for p in stored)
    assert client.post(reverse("news:delete", args=[item.pk])).status_code == 404  # a second click: gone


def test_editing_removes_and_adds_files(client, world, committed):
    login(client, world.adam)
    client.post(
        reverse("news:create"),
        {**form(world, f"group:{world.a.babies.pk}"), "files": [upload("a.png", media_files.png(), "image/png")]},
    )
    item = NewsItem.objects.get()
    old = item.attachments.get()
    old_path = Path(settings.PRIVATE_MEDIA_ROOT) / old.file.name
    with committed():
        response = client.post(
            reverse("news:edit", args=[item.pk]),
            {
                "audience": item.audience,
                "kind": "newsletter",
                "title": "Met brief",
                "body": "x",
                "remove": [str(old.pk)],
                "files": [upload("brief.pdf", media_files.pdf_document("brief"))],
            },
        )
    assert response.status_code == 302
    assert [a.original_name for a in item.attachments.all()] == ["brief.pdf"] and not old_path.exists()


# ---------------------------------------------------------------- safety of the text


def test_html_in_title_and_body_is_shown_as_text(client, world):
    item = publish(
        world, "babies", "<script>alert('titel')</script>", body="<b>vet</b> en <img src=x onerror=alert(1)>\n\nTweede"
    )
    login(client, world.anna)
    for url in (reverse("news:list"), reverse("news:detail", args=[item.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>vet" not in page
        assert "&lt;script&gt;alert(&#x27;titel&#x27;)&lt;/script&gt;" in page
    page = client.get(reverse("news:detail", args=[item.pk])).content.decode()
    assert "<p>&lt;b&gt;vet&lt;/b&gt; en &lt;img src=x onerror=alert(1)&gt;</p>" in page and "<p>Tweede</p>" in page


def test_empty_title_or_body_is_refused(client, world):
    login(client, world.adam)
    data = form(world, f"organisation:{world.a.org.pk}", title="  ", body="")
    assert client.post(reverse("news:create"), data).status_code == 400
    with translation.override("en"), pytest.raises(ValidationError, match="title"):
        publish(world, "org", "   ")
    assert not NewsItem.objects.exists()


# ---------------------------------------------------------------- pages in constant queries


def fill(world, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        item = publish(world, ["org", "centrum", "babies", "toddlers"][n % 4], f"Item {n}")
        if n % 2 == 0:
            services.store_attachments(item, [prepare_photo(f"p{n}.png", media_files.png(32, 24))], [])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("user", ["anna", "sanne", "paula", "adam"])
def test_list_and_manage_pages_take_the_same_queries_with_more_items(client, world, user):
    fill(world, 3)
    login(client, getattr(world, user))
    urls = [reverse("news:list")] + ([reverse("news:manage")] if user in ("paula", "adam") else [])
    few = [count_queries(client, url) for url in urls]
    fill(world, 30, start=3)
    many = [count_queries(client, url) for url in urls]
    assert many == few and max(many) <= 14


@pytest.mark.parametrize("user", ["anna", "bert", "carla", "sanne", "paula", "adam", "otto", "nobody"])
def test_the_readers_list_is_exactly_the_rule_newest_first(world, items, user):
    from portal.news.selectors import reader_items

    person = getattr(world, user)
    roles_access.forget_roles(person)
    expected = list(news_access.news_readable(person).order_by("-publish_at", "-id").values_list("pk", flat=True))
    feed = reader_items(person)
    assert feed.count() == len(expected)
    assert [i.pk for i in feed[0:100]] == expected
    assert [i.pk for i in feed[1:3]] == expected[1:3]


def test_a_planners_item_to_a_group_of_their_location_is_listed_once(world):
    from portal.news.selectors import reader_items

    publish(world, "babies", "Eén keer")
    roles_access.forget_roles(world.paula)
    feed = reader_items(world.paula)
    assert [i.title for i in feed[0:10]].count("Eén keer") == 1 and feed.count() == 1


def test_other_locations_and_groups_news_costs_a_reader_nothing(client, world):
    """Items to Noord, BSO Noord and Regenboog reach neither Anna nor Sanne: more of them
    changes neither their lists nor the queries."""
    fill(world, 4)
    for user in (world.anna, world.sanne):
        login(client, user)
        few = count_queries(client, reverse("news:list"))
        before = client.get(reverse("news:list")).context["page"].paginator.count
        for n in range(12):
            publish(world, ["noord", "bso"][n % 2], f"Elders {n}")
            services.item_create(
                user=world.oscar, audience=audience(world, "other_org"), kind="news", title=f"Regenboog {n}", body="x"
            )
        page = client.get(reverse("news:list"))
        assert count_queries(client, reverse("news:list")) == few
        assert page.context["page"].paginator.count == before and "Elders" not in page.content.decode()
        api = client.get("/api/v1/news", **bearer(user)).json()
        assert api["count"] == before and not any("Elders" in i["title"] for i in api["items"])


def test_the_list_is_paginated(client, world, django_assert_max_num_queries):
    fill(world, 23)
    login(client, world.adam)
    first = client.get(reverse("news:list")).content.decode()
    assert "Item 22<" in first and "Item 13<" in first and "Item 12<" not in first
    third = client.get(reverse("news:list") + "?page=3").content.decode()
    assert "Item 2<" in third and "Item 0<" in third and "Item 3<" not in third
    assert "<img" in first and "?size=thumb" in first
    with django_assert_max_num_queries(15):  # including the one that marks its notification read
        client.get(reverse("news:detail", args=[NewsItem.objects.first().pk]))


# ---------------------------------------------------------------- the API


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, device_name="test", second_factor=True)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_reads_the_news_that_reaches_you(client, world, committed):
    login(client, world.adam)
    client.post(
        reverse("news:create"),
        {**form(world, f"group:{world.a.babies.pk}"), "files": [upload("a.png", media_files.png(), "image/png")]},
    )
    publish(world, "noord", "Alleen Noord")
    publish(world, "centrum", "Later", publish_at=NOW + dt.timedelta(days=1))
    client.logout()
    response = client.get("/api/v1/news", **bearer(world.anna))
    body = response.json()
    assert response.status_code == 200 and body["count"] == 1
    item = body["items"][0]
    assert item["title"] == "Sluitingsdag" and item["audience"] == f"group:{world.a.babies.pk}"
    assert item["audience_label"] == "Baby's" and item["scheduled"] is False and item["kind"] == "news"
    attachment = item["attachments"][0]
    assert attachment["kind"] == "image" and attachment["thumbnail_url"].endswith("?size=thumb")
    detail = client.get(f"/api/v1/news/{item['id']}", **bearer(world.bert)).json()
    assert detail["attachments"][0]["url"] == attachment["url"]
    file_response = client.get(attachment["url"], **bearer(world.bert))
    assert file_response.status_code == 200 and file_response["Content-Type"] == "image/jpeg"
    assert client.get(attachment["url"], **bearer(world.otto)).status_code == 404
    assert client.get(f"/api/v1/news/{item['id']}", **bearer(world.otto)).status_code == 404
    assert client.get("/api/v1/news", **bearer(world.adam)).json()["count"] == 2  # published ones only
    assert client.get("/api/v1/news").status_code == 401


def test_api_publish_and_remove(client, world, committed):
    payload = {"audience": f"group:{world.a.babies.pk}", "kind": "newsletter", "title": "Brief", "body": "Hallo"}
    with committed():
        response = client.post(
            "/api/v1/news", json.dumps(payload), content_type="application/json", **bearer(world.paula)
        )
    assert response.status_code == 201 and response.json()["kind"] == "newsletter"
    item = NewsItem.objects.get()
    assert news_notifications(item) == ["anna@example.test", "bert@example.test"]
    for user, status in [("anna", 403), ("sanne", 403), ("otto", 404), ("oscar", 404)]:
        r = client.post(
            "/api/v1/news", json.dumps(payload), content_type="application/json", **bearer(getattr(world, user))
        )
        assert r.status_code == status, user
    whole = {**payload, "audience": f"organisation:{world.a.org.pk}"}
    assert (
        client.post(
            "/api/v1/news", json.dumps(whole), content_type="application/json", **bearer(world.paula)
        ).status_code
        == 403
    )
    later = {**payload, "publish_at": "2026-12-01T08:00:00"}  # Dutch time
    response = client.post("/api/v1/news", json.dumps(later), content_type="application/json", **bearer(world.adam))
    assert response.status_code == 201 and response.json()["scheduled"] is True
    assert NewsItem.objects.get(pk=response.json()["id"]).publish_at == clock.at(dt.date(2026, 12, 1), dt.time(8))
    past = {**payload, "publish_at": "2026-11-25T09:00:00+01:00"}
    assert (
        client.post("/api/v1/news", json.dumps(past), content_type="application/json", **bearer(world.adam)).status_code
        == 422
    )
    assert client.delete(f"/api/v1/news/{item.pk}", **bearer(world.sanne)).status_code == 403
    assert client.delete(f"/api/v1/news/{item.pk}", **bearer(world.oscar)).status_code == 404
    assert client.delete(f"/api/v1/news/{item.pk}", **bearer(world.paula)).status_code == 204
    assert not NewsItem.objects.filter(pk=item.pk).exists()


def test_the_news_endpoints_are_in_the_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/news"])
    assert {"get", "delete"} <= set(paths["/api/v1/news/{item_id}"])
    assert "/api/v1/news/attachments/{attachment_id}/file" in paths


# ---------------------------------------------------------------- the demo


def test_the_demo_has_news_a_newsletter_and_a_scheduled_item(db, client):
    from django.core.management import call_command

    from portal.demo import DEMO_PASSWORD

    call_command("load_demo")
    items = NewsItem.objects.all()
    assert items.count() >= 6 and items.filter(kind="newsletter").count() == 1
    assert items.filter(location__isnull=True, group__isnull=True).exists()
    assert items.filter(location__isnull=False).exists() and items.filter(group__isnull=False).exists()
    scheduled = items.get(publish_at__gt=clock.now())
    assert scheduled.notified_at is None and (scheduled.publish_at - clock.now()).days >= 6
    # The demo sends nobody anything: its parent's notification list is filled, without mail or push.
    from portal.notifications.models import Delivery

    assert not Delivery.objects.exists()
    assert not Notification.objects.filter(key=f"news:{scheduled.pk}").exists()
    image = NewsAttachment.objects.get(kind="image")
    with image.file.open("rb") as handle:
        assert len(Image.open(handle).getexif()) == 0
    newsletter = items.get(kind="newsletter")
    assert newsletter.body.count("\n\n") >= 3
    client.post("/accounts/login/", {"email": "ouder@demo.test", "password": DEMO_PASSWORD})
    page = client.get(reverse("news:list")).content.decode()
    assert newsletter.title in page and "Nieuwe zandbak" in page and scheduled.title not in page
    assert "Parkeren bij Het Zonnehuis" not in page  # Noor and Daan are at De Speeltuin
    assert services.publish_due() == "0 news items announced to 0 people"
