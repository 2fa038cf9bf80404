"""Planning: who may ask for absences, swaps and extra days, and who decides on them.

Guardians ask, for their own children, from the placement's start date until its end.
Planners decide on the requests of their locations; organisation admins on all of their
organisation's. The staff roster of a location is kept by its planners and the admins; the
day view is also the attendance list of the staff of the location's groups.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.access.children import own_child
from portal.access.roles import Decision, is_guardian_of, roles_of
from portal.access.tenancy import found_in_users_organisations
from portal.children.models import Child
from portal.core import clock
from portal.core.scoping import across_organisations
from portal.organisations.models import Group, Location
from portal.planning.models import CalendarFeed, PlanningRequest


def planning_child(user, child_id) -> Child:
    """A child whose planning pages (calendar, absences, credits) the user opens: those are the
    guardians' own; anyone else's child, or one the user sees as staff, is a 404."""
    return own_child(user, child_id)


def planning_request_decision(user, child: Child, day: dt.date | None = None) -> Decision:
    """May this user ask for an absence, swap or extra day for this child (on `day`)?

    Only the child's guardians may, and only within a placement that has started: before the
    start date a guardian can log in and use the portal, but requests wait until that date.
    """
    if not is_guardian_of(user, child):
        return Decision(False, _("Only the child's guardians can make planning requests."))
    today = clock.today()
    placements = list(child.placements.all())
    if not placements:
        return Decision(False, _("%(child)s has no placement.") % {"child": child.first_name})
    first_start = min(p.start_date for p in placements)
    if today < first_start:
        return _not_yet(child, first_start)
    if day is not None:
        if day < today:
            return Decision(False, _("%(day)s has passed.") % {"day": date_format(day, "DATE_FORMAT")})
        if not any(p.is_active_on(day) for p in placements):
            return Decision(
                False,
                _("%(child)s has no placement on %(day)s.")
                % {"child": child.first_name, "day": date_format(day, "DATE_FORMAT")},
            )
        return Decision(True)
    if any(p.is_current_or_upcoming(today) for p in placements):
        return Decision(True)
    last_end = max(p.end_date for p in placements if p.end_date is not None)
    return Decision(
        False,
        _("The placement of %(child)s ended on %(day)s.")
        % {"child": child.first_name, "day": date_format(last_end, "DATE_FORMAT")},
    )


def _not_yet(child: Child, start: dt.date) -> Decision:
    return Decision(
        False,
        _("Absences, swaps and extra days for %(child)s are possible from %(day)s, when the placement starts.")
        % {"child": child.first_name, "day": date_format(start, "DATE_FORMAT")},
        possible_from=start,
    )


def may_withdraw(user, request: PlanningRequest) -> bool:
    """A request is withdrawn by the child's guardians."""
    return is_guardian_of(user, request.child_id)


def feed_for_token(token: str) -> CalendarFeed:
    """The calendar link whose token this is: the token is the only key (no login), so it is
    looked up outside any organisation's scope. It works while its owner is active and still
    the child's guardian; otherwise, or for an unknown token, a 404."""
    with across_organisations():
        row = CalendarFeed.objects.select_related("child", "user").filter(token=str(token)[:100]).first()
        if row is None or not row.user.is_active or not is_guardian_of(row.user, row.child):
            raise Http404
    return row


def decide_location_ids(user) -> frozenset[int]:
    """Locations whose requests this user decides on: as their planner or as admin."""
    roles = roles_of(user)
    ids = set(roles.planner_location_ids)
    if roles.admin_organisation_ids:
        ids.update(
            Location.objects.filter(organisation_id__in=roles.admin_organisation_ids).values_list("id", flat=True)
        )
    return frozenset(ids)


def may_decide_on(user, request: PlanningRequest) -> bool:
    return request.group.location_id in decide_location_ids(user)


def require_planner(user) -> frozenset[int]:
    """The locations the user decides requests for; none at all is a 403."""
    location_ids = decide_location_ids(user)
    if not location_ids:
        raise PermissionDenied
    return location_ids


def pending_for_planner(user) -> QuerySet[PlanningRequest]:
    """The open requests this user decides on (their queue); a user who decides nowhere a 403."""
    return PlanningRequest.objects.filter(
        state=PlanningRequest.State.PENDING, group__location_id__in=require_planner(user)
    )


def planning_request_for_planner(user, request_id: int) -> PlanningRequest:
    """A request the planner may decide on: another organisation's is a 404, without the role a 403."""
    request = found_in_users_organisations(
        user,
        PlanningRequest.objects.select_related("child", "group__location"),
        request_id,
        lambda r: r.group.location.organisation_id,
    )
    if request.group.location_id not in decide_location_ids(user):
        raise PermissionDenied
    return request


def planning_request_for_guardian(user, request_id: int) -> PlanningRequest:
    request = PlanningRequest.objects.select_related("child").filter(pk=request_id).first()
    if request is None or not is_guardian_of(user, request.child_id):
        raise Http404
    return request


def location_for_roster(user, location_id: int) -> Location:
    """The staff roster of a location is kept by its planners and the organisation's admins."""
    location = found_in_users_organisations(
        user, Location.objects.select_related("organisation"), location_id, lambda x: x.organisation_id
    )
    roles = roles_of(user)
    if location.pk not in roles.planner_location_ids and location.organisation_id not in roles.admin_organisation_ids:
        raise PermissionDenied
    return location


def location_for_day_view(user, location_id: int) -> Location:
    """The day view of a location: its planners, the organisation's admins, and the staff of
    its groups (for whom it is the attendance list)."""
    location = found_in_users_organisations(
        user, Location.objects.select_related("organisation"), location_id, lambda x: x.organisation_id
    )
    if location.pk in decide_location_ids(user):
        return location
    if Group.objects.filter(location=location, id__in=roles_of(user).staff_group_ids).exists():
        return location
    raise PermissionDenied


def day_view_groups(user, location: Location) -> QuerySet[Group]:
    """The groups of the day view: all of the location's for its planners and admins, only
    their own groups for group staff."""
    groups = Group.objects.filter(location=location)
    if location.pk not in decide_location_ids(user):
        groups = groups.filter(id__in=roles_of(user).staff_group_ids)
    return groups
