from django.test import Client
from django.urls import reverse

from portal.accounts.models import UserSession
from tests.conftest import PASSWORD


def test_a_user_sees_their_sessions_and_ends_another(world):
    phone, laptop = Client(HTTP_USER_AGENT="Phone browser"), Client(HTTP_USER_AGENT="Laptop browser")
    for browser in (phone, laptop):
        browser.post("/accounts/login/", {"email": "anna@example.test", "password": PASSWORD})
    page = laptop.get(reverse("accounts:security")).content.decode()
    assert "Phone browser" in page and "Laptop browser" in page
    phone_session = UserSession.objects.get(user=world.anna, user_agent="Phone browser")
    assert laptop.post(reverse("accounts:session_end", args=[phone_session.pk])).status_code == 302
    assert phone.get(reverse("home:home")).status_code == 302  # logged out there
    assert laptop.get(reverse("home:home")).status_code == 200  # still in here


def test_ending_the_current_session_logs_out(world):
    browser = Client()
    browser.post("/accounts/login/", {"email": "anna@example.test", "password": PASSWORD})
    [current] = UserSession.objects.filter(user=world.anna)
    response = browser.post(reverse("accounts:session_end", args=[current.pk]))
    assert response["Location"] == reverse("accounts:login")
    assert browser.get(reverse("home:home")).status_code == 302


def test_logging_out_removes_the_session_from_the_list(world):
    browser = Client()
    browser.post("/accounts/login/", {"email": "anna@example.test", "password": PASSWORD})
    browser.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=world.anna).exists()


def test_user_agents_are_described_plainly():
    from portal.accounts.models import describe_user_agent

    android = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0 Mobile Safari/537.36"
    )
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Mobile/15E148 Safari/604.1"
    )
    assert describe_user_agent(android) == "Chrome · Android"
    assert describe_user_agent(iphone) == "Safari · iPhone"
    assert describe_user_agent("") == ""


def test_last_seen_is_kept_fresh_once_a_minute_without_a_query_on_every_request(world):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.core import clock

    browser = Client()
    start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=clock.AMSTERDAM)
    with clock.frozen(start):
        browser.post("/accounts/login/", {"email": "anna@example.test", "password": PASSWORD})
    session = UserSession.objects.get(user=world.anna)
    with clock.frozen(start + dt.timedelta(seconds=90)):
        browser.get(reverse("home:home"))  # noted: more than a minute since the login
    session.refresh_from_db()
    assert session.last_seen_at == start + dt.timedelta(seconds=90)
    with clock.frozen(start + dt.timedelta(seconds=140)), CaptureQueriesContext(connection) as queries:
        browser.get(reverse("home:home"))  # 50 seconds later: not written again, not even asked
    assert not [q for q in queries.captured_queries if "accounts_usersession" in q["sql"]]
    session.refresh_from_db()
    assert session.last_seen_at == start + dt.timedelta(seconds=90)
    with clock.frozen(start + dt.timedelta(seconds=151)):
        browser.get(reverse("home:home"))  # 61 seconds later: written
    session.refresh_from_db()
    assert session.last_seen_at == start + dt.timedelta(seconds=151)


def test_a_login_stays_valid_while_it_is_used(world, settings):
    """Sliding expiry: every use (at most once an hour) moves the end to SESSION_DAYS ahead."""
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from portal.accounts.middleware import REFRESHED_KEY
    from portal.core import clock

    assert settings.SESSION_COOKIE_AGE == 90 * 24 * 60 * 60
    browser = Client()
    browser.post("/accounts/login/", {"email": "anna@example.test", "password": PASSWORD})
    key = browser.session.session_key

    def days_left() -> float:
        return (Session.objects.get(session_key=key).expire_date - timezone.now()) / dt.timedelta(days=1)

    assert 89.9 < days_left() <= 90
    browser.get(reverse("home:home"))
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(days=1))  # 89 days on
    browser.get(reverse("home:home"))  # within the hour of the last refresh: no write
    assert days_left() < 1.1
    with clock.frozen(clock.now() + dt.timedelta(hours=2)):
        response = browser.get(reverse("home:home"))
    assert response.status_code == 200
    assert 89.9 < days_left() <= 90  # used again: valid for another 90 days
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 90 * 24 * 60 * 60
    assert isinstance(browser.session[REFRESHED_KEY], int)
    browser.post(reverse("accounts:logout"))  # logout still ends it at once
    assert not Session.objects.filter(session_key=key).exists()
