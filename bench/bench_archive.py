"""Benchmark: the departure archive of a child with 2,000 photos, against a plain copy of the
same files into a ZIP with Python's standard library in the same run (the ratio printed), and
the peak memory of the builder at two sizes (it must stay flat: the archive is streamed)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from PIL import Image  # noqa: E402

SIZES = (200, 2000)
DISTINCT_PICTURES = 25  # photos of a phone, 2016 x 1512; each file in storage is its own copy
ROUNDS = 3


def _status(field: str) -> int:
    """A value of /proc/self/status in bytes (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    """Start counting the peak resident memory (VmHWM) from now (Linux 4.0 and later)."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def pictures() -> list[bytes]:
    made = []
    for n in range(DISTINCT_PICTURES):
        image = Image.effect_noise((2016, 1512), 40 + n).convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        made.append(buffer.getvalue())
    return made


def make_child(count: int, sources: list[bytes]):
    """A child with `count` ready photos, each with its own original file in private storage."""
    from django.core.files.base import ContentFile

    from portal.accounts.models import User
    from portal.children.models import Child, Guardian, Placement
    from portal.media.models import MediaItem, MediaTag, Rendition
    from portal.organisations.models import Group, Location, Organisation

    org = Organisation.objects.create(name=f"Bench {count}", slug=f"bench-{count}")
    location = Location.objects.create(
        organisation=org, name="L", street="S 1", postcode="1000 AA", city="U", phone="1", lrk_number="123456789"
    )
    group = Group.objects.create(location=location, name="Rupsjes", kind="dagopvang")
    parent = User.objects.create_user(f"ouder{count}@bench.test", "bench-wachtwoord-1")
    child = Child.objects.create(organisation=org, first_name="Noor", last_name="Bench", birth_date=dt.date(2025, 1, 1))
    Guardian.objects.create(user=parent, child=child)
    Placement.objects.create(child=child, group=group, start_date=dt.date(2025, 3, 1), end_date=dt.date(2026, 11, 30))
    start = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
    items = MediaItem.objects.bulk_create(
        MediaItem(
            organisation=org,
            group=group,
            upload_key=f"b{n}",
            kind="photo",
            state="ready",
            uploaded_at=start + dt.timedelta(hours=7 * n),
        )
        for n in range(count)
    )
    MediaTag.objects.bulk_create(MediaTag(media=item, child=child) for item in items)
    paths = []
    for n, item in enumerate(items):
        data = sources[n % len(sources)]
        rendition = Rendition(media=item, name="original", content_type="image/jpeg", size=len(data))
        rendition.file.save("original.jpg", ContentFile(data), save=False)
        rendition.save()
        paths.append(rendition.file.path)
    return org, parent, child, paths


def plain_zip(paths: list[str], target: str) -> None:
    """The same files into a ZIP with the standard library (stored, as the portal stores photos)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for n, path in enumerate(paths):
            archive.write(path, f"{n}.jpg")


def in_own_process(*args: str) -> dict:
    """Run one measurement in a process of its own (this file with `args`), so that its peak
    memory is the builder's and not this benchmark's: the same database and storage."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "TEST_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)}
    done = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_build(archive_id: int) -> None:
    from portal.core.scoping import across_organisations
    from portal.exports.services import archive_build

    with across_organisations():
        _reset_peak()
        before = _status("VmRSS")
        begin = time.perf_counter()
        built = archive_build(archive_id)
        seconds = time.perf_counter() - begin
        peak = _status("VmHWM")
        assert built is not None and built.state == "ready", built and built.error
        size = built.size
        built.file.delete(save=False)
    print(json.dumps({"seconds": seconds, "size": size, "before": before, "peak": peak}))


def measure_plain(list_file: str, target: str) -> None:
    paths = Path(list_file).read_text().splitlines()
    _reset_peak()
    begin = time.perf_counter()
    plain_zip(paths, target)
    seconds = time.perf_counter() - begin
    os.unlink(target)
    print(json.dumps({"seconds": seconds, "peak": _status("VmHWM")}))


def main():
    from portal.core import clock
    from portal.core.scoping import across_organisations
    from portal.exports.models import Archive

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    scratch = Path(settings.PRIVATE_MEDIA_ROOT) / "bench-plain"
    scratch.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":  # a file, so that the measuring processes share it
        connection.settings_dict["TEST"]["NAME"] = str(scratch / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}")
        sources = pictures()
        mean = statistics.mean(map(len, sources)) / 1e6
        print(
            f"photos: {DISTINCT_PICTURES} distinct JPEGs of 2016x1512, {mean:.2f} MB each, each stored as its own file"
        )
        for count in SIZES:
            with across_organisations(), clock.frozen(dt.datetime(2026, 12, 7, 10, 0)):
                org, parent, child, paths = make_child(count, sources)
            total = sum(os.path.getsize(p) for p in paths) / 1e6
            list_file = scratch / "paths.txt"
            list_file.write_text("\n".join(paths))
            portal, plain = [], []
            rounds = ROUNDS if count <= 500 else 1
            for _round in range(rounds):  # alternate, so both see the same machine state
                with across_organisations():
                    archive = Archive.objects.create(
                        organisation=org, kind="departure", child=child, requested_by=parent
                    )
                portal.append(in_own_process("--build", str(archive.pk)))
                plain.append(in_own_process("--plain", str(list_file), str(scratch / "plain.zip")))
            portal_s = statistics.median(r["seconds"] for r in portal)
            plain_s = statistics.median(r["seconds"] for r in plain)
            peak = max(r["peak"] for r in portal) / 1e6
            growth = max(r["peak"] - r["before"] for r in portal) / 1e6
            print(f"archive of {count} photos ({total:.0f} MB), median of {rounds} round(s):")
            print(f"  portal (query, stream, check, store)     {portal_s:7.2f} s  {total / portal_s:7.1f} MB/s")
            print(f"  plain copy into a ZIP (standard library) {plain_s:7.2f} s  {total / plain_s:7.1f} MB/s")
            print(f"  ratio, portal's speed / plain copy's     {plain_s / portal_s:7.2f}")
            print(f"  builder's peak memory (its own process)  {peak:7.0f} MB  (grew {growth:.1f} MB while building)")
            for path in paths:
                os.unlink(path)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        measure_build(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--plain"]:
        measure_plain(sys.argv[2], sys.argv[3])
    else:
        main()
