import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.core import clock
from tests.conftest import TODAY, login
from tests.factories import ChildFactory, GuardianFactory, PlacementFactory


def page(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def test_guardian_home_shows_each_child_with_group_location_phone_and_schedule(client, world):
    login(client, world.anna)
    html = page(client, "home:home")
    assert "Bo Test" in html and "Mo Test" in html
    assert "Baby&#x27;s" in html and "Peuters" in html and "Zonnebloem Centrum" in html
    assert 'href="tel:0301112233"' in html
    assert "maandag" in html and "woensdag" in html  # Bo's schedule
    assert "Olle" not in html and "Lin Test" not in html


def test_guardian_before_the_start_sees_when_requests_become_possible(client, world):
    login(client, world.carla)
    html = page(client, "home:home")
    assert "Fien Test" in html
    assert "15 december 2026" in html  # the start date, 20 days ahead


def test_staff_home_lists_todays_children_of_their_groups(client, world):
    login(client, world.sanne)
    html = page(client, "home:home")  # Wednesday: Bo (Mon, Wed) and Lin (Wed, Fri)
    assert "Bo Test" in html and "Lin Test" in html and "Mo Test" not in html
    assert "pinda" in html  # Bo's allergy is flagged


def test_group_page_moves_by_day_and_explains_a_bad_date(client, world):
    login(client, world.sanne)
    tuesday = page(client, "home:group", world.a.babies.pk, date="2026-11-24")
    assert "Bo Test" not in tuesday and "geen kinderen ingepland" in tuesday
    friday = page(client, "home:group", world.a.babies.pk, date="2026-11-27")
    assert "Lin Test" in friday and "Bo Test" not in friday
    bad = page(client, "home:group", world.a.babies.pk, date="27-11-2026")
    assert "geen datum" in bad


def test_planner_and_admin_homes(client, world):
    login(client, world.paula)
    html = page(client, "home:home")
    assert "Zonnebloem Centrum" in html and "Zonnebloem Noord" not in html
    login(client, world.adam)
    html = page(client, "home:home")
    assert "Zonnebloem" in html and "Regenboog" not in html


def test_admin_sees_guardians_without_an_account(client, world):
    GuardianFactory(user__email="wacht@example.test", user__full_name="Wim Wacht", child=world.fien)
    login(client, world.adam)
    html = page(client, "home:organisation", world.a.org.pk)
    assert "wacht@example.test" in html and "anna@example.test" not in html


def add_children(world, count, start=0):
    """Children on Baby's now and on Peuters later, each with Anna and a parent of its own."""
    for number in range(start, start + count):
        kid = ChildFactory(organisation=world.a.org, first_name=f"Extra{number}", guardians=[world.anna])
        GuardianFactory(child=kid)
        PlacementFactory(child=kid, group=world.a.babies, weekdays=(2,))
        PlacementFactory(child=kid, group=world.a.toddlers, start_date=TODAY + dt.timedelta(days=30), weekdays=(0,))


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("anna", lambda w: reverse("home:home")),
        ("sanne", lambda w: reverse("home:home")),
        ("sanne", lambda w: reverse("home:group", args=[w.a.babies.pk])),
        ("paula", lambda w: reverse("home:home")),
        ("paula", lambda w: reverse("home:location", args=[w.a.centrum.pk])),
        ("adam", lambda w: reverse("home:home")),
        ("adam", lambda w: reverse("home:organisation", args=[w.a.org.pk])),
        ("anna", lambda w: reverse("home:child", args=[w.bo.pk])),
    ],
)
def test_query_counts_do_not_grow_with_the_data(client, world, user, url):
    login(client, getattr(world, user))
    add_children(world, 2)
    small = query_count(client, url(world))
    add_children(world, 30, start=2)
    login(client, getattr(world, user))
    assert query_count(client, url(world)) == small


def test_the_attendance_list_counts_absences_and_approved_requests(client, world):
    from portal.organisations.models import RosterPattern
    from portal.planning import services

    for part in ("morning", "afternoon"):
        RosterPattern.objects.create(group=world.a.babies, weekday=2, day_part=part, professionals=2)
    with clock.frozen(dt.datetime(2026, 11, 20, 9, 0)):
        services.absence_report(user=world.anna, child=world.bo, day=TODAY, reason="sick")
        request, _ = services.extra_day_request(
            user=world.bert, child=world.lin, day=TODAY, day_parts=["afternoon"], pay_with_credit=False
        )
        services.request_decide(planner=world.paula, request=request, approve=True)
    login(client, world.sanne)
    html = page(client, "home:group", world.a.babies.pk)
    assert "Bo Test" not in html  # reported sick
    assert "Lin Test" in html and "ochtend, middag" in html  # her morning plus the extra afternoon
