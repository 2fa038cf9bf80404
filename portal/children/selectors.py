"""Reads about children, placements and schedules, with a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet

from portal.children.models import Child, Placement

if TYPE_CHECKING:  # at run time WithAnnotations takes one argument; the checker reads both
    from django_stubs_ext import WithAnnotations

    class _ActivePlacements(TypedDict):
        active_placements: list[Placement]

    ChildWithPlacements = WithAnnotations[Child, _ActivePlacements]


def children_with_placements(
    children: QuerySet[Child], day: dt.date, *, contacts: bool = True
) -> list[ChildWithPlacements]:
    """Children with all their placements (with group, location and schedule, oldest first)
    and `.active_placements`, those of them current or upcoming on `day` (the rule of
    `Placement.is_current_or_upcoming`, applied to the placements read: a child has only a
    few); with `contacts`, also their pickup persons and emergency contacts. Three queries, or
    five with the contacts."""
    prefetches: list = [
        Prefetch(
            "placements",
            queryset=Placement.objects.select_related("group__location")
            .prefetch_related("schedule")
            .order_by("start_date", "id"),
        )
    ]
    if contacts:
        prefetches += ["pickup_persons", "emergency_contacts"]
    rows = list(children.prefetch_related(*prefetches).order_by("first_name", "last_name"))
    for child in rows:
        child.active_placements = [p for p in child.placements.all() if p.is_current_or_upcoming(day)]  # type: ignore[attr-defined]
    return rows  # type: ignore[return-value]


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


# ---------------------------------------------------------------- departure (docs/privacy.md)

REMINDER_DAYS_BEFORE_ACCESS_ENDS = 14


@dataclass(frozen=True)
class Departure:
    """A child who leaves: every placement has an end date. The family keeps access through
    the organisation's grace period after the last day of care, to take everything along; the
    day after, the child's data is removed (`portal.privacy.services.child_data_remove`)."""

    last_day: dt.date  # the last day of care of the child's last placement
    access_until: dt.date  # the last day the family can still download everything

    @property
    def removal_day(self) -> dt.date:
        return self.access_until + dt.timedelta(days=1)

    @property
    def reminder_day(self) -> dt.date:
        return self.access_until - dt.timedelta(days=REMINDER_DAYS_BEFORE_ACCESS_ENDS)

    def open_on(self, day: dt.date) -> bool:
        """Can the family take everything along on `day`? From the moment the end date is set
        until the grace period ends."""
        return day <= self.access_until


def departure_from(last_ends: list[dt.date | None], grace_period_days: int) -> Departure | None:
    """The departure, given the end dates of all of a child's placements (None: no end)."""
    if not last_ends or any(end is None for end in last_ends):
        return None
    last_day = max(end for end in last_ends if end is not None)
    return Departure(last_day=last_day, access_until=last_day + dt.timedelta(days=grace_period_days))


def departure_of(child: Child) -> Departure | None:
    """The child's departure, or None while a placement runs without an end date (or there is
    no placement). No query when the child's placements are prefetched and its organisation
    selected; otherwise one or two."""
    ends = [p.end_date for p in child.placements.all()]
    return departure_from(ends, child.organisation.grace_period_days)


def children_leaving(
    children: QuerySet[Child], *, last_day_from: dt.date | None = None, last_day_until: dt.date | None = None
) -> QuerySet[Child]:
    """Of `children`, those whose every placement has an end date (their last day of care
    within the bounds given), annotated with `last_day`: the last day of their last placement."""
    open_ended = Placement.objects.without_end().filter(child_id=OuterRef("pk"))
    leaving = (
        children.annotate(last_day=Max("placements__end_date"))
        .filter(last_day__isnull=False)
        .exclude(Exists(open_ended))
    )
    if last_day_from is not None:
        leaving = leaving.filter(last_day__gte=last_day_from)
    if last_day_until is not None:
        leaving = leaving.filter(last_day__lte=last_day_until)
    return leaving
