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


def later(seconds: float):
    return clock.frozen(clock.now() + dt.timedelta(seconds=seconds))


def test_after_five_failures_each_one_doubles_the_wait(client, world):
    for _ in range(4):
        post_login(client, "anna@example.test", "wrong")
    post_login(client, "anna@example.test", "wrong")  # the fifth: from now on, 2 seconds
    blocked = post_login(client, "anna@example.test", PASSWORD)
    assert blocked.status_code == 429 and blocked["Retry-After"] == "2"
    assert "2 seconden" in blocked.content.decode()
    with later(1.9):
        assert post_login(client, "anna@example.test", PASSWORD).status_code == 429
    with later(2):
        assert post_login(client, "anna@example.test", "wrong").status_code == 400  # the sixth: 4 seconds
    with later(5.9):
        assert post_login(client, "anna@example.test", PASSWORD).status_code == 429
    with later(6):
        assert post_login(client, "anna@example.test", PASSWORD).status_code == 302


def test_the_wait_doubles_after_each_failure(client, world):
    for _ in range(5):
        post_login(client, "anna@example.test", "wrong")
    t, waits = 0, []
    for _ in range(8):
        with later(t):
            waits.append(int(post_login(client, "anna@example.test", PASSWORD)["Retry-After"]))
        t += waits[-1]
        with later(t):
            assert post_login(client, "anna@example.test", "wrong").status_code == 400
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256]


def test_the_wait_is_at_most_the_window_and_frees_up_after_it(client, world):
    from portal.accounts.models import LoginFailure

    LoginFailure.objects.bulk_create(
        [LoginFailure(email="anna@example.test", ip_address="10.0.0.1", at=clock.now()) for _ in range(30)]
    )
    blocked = post_login(client, "anna@example.test", PASSWORD)
    assert blocked["Retry-After"] == "900" and "15 minuten" in blocked.content.decode()
    # Another account from the same address, and the same account from another, are not slowed.
    assert post_login(client, "bert@example.test", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    client.cookies.clear()
    assert post_login(client, "anna@example.test", PASSWORD, ip="10.0.0.2").status_code == 302
    client.post("/accounts/logout/")
    client.cookies.clear()
    with later(899):
        assert post_login(client, "anna@example.test", PASSWORD).status_code == 429
    with later(900):
        assert post_login(client, "anna@example.test", PASSWORD).status_code == 302


def test_four_failures_do_not_block(client, world):
    for _ in range(4):
        post_login(client, "anna@example.test", "wrong")
    assert post_login(client, "anna@example.test", PASSWORD).status_code == 302


def test_a_browser_that_logged_in_before_keeps_its_allowance_while_others_guess(client, world, settings):
    from django.test import Client

    assert post_login(client, "anna@example.test", PASSWORD).status_code == 302
    assert client.cookies["op_device"]["httponly"]
    client.post("/accounts/logout/")
    strangers = Client()
    for number in range(settings.LOGIN_THROTTLE_PER_ACCOUNT):  # from many addresses
        post_login(strangers, "anna@example.test", "wrong", ip=f"10.7.{number}.1")
    assert post_login(strangers, "anna@example.test", PASSWORD, ip="10.8.0.1").status_code == 429
    # Her own browser, even from an address the guessing came from, logs in.
    assert post_login(client, "anna@example.test", PASSWORD, ip="10.7.0.1").status_code == 302
    # A device cookie of another account counts for nothing here.
    bert = Client()
    post_login(bert, "bert@example.test", PASSWORD)
    bert.post("/accounts/logout/")
    assert post_login(bert, "anna@example.test", PASSWORD, ip="10.8.0.2").status_code == 429


def test_a_known_browser_is_slowed_after_its_own_failures(client, world, settings):
    post_login(client, "anna@example.test", PASSWORD)
    client.post("/accounts/logout/")
    for _ in range(settings.LOGIN_THROTTLE_PER_DEVICE - 1):
        post_login(client, "anna@example.test", "wrong")
    assert post_login(client, "anna@example.test", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.LOGIN_THROTTLE_PER_DEVICE):
        post_login(client, "anna@example.test", "wrong")
    assert post_login(client, "anna@example.test", PASSWORD).status_code == 429


def test_a_shared_address_serves_many_people(client, world, settings):
    assert settings.LOGIN_THROTTLE_PER_IP >= 300
    for number in range(40):  # a school's or a phone carrier's address: many typos, many accounts
        post_login(client, f"ouder{number}@example.test", "wrong", ip="10.9.9.9")
    assert post_login(client, "anna@example.test", PASSWORD, ip="10.9.9.9").status_code == 302


def test_login_is_throttled_per_ip_address(client, world, settings):
    settings.LOGIN_THROTTLE_PER_IP = 10
    for number in range(9):
        post_login(client, f"guess{number}@example.test", "wrong", ip="10.9.9.9")
    assert post_login(client, "anna@example.test", PASSWORD, ip="10.9.9.9").status_code == 302
    client.post("/accounts/logout/")
    client.cookies.clear()
    post_login(client, "guess9@example.test", "wrong", ip="10.9.9.9")
    assert post_login(client, "bert@example.test", PASSWORD, ip="10.9.9.9").status_code == 429
    assert post_login(client, "bert@example.test", PASSWORD, ip="10.1.1.1").status_code == 302


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
