from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_an_admin_must_set_up_totp_before_anything_else(client, world):
    TOTPDevice.objects.filter(user=world.adam).delete()
    client.post("/accounts/login/", {"email": "adam@example.test", "password": PASSWORD})
    response = client.get(reverse("home:organisation", args=[world.a.org.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_setup")
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=world.adam, confirmed=False)
    wrong = client.post(
        reverse("accounts:otp_setup"), {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and wrong.context["form"].errors
    assert client.post(reverse("accounts:otp_setup"), {"token": code_for(device)}).status_code == 302
    assert client.get(reverse("home:organisation", args=[world.a.org.pk])).status_code == 200


def test_a_user_with_totp_gives_a_code_at_login(client, world):
    device = TOTPDevice.objects.get(user=world.adam)
    client.post("/accounts/login/", {"email": "adam@example.test", "password": PASSWORD})
    response = client.get(reverse("home:home"))
    assert response["Location"] == reverse("accounts:otp_verify")
    assert client.post(reverse("accounts:otp_verify"), {"token": "12"}).status_code == 400
    assert client.post(reverse("accounts:otp_verify"), {"token": code_for(device)}).status_code == 302
    assert client.get(reverse("home:home")).status_code == 200


def test_totp_is_optional_for_guardians_and_can_be_turned_off(client, world):
    client.post("/accounts/login/", {"email": "anna@example.test", "password": PASSWORD})
    assert client.get(reverse("home:home")).status_code == 200
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=world.anna)
    client.post(reverse("accounts:otp_setup"), {"token": code_for(device)})
    assert TOTPDevice.objects.get(user=world.anna).confirmed
    client.post(reverse("accounts:otp_disable"))
    assert not TOTPDevice.objects.filter(user=world.anna).exists()


def test_admins_cannot_turn_totp_off(client, world):
    from tests.conftest import login

    login(client, world.adam)
    client.post(reverse("accounts:otp_disable"))
    assert TOTPDevice.objects.filter(user=world.adam, confirmed=True).exists()


def test_wrong_codes_are_throttled(client, world):
    device = TOTPDevice.objects.get(user=world.adam)
    client.post("/accounts/login/", {"email": "adam@example.test", "password": PASSWORD})
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("accounts:otp_verify"), {"token": wrong})
    blocked = client.post(reverse("accounts:otp_verify"), {"token": code_for(device)})
    assert blocked.status_code == 429 and blocked.context["throttle_message"]
    assert client.get(reverse("home:home")).status_code == 302
