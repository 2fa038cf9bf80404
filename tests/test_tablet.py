"""The group tablet: set up by a group's staff with their full login, unlocked by colleagues with
a personal PIN, locked when idle, opening only the group's work (portal/access/tablet.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.access import tablet as tablet_access
from portal.accounts import tablet as tablet_services
from portal.accounts.models import GroupTablet, UserSession
from portal.core import clock
from portal.core.models import AuditEntry
from portal.diary.models import DiaryEntry
from portal.organisations.models import GroupStaff
from tests.conftest import PASSWORD, TODAY, child, login, make_user
from tests.factories import GroupStaffFactory, place

PIN = "2580"
TESS_PIN = "4711"


@pytest.fixture(autouse=True)
def _in_english(request):
    """The tests read the English words of the pages (the Dutch catalogue has a test of its own)."""
    if "world" in request.fixturenames:
        request.getfixturevalue("english")


@pytest.fixture
def tess(world):
    """A second member of Baby's staff, with a PIN of her own."""
    tess = make_user("tess@example.test", "Tess Collega")
    tess.language = "en"
    tess.save(update_fields=["language"])
    GroupStaffFactory(user=tess, group=world.a.babies)
    tablet_services.pin_set(user=tess, pin=TESS_PIN)
    return tess


@pytest.fixture
def tablet(world, client, tess):
    """Sanne turned `client` into the tablet of Baby's; it is locked."""
    tablet_services.pin_set(user=world.sanne, pin=PIN)
    login(client, world.sanne)
    response = client.post(reverse("tablet:setup"), {"group": world.a.babies.pk, "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("tablet:lock")
    return GroupTablet.objects.get(ended_at__isnull=True)


def unlock(client, user, pin):
    return client.post(reverse("tablet:unlock", args=[user.pk]), {"pin": pin})


def now_plus(**delta):
    return clock.now() + dt.timedelta(**delta)


# ---------------------------------------------------------------- setting a tablet up


def test_group_staff_turn_the_device_into_their_groups_tablet(world, client, tablet):
    assert (tablet.group, tablet.organisation, tablet.set_up_by) == (world.a.babies, world.a.org, world.sanne)
    assert tablet.session_key == client.session.session_key
    # Locked from the start: every page goes to the lock screen.
    response = client.get(reverse("home:home"))
    assert response.status_code == 302 and response["Location"] == reverse("tablet:lock")


@pytest.mark.parametrize("who", ["anna", "paula", "adam"])
def test_only_group_staff_can_set_a_tablet_up(world, client, who):
    login(client, getattr(world, who))
    assert client.get(reverse("tablet:setup")).status_code == 403
    assert client.post(reverse("tablet:setup"), {"group": world.a.babies.pk, "confirm": "yes"}).status_code == 403
    assert not GroupTablet.objects.exists()


def test_setting_up_needs_the_persons_own_group_and_a_confirmation(world, client):
    login(client, world.sanne)
    assert client.get(reverse("tablet:setup")).status_code == 200
    # A group of her organisation she does not work on: 403; another organisation's: 404.
    assert client.post(reverse("tablet:setup"), {"group": world.a.toddlers.pk, "confirm": "yes"}).status_code == 403
    assert client.post(reverse("tablet:setup"), {"group": world.b.babies.pk, "confirm": "yes"}).status_code == 404
    for odd in ["abc", "9" * 30, "1\x00"]:
        assert client.post(reverse("tablet:setup"), {"group": odd, "confirm": "yes"}).status_code == 404
    response = client.post(reverse("tablet:setup"), {"group": world.a.babies.pk})
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert not GroupTablet.objects.exists()


def test_setting_up_needs_the_second_factor_of_those_who_have_it(world, client):
    TOTPDevice.objects.create(user=world.sanne, name="app", confirmed=True)
    login(client, world.sanne, verified=False)
    response = client.post(reverse("tablet:setup"), {"group": world.a.babies.pk, "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_verify")
    assert not GroupTablet.objects.exists()


# ---------------------------------------------------------------- the PIN


def test_the_pin_is_kept_hashed_with_the_password_hashers(world):
    tablet_services.pin_set(user=world.sanne, pin=PIN)
    world.sanne.refresh_from_db()
    assert PIN not in world.sanne.tablet_pin
    assert identify_hasher(world.sanne.tablet_pin).algorithm
    assert tablet_services.pin_matches(world.sanne, PIN)
    assert not tablet_services.pin_matches(world.sanne, "2581")
    assert world.sanne.tablet_pin_set_at == clock.now()


def test_setting_the_pin_needs_the_current_password(world, client):
    login(client, world.sanne)
    url = reverse("accounts:tablet_pin")
    assert client.get(url).status_code == 200
    response = client.post(url, {"current_password": "wrong", "pin1": PIN, "pin2": PIN})
    assert response.status_code == 400
    world.sanne.refresh_from_db()
    assert world.sanne.tablet_pin == ""
    response = client.post(url, {"current_password": PASSWORD, "pin1": PIN, "pin2": PIN})
    assert response.status_code == 302
    world.sanne.refresh_from_db()
    assert tablet_services.pin_matches(world.sanne, PIN)
    assert "PIN for the group tablet" in client.get(reverse("accounts:security")).content.decode()


@pytest.mark.parametrize("pin", ["0000", "1234", "9876", "123456", "8901", "123", "1234567", "12a4", "", "12\x0034"])
def test_easy_or_malformed_pins_are_refused(world, client, pin):
    login(client, world.sanne)
    response = client.post(reverse("accounts:tablet_pin"), {"current_password": PASSWORD, "pin1": pin, "pin2": pin})
    assert response.status_code == 400
    world.sanne.refresh_from_db()
    assert world.sanne.tablet_pin == ""


def test_pins_that_differ_are_refused_and_the_pin_can_be_removed(world, client):
    login(client, world.sanne)
    url = reverse("accounts:tablet_pin")
    assert client.post(url, {"current_password": PASSWORD, "pin1": PIN, "pin2": "2590"}).status_code == 400
    tablet_services.pin_set(user=world.sanne, pin=PIN)
    assert client.post(url, {"remove": "yes"}).status_code == 302
    world.sanne.refresh_from_db()
    assert world.sanne.tablet_pin == "" and world.sanne.tablet_pin_set_at is None


def test_a_pin_is_for_group_staff(world, client):
    login(client, world.anna)
    assert client.get(reverse("accounts:tablet_pin")).status_code == 403
    assert "PIN for the group tablet" not in client.get(reverse("accounts:security")).content.decode()


# ---------------------------------------------------------------- unlocking


def test_the_lock_screen_lists_the_groups_staff_with_a_pin(world, client, tablet, tess):
    outsider = make_user("nopin@example.test", "Zonder Pin")
    GroupStaffFactory(user=outsider, group=world.a.babies)
    page = client.get(reverse("tablet:lock")).content.decode()
    assert "Sanne Medewerker" in page and "Tess Collega" in page
    assert "Zonder Pin" not in page and "Olga" not in page


def test_the_right_pin_makes_that_person_the_user_of_the_tablet(world, client, tablet, tess):
    response = unlock(client, tess, "0001")
    assert response.status_code == 400
    assert client.get(reverse("home:home")).status_code == 302  # still locked
    response = unlock(client, tess, TESS_PIN)
    assert response.status_code == 302 and response["Location"] == reverse("home:home")
    response = client.get(reverse("home:home"))
    assert response.status_code == 200
    assert response.context["user"] == tess
    assert reverse("diary:group", args=[world.a.babies.pk]) in response.content.decode()


def test_colleagues_switch_on_the_lock_screen(world, client, tablet, tess):
    unlock(client, tess, TESS_PIN)
    assert unlock(client, world.sanne, PIN).status_code == 302
    assert client.get(reverse("home:home")).context["user"] == world.sanne


def test_another_organisations_staff_or_someone_without_a_pin_cannot_unlock(world, client, tablet):
    tablet_services.pin_set(user=world.olga, pin=PIN)  # staff of Regenboog's Baby's
    tablet_services.pin_set(user=world.anna, pin=PIN)  # a guardian
    nopin = make_user("nopin@example.test", "Zonder Pin")
    GroupStaffFactory(user=nopin, group=world.a.babies)
    for person in (world.olga, world.anna, nopin, world.paula):
        assert client.get(reverse("tablet:unlock", args=[person.pk])).status_code == 404
        assert unlock(client, person, PIN).status_code == 404
    assert client.get(reverse("home:home")).status_code == 302  # nobody got in
    assert client.get("/tablet/unlock/99999999999999999999/").status_code == 404


def test_staff_of_another_group_of_the_organisation_cannot_unlock(world, client, tablet):
    peuters = make_user("peuters@example.test", "Piet Peuters")
    GroupStaffFactory(user=peuters, group=world.a.toddlers)
    tablet_services.pin_set(user=peuters, pin=PIN)
    assert unlock(client, peuters, PIN).status_code == 404


def test_a_pin_with_nul_bytes_or_too_long_is_a_clear_refusal(world, client, tablet):
    for odd in ["25\x0080", "9" * 5000]:
        response = unlock(client, world.sanne, odd)
        assert response.status_code == 400
        assert "not right" in response.content.decode()


# ---------------------------------------------------------------- wrong PINs


def test_the_fifth_try_still_counts_and_the_sixth_waits(world, client, tablet):
    for _ in range(4):
        assert unlock(client, world.sanne, "1111").status_code == 400
    assert unlock(client, world.sanne, PIN).status_code == 302  # the 5th try, right: in
    client.post(reverse("tablet:lock_now"))
    for _ in range(5):
        assert unlock(client, world.sanne, "1111").status_code in (400, 429)
    response = unlock(client, world.sanne, PIN)  # the 6th try after 5 wrong ones: however right, it waits
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert client.get(reverse("home:home")).status_code == 302
    with clock.frozen(now_plus(minutes=15, seconds=1)):
        assert unlock(client, world.sanne, PIN).status_code == 302


def test_five_wrong_pins_answer_429_on_the_fifth(world, client, tablet):
    for _ in range(4):
        assert unlock(client, world.sanne, "1111").status_code == 400
    assert unlock(client, world.sanne, "1111").status_code == 429  # that was the last try


def test_wrong_pins_slow_only_that_person_on_that_tablet_never_their_login(world, client, tablet, tess):
    for _ in range(6):
        unlock(client, world.sanne, "1111")
    assert unlock(client, world.sanne, PIN).status_code == 429
    assert unlock(client, tess, TESS_PIN).status_code == 302  # a colleague is not slowed
    phone = Client()
    response = phone.post(reverse("accounts:login"), {"email": world.sanne.email, "password": PASSWORD})
    assert response.status_code == 302  # her own login is not locked


# ---------------------------------------------------------------- locking


@pytest.mark.parametrize(("seconds", "locked"), [(3 * 60 - 1, False), (3 * 60, True)])
def test_the_tablet_locks_after_the_idle_time(world, client, tablet, settings, seconds, locked):
    assert settings.TABLET_IDLE_MINUTES == 3
    start = clock.now()
    unlock(client, world.sanne, PIN)
    with clock.frozen(start + dt.timedelta(seconds=seconds)):
        response = client.get(reverse("home:home"))
    if locked:
        assert response.status_code == 302 and response["Location"] == reverse("tablet:lock")
        page = client.get(reverse("tablet:lock")).content.decode()
        assert "locked itself after 3 minutes" in page
    else:
        assert response.status_code == 200 and response.context["user"] == world.sanne


def test_each_request_counts_as_use(world, client, tablet):
    start = clock.now()
    unlock(client, world.sanne, PIN)
    for minutes in (2, 4, 6):
        with clock.frozen(start + dt.timedelta(minutes=minutes)):
            assert client.post(reverse("tablet:ping")).status_code == 204
    with clock.frozen(start + dt.timedelta(minutes=8, seconds=59)):
        assert client.get(reverse("home:home")).status_code == 200
    with clock.frozen(start + dt.timedelta(minutes=12)):
        assert client.post(reverse("tablet:ping")).status_code == 409


def test_a_post_after_the_idle_time_does_nothing_and_goes_to_the_lock_screen(world, client, tablet):
    start = clock.now()
    unlock(client, world.sanne, PIN)
    with clock.frozen(start + dt.timedelta(minutes=3)):
        response = client.post(
            reverse("diary:write", args=[world.bo.pk]),
            {"date": TODAY.isoformat(), "text": "Te laat", "action": "publish"},
        )
    assert response.status_code == 302 and response["Location"] == reverse("tablet:lock")
    assert not DiaryEntry.objects.exists()


def test_the_lock_button_locks_at_once(world, client, tablet):
    unlock(client, world.sanne, PIN)
    response = client.post(reverse("tablet:lock_now"))
    assert response["Location"] == reverse("tablet:lock")
    assert client.get(reverse("home:home"))["Location"] == reverse("tablet:lock")
    assert client.post(reverse("tablet:ping")).status_code == 409


# ---------------------------------------------------------------- what the tablet opens


EXPECTED_OPEN = {
    "root",
    "home:home",
    "home:section",
    "home:group",
    "home:child",
    "diary:group",
    "diary:child",
    "diary:write",
    "diary:edit",
    "diary:reply",
    "diary:photo",
    "media:group",
    "media:upload",
    "media:detail",
    "media:file",
    "media:tags",
    "media:delete",
    "messaging:inbox",
    "messaging:group_inbox",
    "messaging:group_new",
    "messaging:thread",
    "messaging:handled",
    "messaging:attachment",
    "planning:day",
}
LOCK_SCREEN = {
    "tablet:lock",
    "tablet:unlock",
    "tablet:lock_now",
    "tablet:leave",
    "tablet:ping",
    "notifications:manifest",
    "notifications:service_worker",
    "notifications:offline",
    "healthz",
}
PERSONAL = {
    "accounts:security",
    "accounts:password_change",
    "accounts:session_end",
    "accounts:tablet_pin",
    "accounts:otp_setup",
    "accounts:logout",
    "accounts:language",
    "notifications:settings",
    "notifications:push_subscribe",
    "exports:data",
    "planning:calendar",
    "media:feed",
    "backoffice:children",
    "home:organisation",
    "tablet:setup",
    "api:me",
}


def all_route_names() -> set[str]:
    from tests.test_access_matrix import walk

    return set(walk(get_resolver()))


def test_the_allow_list_over_every_route():
    names = all_route_names()
    assert EXPECTED_OPEN | LOCK_SCREEN <= names, "a listed route no longer exists"
    assert PERSONAL <= names
    for name in names:
        unlocked = tablet_access.tablet_page(name, unlocked=True)
        locked = tablet_access.tablet_page(name, unlocked=False)
        if name in LOCK_SCREEN:
            assert unlocked is locked is tablet_access.Verdict.OPEN, name
        elif name in EXPECTED_OPEN:
            assert (unlocked, locked) == (tablet_access.Verdict.OPEN, tablet_access.Verdict.LOCK_SCREEN), name
        else:
            assert (unlocked, locked) == (tablet_access.Verdict.REFUSED, tablet_access.Verdict.LOCK_SCREEN), name


def test_every_route_on_the_tablet_answers_as_the_allow_list_says(world, client, tablet):
    """Asked on the tablet, with real URLs: refused routes give the tablet's 403 page, and while
    locked everything but the lock screen goes there."""
    from tests.test_access_matrix import ROUTES

    unlock(client, world.sanne, PIN)
    samples = {
        "child_id": world.bo.pk,
        "group_id": world.a.babies.pk,
        "location_id": world.a.centrum.pk,
        "organisation_id": world.a.org.pk,
    }
    refused = set()
    for route in ROUTES:
        if route.name in EXPECTED_OPEN or route.name in LOCK_SCREEN:
            continue
        try:
            url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
        except Exception:  # noqa: BLE001 - the matrix's objects are not all in this world: use plain ids
            url = _url_with_samples(route.name, samples)
        response = getattr(client, route.method)(url)
        assert response.status_code == 403, f"{route.name}: {response.status_code}"
        assert "tablet/refused.html" in [t.name for t in response.templates], route.name
        refused.add(route.name)
    assert refused == all_route_names() - EXPECTED_OPEN - LOCK_SCREEN  # every other route was asked
    # Still unlocked afterwards: a refusal does not lock.
    assert client.get(reverse("home:home")).status_code == 200
    client.post(reverse("tablet:lock_now"))
    for name in ("accounts:security", "home:home", "diary:group", "exports:data"):
        url = _url_with_samples(name, samples)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("tablet:lock"), name


def _url_with_samples(name, samples):
    resolver = get_resolver()
    namespace, _, url_name = name.rpartition(":")
    inner = resolver
    if namespace:
        inner = resolver.namespace_dict[namespace][1]
    for possibility, _pattern, _defaults, _converters in inner.reverse_dict.getlist(url_name)[:1]:
        params = possibility[0][1]
        kwargs = {p: samples.get(p, 1) if p.endswith("_id") else "x" for p in params}
        return reverse(name, kwargs=kwargs)
    return reverse(name)


def test_group_work_opens_with_only_the_tablets_group(world, client, tablet):
    """Sanne is also a guardian here: on the tablet her own child's pages are not open, and
    another group of her organisation is a 403 as for anyone without that role."""
    kai = child(world.a.org, "Kai", dt.date(2024, 3, 3), guardians=[world.sanne])
    place(kai, world.a.toddlers, dt.date(2026, 1, 1))
    unlock(client, world.sanne, PIN)
    assert client.get(reverse("home:group", args=[world.a.babies.pk])).status_code == 200
    assert client.get(reverse("diary:group", args=[world.a.babies.pk])).status_code == 200
    assert client.get(reverse("messaging:group_inbox", args=[world.a.babies.pk])).status_code == 200
    assert client.get(reverse("media:group", args=[world.a.babies.pk])).status_code == 200
    assert client.get(reverse("planning:day", args=[world.a.centrum.pk])).status_code == 200
    assert client.get(reverse("home:child", args=[world.bo.pk])).status_code == 200
    assert client.get(reverse("home:child", args=[kai.pk])).status_code == 404
    assert client.get(reverse("diary:group", args=[world.a.toddlers.pk])).status_code == 403
    assert client.get(reverse("home:group", args=[world.b.babies.pk])).status_code == 404
    home = client.get(reverse("home:home")).content.decode()
    assert "Kai" not in home and "Login and security" not in home and "Log out" not in home


def test_pages_on_the_tablet_have_the_lock_button_and_the_idle_timer(world, client, tablet):
    unlock(client, world.sanne, PIN)
    page = client.get(reverse("home:home")).content.decode()
    assert 'id="tablet-lock-form"' in page and "js/tablet.js" in page and 'data-idle-seconds="180"' in page
    assert reverse("news:list") not in page  # no tab to a page the tablet does not open


# ---------------------------------------------------------------- recorded as the person


def test_what_is_done_on_the_tablet_is_recorded_as_the_person_who_unlocked_it(world, client, tablet, tess):
    unlock(client, tess, TESS_PIN)
    response = client.post(
        reverse("diary:write", args=[world.bo.pk]),
        {"date": TODAY.isoformat(), "text": "Bo heeft lekker gespeeld.", "action": "publish"},
    )
    assert response.status_code == 302
    entry = DiaryEntry.objects.get(child=world.bo)
    assert entry.author == tess
    assert AuditEntry.objects.filter(action="diary.entry.published", actor=tess).exists()
    assert not AuditEntry.objects.filter(actor=world.sanne).exists()


# ---------------------------------------------------------------- leaving and ending


def test_leaving_needs_the_full_login_of_the_groups_staff(world, client, tablet, tess):
    url = reverse("tablet:leave")
    assert client.get(url).status_code == 200
    assert client.post(url, {"email": tess.email, "password": "wrong"}).status_code == 400
    response = client.post(url, {"email": world.anna.email, "password": PASSWORD})  # not of the group
    assert response.status_code == 400 and "Only staff of Baby" in response.content.decode()
    assert client.get(reverse("home:home"))["Location"] == reverse("tablet:lock")  # still a tablet
    response = client.post(url, {"email": tess.email, "password": PASSWORD})
    assert response.status_code == 302
    tablet.refresh_from_db()
    assert tablet.ended_at is not None
    response = client.get(reverse("accounts:security"))  # her own session now, with her own pages
    assert response.status_code == 200 and response.context["user"] == tess
    assert UserSession.objects.filter(user=tess, session_key=client.session.session_key).exists()
    assert not UserSession.objects.filter(user=world.sanne).exists()


def test_leaving_still_asks_the_second_factor_of_those_who_have_it(world, client, tablet):
    TOTPDevice.objects.create(user=world.sanne, name="app", confirmed=True)
    client.post(reverse("tablet:leave"), {"email": world.sanne.email, "password": PASSWORD})
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_verify")


def test_logging_out_is_not_a_way_around_the_leave_page(world, client, tablet):
    unlock(client, world.sanne, PIN)
    assert client.post(reverse("accounts:logout")).status_code == 403
    tablet.refresh_from_db()
    assert tablet.ended_at is None


def test_the_person_who_set_it_up_ends_the_tablet_on_their_sessions_page(world, client, tablet):
    phone = Client()
    phone.post(reverse("accounts:login"), {"email": world.sanne.email, "password": PASSWORD})
    page = phone.get(reverse("accounts:security")).content.decode()
    assert "tablet of Baby" in page and "End the tablet" in page
    tablet_session = UserSession.objects.get(session_key=tablet.session_key)
    assert phone.post(reverse("accounts:session_end", args=[tablet_session.pk])).status_code == 302
    tablet.refresh_from_db()
    assert tablet.ended_at is not None
    response = client.get(reverse("tablet:lock"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_tablet_ends_when_the_person_who_set_it_up_leaves_the_group(world, client, tablet, tess):
    unlock(client, tess, TESS_PIN)
    GroupStaff.objects.filter(user=world.sanne).delete()
    response = client.get(reverse("home:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    tablet.refresh_from_db()
    assert tablet.ended_at is not None


def test_a_person_who_leaves_the_group_is_locked_out_at_once(world, client, tablet, tess):
    unlock(client, tess, TESS_PIN)
    GroupStaff.objects.filter(user=tess).delete()
    assert client.get(reverse("home:home"))["Location"] == reverse("tablet:lock")
    assert "Tess" not in client.get(reverse("tablet:lock")).content.decode()


def test_tablet_pages_off_a_tablet(world, client):
    login(client, world.sanne)
    assert client.get(reverse("tablet:lock"))["Location"] == reverse("home:home")
    assert client.get(reverse("tablet:unlock", args=[world.sanne.pk])).status_code == 404
    assert client.get(reverse("tablet:leave")).status_code == 404
    assert client.post(reverse("tablet:ping")).status_code == 409
    assert client.post(reverse("tablet:lock_now"))["Location"] == reverse("home:home")


def test_a_part_of_a_page_asked_for_on_a_locked_tablet_sends_the_page_to_the_lock_screen(world, client, tablet):
    response = client.get(reverse("messaging:group_inbox", args=[world.a.babies.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("tablet:lock")


def test_the_wait_is_told_in_minutes(world, client, tablet):
    for _ in range(5):
        response = unlock(client, world.sanne, "1111")
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()
