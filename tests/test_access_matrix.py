"""Every URL and API route, for every role and for outsiders of another organisation.

Adding a route without listing it here fails `test_every_route_is_listed`.
Statuses: 200 ok, 204 no content, 302 redirect (to login for anonymous visitors, or after a
POST), 401 no or bad token, 403 wrong role, 404 not visible / another organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLResolver, get_resolver, reverse

from portal.accounts.models import ApiToken, UserSession
from portal.accounts.services import api_token_create
from tests.conftest import login

ROLES = ["anonymous", "anna", "sanne", "paula", "adam", "otto", "oscar"]


@dataclass
class Route:
    name: str
    kwargs: object = None  # a function of the world giving the URL kwargs
    method: str = "get"
    expect: dict[str, int] = field(default_factory=dict)  # role -> status
    default: int = 200  # for logged-in roles not named in expect
    anonymous: int = 302
    api: bool = False


def everyone(status):
    return {role: status for role in ROLES}


ROUTES = [
    Route("root", anonymous=302, default=302),
    Route("accounts:login", anonymous=200, default=302),
    Route("accounts:logout", method="post", anonymous=302, default=302),
    Route("accounts:language", method="post", anonymous=302, default=302),
    Route("accounts:password_change"),
    Route("accounts:password_reset", anonymous=200),
    Route("accounts:password_reset_done", anonymous=200),
    Route("accounts:password_reset_confirm", lambda w: {"uidb64": "MTIz", "token": "set-password"}, anonymous=200),
    Route("accounts:invitation", lambda w: {"token": "not-a-real-token"}, anonymous=404, default=404),
    Route("accounts:security"),
    # Admins have a device already and go to the security page; others see the set-up page.
    Route("accounts:otp_setup", expect={"adam": 302, "oscar": 302}),
    Route("accounts:otp_verify", default=302),  # verified or without a device: on to the home page
    Route("accounts:otp_disable", method="post", default=302),
    Route("accounts:session_end", lambda w: {"session_id": w.bert_session.pk}, method="post", default=404),
    Route("accounts:token_revoke", lambda w: {"token_id": w.bert_token.pk}, method="post", default=404),
    Route("home:home"),
    Route("home:child", lambda w: {"child_id": w.bo.pk}, expect={"otto": 404, "oscar": 404}),
    Route("home:group", lambda w: {"group_id": w.a.babies.pk}, expect={"anna": 403, "otto": 404, "oscar": 404}),
    Route(
        "home:location",
        lambda w: {"location_id": w.a.centrum.pk},
        expect={"anna": 403, "sanne": 403, "otto": 404, "oscar": 404},
    ),
    Route(
        "home:organisation",
        lambda w: {"organisation_id": w.a.org.pk},
        expect={"anna": 403, "sanne": 403, "paula": 403, "otto": 404, "oscar": 404},
    ),
    Route(
        "home:guardian_invite",
        lambda w: {"organisation_id": w.a.org.pk, "user_id": w.carla.pk},
        method="post",
        expect={"anna": 403, "sanne": 403, "paula": 403, "adam": 302, "otto": 404, "oscar": 404},
    ),
    Route("api:api-root", api=True, anonymous=404, default=404),
    Route("api:openapi-json", api=True, anonymous=200),
    Route("api:openapi-view", api=True, anonymous=200),
    Route("api:token_create", method="post", api=True, anonymous=400, default=400),  # no body: a clear 400
    Route("api:token_revoke", method="delete", api=True, anonymous=401, default=204),
    Route("api:me", api=True, anonymous=401),
]


def walk(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            if inner == "admin:":
                continue  # Django's admin, for installation operators: tested in test_operator_admin
            yield from walk(pattern, inner)
        else:
            yield namespace + (pattern.name or "<unnamed>")


def test_every_route_is_listed():
    listed = {route.name for route in ROUTES}
    present = set(walk(get_resolver()))
    assert present - listed == set(), "add these routes to the access matrix"
    assert listed - present == set(), "these listed routes no longer exist"


@pytest.fixture
def matrix_world(world):
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store.create()
    world.bert_session = UserSession.objects.create(user=world.bert, session_key=store.session_key)
    world.bert_token, _raw = api_token_create(user=world.bert, device_name="Bert's phone")
    return world


CASES = [(route, role) for route in ROUTES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r.name}-{role}" for r, role in CASES])
def test_route_for_role(client, matrix_world, route, role):
    w = matrix_world
    url = reverse(route.name, kwargs=route.kwargs(w) if route.kwargs else None)
    headers = {}
    if role != "anonymous":
        user = getattr(w, role)
        if route.api:
            _token, raw = api_token_create(user=user, device_name="test")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        else:
            login(client, user)
    expected = route.anonymous if role == "anonymous" else route.expect.get(role, route.default)
    response = getattr(client, route.method)(url, **headers)
    assert response.status_code == expected, f"{route.method.upper()} {url} as {role}"
    if role == "anonymous" and expected == 302 and not route.api and route.method == "get" and route.name != "root":
        assert response["Location"].startswith(reverse("accounts:login"))


def test_bert_objects_survive_the_matrix(client, matrix_world):
    """Nobody else could end Bert's session or revoke his app."""
    for role in ROLES[1:]:
        login(client, getattr(matrix_world, role))
        client.post(reverse("accounts:session_end", args=[matrix_world.bert_session.pk]))
        client.post(reverse("accounts:token_revoke", args=[matrix_world.bert_token.pk]))
    assert UserSession.objects.filter(pk=matrix_world.bert_session.pk).exists()
    assert ApiToken.objects.get(pk=matrix_world.bert_token.pk).revoked_at is None


def test_operator_admin_is_for_operators_only(client, world):
    login(client, world.adam)  # an organisation admin is not an installation operator
    response = client.get("/operator/")
    assert response.status_code == 302 and "/operator/login/" in response["Location"]
    world.nobody.is_staff = True
    world.nobody.is_superuser = True
    world.nobody.save()
    login(client, world.nobody)
    assert client.get("/operator/").status_code == 200
