"""Benchmark: photos processed per second by the portal against plain Pillow doing the same
resize work side by side (the ratio printed), and the feed's server time and query count for a
guardian in an organisation with 200,000 photos."""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

PHOTOS = 12
FEED_PHOTOS = 200_000


def plain_pillow(data: bytes) -> None:
    """The same work without the portal: open, turn upright, three JPEGs."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image).convert("RGB")
        upright.save(io.BytesIO(), "JPEG", quality=92, optimize=True, progressive=True)
        for size, quality in ((1600, 85), (480, 80)):
            copy = upright.copy()
            copy.thumbnail((size, size), Image.Resampling.LANCZOS)
            copy.save(io.BytesIO(), "JPEG", quality=quality, optimize=True, progressive=True)


def processing_rate() -> None:
    from portal.media.processing import process_photo
    from tests.media_files import jpeg_with_gps

    sources = [jpeg_with_gps(width=4032, height=3024) for _ in range(PHOTOS)]  # a phone's 12 megapixels
    rounds = {"portal": [], "pillow": []}
    for _ in range(3):  # alternate, so both see the same machine state
        start = time.perf_counter()
        for data in sources:
            process_photo(data)
        rounds["portal"].append(PHOTOS / (time.perf_counter() - start))
        start = time.perf_counter()
        for data in sources:
            plain_pillow(data)
        rounds["pillow"].append(PHOTOS / (time.perf_counter() - start))
    portal, pillow = statistics.median(rounds["portal"]), statistics.median(rounds["pillow"])
    print(f"photos of 4032x3024 with GPS, {PHOTOS} per round, median of 3 rounds:")
    print(f"  portal ingest (check, upright, strip, 3 renditions) {portal:6.2f} photos/s")
    print(f"  plain Pillow, the same resize work                  {pillow:6.2f} photos/s")
    print(f"  ratio portal / Pillow                               {portal / pillow:6.2f}")


def feed_speed() -> None:
    from portal.accounts.models import User
    from portal.children.models import Child, Guardian
    from portal.media.models import MediaItem, MediaTag
    from portal.organisations.models import Group, Location, Organisation

    org = Organisation.objects.create(name="Groot", slug="groot")
    location = Location.objects.create(
        organisation=org, name="L", street="S 1", postcode="1000 AA", city="U", phone="1", lrk_number="123456789"
    )
    groups = [Group.objects.create(location=location, name=f"G{n}", kind="dagopvang") for n in range(20)]
    parent = User.objects.create_user("ouder@bench.test", "bench-wachtwoord-1")
    own = Child.objects.create(organisation=org, first_name="Eigen", last_name="Kind", birth_date=dt.date(2025, 1, 1))
    other = Child.objects.create(organisation=org, first_name="Ander", last_name="Kind", birth_date=dt.date(2025, 1, 1))
    Guardian.objects.create(user=parent, child=own)
    start = time.perf_counter()
    batch = 10_000
    for offset in range(0, FEED_PHOTOS, batch):
        items = MediaItem.objects.bulk_create(
            MediaItem(
                organisation=org,
                group=groups[n % 20],
                upload_key=f"b{n}",
                kind="photo",
                state="ready",
            )
            for n in range(offset, offset + batch)
        )
        # One photo in fifty shows the guardian's own child; every photo shows another child.
        MediaTag.objects.bulk_create(
            [MediaTag(media=i, child=other) for i in items] + [MediaTag(media=i, child=own) for i in items[::50]]
        )
    # As the database's autovacuum would soon after a load this size: without statistics the
    # PostgreSQL planner guesses the tables are empty and the feed measures a bad plan.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"feed: {FEED_PHOTOS} photos made in {time.perf_counter() - start:.0f} s; "
        f"{FEED_PHOTOS // 50} show the guardian's child"
    )
    client = Client()
    client.post("/accounts/login/", {"email": "ouder@bench.test", "password": "bench-wachtwoord-1"})
    oldest_page = MediaTag.objects.filter(child=own).order_by("media_id").values_list("media_id", flat=True)[30]
    for label, url in [("first page", "/photos/"), ("a page deep in the past", f"/photos/?before={oldest_page}")]:
        client.get(url)
        times = []
        for _ in range(15):
            begin = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - begin) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"  guardian's feed, {label:24s} median {statistics.median(times):6.1f} ms  "
            f"max {max(times):6.1f} ms  {len(queries)} queries"
        )


def main():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}")
        processing_rate()
        feed_speed()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    from portal.core.scoping import across_organisations

    with across_organisations():  # the set-up writes across organisations; requests stay scoped
        main()
