"""Reads about children, placements and schedules, with a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from portal.children.models import Child, Placement, ScheduledDayPart


def placements_active_on(day: dt.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def current_and_upcoming_placements(day: dt.date) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("group__location")
        .prefetch_related("schedule")
        .order_by("start_date")
    )


def children_with_placements(children: QuerySet[Child], day: dt.date) -> list[Child]:
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


@dataclass
class Attendance:
    child: Child
    day_parts: list[str] = field(default_factory=list)


def attendance_on(
    group_ids: list[int], day: dt.date, *, still_placed_on: dt.date | None = None
) -> dict[int, list[Attendance]]:
    """Per group, the children scheduled on `day` by their placements, with their day parts.

    With `still_placed_on` (today, for staff pages), children whose placement ended before
    that date are left out, also on earlier days: staff no longer see children who left.
    Absences, swaps and extra days are added to this by the planning module.
    """
    rows = (
        ScheduledDayPart.objects.filter(placement__group_id__in=group_ids, weekday=day.weekday())
        .filter(
            Q(placement__start_date__lte=day) & (Q(placement__end_date__isnull=True) | Q(placement__end_date__gte=day))
        )
        .filter(Q(placement__end_date__isnull=True) | Q(placement__end_date__gte=still_placed_on or day))
        .select_related("placement__child")
        .order_by("placement__child__first_name", "placement__child__last_name", "-day_part")
    )
    by_group: dict[int, dict[int, Attendance]] = defaultdict(dict)
    for row in rows:
        child = row.placement.child
        entry = by_group[row.placement.group_id].setdefault(child.pk, Attendance(child))
        entry.day_parts.append(row.day_part)
    return {group_id: list(by_group.get(group_id, {}).values()) for group_id in group_ids}


def weekly_schedule(placement: Placement) -> list[tuple[int, list[str]]]:
    """[(weekday, [day parts])] for a placement whose `schedule` is prefetched."""
    days: dict[int, list[str]] = defaultdict(list)
    for part in placement.schedule.all():
        days[part.weekday].append(part.day_part)
    return sorted(days.items())
