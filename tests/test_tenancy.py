"""Tenancy is a property of the data: a query needs a scope, and a request's scope is its
user's organisations (portal/core/scoping.py, portal/access/tenancy.py)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import get_scope, scope

from portal.access.roles import forget_roles
from portal.access.tenancy import TenantScopeMiddleware, enter_scope_of
from portal.accounts.models import User
from portal.accounts.services import api_token_create
from portal.children.models import Child, Placement
from portal.core.scoping import ScopeError, across_organisations, in_organisations
from portal.media.models import MediaItem
from portal.messaging.models import Message
from portal.organisations.models import Group, Organisation


@pytest.mark.parametrize("model", [Organisation, Group, Child, Placement, MediaItem, Message])
def test_a_query_without_a_scope_fails(world, model):
    with scope():  # a scope that says nothing of organisations: as in a task that forgot it
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with pytest.raises(ScopeError):
            model.objects.filter(pk=1).exists()


def test_a_scope_holds_only_its_organisations_rows(world):
    with in_organisations([world.a.org.pk]):
        assert set(Child.objects.values_list("first_name", flat=True)) == {"Bo", "Mo", "Lin", "Fien"}
        assert not Child.objects.filter(pk=world.olle.pk).exists()
        assert world.olle.pk not in Placement.objects.values_list("child_id", flat=True)
        assert list(Organisation.objects.all()) == [world.a.org]
        # Related managers are scoped too, and the model's own QuerySet methods still work.
        assert list(world.a.babies.placements.current_or_upcoming(world.bo_placement.start_date))
    with in_organisations([]):
        assert not Child.objects.exists()
    with across_organisations():
        assert Child.objects.count() == 5


def _through_middleware(request, user):
    seen = {}

    def view(req):
        seen["children"] = set(Child.objects.values_list("first_name", flat=True))
        return HttpResponse()

    request.user = user
    forget_roles(user)
    TenantScopeMiddleware(view)(request)
    return seen["children"]


def test_a_request_sees_only_the_organisations_of_its_user(world, rf: RequestFactory):
    assert _through_middleware(rf.get("/"), world.otto) == {"Olle"}
    assert _through_middleware(rf.get("/"), world.sanne) == {"Bo", "Mo", "Lin", "Fien"}
    from django.contrib.auth.models import AnonymousUser

    assert _through_middleware(rf.get("/"), AnonymousUser()) == set()


def test_a_person_in_two_organisations_sees_both(world, rf):
    from portal.organisations.models import GroupStaff

    GroupStaff.objects.create(user=world.anna, group=world.b.babies)
    assert _through_middleware(rf.get("/"), world.anna) == {"Bo", "Mo", "Lin", "Fien", "Olle"}


def test_the_operators_admin_works_across_organisations(world, rf):
    operator = User.objects.create_user("operator@example.test", "x-Long-passw0rd!", full_name="Operator")
    operator.is_staff = True
    operator.save()
    assert _through_middleware(rf.get("/operator/children/child/"), operator) == {"Bo", "Mo", "Lin", "Fien", "Olle"}
    assert _through_middleware(rf.get("/home/"), operator) == set()  # elsewhere an operator is nobody


def test_the_app_token_widens_the_scope_for_the_rest_of_the_request_only(world, rf):
    before = dict(get_scope())
    seen = {}

    def view(request):
        seen["before"] = Child.objects.count()
        enter_scope_of(request, world.otto)
        seen["after"] = set(Child.objects.values_list("first_name", flat=True))
        return HttpResponse()

    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/api/v1/me")
    request.user = AnonymousUser()
    TenantScopeMiddleware(view)(request)
    assert seen == {"before": 0, "after": {"Olle"}}
    assert dict(get_scope()) == before  # nothing of the request's scope is left behind


def test_the_api_answers_in_the_tokens_organisation(world, client):
    TOTPDevice.objects.filter(user=world.otto).delete()
    _token, raw = api_token_create(user=world.otto, device_name="test", second_factor=True)
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [c["first_name"] for c in me["children"]] == ["Olle"]
    # The test's own scope is back afterwards: it sees every organisation again.
    assert Child.objects.count() == 5


def test_a_lock_takes_only_the_rows_of_its_own_model(world):
    """The scope joins the organisation's tables; a lock must not take their rows as well."""
    with in_organisations([world.a.org.pk]):
        assert Placement.objects.select_for_update().query.select_for_update_of == ("self",)
        assert world.bo.placements.select_for_update().query.select_for_update_of == ("self",)
        assert Child.objects.select_for_update(of=("self", "organisation")).query.select_for_update_of == (
            "self",
            "organisation",
        )


def test_a_form_declared_outside_any_scope_works_in_a_request(world, client):
    """Form fields are made when their module is imported (by `manage.py check`, say), outside
    any scope; only running such a queryset fails, and the forms set theirs per request."""
    from django import forms

    with scope():
        field = forms.ModelChoiceField(queryset=Group.objects.all())
        with pytest.raises(ScopeError):
            list(field.queryset)
    from tests.conftest import login

    login(client, world.adam)
    page = client.get(f"/manage/{world.a.org.pk}/groups/new/")
    assert page.status_code == 200 and world.a.centrum.name in page.content.decode()


def test_management_commands_start_outside_any_scope():
    """`manage.py check` (and so migrate, runserver) imports every URLconf and form outside any
    scope, as in production; it must not run a tenant query there."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"},
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_task_runs_across_organisations():
    """A worker runs a task outside any scope: each task says so (`@tenant_task`). The test
    suite's task backend runs tasks outside the caller's scope too (tests/task_backend.py)."""
    import importlib
    from pathlib import Path

    from django_tasks.base import Task

    root = Path(__file__).resolve().parent.parent / "portal"
    unwrapped = []
    for path in root.glob("*/tasks.py"):
        module = importlib.import_module(f"portal.{path.parent.name}.tasks")
        for name, value in vars(module).items():
            if isinstance(value, Task) and value.func.__module__ == module.__name__:
                if not getattr(value.func, "runs_across_organisations", False):
                    unwrapped.append(f"{module.__name__}.{name}")
    assert unwrapped == []
