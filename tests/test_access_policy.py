import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.access import backoffice as backoffice_access
from portal.access import children as children_access
from portal.access import organisations as organisations_access
from portal.access import planning as planning_access
from portal.access import roles as roles_access
from portal.access import tenancy as tenancy_access
from portal.core import clock
from tests.conftest import TODAY
from tests.factories import place


def names(children):
    return {c.first_name for c in children}


def test_who_sees_which_children(world):
    assert names(children_access.visible_children(world.anna)) == {"Bo", "Mo"}
    assert names(children_access.visible_children(world.sanne)) == {"Bo", "Lin"}
    assert names(children_access.visible_children(world.paula)) == {"Bo", "Mo", "Lin", "Fien"}
    assert names(children_access.visible_children(world.adam)) == {"Bo", "Mo", "Lin", "Fien"}
    assert names(children_access.visible_children(world.otto)) == {"Olle"}
    assert names(children_access.visible_children(world.nobody)) == set()


def test_staff_stop_seeing_a_child_after_the_last_day_of_the_placement(world):
    world.lin_placement.end_date = TODAY
    world.lin_placement.save()
    assert "Lin" in names(children_access.visible_children(world.sanne))  # the last day itself
    with clock.frozen(TODAY + dt.timedelta(days=1)):
        assert "Lin" not in names(children_access.visible_children(world.sanne))
        assert "Lin" in names(children_access.visible_children(world.bert))  # the guardian keeps access


def test_another_organisations_objects_are_404_and_a_wrong_role_403(world):
    with pytest.raises(Http404):
        children_access.child_for_user(world.otto, world.bo.pk)
    with pytest.raises(Http404):
        children_access.child_for_user(world.anna, world.lin.pk)  # same organisation, not hers
    with pytest.raises(Http404):
        organisations_access.group_for_user(world.oscar, world.a.babies.pk)
    with pytest.raises(PermissionDenied):
        organisations_access.group_for_user(world.anna, world.a.babies.pk)
    with pytest.raises(Http404):
        organisations_access.group_for_user(world.anna, 999999)
    with pytest.raises(PermissionDenied):
        tenancy_access.organisation_for_admin(world.paula, world.a.org.pk)
    with pytest.raises(Http404):
        backoffice_access.guardian_user_for_admin(world.adam, world.a.org, world.otto.pk)


class TestPlanningRequests:
    """Before the placement starts a guardian can log in but not make planning requests."""

    def test_refused_the_day_before_the_start_with_the_date(self, world):
        start = world.fien_placement.start_date
        with clock.frozen(start - dt.timedelta(days=1)):
            decision = planning_access.planning_request_decision(world.carla, world.fien)
        assert not decision and decision.possible_from == start
        assert "15 december 2026" in decision.message

    def test_allowed_from_the_start_date(self, world):
        with clock.frozen(world.fien_placement.start_date):
            assert planning_access.planning_request_decision(world.carla, world.fien)

    def test_a_day_before_the_start_is_refused_even_once_started(self, world):
        start = world.fien_placement.start_date
        with clock.frozen(start):
            assert not planning_access.planning_request_decision(world.carla, world.fien, start - dt.timedelta(days=1))
            assert planning_access.planning_request_decision(world.carla, world.fien, start)
            assert planning_access.planning_request_decision(world.carla, world.fien, start + dt.timedelta(days=3))

    def test_a_day_in_the_past_is_refused(self, world):
        decision = planning_access.planning_request_decision(world.anna, world.mo, TODAY - dt.timedelta(days=1))
        assert not decision and "24 november 2026" in decision.message
        assert planning_access.planning_request_decision(world.anna, world.mo, TODAY)

    def test_a_gap_between_two_placements_is_no_placement(self, world):
        world.mo_placement.end_date = TODAY + dt.timedelta(days=5)
        world.mo_placement.save()
        place(world.mo, world.a.bso, TODAY + dt.timedelta(days=10))
        gap = planning_access.planning_request_decision(world.anna, world.mo, TODAY + dt.timedelta(days=7))
        assert not gap and gap.possible_from is None and "geen plaatsing" in gap.message
        assert planning_access.planning_request_decision(world.anna, world.mo, TODAY + dt.timedelta(days=10))

    def test_the_last_day_of_a_placement_and_the_day_after(self, world):
        world.mo_placement.end_date = TODAY
        world.mo_placement.save()
        assert planning_access.planning_request_decision(world.anna, world.mo)
        assert not planning_access.planning_request_decision(world.anna, world.mo, TODAY + dt.timedelta(days=1))
        with clock.frozen(TODAY + dt.timedelta(days=1)):
            decision = planning_access.planning_request_decision(world.anna, world.mo)
        assert not decision and "25 november 2026" in decision.message

    def test_only_guardians(self, world):
        assert not planning_access.planning_request_decision(world.sanne, world.bo)
        assert not planning_access.planning_request_decision(world.bert, world.bo)
        assert not planning_access.planning_request_decision(world.adam, world.bo)


def test_roles_are_read_once_per_request(world, django_assert_num_queries):
    roles_access.forget_roles(world.anna)
    with django_assert_num_queries(1):
        roles_access.roles_of(world.anna)
        roles_access.roles_of(world.anna)


def test_the_roles_query_is_built_once_and_run_with_each_persons_id(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.access import roles

    roles._compiled.clear()
    for user in (world.anna, world.sanne, world.adam):
        roles.forget_roles(user)
    with CaptureQueriesContext(connection) as queries:
        anna, sanne, adam = roles.roles_of(world.anna), roles.roles_of(world.sanne), roles.roles_of(world.adam)
    assert len(queries) == 3 and list(roles._compiled) == [connection.vendor]
    assert anna.guardian_child_ids == {world.bo.pk, world.mo.pk} and not anna.staff_group_ids
    assert sanne.staff_group_ids == {world.a.babies.pk} and not sanne.guardian_child_ids
    assert adam.admin_organisation_ids == {world.a.org.pk} and adam.organisation_ids == {world.a.org.pk}
    assert str(roles._STAND_IN) not in " ".join(q["sql"] for q in queries)
