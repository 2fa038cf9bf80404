"""Builds a large installation on PostgreSQL for `make bench-scale`: `make bench-data SIZE=1|10|100`.

Three organisations; the largest has, at SIZE=100, 250 locations, 2,500 groups, 50,000 children
and about 90,000 guardians, with a year of photos (rows that share a few real files), diary
pages, messages, planning requests, credits, news and notifications. The other two are a fifth
and a tenth of it. Everything is written with COPY, table by table, ids chosen here, so 100×
takes minutes rather than hours; ANALYZE runs at the end so the planner knows the sizes.

The database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ouderportaal_bench_<SIZE>)
is dropped and made again. Logins of the people the benchmark uses are written to
bench/.scale-<SIZE>.json (all with the password below).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "bench-wachtwoord"
ROOT = Path(__file__).resolve().parent


def database_url(size: int) -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/ouderportaal_bench_{size}"


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = url.rsplit("/", 1)
    name = parts[1].split("?")[0]
    with psycopg.connect(parts[0] + "/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Loader:
    """Rows of one model at a time, COPYed in; ids are given here (`next_id`)."""

    def __init__(self, connection):
        self.connection = connection
        self.ids: dict[str, int] = {}
        self.counts: dict[str, int] = {}

    def next_id(self, model) -> int:
        table = model._meta.db_table
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def copy(self, model, rows) -> None:
        """`rows`: dicts of field attnames; missing fields get their Django default."""
        from psycopg.types.json import Jsonb

        fields = list(model._meta.concrete_fields)
        columns = [f.column for f in fields]
        defaults = {}
        for f in fields:
            if f.has_default():
                defaults[f.attname] = f.get_default()
            elif f.null:
                defaults[f.attname] = None
            elif f.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField", "FileField"):
                defaults[f.attname] = ""
        json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        table = model._meta.db_table
        count = 0
        with self.connection.cursor() as cursor:
            column_list = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
                for row in rows:
                    values = []
                    for f in fields:
                        value = row[f.attname] if f.attname in row else defaults[f.attname]
                        if f.attname in json_fields:
                            value = Jsonb(value)
                        values.append(value)
                    copy.write_row(values)
                    count += 1
        self.counts[table] = self.counts.get(table, 0) + count

    def fix_sequences(self) -> None:
        with self.connection.cursor() as cursor:
            for table, last in self.ids.items():
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), %s)", [last])


def sample_jpeg(width: int, height: int, shade: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (shade, 120, 200 - shade // 2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def build(size: int, seed: int = 15) -> dict:  # noqa: C901 (one long recipe, read top to bottom)
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.db import connection

    from portal.accounts.models import OrganisationProfile, User
    from portal.children.models import Child, Guardian, Placement, ScheduledDayPart
    from portal.core import clock
    from portal.core.models import AuditEntry
    from portal.diary.models import DiaryEntry
    from portal.media.models import MediaItem, MediaTag, Rendition
    from portal.media.storage import private_storage
    from portal.messaging.models import Message, ReadMark, Thread
    from portal.news.models import NewsItem
    from portal.notifications.models import Notification
    from portal.organisations.models import (
        ClosingDay,
        Group,
        GroupStaff,
        Location,
        LocationPlanner,
        Organisation,
        OrganisationAdmin,
        RosterPattern,
    )
    from portal.planning.models import Absence, Credit, PlanningRequest

    rng = random.Random(seed)
    connection.ensure_connection()
    load = Loader(connection.connection)
    today = clock.today()
    now = clock.now()
    year_ago = today - dt.timedelta(days=365)
    password = make_password(PASSWORD)

    # A few real files that every photo row shares (the bench measures pages, not disks).
    storage = private_storage()
    files = {}
    for name, (w, h) in {"thumb": (320, 240), "screen": (1600, 1200), "original": (2000, 1500)}.items():
        path = f"bench/{name}.jpg"
        if not storage.exists(path):
            storage.save(path, ContentFile(sample_jpeg(w, h, 90)))
        files[name] = (path, w, h)
    _ = settings  # the storage above follows the settings (local folder or object storage)

    users: list[dict] = []

    def user(email: str, name: str) -> int:
        uid = load.next_id(User)
        users.append(
            {
                "id": uid,
                "password": password,
                "email": email,
                "full_name": name,
                "phone": "",
                "activated_at": now,
                "date_joined": now,
            }
        )
        return uid

    organisations, locations, groups, staff, planners, admins = [], [], [], [], [], []
    children, guardians, placements, schedule, profiles = [], [], [], [], []
    people: dict[str, dict] = {}
    shares = [1.0, 0.2, 0.1]
    for number, share in enumerate(shares, start=1):
        org_id = load.next_id(Organisation)
        organisations.append({"id": org_id, "name": f"Kinderopvang Schaal {number}", "slug": f"schaal-{number}"})
        n_locations = max(1, round(2.5 * size * share))
        for a in range(2):
            uid = user(f"beheer{a}.org{number}@bench.test", f"Beheerder {a} Org {number}")
            admins.append({"id": load.next_id(OrganisationAdmin), "user_id": uid, "organisation_id": org_id})
            people.setdefault(f"admin{number}", {"user_id": uid, "organisation_id": org_id})
        for li in range(n_locations):
            loc_id = load.next_id(Location)
            locations.append(
                {
                    "id": loc_id,
                    "organisation_id": org_id,
                    "name": f"Locatie {number}-{li}",
                    "street": "Dorpsstraat 1",
                    "postcode": "1234 AB",
                    "city": "Utrecht",
                    "phone": "030 123 45 67",
                    "lrk_number": f"{100000000 + loc_id}",
                }
            )
            uid = user(f"planner.{loc_id}@bench.test", f"Planner {loc_id}")
            planners.append({"id": load.next_id(LocationPlanner), "user_id": uid, "location_id": loc_id})
            people.setdefault(f"planner{number}", {"user_id": uid, "location_id": loc_id})
            for gi in range(10):
                kind = Group.Kind.DAYCARE if gi < 6 else Group.Kind.PRESCHOOL if gi < 8 else Group.Kind.OUT_OF_SCHOOL
                gid = load.next_id(Group)
                groups.append({"id": gid, "location_id": loc_id, "name": f"Groep {gi}", "kind": kind, "_org": org_id})
                for si in range(3):
                    uid = user(f"staf.{gid}.{si}@bench.test", f"Medewerker {gid}-{si}")
                    staff.append({"id": load.next_id(GroupStaff), "user_id": uid, "group_id": gid})
                    people.setdefault(f"staff{number}", {"user_id": uid, "group_id": gid, "location_id": loc_id})
                family: list[int] = []
                for ci in range(20):
                    cid = load.next_id(Child)
                    age_days = (
                        rng.randint(120, 1400)
                        if kind == Group.Kind.DAYCARE
                        else rng.randint(760, 1400)
                        if kind == Group.Kind.PRESCHOOL
                        else rng.randint(1500, 4500)
                    )
                    children.append(
                        {
                            "id": cid,
                            "organisation_id": org_id,
                            "first_name": rng.choice(FIRST),
                            "last_name": f"{rng.choice(LAST)} {cid}",
                            "birth_date": today - dt.timedelta(days=age_days),
                            "photo_consent": rng.random() < 0.9,
                            "allergies": "pinda" if rng.random() < 0.05 else "",
                            "notes": "",
                            "external_id": f"K{cid:07d}",
                            "_group": gid,
                            "_org": org_id,
                        }
                    )
                    if family and ci % 10 == 1:  # a brother or sister: the same guardians
                        guardian_ids = family
                    else:
                        guardian_ids = [
                            user(f"ouder.{cid}.{k}@bench.test", f"Ouder {k} van {cid}")
                            for k in range(2 if rng.random() < 0.8 else 1)
                        ]
                        family = guardian_ids
                    for uid in guardian_ids:
                        guardians.append({"id": load.next_id(Guardian), "user_id": uid, "child_id": cid})
                        profiles.append((org_id, uid))
                    if ci % 10 == 1 and f"guardian{number}" not in people:
                        people[f"guardian{number}"] = {"user_id": guardian_ids[0], "child_id": cid}
                    start = today - dt.timedelta(days=rng.randint(30, 700)) if ci < 18 else today + dt.timedelta(20)
                    pid = load.next_id(Placement)
                    placements.append({"id": pid, "child_id": cid, "group_id": gid, "start_date": start})
                    children[-1]["_placement"] = pid
                    days = rng.sample(range(5), 3 if kind != Group.Kind.OUT_OF_SCHOOL else 2)
                    children[-1]["_days"] = days
                    for weekday in days:
                        for part in ("morning", "afternoon") if kind != Group.Kind.OUT_OF_SCHOOL else ("afternoon",):
                            schedule.append(
                                {
                                    "id": load.next_id(ScheduledDayPart),
                                    "placement_id": pid,
                                    "weekday": weekday,
                                    "day_part": part,
                                }
                            )

    load.copy(Organisation, organisations)
    load.copy(Location, locations)
    load.copy(Group, groups)
    load.copy(User, users)
    profile_rows = sorted(set(profiles))
    load.copy(
        OrganisationProfile,
        (
            {"id": load.next_id(OrganisationProfile), "organisation_id": o, "user_id": u, "joined_at": now}
            for o, u in profile_rows
        ),
    )
    load.copy(OrganisationAdmin, admins)
    load.copy(LocationPlanner, planners)
    load.copy(GroupStaff, staff)
    load.copy(Child, children)
    load.copy(Guardian, guardians)
    load.copy(Placement, placements)
    load.copy(ScheduledDayPart, schedule)
    load.copy(
        RosterPattern,
        (
            {
                "id": load.next_id(RosterPattern),
                "group_id": g["id"],
                "weekday": d,
                "day_part": p,
                "professionals": 3,
            }
            for g in groups
            for d in range(5)
            for p in ("morning", "afternoon")
        ),
    )
    holidays = [today + dt.timedelta(days=d) for d in (40, 41, 90, 140, 200)]
    load.copy(
        ClosingDay,
        (
            {"id": load.next_id(ClosingDay), "location_id": loc["id"], "date": day, "name": "Studiedag"}
            for loc in locations
            for day in holidays
        ),
    )
    print(f"  people and placements: {len(children)} children, {len(users)} logins", flush=True)

    staff_of_group: dict[int, int] = {}
    for row in staff:
        staff_of_group.setdefault(row["group_id"], row["user_id"])
    kids_of_group: dict[int, list[dict]] = {}
    for child in children:
        kids_of_group.setdefault(child["_group"], []).append(child)
    guardians_of_child: dict[int, list[int]] = {}
    for row in guardians:
        guardians_of_child.setdefault(row["child_id"], []).append(row["user_id"])
    group_by_id = {g["id"]: g for g in groups}

    # A year of photos: three per group per working day, each tagging one to three children.
    media, tags, renditions = [], [], []
    working_days = [year_ago + dt.timedelta(days=d) for d in range(366)]
    working_days = [d for d in working_days if d.weekday() < 5]
    for g in groups:
        kids = [k for k in kids_of_group[g["id"]] if k["photo_consent"]]
        uploader = staff_of_group[g["id"]]
        for day in working_days:
            for n in range(3):
                mid = load.next_id(MediaItem)
                media.append(
                    {
                        "id": mid,
                        "organisation_id": g["_org"],
                        "group_id": g["id"],
                        "uploaded_by_id": uploader,
                        "uploaded_at": clock.at(day, dt.time(10 + n, 0)),
                        "upload_key": f"b{mid}",
                        "kind": MediaItem.Kind.PHOTO,
                        "state": MediaItem.State.READY,
                        "original_name": f"IMG_{mid}.jpg",
                        "sha256": f"{mid:064x}",
                        "width": files["original"][1],
                        "height": files["original"][2],
                    }
                )
                for kid in rng.sample(kids, min(len(kids), rng.randint(1, 3))):
                    tags.append({"id": load.next_id(MediaTag), "media_id": mid, "child_id": kid["id"]})
                for name, (path, w, h) in files.items():
                    renditions.append(
                        {
                            "id": load.next_id(Rendition),
                            "media_id": mid,
                            "name": name,
                            "file": path,
                            "content_type": "image/jpeg",
                            "width": w,
                            "height": h,
                            "size": 1000,
                        }
                    )
        if len(media) > 200_000:
            load.copy(MediaItem, media)
            load.copy(MediaTag, tags)
            load.copy(Rendition, renditions)
            media, tags, renditions = [], [], []
    load.copy(MediaItem, media)
    load.copy(MediaTag, tags)
    load.copy(Rendition, renditions)
    print(f"  photos: {load.counts['media_mediaitem']}", flush=True)

    # Diary pages (about 17 a child a year), a thread per child with 20 messages, requests,
    # absences and credits.
    entries, threads, messages, marks = [], [], [], []
    absences, credits, requests = [], [], []
    for child in children:
        gid, cid = child["_group"], child["id"]
        author = staff_of_group[gid]
        family = guardians_of_child[cid]
        for day in sorted(rng.sample(working_days, 17)):
            entries.append(
                {
                    "id": load.next_id(DiaryEntry),
                    "child_id": cid,
                    "group_id": gid,
                    "date": day,
                    "author_id": author,
                    "text": "Vandaag buiten gespeeld en goed gegeten.",
                    "mood": "happy",
                    "state": DiaryEntry.State.PUBLISHED,
                    "created_at": clock.at(day, dt.time(15, 0)),
                    "published_at": clock.at(day, dt.time(15, 0)),
                }
            )
        tid = load.next_id(Thread)
        started = clock.at(working_days[0], dt.time(9, 0))
        last = started
        for m in range(20):
            at = started + dt.timedelta(days=m * 17, minutes=rng.randint(0, 600))
            by_staff = m % 2 == 1
            messages.append(
                {
                    "id": load.next_id(Message),
                    "thread_id": tid,
                    "author_id": author if by_staff else family[0],
                    "body": "Hoe ging het vandaag?" if not by_staff else "Heel goed, ze heeft lekker gespeeld.",
                    "created_at": at,
                    "by_staff": by_staff,
                }
            )
            last = at
        threads.append(
            {
                "id": tid,
                "organisation_id": child["_org"],
                "group_id": gid,
                "child_id": cid,
                "subject": "Vraag over de dag",
                "started_by_id": family[0],
                "created_at": started,
                "last_message_at": last,
            }
        )
        marks.append({"id": load.next_id(ReadMark), "thread_id": tid, "user_id": family[0], "last_read_at": last})
        kind_of_care = group_by_id[gid]["kind"]
        past = [d for d in working_days if d.weekday() in child["_days"]][-40:]
        for k, day in enumerate(rng.sample(past, min(4, len(past)))):
            aid = load.next_id(Absence)
            absences.append(
                {
                    "id": aid,
                    "child_id": cid,
                    "placement_id": child["_placement"],
                    "date": day,
                    "reason": "sick",
                    "note": "",
                    "reported_at": clock.at(day - dt.timedelta(days=2), dt.time(8, 0)),
                    "reported_by_id": family[0],
                    "in_time": k < 2,
                }
            )
            if k < 2:
                credits.append(
                    {
                        "id": load.next_id(Credit),
                        "child_id": cid,
                        "placement_id": child["_placement"],
                        "kind_of_care": kind_of_care,
                        "absence_id": aid,
                        "earned_at": clock.at(day - dt.timedelta(days=2), dt.time(8, 0)),
                        "expires_on": day + dt.timedelta(days=365),
                    }
                )
        free_days = [today + dt.timedelta(days=d) for d in range(1, 60) if (today + dt.timedelta(days=d)).weekday() < 5]
        free_days = [d for d in free_days if d.weekday() not in child["_days"]]
        for k, day in enumerate(rng.sample(free_days, min(5, len(free_days)))):
            pending = k == 0 and rng.random() < 0.3
            requests.append(
                {
                    "id": load.next_id(PlanningRequest),
                    "child_id": cid,
                    "placement_id": child["_placement"],
                    "group_id": gid,
                    "kind": PlanningRequest.Kind.EXTRA_DAY,
                    "date": day,
                    "day_parts": ["afternoon"],
                    "state": PlanningRequest.State.PENDING if pending else PlanningRequest.State.REJECTED,
                    "requested_at": now - dt.timedelta(days=rng.randint(0, 20)),
                    "requested_by_id": family[0],
                    "decided_at": None if pending else now,
                    "decision_note": "",
                }
            )
    load.copy(DiaryEntry, entries)
    load.copy(Thread, threads)
    load.copy(Message, messages)
    load.copy(ReadMark, marks)
    load.copy(Absence, absences)
    load.copy(Credit, credits)
    load.copy(PlanningRequest, requests)
    print(f"  diary {len(entries)}, messages {len(messages)}, requests {len(requests)}", flush=True)

    # The history: a line for every diary page published, absence reported and request asked
    # for and decided (about 30 a child a year, as the services write them).
    org_of_child = {child["id"]: child["_org"] for child in children}

    def line(action: str, actor, org_id: int, object_type: str, object_id: int, child_id: int, at) -> dict:
        return {
            "id": load.next_id(AuditEntry),
            "organisation_id": org_id,
            "actor_id": actor,
            "at": at,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "child_id": child_id,
            "summary": "Bench",
            "changes": {},
        }

    history = []
    for e in entries:
        org_id = org_of_child[e["child_id"]]
        history.append(
            line(
                "diary.entry.published", e["author_id"], org_id, "diaryentry", e["id"], e["child_id"], e["published_at"]
            )
        )
    for a in absences:
        org_id = org_of_child[a["child_id"]]
        history.append(
            line(
                "planning.absence.reported",
                a["reported_by_id"],
                org_id,
                "absence",
                a["id"],
                a["child_id"],
                a["reported_at"],
            )
        )
    for r in requests:
        org_id = org_of_child[r["child_id"]]
        history.append(
            line(
                "planning.extra_day.requested",
                r["requested_by_id"],
                org_id,
                "planningrequest",
                r["id"],
                r["child_id"],
                r["requested_at"],
            )
        )
        if r["decided_at"] is not None:
            history.append(
                line(
                    "planning.request.rejected",
                    None,
                    org_id,
                    "planningrequest",
                    r["id"],
                    r["child_id"],
                    r["decided_at"],
                )
            )
    load.copy(AuditEntry, history)
    print(f"  history {len(history)}", flush=True)

    # News: organisation-wide, per location and per group; twenty notifications per guardian.
    news = []
    for org in organisations:
        for n in range(20):
            news.append(news_row(load.next_id(NewsItem), org["id"], None, None, now - dt.timedelta(days=n * 15)))
    for loc in locations:
        org_id = loc["organisation_id"]
        for n in range(10):
            news.append(news_row(load.next_id(NewsItem), org_id, loc["id"], None, now - dt.timedelta(days=n * 30)))
    for g in groups:
        for n in range(5):
            news.append(news_row(load.next_id(NewsItem), g["_org"], None, g["id"], now - dt.timedelta(days=n * 60)))
    load.copy(NewsItem, news)
    guardian_users = sorted({row["user_id"] for row in guardians})
    load.copy(
        Notification,
        (
            {
                "id": load.next_id(Notification),
                "user_id": uid,
                "kind": "photo",
                "key": f"bench:{uid}:{n}",
                "title": "Nieuwe foto",
                "body": "Er staat een nieuwe foto van uw kind klaar.",
                "url": "/photos/",
                "created_at": now - dt.timedelta(days=n * 18),
                "read_at": None if n == 0 else now,
            }
            for uid in guardian_users
            for n in range(20)
        ),
    )
    load.fix_sequences()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    people["sizes"] = {k: v for k, v in sorted(load.counts.items())}
    return people


def news_row(nid: int, org_id: int, location_id, group_id, at) -> dict:
    return {
        "id": nid,
        "organisation_id": org_id,
        "location_id": location_id,
        "group_id": group_id,
        "title": f"Nieuws {nid}",
        "body": "Volgende week is er een ouderavond.",
        "publish_at": at,
        "created_at": at,
        "updated_at": at,
        "notified_at": at,
    }


FIRST = ["Noor", "Sem", "Daan", "Lotte", "Emma", "Liam", "Julia", "Lucas", "Tess", "Finn", "Mila", "Levi", "Saar"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos", "Peters"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1, choices=[1, 10, 100])
    args = parser.parse_args()
    url = database_url(args.size)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    started = time.perf_counter()
    print(f"bench data ×{args.size} in {url}", flush=True)
    recreate_database(url)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(f"  migrated ({time.perf_counter() - started:.0f} s)", flush=True)
    from portal.core.scoping import across_organisations

    with across_organisations():
        people = build(args.size)
    people["database_url"] = url
    people["password"] = PASSWORD
    (ROOT / f".scale-{args.size}.json").write_text(json.dumps(people, indent=1, default=str))
    total = sum(people["sizes"].values())
    print(f"done: {total:,} rows in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
