"""Benchmark: the planner's day view of a location with 12 groups and 180 children, and the
queue with 200 open requests: server time and query count, on a fresh test database.

Run with `make bench` (SQLite) or `DATABASE_URL=postgres://... make bench`."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = 15


def build():
    from portal.accounts.models import User
    from portal.children.models import Child, Guardian, Placement, ScheduledDayPart
    from portal.organisations.models import Group, Location, LocationPlanner, Organisation, RosterPattern
    from portal.planning.models import PlanningRequest

    rng = random.Random(7)
    org = Organisation.objects.create(name="Bench", slug="bench")
    location = Location.objects.create(
        organisation=org,
        name="Groot",
        street="Laan 1",
        postcode="1000 AA",
        city="Utrecht",
        phone="0301234567",
        lrk_number="123456789",
    )
    kinds = [Group.Kind.DAYCARE] * 8 + [Group.Kind.PRESCHOOL] * 2 + [Group.Kind.OUT_OF_SCHOOL] * 2
    groups = [Group.objects.create(location=location, name=f"Groep {n + 1}", kind=kind) for n, kind in enumerate(kinds)]
    RosterPattern.objects.bulk_create(
        RosterPattern(group=g, weekday=w, day_part=p, professionals=3)
        for g in groups
        for w in range(5)
        for p in ("morning", "afternoon")
    )
    planner = User.objects.create_user("planner@bench.test", "bench-wachtwoord-1")
    LocationPlanner.objects.create(user=planner, location=location)
    parent = User.objects.create_user("ouder@bench.test", "bench-wachtwoord-1")
    today = dt.date(2026, 11, 25)
    children = []
    for number in range(180):
        group = groups[number % 12]
        age_months = rng.randint(50, 140) if group.kind == Group.Kind.OUT_OF_SCHOOL else rng.randint(3, 47)
        birth = today - dt.timedelta(days=age_months * 30)
        kid = Child.objects.create(organisation=org, first_name=f"Kind{number}", last_name="Bench", birth_date=birth)
        Guardian.objects.create(user=parent, child=kid)
        placement = Placement.objects.create(child=kid, group=group, start_date=dt.date(2026, 1, 1))
        ScheduledDayPart.objects.bulk_create(
            ScheduledDayPart(placement=placement, weekday=w, day_part=p)
            for w in rng.sample(range(5), 3)
            for p in ("morning", "afternoon")
        )
        children.append((kid, placement))
    requests = []
    for number in range(200):
        kid, placement = children[number % 180]
        day = today + dt.timedelta(days=1 + number // 180 * 7 + (number % 20))
        requests.append(
            PlanningRequest(
                child=kid,
                placement=placement,
                group=placement.group,
                kind="extra_day",
                date=day,
                day_parts=["morning"],
                requested_by=parent,
            )
        )
    PlanningRequest.objects.bulk_create(requests, ignore_conflicts=True)
    return location, PlanningRequest.objects.filter(state="pending").count()


def measure(client, url):
    client.get(url)  # warm up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), max(times), len(queries)


def main():
    from portal.core import clock

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with clock.frozen(dt.datetime(2026, 11, 25, 9, 0)):
            location, open_requests = build()
            client = Client()
            client.post("/accounts/login/", {"email": "planner@bench.test", "password": "bench-wachtwoord-1"})
            from portal.accounts.models import User
            from portal.accounts.services import api_token_create

            _token, raw = api_token_create(user=User.objects.get(email="planner@bench.test"), device_name="bench")
            print(
                f"database: {connection.vendor}; location with 12 groups, 180 children; {open_requests} open requests"
            )
            for label, url in [
                ("day view (12 groups x 2 day parts)", f"/locations/{location.pk}/day/?date=2026-11-25"),
                ("queue page (25 of the open requests)", "/planning/queue/"),
            ]:
                median, worst, queries = measure(client, url)
                print(f"{label:44s} median {median:7.1f} ms  max {worst:7.1f} ms  {queries:3d} queries")
            api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
            median, worst, queries = measure(api, "/api/v1/planning/queue")
            label = "API queue (100 open requests with verdicts)"
            print(f"{label:44s} median {median:7.1f} ms  max {worst:7.1f} ms  {queries:3d} queries")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    from portal.core.scoping import across_organisations

    with across_organisations():  # the set-up writes across organisations; requests stay scoped
        main()
