"""The photo feed by day, the viewer, and videos that play on an iPhone: Safari asks for byte
ranges and plays only when it gets 206 Partial Content, through the access-checked serving."""

import datetime as dt

from django.core.files.base import ContentFile
from django.urls import reverse

from portal.core import clock
from portal.media.models import MediaItem, MediaTag, Rendition
from portal.notifications.models import Notification
from tests.conftest import login
from tests.media_files import png


def item(world, *, day: dt.date, caption: str = "", kind: str = "photo", key: str) -> MediaItem:
    media = MediaItem.objects.create(
        organisation=world.a.org,
        group=world.a.babies,
        uploaded_by=world.sanne,
        upload_key=key,
        kind=kind,
        state="ready",
        caption=caption,
        uploaded_at=clock.at(day, dt.time(11, 0)),
    )
    MediaTag.objects.create(media=media, child=world.bo)
    return media


def test_the_feed_is_grouped_by_day_with_headings_and_captions(client, world):
    today = clock.today()  # shared in this order (the feed is newest first)
    item(world, day=dt.date(2025, 6, 2), key="d")  # last year: with the year
    item(world, day=dt.date(2026, 11, 16), key="c")  # a Monday, earlier this month
    item(world, day=today - dt.timedelta(days=1), key="b")
    item(world, day=today, caption="Zandbak", key="a")
    login(client, world.anna)
    html = client.get(reverse("media:feed")).content.decode()
    headings = ["Vandaag", "Gisteren", "maandag 16 november", "maandag 2 juni 2025"]
    positions = [html.index(f">{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    assert "Zandbak" in html


def test_opening_the_feed_clears_the_photo_badge_only(client, world):
    Notification.objects.create(user=world.anna, kind="photo", key="p", title="Nieuwe foto", url="/photos/1/")
    Notification.objects.create(user=world.anna, kind="diary", key="d", title="Schriftje", url="/x/")
    login(client, world.anna)
    client.get(reverse("media:feed"))
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("kind", flat=True)) == ["diary"]


def test_the_viewer_has_a_heading_for_screen_readers_and_a_download(client, world):
    older = item(world, day=clock.today() - dt.timedelta(days=3), key="b")
    media = item(world, day=clock.today(), caption="Zandbak", key="a")
    login(client, world.anna)
    html = client.get(reverse("media:detail", args=[media.pk])).content.decode()
    assert 'class="sr-only">Foto van woensdag 25 november 2026</h1>' in html
    assert reverse("media:file", args=[media.pk, "download"]) in html
    assert f'href="{reverse("media:detail", args=[older.pk])}" rel="next"' in html and "eerder" in html


def test_a_video_answers_a_range_request_with_206_for_the_family_and_404_for_others(client, world):
    body = bytes(range(256)) * 40  # 10,240 bytes standing in for an MP4
    video = item(world, day=clock.today(), kind="video", key="v")
    rendition = Rendition(media=video, name="video", content_type="video/mp4", size=len(body))
    rendition.file.save("video.mp4", ContentFile(body), save=True)
    poster = Rendition(media=video, name="poster", content_type="image/png", size=10)
    poster.file.save("poster.png", ContentFile(png(8, 8)), save=True)
    url = reverse("media:file", args=[video.pk, "video"])

    login(client, world.anna)
    probe = client.get(url, HTTP_RANGE="bytes=0-1")  # what Safari asks first
    assert probe.status_code == 206
    assert probe["Content-Range"] == f"bytes 0-1/{len(body)}" and probe["Content-Length"] == "2"
    assert b"".join(probe.streaming_content) == body[:2]
    assert probe["Content-Type"] == "video/mp4" and probe["Accept-Ranges"] == "bytes"
    middle = client.get(url, HTTP_RANGE="bytes=5000-")
    assert middle.status_code == 206 and b"".join(middle.streaming_content) == body[5000:]
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Content-Length"] == str(len(body))
    assert client.get(url, HTTP_RANGE=f"bytes={len(body)}-").status_code == 416
    assert "private" in probe["Cache-Control"]

    login(client, world.bert)  # another family of the same group: Bo is not theirs
    assert client.get(url, HTTP_RANGE="bytes=0-1").status_code == 404
