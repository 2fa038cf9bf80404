"""Benchmark: the PDF of a diary with 250 entries and 250 photos: time, pages, size and peak
memory (the process's resident set)."""

from __future__ import annotations

import datetime as dt
import io
import os
import resource
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ENTRIES = 250


def build():
    import random

    from django.core.files.base import ContentFile

    from portal.accounts.models import User
    from portal.children.models import Child, Placement
    from portal.demo.media import SCENES, drawn_photo
    from portal.diary.models import DiaryEntry
    from portal.media.models import MediaItem, Rendition
    from portal.media.processing import process_photo
    from portal.organisations.models import Group, Location, Organisation

    org = Organisation.objects.create(name="Bench", slug="bench")
    location = Location.objects.create(
        organisation=org, name="L", street="S 1", postcode="1000 AA", city="U", phone="1", lrk_number="123456789"
    )
    group = Group.objects.create(location=location, name="Rupsjes", kind="dagopvang")
    staff = User.objects.create_user("staff@bench.test")
    child = Child.objects.create(organisation=org, first_name="Noor", last_name="Bench", birth_date=dt.date(2025, 1, 1))
    Placement.objects.create(child=child, group=group, start_date=dt.date(2025, 3, 1))
    rng = random.Random(3)
    first = dt.date(2025, 3, 3)
    # Twenty distinct drawings, each stored as its own file: 250 photo files in all.
    screens = [
        next(o for o in process_photo(drawn_photo(rng, sky, ground)) if o.name == "screen")
        for _caption, sky, ground in (SCENES * 3)[:20]
    ]
    for number in range(ENTRIES):
        caption = SCENES[number % len(SCENES)][0]
        screen = screens[number % len(screens)]
        item = MediaItem.objects.create(
            organisation=org, group=group, uploaded_by=staff, upload_key=f"b{number}", kind="photo", state="ready"
        )
        rendition = Rendition(
            media=item,
            name="screen",
            content_type="image/jpeg",
            width=screen.width,
            height=screen.height,
            size=len(screen.content),
        )
        rendition.file.save("screen.jpg", ContentFile(screen.content), save=True)
        DiaryEntry.objects.create(
            child=child,
            group=group,
            date=first + dt.timedelta(days=number + number // 5 * 2),
            author=staff,
            state="published",
            text=f"{caption}. Noor heeft genoten van de dag." * 2,
            media=item,
            sleeps=[{"from": "09:45", "to": "11:15"}],
            feeds=[{"time": "10:00", "what": "fles", "ml": 150}],
            nappies=[{"time": "11:30", "kind": "wet"}],
            mood="happy",
        )
    return child


def main():
    from portal.diary.pdf import diary_pdf

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        child = build()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        content, pages = diary_pdf(child)
        seconds = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        from pypdf import PdfReader

        assert len(PdfReader(io.BytesIO(content)).pages) == pages
        print(
            f"diary of {ENTRIES} entries with {ENTRIES} photos (1600x1200): {pages} pages, "
            f"{len(content) / 1e6:.1f} MB (20 distinct drawings among the 250 photo files)"
        )
        print(
            f"  time {seconds:.1f} s; peak memory (resident set of the process) {rss_after / 1024:.0f} MB, "
            f"{rss_before / 1024:.0f} MB before the PDF"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    from portal.core.scoping import across_organisations

    with across_organisations():  # the set-up writes across organisations; requests stay scoped
        main()
