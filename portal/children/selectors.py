"""Reads about children, placements and schedules, with a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Prefetch, QuerySet

from portal.children.models import Child, Placement

if TYPE_CHECKING:  # at run time WithAnnotations takes one argument; the checker reads both
    from django_stubs_ext import WithAnnotations

    class _ActivePlacements(TypedDict):
        active_placements: list[Placement]

    ChildWithPlacements = WithAnnotations[Child, _ActivePlacements]


def current_and_upcoming_placements(day: dt.date) -> QuerySet[Placement]:
    return (
        Placement.objects.current_or_upcoming(day)
        .select_related("group__location")
        .prefetch_related("schedule")
        .order_by("start_date")
    )


def children_with_placements(children: QuerySet[Child], day: dt.date) -> list[ChildWithPlacements]:
    """Children with `.active_placements` (current and upcoming, with group, location and
    schedule), all their placements, pickup persons and emergency contacts: six queries in all."""
    return list(
        children.prefetch_related(
            Prefetch("placements", queryset=current_and_upcoming_placements(day), to_attr="active_placements"),
            "placements",  # all of them, for the access policy's decisions
            "pickup_persons",
            "emergency_contacts",
        ).order_by("first_name", "last_name")
    )


def weekly_schedule(placement: Placement) -> list[tuple[int, list[str]]]:
    """[(weekday, [day parts])] for a placement whose `schedule` is prefetched."""
    days: dict[int, list[str]] = defaultdict(list)
    for part in placement.schedule.all():
        days[part.weekday].append(part.day_part)
    return sorted(days.items())


def children_of_group(group, day: dt.date) -> QuerySet[Child]:
    """The children with a current or upcoming placement on the group on `day`: the ones staff
    tag on photos and write to the families of."""
    placed = Placement.objects.filter(group=group).current_or_upcoming(day)
    return Child.objects.filter(id__in=placed.values("child_id")).order_by("first_name", "last_name", "id")


def groups_of_now(child_ids, day: dt.date) -> dict:
    """child id -> the group of the child's placement running on `day`, or, before the start
    date, of the upcoming one (the group a family writes to). Children without a current or
    upcoming placement are missing."""
    placements = (
        Placement.objects.filter(child_id__in=child_ids)
        .current_or_upcoming(day)
        .select_related("group__location")
        .order_by("start_date", "id")
    )
    result: dict = {}
    current: set[int] = set()
    for placement in placements:
        if placement.start_date <= day and placement.child_id not in current:
            result[placement.child_id] = placement.group
            current.add(placement.child_id)
        elif placement.child_id not in result:
            result[placement.child_id] = placement.group
    return result
