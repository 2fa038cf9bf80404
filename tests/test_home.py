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


def test_guardian_today_shows_each_child_and_the_phone_once(client, world):
    login(client, world.anna)
    html = page(client, "home:home")
    assert ">Bo</a>" in html and ">Mo</a>" in html
    assert "Baby&#x27;s" in html and "Peuters" in html
    assert html.count('href="tel:0301112233"') == 1  # both children at Zonnebloem Centrum: the number once
    assert html.count("vandaag nog niet geschreven") == 2
    assert "Olle" not in html and "Lin" not in html


def test_guardian_today_shows_the_diary_photos_message_news_and_requests_of_today(client, world):
    from portal.diary import services as diary_services
    from portal.messaging import services as messaging_services
    from portal.notifications.models import Notification
    from portal.planning import services as planning_services
    from tests.test_access_matrix import ready_photo

    diary_services.entry_save(author=world.sanne, child=world.bo, day=TODAY, text="Lekker geslapen", publish=True)
    diary_services.entry_save(
        author=world.sanne, child=world.bo, day=TODAY - dt.timedelta(days=1), text="Gisteren", publish=True
    )
    photo = ready_photo(world)
    messaging_services.thread_start(
        author=world.sanne, child=world.bo, group=world.a.babies, subject="", body="Bo heeft een tand", by_staff=True
    )
    Notification.objects.create(user=world.anna, kind="news", key="news:1", title="Zomerfeest", url="/news/1/")
    Notification.objects.create(
        user=world.anna, kind="news", key="news:2", title="Oud nieuws", url="/news/2/", read_at=clock.now()
    )
    with clock.frozen(dt.datetime(2026, 11, 20, 9, 0)):
        planning_services.extra_day_request(
            user=world.anna,
            child=world.bo,
            day=TODAY + dt.timedelta(days=2),
            day_parts=["morning"],
            pay_with_credit=False,
        )
    login(client, world.anna)
    html = page(client, "home:home")
    assert "Lekker geslapen" in html and "Gisteren" not in html
    assert html.count("vandaag nog niet geschreven") == 1  # Mo's page
    assert reverse("media:detail", args=[photo.pk]) in html
    assert "Bo heeft een tand" in html and "vandaag 10.00" in html
    assert "Zomerfeest" in html and "Oud nieuws" not in html
    assert "extra dag" in html and "wacht op de planner" in html and "vrijdag 27 november" in html


def test_another_familys_today_shows_nothing_of_anna(client, world):
    from portal.diary import services as diary_services

    diary_services.entry_save(author=world.sanne, child=world.bo, day=TODAY, text="Lekker geslapen", publish=True)
    login(client, world.bert)
    html = page(client, "home:home")
    assert "Lekker geslapen" not in html and ">Lin</a>" in html


def test_guardian_before_the_start_sees_when_requests_become_possible(client, world):
    login(client, world.carla)
    html = page(client, "home:home")
    assert ">Fien</a>" in html
    assert "15 december 2026" in html  # the start date, 20 days ahead


def test_staff_home_lists_todays_children_of_their_groups(client, world):
    login(client, world.sanne)
    html = page(client, "home:home")  # Wednesday: Bo (Mon, Wed) and Lin (Wed, Fri)
    assert "Bo Test" in html and "Lin Test" in html and "Mo Test" not in html
    assert "Allergie: pinda" in html  # Bo's allergy, in words


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
    client.get(url(world))  # once per installation: the web push key pair is made on first use
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


# The whole "Today" page of a guardian, navigation and badges included.
TODAY_QUERY_BUDGET = 24


def add_today(world, count, start=0):
    """Diary pages, photos, messages, news and requests of today for Anna's children."""
    from portal.diary import services as diary_services
    from portal.media.models import MediaItem, MediaTag
    from portal.messaging import services as messaging_services
    from portal.notifications.models import Notification

    for number in range(start, start + count):
        kid = ChildFactory(organisation=world.a.org, first_name=f"Kind{number}", guardians=[world.anna])
        PlacementFactory(child=kid, group=world.a.babies, weekdays=(2,))
        diary_services.entry_save(author=world.sanne, child=kid, day=TODAY, text=f"Dag {number}", publish=True)
        messaging_services.thread_start(
            author=world.sanne, child=kid, group=world.a.babies, subject="", body=f"Bericht {number}", by_staff=True
        )
        Notification.objects.create(user=world.anna, kind="news", key=f"news:{number}", title="Nieuws", url="/news/")
        item = MediaItem.objects.create(
            organisation=world.a.org,
            group=world.a.babies,
            uploaded_by=world.sanne,
            upload_key=f"m{number}",
            kind="photo",
            state="ready",
        )
        MediaTag.objects.create(media=item, child=kid)


def test_the_guardians_today_page_keeps_one_query_budget(client, world):
    login(client, world.anna)
    add_today(world, 2)
    client.get(reverse("home:home"))  # once per installation: the web push key pair is made on first use
    small = query_count(client, reverse("home:home"))
    add_today(world, 20, start=2)
    login(client, world.anna)
    large = query_count(client, reverse("home:home"))
    assert large == small <= TODAY_QUERY_BUDGET


def test_the_today_page_offers_notifications_until_not_now(client, world):
    login(client, world.anna)
    assert "Meldingen op deze telefoon?" in page(client, "home:home")
    response = client.post(reverse("home:push_offer_hide"))
    assert response.status_code == 302
    assert "Meldingen op deze telefoon?" not in page(client, "home:home")
    login(client, world.sanne)  # staff: no offer on their start page
    assert "Meldingen op deze telefoon?" not in page(client, "home:home")


def test_the_notification_settings_say_when_no_device_receives_push(client, world):
    login(client, world.anna)
    html = page(client, "notifications:settings")
    assert "Nog geen enkel apparaat krijgt pushberichten" in html


def test_the_admins_figures_are_counted_once_a_minute_and_again_the_next_day(client, world):
    """The admin's home counts the organisation's placed children and the guardians without an
    account once a minute: a large organisation's count costs more than the rest of the page."""
    from django.core.cache import cache

    def counts() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return sum("COUNT(*)" in q["sql"] for q in queries)

    login(client, world.adam)
    url = reverse("home:home")
    assert counts() == 2  # placed children, guardians without an account
    assert "<strong>4</strong> kinderen geplaatst" in client.get(url).content.decode()
    assert counts() == 0  # within the minute both come from the cache
    add_children(world, 1)
    assert "<strong>4</strong> kinderen geplaatst" in client.get(url).content.decode()
    cache.clear()  # as when the minute has passed
    assert "<strong>5</strong> kinderen geplaatst" in client.get(url).content.decode()
    clock.freeze(TODAY + dt.timedelta(days=1))  # a new day counts afresh: placements start and end
    assert counts() == 2
    assert counts() == 0


def test_the_organisation_page_lists_the_first_locations_and_links_to_all(client, world, monkeypatch):
    from portal.home import views
    from tests.factories import LocationFactory

    login(client, world.adam)
    html = page(client, "home:organisation", world.a.org.pk)
    assert "Alle locaties en groepen" not in html
    for number in range(3):
        LocationFactory(organisation=world.a.org, name=f"Zz Locatie {number}")
    monkeypatch.setattr(views, "ORGANISATION_LOCATIONS_SHOWN", 3)
    html = page(client, "home:organisation", world.a.org.pk)
    assert "Zonnebloem Centrum" in html and "Zz Locatie 0" in html and "Zz Locatie 2" not in html
    assert reverse("backoffice:locations", args=[world.a.org.pk]) in html and "Alle locaties en groepen" in html


def test_every_tab_has_its_icon_and_an_unknown_icon_is_empty(client, world):
    from django.template import Context, Template

    from portal.home.navigation import tabs_for

    render = Template("{% load portal %}{% icon name %}")
    for roles in ({"guardian"}, {"group_staff", "planner", "organisation_admin"}):
        for tab in tabs_for(world.anna, roles, 0, {}):
            svg = render.render(Context({"name": tab.key}))
            assert svg.startswith('<svg class="icon"') and ("<path" in svg or "<rect" in svg), tab.key
    assert render.render(Context({"name": "<script>"})).endswith('focusable="false"></svg>')
    login(client, world.anna)
    html = page(client, "home:home")
    assert html.count('<svg class="icon"') >= 7  # five tabs, the bell and the menu
