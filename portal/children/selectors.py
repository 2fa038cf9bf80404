"""Reads about children, placements and schedules, with a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet

from portal.children.models import Child, Placement


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


def weekly_schedule(placement: Placement) -> list[tuple[int, list[str]]]:
    """[(weekday, [day parts])] for a placement whose `schedule` is prefetched."""
    days: dict[int, list[str]] = defaultdict(list)
    for part in placement.schedule.all():
        days[part.weekday].append(part.day_part)
    return sorted(days.items())
