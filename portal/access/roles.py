"""Who someone is: the ids behind each role of one user, read once per request.

These ids are the raw material of every decision in `portal.access`; no module outside this
package reads them. Outside, ask a question (`is_guardian_of`, `works_on_group`, ...) or one of
the domain modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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


def _read_roles(user) -> Roles:
    guardian_rows = list(Guardian.objects.filter(user=user).values_list("child_id", "child__organisation_id"))
    staff_rows = list(GroupStaff.objects.filter(user=user).values_list("group_id", "group__location__organisation_id"))
    planner_rows = list(
        LocationPlanner.objects.filter(user=user).values_list("location_id", "location__organisation_id")
    )
    admin_ids = list(OrganisationAdmin.objects.filter(user=user).values_list("organisation_id", flat=True))
    roles = Roles(
        guardian_child_ids=frozenset(r[0] for r in guardian_rows),
        staff_group_ids=frozenset(r[0] for r in staff_rows),
        planner_location_ids=frozenset(r[0] for r in planner_rows),
        admin_organisation_ids=frozenset(admin_ids),
        organisation_ids=frozenset(
            [r[1] for r in guardian_rows] + [r[1] for r in staff_rows] + [r[1] for r in planner_rows] + admin_ids
        ),
    )
    return roles


def forget_roles(user) -> None:
    """Call after changing a user's roles within the same request or test."""
    if hasattr(user, "_portal_roles"):
        del user._portal_roles


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
