import json

from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import ApiToken
from portal.accounts.services import password_generate_for
from tests.conftest import PASSWORD
from tests.test_two_factor import code_for

TOKEN_URL = "/api/v1/auth/token"


def token_for(client, email, password=PASSWORD, REMOTE_ADDR="127.0.0.1", **extra):  # noqa: N803 - as Django names it
    body = {"email": email, "password": password, "device_name": "iPhone van Anna", **extra}
    return client.post(TOKEN_URL, json.dumps(body), content_type="application/json", REMOTE_ADDR=REMOTE_ADDR)


def test_token_login_me_and_revoke(client, world):
    response = token_for(client, "anna@example.test")
    assert response.status_code == 200
    token = response.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    me = client.get("/api/v1/me", **auth).json()
    assert me["user"]["email"] == "anna@example.test"
    assert me["roles"] == ["guardian"]
    assert {c["first_name"] for c in me["children"]} == {"Bo", "Mo"}
    bo = next(c for c in me["children"] if c["first_name"] == "Bo")
    assert bo["placements"][0]["group_name"] == "Baby's" and bo["placements"][0]["location_phone"] == "030 111 22 33"
    assert ApiToken.objects.get(user=world.anna).device_name == "iPhone van Anna"
    assert client.delete(TOKEN_URL, **auth).status_code == 204
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_tokens_are_stored_as_hashes(client, world):
    token = token_for(client, "anna@example.test").json()["token"]
    assert not ApiToken.objects.filter(key_hash=token).exists()


def test_staff_see_their_groups_children_and_nothing_of_another_organisation(client, world):
    token = token_for(client, "sanne@example.test").json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["roles"] == ["group_staff"]
    assert {c["first_name"] for c in me["children"]} == {"Bo", "Lin"}
    assert all(not c["is_my_child"] for c in me["children"])


def test_wrong_password_and_throttle(client, world):
    assert token_for(client, "anna@example.test", "wrong").status_code == 401
    for _ in range(4):
        token_for(client, "anna@example.test", "wrong")
    response = token_for(client, "anna@example.test")
    assert response.status_code == 429 and "seconde" in response.json()["error"]["message"]


def test_an_app_that_logged_in_before_keeps_its_allowance(client, world, settings):
    first = token_for(client, "anna@example.test").json()
    for number in range(settings.LOGIN_THROTTLE_PER_ACCOUNT):
        token_for(client, "anna@example.test", "wrong", REMOTE_ADDR=f"10.6.{number}.1")
    assert token_for(client, "anna@example.test").status_code == 429
    again = token_for(client, "anna@example.test", device_key=first["device_key"])
    assert again.status_code == 200 and again.json()["device_key"]
    # A key of another account is no key for this one.
    bert = token_for(client, "bert@example.test").json()["device_key"]
    assert token_for(client, "anna@example.test", device_key=bert).status_code == 429
    assert token_for(client, "anna@example.test", device_key="made-up").status_code == 429


def test_a_bad_token_is_401(client, world):
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def test_admins_need_totp_for_the_app_too(client, world):
    assert token_for(client, "adam@example.test").status_code == 401
    device = TOTPDevice.objects.get(user=world.adam)
    with_code = token_for(client, "adam@example.test", otp=code_for(device))
    assert with_code.status_code == 200
    auth = {"HTTP_AUTHORIZATION": f"Bearer {with_code.json()['token']}"}
    assert client.get("/api/v1/me", **auth).json()["roles"] == ["organisation_admin"]
    # Without two-step login the app still logs in, but the admin role is not in use there.
    TOTPDevice.objects.filter(user=world.adam).delete()
    without = token_for(client, "adam@example.test")
    assert without.status_code == 200
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {without.json()['token']}").json()
    assert me["roles"] == [] and me["children"] == []
    assert client.get("/api/v1/me", **auth).json()["roles"] == []


def test_a_generated_password_must_be_changed_in_the_portal_first(client, world):
    generated = password_generate_for(world.bert)
    response = token_for(client, "bert@example.test", generated)
    assert response.status_code == 403


def test_openapi_documents_the_endpoints(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert {"/api/v1/auth/token", "/api/v1/me"} <= set(spec["paths"])
    assert set(spec["paths"]["/api/v1/auth/token"]) == {"post", "delete"}
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
