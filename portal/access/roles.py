"""Who someone is: the ids behind each role of one user, read once per request.

These ids are the raw material of every decision in `portal.access`; no module outside this
package reads them. Outside, ask a question (`is_guardian_of`, `works_on_group`, ...) or one of
the domain modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import CharField, Value

from portal.children.models import Guardian
from portal.core.scoping import across_organisations
from portal.organisations.models import GroupStaff, LocationPlanner, OrganisationAdmin


@dataclass(frozen=True)
class Roles:
    """The ids behind each role of one user."""

    guardian_child_ids: frozenset[int] = field(default_factory=frozenset)
    staff_group_ids: frozenset[int] = field(default_factory=frozenset)
    planner_location_ids: frozenset[int] = field(default_factory=frozenset)
    admin_organisation_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_guardian(self) -> bool:
        return bool(self.guardian_child_ids)

    @property
    def is_group_staff(self) -> bool:
        return bool(self.staff_group_ids)

    @property
    def is_planner(self) -> bool:
        return bool(self.planner_location_ids)

    @property
    def is_organisation_admin(self) -> bool:
        return bool(self.admin_organisation_ids)

    def names(self) -> list[str]:
        result = []
        if self.is_guardian:
            result.append("guardian")
        if self.is_group_staff:
            result.append("group_staff")
        if self.is_planner:
            result.append("planner")
        if self.is_organisation_admin:
            result.append("organisation_admin")
        return result


NO_ROLES = Roles()


def roles_of(user) -> Roles:
    """The user's roles; cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    with across_organisations():  # the roles decide the scope, so they are read outside it
        roles = _read_roles(user)
    user._portal_roles = roles
    return roles


def _roles_query(user_id: int):
    """All four kinds of role of one user as (kind, id, organisation id) rows, in one UNION ALL."""
    guardian = Guardian.objects.filter(user_id=user_id).values_list(
        Value("g", output_field=CharField()), "child_id", "child__organisation_id"
    )
    staff = GroupStaff.objects.filter(user_id=user_id).values_list(
        Value("s", output_field=CharField()), "group_id", "group__location__organisation_id"
    )
    planner = LocationPlanner.objects.filter(user_id=user_id).values_list(
        Value("p", output_field=CharField()), "location_id", "location__organisation_id"
    )
    admin = OrganisationAdmin.objects.filter(user_id=user_id).values_list(
        Value("a", output_field=CharField()), "organisation_id", "organisation_id"
    )
    return guardian.union(staff, planner, admin, all=True)


# The query runs on every signed-in request and only the user's id changes, so its SQL is made
# by the ORM once per process and database (with a stand-in id) and then run with the real id:
# building a four-part UNION costs ten times what the database needs to answer it.
_STAND_IN = -7_041_968_357
_compiled: dict[str, tuple[str, list]] = {}


def _read_roles(user) -> Roles:
    """All four kinds of role in one query: it runs on every signed-in request."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in _compiled:
        sql, params = _roles_query(_STAND_IN).query.sql_with_params()
        _compiled[connection.vendor] = (sql, list(params))
    sql, params = _compiled[connection.vendor]
    ids: dict[str, set[int]] = {"g": set(), "s": set(), "p": set(), "a": set()}
    organisation_ids: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if value == _STAND_IN else value for value in params])
        for kind, object_id, organisation_id in cursor.fetchall():
            ids[kind].add(object_id)
            organisation_ids.add(organisation_id)
    return Roles(
        guardian_child_ids=frozenset(ids["g"]),
        staff_group_ids=frozenset(ids["s"]),
        planner_location_ids=frozenset(ids["p"]),
        admin_organisation_ids=frozenset(ids["a"]),
        organisation_ids=frozenset(organisation_ids),
    )


def forget_roles(user) -> None:
    """Call after changing a user's roles within the same request or test."""
    if hasattr(user, "_portal_roles"):
        del user._portal_roles


def roles_fingerprint(user) -> int:
    """A number that differs when the person's roles differ (a child added or taken off their
    login, a role begun or ended): part of the key of anything kept for them."""
    return hash(roles_of(user))


def role_names(user) -> list[str]:
    """The roles someone has ("guardian", "group_staff", "planner", "organisation_admin"), to
    choose what a home page or the navigation shows; the decisions are asked elsewhere."""
    return roles_of(user).names()


def _pk(obj_or_id) -> int | None:
    value = getattr(obj_or_id, "pk", obj_or_id)
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def is_guardian_of(user, child) -> bool:
    """Is the user a guardian of this child (a Child or its id)?"""
    return _pk(child) in roles_of(user).guardian_child_ids


def works_on_group(user, group) -> bool:
    """Is the user group staff of this group (a Group or its id)?"""
    return _pk(group) in roles_of(user).staff_group_ids


def works_on_several_groups(user) -> bool:
    return len(roles_of(user).staff_group_ids) > 1


@dataclass(frozen=True)
class Decision:
    """The answer to "may this user do this", with the reason shown to them when not."""

    allowed: bool
    message: str = ""
    possible_from: dt.date | None = None

    def __bool__(self) -> bool:
        return self.allowed
