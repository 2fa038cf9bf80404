"""Reads of the planning: who is expected when, the composition of a group, and whether one
more child fits by the staff/child ratio. A constant number of queries per call."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.children.models import Child, Placement, ScheduledDayPart
from portal.organisations.models import ClosingDay, Group
from portal.organisations.selectors import professionals_scheduled
from portal.planning.models import Absence, Credit, PlanningRequest
from portal.planning.ratio import daycare_required, group_size_limit_out_of_school, out_of_school_required

DAY_PARTS = [ScheduledDayPart.DayPart.MORNING, ScheduledDayPart.DayPart.AFTERNOON]


@dataclass
class Presence:
    child: Child
    day_parts: set[str] = field(default_factory=set)
    source: str = "schedule"  # schedule, swap, extra_day


def closed_locations_on(location_ids, day: dt.date) -> dict[int, str]:
    return dict(ClosingDay.objects.filter(location_id__in=location_ids, date=day).values_list("location_id", "name"))


def expected_on(groups: list[Group], day: dt.date) -> dict[int, dict[int, Presence]]:
    """Per group id, per child id: the day parts the child is expected on `day`: the
    placements' schedules, minus absences, plus approved swaps and extra days; nothing at a
    location that is closed that day. Four queries."""
    closed = closed_locations_on({g.location_id for g in groups}, day)
    result: dict[int, dict[int, Presence]] = {g.pk: {} for g in groups}
    open_ids = [g.pk for g in groups if g.location_id not in closed]
    if not open_ids:
        return result
    absent = set(Absence.objects.filter(date=day, placement__group_id__in=open_ids).values_list("child_id", flat=True))
    scheduled = (
        ScheduledDayPart.objects.filter(placement__group_id__in=open_ids, weekday=day.weekday())
        .filter(placement__start_date__lte=day)
        .filter(Q(placement__end_date__isnull=True) | Q(placement__end_date__gte=day))
        .select_related("placement__child")
    )
    for row in scheduled:
        child = row.placement.child
        if child.pk in absent:
            continue
        result[row.placement.group_id].setdefault(child.pk, Presence(child)).day_parts.add(row.day_part)
    approved = PlanningRequest.objects.filter(
        group_id__in=open_ids, date=day, state=PlanningRequest.State.APPROVED
    ).select_related("child")
    for request in approved:
        presence = result[request.group_id].setdefault(request.child_id, Presence(request.child, source=request.kind))
        presence.day_parts.update(request.day_parts)
    return result


def age_counts_daycare(children: list[Child], day: dt.date) -> tuple[int, int, int, int]:
    counts = [0, 0, 0, 0]
    for child in children:
        counts[min(max(child.age_on(day), 0), 3)] += 1
    return tuple(counts)  # type: ignore[return-value]


def age_counts_out_of_school(children: list[Child], day: dt.date) -> tuple[int, int]:
    young = sum(1 for c in children if c.age_on(day) <= 6)
    return young, len(children) - young


@dataclass
class PartVerdict:
    day_part: str
    children: int
    counts: tuple[int, ...]
    required: int | None
    scheduled: int
    fits: bool
    reason: str
    size_limit: str = ""


@dataclass
class Verdict:
    fits: bool
    parts: list[PartVerdict]
    reason: str

    @property
    def free_text(self) -> str:
        return self.reason


def _daycare_part(group, presences, day, part, extra, scheduled) -> PartVerdict:
    children = [p.child for p in presences.values() if part in p.day_parts]
    if extra is not None and extra.pk not in {c.pk for c in children}:
        children.append(extra)
    counts = age_counts_daycare(children, day)
    result = daycare_required(counts)
    if not result.allowed:
        return PartVerdict(part, len(children), counts, None, scheduled, False, result.reason)
    fits = result.required_professionals <= scheduled
    reason = _("%(required)d professionals needed, %(scheduled)d scheduled") % {
        "required": result.required_professionals,
        "scheduled": scheduled,
    }
    return PartVerdict(part, len(children), counts, result.required_professionals, scheduled, fits, reason)


def verdict_for(group: Group, day: dt.date, day_parts: list[str], child: Child | None) -> Verdict:
    """Does the group still meet the ratio on `day` in each of `day_parts` with `child` added?
    Daycare and preschool per group; BSO over all BSO groups of the location, with the group's
    own size limit."""
    closed = closed_locations_on([group.location_id], day)
    if closed:
        reason = _("The location is closed on that day (%(reason)s).") % {"reason": closed[group.location_id]}
        return Verdict(False, [], reason)
    if group.kind == Group.Kind.OUT_OF_SCHOOL:
        siblings = list(Group.objects.filter(location_id=group.location_id, kind=Group.Kind.OUT_OF_SCHOOL))
    else:
        siblings = [group]
    expected = expected_on(siblings, day)
    scheduled_map = professionals_scheduled([g.pk for g in siblings], day)
    parts = []
    for part in day_parts:
        if group.kind != Group.Kind.OUT_OF_SCHOOL:
            parts.append(
                _daycare_part(group, expected[group.pk], day, part, child, scheduled_map.get((group.pk, part), 0))
            )
            continue
        location_children, group_children = [], []
        for sibling in siblings:
            for presence in expected[sibling.pk].values():
                if part in presence.day_parts:
                    location_children.append(presence.child)
                    if sibling.pk == group.pk:
                        group_children.append(presence.child)
        if child is not None and child.pk not in {c.pk for c in location_children}:
            location_children.append(child)
            group_children.append(child)
        counts = age_counts_out_of_school(location_children, day)
        required = out_of_school_required(*counts).required_professionals
        scheduled = sum(scheduled_map.get((s.pk, part), 0) for s in siblings)
        limit = group_size_limit_out_of_school(*age_counts_out_of_school(group_children, day))
        fits = limit.allowed and required <= scheduled
        reason = _("%(required)d professionals needed at the location, %(scheduled)d scheduled") % {
            "required": required,
            "scheduled": scheduled,
        }
        if not limit.allowed:
            reason = limit.reason
        parts.append(PartVerdict(part, len(group_children), counts, required, scheduled, fits, reason, limit.reason))
    fits = bool(parts) and all(p.fits for p in parts)
    reason = "; ".join(p.reason for p in parts if not p.fits) if not fits else _("fits")
    return Verdict(fits, parts, reason)


def planned_day_parts(placement: Placement, day: dt.date) -> list[str]:
    """The day parts of `day` in the placement's weekly schedule (uses a prefetched schedule)."""
    if not placement.is_active_on(day):
        return []
    return [s.day_part for s in placement.schedule.all() if s.weekday == day.weekday()]


def available_credits(child: Child, kind_of_care: str, today: dt.date):
    """Credits the child can use now, oldest first: not spent, not expired, placement running."""
    return (
        Credit.objects.filter(child=child, kind_of_care=kind_of_care, state=Credit.State.AVAILABLE)
        .filter(expires_on__gte=today)
        .filter(Q(placement__end_date__isnull=True) | Q(placement__end_date__gte=today))
        .order_by("expires_on", "id")
    )


def credit_balance(child: Child, today: dt.date) -> dict[str, int]:
    """Usable credits per kind of care, right at any moment (not only after the daily job)."""
    balance: dict[str, int] = defaultdict(int)
    for credit in (
        Credit.objects.filter(child=child, state=Credit.State.AVAILABLE, expires_on__gte=today)
        .filter(Q(placement__end_date__isnull=True) | Q(placement__end_date__gte=today))
        .only("kind_of_care")
    ):
        balance[credit.kind_of_care] += 1
    return dict(balance)


@dataclass
class CalendarDay:
    date: dt.date
    in_month: bool
    planned: list[str] = field(default_factory=list)
    closed: str = ""
    absence: Absence | None = None
    requests: list[PlanningRequest] = field(default_factory=list)

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


def child_calendar(child: Child, first: dt.date, last: dt.date) -> list[CalendarDay]:
    """Every day from `first` to `last` with the child's planned day parts, closing days,
    absences and requests. Five queries, whatever the range."""
    placements = list(child.placements.select_related("group").prefetch_related("schedule"))
    closing = defaultdict(dict)
    for row in ClosingDay.objects.filter(
        location_id__in={p.group.location_id for p in placements}, date__range=(first, last)
    ):
        closing[row.location_id][row.date] = row.name
    absences = {
        a.date: a for a in Absence.objects.filter(child=child, date__range=(first, last)).select_related("credit")
    }
    requests = defaultdict(list)
    for request in PlanningRequest.objects.filter(child=child, date__range=(first, last)).order_by("requested_at"):
        requests[request.date].append(request)
    days = []
    day = first
    while day <= last:
        entry = CalendarDay(day, True, absence=absences.get(day), requests=requests.get(day, []))
        for placement in placements:
            if placement.is_active_on(day):
                name = closing[placement.group.location_id].get(day)
                if name:
                    entry.closed = name
                else:
                    entry.planned = planned_day_parts(placement, day)
        days.append(entry)
        day += dt.timedelta(days=1)
    return days


def upcoming_planned_days(child: Child, today: dt.date, weeks: int = 8) -> list[tuple[dt.date, list[str]]]:
    """Planned days from today on, without those already reported absent, for the absence form."""
    days = child_calendar(child, today, today + dt.timedelta(weeks=weeks))
    return [(d.date, d.planned) for d in days if d.planned and d.absence is None]


@dataclass
class PartSummary:
    required: int | None
    scheduled: int
    allowed: bool
    free_places: int
    reason: str


def _fits_daycare(counts: list[int], scheduled: int) -> bool:
    result = daycare_required(tuple(counts))  # type: ignore[arg-type]
    return result.allowed and result.required_professionals <= scheduled


def summarise_part(group: Group, day: dt.date, part: str, children: list[Child], scheduled: int, expected, groups):
    """Required and scheduled professionals for one group and day part, and the free places:
    how many more children of the youngest age present (the most demanding) still fit."""
    if group.kind != Group.Kind.OUT_OF_SCHOOL:
        counts = list(age_counts_daycare(children, day))
        result = daycare_required(tuple(counts))  # type: ignore[arg-type]
        youngest = next((age for age, n in enumerate(counts) if n), 0)
        free = 0
        while free < 16 and _fits_daycare(
            counts[:youngest] + [counts[youngest] + free + 1] + counts[youngest + 1 :], scheduled
        ):
            free += 1
        allowed = result.allowed and (result.required_professionals or 0) <= scheduled
        return PartSummary(result.required_professionals, scheduled, allowed, free, result.reason)
    location_children = [
        p.child
        for g in groups
        if g.kind == Group.Kind.OUT_OF_SCHOOL
        for p in expected[g.pk].values()
        if part in p.day_parts
    ]
    young, old = age_counts_out_of_school(location_children, day)
    result = out_of_school_required(young, old)
    own_young, own_old = age_counts_out_of_school(children, day)
    location_scheduled = scheduled  # shown per group; the location total is in the reason
    free = 0
    while free < 30 and group_size_limit_out_of_school(own_young + free + 1, own_old).allowed:
        free += 1
    return PartSummary(result.required_professionals, location_scheduled, True, free, result.reason)
