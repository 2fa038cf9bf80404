import datetime as dt

from django.core import mail
from django.urls import reverse

from portal.accounts.services import password_generate_for
from portal.core import clock
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def post_login(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_login_with_email_and_password(client, world):
    response = post_login(client, "ANNA@example.test ", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home:home")


def test_wrong_password_says_so(client, world):
    response = post_login(client, "anna@example.test", "wrong")
    assert response.status_code == 400
    assert "horen niet bij elkaar" in response.content.decode() or "do not match" in response.content.decode()


def test_login_is_throttled_per_account_and_frees_up(client, world):
    for _ in range(5):
        post_login(client, "anna@example.test", "wrong")
    blocked = post_login(client, "anna@example.test", PASSWORD)
    assert blocked.status_code == 429
    assert "15" in blocked.content.decode()
    # Another account from the same address is not blocked by anna's failures.
    assert post_login(client, "bert@example.test", PASSWORD).status_code == 302
    client.logout()
    with clock.frozen(clock.now() + dt.timedelta(minutes=15, seconds=1)):
        assert post_login(client, "anna@example.test", PASSWORD).status_code == 302


def test_four_failures_do_not_block(client, world):
    for _ in range(4):
        post_login(client, "anna@example.test", "wrong")
    assert post_login(client, "anna@example.test", PASSWORD).status_code == 302


def test_login_is_throttled_per_ip_address(client, world, settings):
    settings.LOGIN_THROTTLE_PER_IP = 10
    for number in range(10):
        post_login(client, f"guess{number}@example.test", "wrong", ip="10.9.9.9")
    assert post_login(client, "anna@example.test", PASSWORD, ip="10.9.9.9").status_code == 429
    assert post_login(client, "anna@example.test", PASSWORD, ip="10.1.1.1").status_code == 302


def test_a_generated_password_must_be_changed_before_anything_else(client, world):
    generated = password_generate_for(world.bert)
    post_login(client, "bert@example.test", generated)
    for url in (reverse("home:home"), reverse("home:child", args=[world.lin.pk]), reverse("accounts:security")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"new_password1": "Nieuw-wachtwoord-1", "new_password2": "Nieuw-wachtwoord-1"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home:home")).status_code == 200
    world.bert.refresh_from_db()
    assert not world.bert.must_change_password and world.bert.check_password("Nieuw-wachtwoord-1")


def test_password_reset_by_mail(client, world):
    client.post(reverse("accounts:password_reset"), {"email": "anna@example.test"})
    [message] = mail.outbox
    [link] = [line for line in message.body.splitlines() if "/accounts/password/reset/" in line]
    response = client.get(link.strip().removeprefix("http://testserver"), follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "Reset-gelukt-9", "new_password2": "Reset-gelukt-9"}
    )
    assert response.status_code == 302
    world.anna.refresh_from_db()
    assert world.anna.check_password("Reset-gelukt-9")


def test_a_password_reset_gives_the_calendar_link_a_new_address(client, world):
    from portal.core.scoping import across_organisations
    from portal.planning.models import CalendarFeed
    from portal.planning.services import calendar_feed_renew

    with across_organisations():
        old = calendar_feed_renew(user=world.anna, child=world.bo).token
        others = calendar_feed_renew(user=world.bert, child=world.lin).token
    assert client.get(reverse("planning:feed", args=[old])).status_code == 200
    client.post(reverse("accounts:password_reset"), {"email": "anna@example.test"})
    [link] = [line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line]
    form = client.get(link.strip().removeprefix("http://testserver"), follow=True).redirect_chain[-1][0]
    client.post(form, {"new_password1": "Reset-gelukt-9", "new_password2": "Reset-gelukt-9"})
    assert client.get(reverse("planning:feed", args=[old])).status_code == 404
    with across_organisations():
        new = CalendarFeed.objects.get(user=world.anna, child=world.bo).token
        assert CalendarFeed.objects.get(user=world.bert).token == others  # only the person's own
    assert new != old and client.get(reverse("planning:feed", args=[new])).status_code == 200


def test_password_reset_for_an_unknown_address_reveals_nothing(client, world):
    response = client.post(reverse("accounts:password_reset"), {"email": "unknown@example.test"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_dutch_by_default_and_english_by_choice(client, world):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US")
    assert page["Content-Language"] == "nl" and "Inloggen" in page.content.decode()
    client.post(reverse("accounts:language"), {"language": "en", "next": LOGIN})
    assert "Log in to Ouderportaal" in client.get(LOGIN).content.decode()
    post_login(client, "anna@example.test", PASSWORD)
    client.post(reverse("accounts:language"), {"language": "en"})
    world.anna.refresh_from_db()
    assert world.anna.language == "en"
    client.cookies.clear()
    post_login(client, "anna@example.test", PASSWORD)
    assert "My children" in client.get(reverse("home:home")).content.decode()


def test_logout_needs_a_post(client, world):
    post_login(client, "anna@example.test", PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home:home")).status_code == 302


def test_next_parameter_cannot_leave_the_site(client, world):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"email": "anna@example.test", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home:home")
