"""Locations and groups: whose page a user may open."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from portal.access.roles import roles_of
from portal.access.tenancy import found_in_users_organisations
from portal.organisations.models import Group, Location


def visible_locations(user) -> QuerySet[Location]:
    roles = roles_of(user)
    return Location.objects.filter(
        Q(id__in=roles.planner_location_ids) | Q(organisation_id__in=roles.admin_organisation_ids)
    )


def planner_locations(user) -> QuerySet[Location]:
    """The locations the user is planner of (not those they see as admin)."""
    return Location.objects.filter(id__in=roles_of(user).planner_location_ids)


def visible_groups(user) -> QuerySet[Group]:
    """Groups whose page the user may open: as staff, as planner of the location, as admin."""
    roles = roles_of(user)
    return Group.objects.filter(
        Q(id__in=roles.staff_group_ids)
        | Q(location_id__in=roles.planner_location_ids)
        | Q(location__organisation_id__in=roles.admin_organisation_ids)
    )


def staff_groups(user) -> QuerySet[Group]:
    """The groups the user works on as group staff."""
    return Group.objects.filter(id__in=roles_of(user).staff_group_ids)


def group_for_user(user, group_id: int) -> Group:
    group = found_in_users_organisations(
        user, Group.objects.select_related("location__organisation"), group_id, lambda g: g.location.organisation_id
    )
    if not visible_groups(user).filter(pk=group.pk).exists():
        raise PermissionDenied
    return group


def location_for_user(user, location_id: int) -> Location:
    location = found_in_users_organisations(
        user, Location.objects.select_related("organisation"), location_id, lambda x: x.organisation_id
    )
    if not visible_locations(user).filter(pk=location.pk).exists():
        raise PermissionDenied
    return location


def staff_group_for_user(user, group_id: int) -> Group:
    """A group the user works on as staff (to share photos, write the diary, read the inbox):
    another organisation's is a 404, a group of the user's own organisation without the role a 403."""
    group = group_for_user(user, group_id)
    if group.pk not in roles_of(user).staff_group_ids:
        raise PermissionDenied
    return group
