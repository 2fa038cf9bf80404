"""Reads of the planning: who is expected when, the composition of a group, and whether one
more child fits by the staff/child ratio. A constant number of queries per call."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.children.models import Child, Placement, ScheduledDayPart, current_or_upcoming_q
from portal.organisations.models import ClosingDay, Group, RosterException, RosterPattern
from portal.planning.models import Absence, Credit, PlanningRequest
from portal.planning.ratio import daycare_required, group_size_limit_out_of_school, out_of_school_professionals

DAY_PARTS = [ScheduledDayPart.DayPart.MORNING, ScheduledDayPart.DayPart.AFTERNOON]


@dataclass
class Presence:
    child: Child
    day_parts: list[str] = field(default_factory=list)  # each part once; in day order from attendance()
    source: str = "schedule"  # schedule, swap, extra_day


def closed_locations_on(location_ids, day: dt.date) -> dict[int, str]:
    return dict(ClosingDay.objects.filter(location_id__in=location_ids, date=day).values_list("location_id", "name"))


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


class Snapshot:
    """Everything the ratio needs for some groups on some days, read in eight queries: the
    placements and their schedules, absences, approved swaps and extra days, closing days and
    the staff roster.
    BSO groups bring the other BSO groups of their location, since BSO counts per location."""

    def __init__(self, groups: list[Group], days: list[dt.date]):
        days = sorted(set(days))
        location_ids = {g.location_id for g in groups}
        bso_locations = {g.location_id for g in groups if g.kind == Group.Kind.OUT_OF_SCHOOL}
        extra = (
            list(Group.objects.filter(location_id__in=bso_locations, kind=Group.Kind.OUT_OF_SCHOOL))
            if bso_locations
            else []
        )
        self.groups = {g.pk: g for g in [*groups, *extra]}
        ids = list(self.groups)
        first, last = (days[0], days[-1]) if days else (dt.date.min, dt.date.min)
        self.closed = {
            (row.location_id, row.date): row.name
            for row in ClosingDay.objects.filter(location_id__in=location_ids, date__in=days)
        }
        # The placements running in the period, each with its child, and their schedule as plain
        # (placement, weekday, day part) rows: a location's week is a thousand rows, too many
        # to make a placement and a child object for each.
        placements = Placement.objects.filter(group_id__in=ids, start_date__lte=last).filter(
            current_or_upcoming_q(first)
        )
        self.placements = {p.pk: p for p in placements.select_related("child")}
        self.schedule = [
            (self.placements[placement_id], weekday, day_part)
            for placement_id, weekday, day_part in ScheduledDayPart.objects.filter(
                placement_id__in=placements.values("pk")
            ).values_list("placement_id", "weekday", "day_part")
            if placement_id in self.placements
        ]
        # An absence counts for the child wherever the child is that day (also after a move).
        self.absent = set(
            Absence.objects.filter(
                date__in=days, child_id__in={p.child_id for p in self.placements.values()}
            ).values_list("child_id", "date")
        )
        self.approved = list(
            PlanningRequest.objects.filter(
                group_id__in=ids, date__in=days, state=PlanningRequest.State.APPROVED
            ).select_related("child", "placement")
        )
        self.patterns = {
            (r.group_id, r.weekday, r.day_part): r.professionals for r in RosterPattern.objects.filter(group_id__in=ids)
        }
        self.exceptions = {
            (r.group_id, r.date, r.day_part): r.professionals
            for r in RosterException.objects.filter(group_id__in=ids, date__in=days)
        }
        # Indexed once, so that `expected` looks at one group's rows of one weekday (or date)
        # instead of walking every row for every request, day part and group.
        self._schedule_by: defaultdict[tuple[int, int], list[tuple[Placement, str]]] = defaultdict(list)
        for placement, weekday, day_part in self.schedule:
            self._schedule_by[(placement.group_id, weekday)].append((placement, day_part))
        self._approved_by: defaultdict[tuple[int, dt.date], list[PlanningRequest]] = defaultdict(list)
        for request in self.approved:
            self._approved_by[(request.group_id, request.date)].append(request)
        self._expected: dict[tuple[int, dt.date, dt.date | None], dict[int, Presence]] = {}

    def is_closed(self, group: Group, day: dt.date) -> str:
        return self.closed.get((group.location_id, day), "")

    def expected(self, group: Group, day: dt.date, *, still_placed_on: dt.date | None = None) -> dict[int, Presence]:
        """Per child id: the day parts the child is expected in `group` on `day`. With
        `still_placed_on` (today, on staff pages), children whose placement ended before that
        date are left out, also on earlier days: staff no longer see children who left.
        Worked out once per group, day and `still_placed_on`; callers do not change the answer."""
        key = (group.pk, day, still_placed_on)
        if key not in self._expected:
            self._expected[key] = self._work_out_expected(group, day, still_placed_on)
        return self._expected[key]

    def _work_out_expected(self, group: Group, day: dt.date, still_placed_on: dt.date | None) -> dict[int, Presence]:
        result: dict[int, Presence] = {}
        if self.is_closed(group, day):
            return result
        weekday = day.weekday()

        def gone(placement) -> bool:
            return still_placed_on is not None and not placement.is_current_or_upcoming(still_placed_on)

        for placement, day_part in self._schedule_by.get((group.pk, weekday), ()):
            if not placement.is_active_on(day):
                continue
            if (placement.child_id, day) in self.absent or gone(placement):
                continue
            presence = result.setdefault(placement.child_id, Presence(placement.child))
            if day_part not in presence.day_parts:
                presence.day_parts.append(day_part)
        for request in self._approved_by.get((group.pk, day), ()):
            if request.placement.is_active_on(day) and not gone(request.placement):
                presence = result.setdefault(request.child_id, Presence(request.child, source=request.kind))
                presence.day_parts.extend(p for p in request.day_parts if p not in presence.day_parts)
        return result

    def scheduled(self, group: Group, day: dt.date, part: str) -> int:
        exception = self.exceptions.get((group.pk, day, part))
        if exception is not None:
            return exception
        return self.patterns.get((group.pk, day.weekday(), part), 0)

    def bso_siblings(self, group: Group) -> list[Group]:
        return [g for g in self.groups.values() if g.location_id == group.location_id and g.kind == group.kind]

    def verdict(self, group: Group, day: dt.date, day_parts: list[str], child: Child | None) -> Verdict:
        """Does the group still meet the ratio on `day` in each of `day_parts` with `child`
        added? Daycare and preschool per group; BSO over the location, with the group's size limit."""
        closed = self.is_closed(group, day)
        if closed:
            return Verdict(False, [], _("The location is closed on that day (%(reason)s).") % {"reason": closed})
        parts = [self._part(group, day, part, child) for part in day_parts]
        fits = bool(parts) and all(p.fits for p in parts)
        reason = _("fits") if fits else "; ".join(p.reason for p in parts if not p.fits)
        return Verdict(fits, parts, reason)

    def _part(self, group: Group, day: dt.date, part: str, child: Child | None) -> PartVerdict:
        if group.kind != Group.Kind.OUT_OF_SCHOOL:
            children = [p.child for p in self.expected(group, day).values() if part in p.day_parts]
            if child is not None and child.pk not in {c.pk for c in children}:
                children.append(child)
            scheduled = self.scheduled(group, day, part)
            counts = age_counts_daycare(children, day)
            result = daycare_required(counts)
            needed = result.required_professionals
            if not result.allowed or needed is None:
                return PartVerdict(part, len(children), counts, None, scheduled, False, result.reason)
            reason = ngettext(
                "%(required)d professional needed, %(scheduled)d scheduled",
                "%(required)d professionals needed, %(scheduled)d scheduled",
                needed,
            ) % {
                "required": needed,
                "scheduled": scheduled,
            }
            fits = needed <= scheduled
            return PartVerdict(part, len(children), counts, needed, scheduled, fits, reason)
        location_children, group_children = [], []
        siblings = self.bso_siblings(group)
        for sibling in siblings:
            for presence in self.expected(sibling, day).values():
                if part in presence.day_parts:
                    location_children.append(presence.child)
                    if sibling.pk == group.pk:
                        group_children.append(presence.child)
        if child is not None and child.pk not in {c.pk for c in location_children}:
            location_children.append(child)
            group_children.append(child)
        at_location = age_counts_out_of_school(location_children, day)
        required = out_of_school_professionals(*at_location)
        scheduled = sum(self.scheduled(s, day, part) for s in siblings)
        limit = group_size_limit_out_of_school(*age_counts_out_of_school(group_children, day))
        fits = limit.allowed and required <= scheduled
        reason = ngettext(
            "%(required)d professional needed at the location, %(scheduled)d scheduled",
            "%(required)d professionals needed at the location, %(scheduled)d scheduled",
            required,
        ) % {
            "required": required,
            "scheduled": scheduled,
        }
        if not limit.allowed:
            reason = limit.reason
        return PartVerdict(part, len(group_children), at_location, required, scheduled, fits, reason, limit.reason)


def expected_on(groups: list[Group], day: dt.date) -> dict[int, dict[int, Presence]]:
    """Per group id, per child id: the day parts the child is expected on `day`."""
    snapshot = Snapshot(groups, [day])
    return {g.pk: snapshot.expected(g, day) for g in groups}


def verdict_for(group: Group, day: dt.date, day_parts: list[str], child: Child | None) -> Verdict:
    return Snapshot([group], [day]).verdict(group, day, day_parts, child)


def verdicts_for(requests: list[PlanningRequest]) -> dict[int, Verdict]:
    """The verdicts of many requests at once, in a fixed number of queries."""
    snapshot = Snapshot([r.group for r in requests], [r.date for r in requests])
    return {r.pk: snapshot.verdict(r.group, r.date, r.day_parts, r.child) for r in requests}


def planned_day_parts(placement: Placement, day: dt.date) -> list[str]:
    """The day parts of `day` in the placement's weekly schedule (uses a prefetched schedule)."""
    if not placement.is_active_on(day):
        return []
    return [s.day_part for s in placement.schedule.all() if s.weekday == day.weekday()]


def usable_credits(child: Child, day: dt.date):
    """THE rule for a credit the child can use on `day`: not spent or reserved, not expired
    (the expiry day itself still counts), and its placement not ended. Right at any moment,
    not only after the daily job has marked expired credits. Oldest first."""
    return (
        Credit.objects.filter(child=child, state=Credit.State.AVAILABLE, expires_on__gte=day)
        .filter(current_or_upcoming_q(day, via="placement"))
        .order_by("expires_on", "id")
    )


def available_credits(child: Child, kind_of_care: str, today: dt.date):
    """Usable credits of one kind of care (daycare or out-of-school care), oldest first."""
    return usable_credits(child, today).filter(kind_of_care=kind_of_care)


def credit_balance(child: Child, today: dt.date) -> dict[str, int]:
    """Usable credits per kind of care."""
    balance: dict[str, int] = defaultdict(int)
    for credit in usable_credits(child, today).only("kind_of_care"):
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


def child_calendar(child: Child, first: dt.date, last: dt.date) -> list[CalendarDay]:
    """Every day from `first` to `last` with the child's planned day parts, closing days,
    absences and requests. Five queries, whatever the range."""
    placements = list(child.placements.select_related("group").prefetch_related("schedule"))
    closing: defaultdict[int, dict[dt.date, str]] = defaultdict(dict)
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


UPCOMING_WEEKS = 8  # how far ahead the absence form offers days


def upcoming_planned_days(child: Child, today: dt.date) -> list[tuple[dt.date, list[str]]]:
    """Planned days from today on, without those already reported absent, for the absence form."""
    return planned_days(child_calendar(child, today, today + dt.timedelta(weeks=UPCOMING_WEEKS)))


def planned_days(days: Iterable[CalendarDay]) -> list[tuple[dt.date, list[str]]]:
    """Of these calendar days, the planned ones not already reported absent: (date, day parts)."""
    return [(d.date, d.planned) for d in days if d.planned and d.absence is None]


def calendar_with_upcoming(
    child: Child, first: dt.date, last: dt.date, today: dt.date
) -> tuple[list[CalendarDay], list[tuple[dt.date, list[str]]]]:
    """The child's calendar from `first` to `last` and its upcoming planned days (as
    `upcoming_planned_days`). One reading when the two periods overlap or touch (the usual
    case: this month or the next); a period far from today is read on its own, so no request
    reads the years in between."""
    until = today + dt.timedelta(weeks=UPCOMING_WEEKS)
    touching = dt.timedelta(days=1)
    if first <= until + touching and today <= last + touching:
        days = child_calendar(child, min(first, today), max(last, until))
        return [d for d in days if first <= d.date <= last], planned_days(d for d in days if today <= d.date <= until)
    return child_calendar(child, first, last), upcoming_planned_days(child, today)


@dataclass
class PartSummary:
    children: list[Child]
    sources: dict[int, str]
    required: int | None
    scheduled: int
    allowed: bool
    free_places: int
    reason: str


def day_summary(groups: list[Group], day: dt.date) -> dict[tuple[int, str], PartSummary]:
    """Per (group, day part): the children expected, required and scheduled professionals, and
    the free places: how many more children of the youngest age present (the most demanding)
    still fit. In a fixed number of queries, whatever the number of groups and children."""
    snapshot = Snapshot(groups, [day])
    result: dict[tuple[int, str], PartSummary] = {}
    for group in groups:
        expected = snapshot.expected(group, day)
        for part in DAY_PARTS:
            children = sorted(
                (p.child for p in expected.values() if part in p.day_parts), key=lambda c: (c.first_name, c.pk)
            )
            verdict = snapshot._part(group, day, part, None)
            free = 0
            if not snapshot.is_closed(group, day):
                if group.kind == Group.Kind.OUT_OF_SCHOOL:
                    young, old = age_counts_out_of_school(children, day)
                    at_location = age_counts_out_of_school(
                        [
                            p.child
                            for g in snapshot.bso_siblings(group)
                            for p in snapshot.expected(g, day).values()
                            if part in p.day_parts
                        ],
                        day,
                    )
                    staff = sum(snapshot.scheduled(g, day, part) for g in snapshot.bso_siblings(group))
                    while (
                        free < 30
                        and group_size_limit_out_of_school(young + free + 1, old).allowed
                        and out_of_school_professionals(at_location[0] + free + 1, at_location[1]) <= staff
                    ):
                        free += 1
                else:
                    counts = list(age_counts_daycare(children, day))
                    youngest = next((age for age, n in enumerate(counts) if n), 0)
                    while free < 16:
                        trial = list(counts)
                        trial[youngest] += free + 1
                        outcome = daycare_required(tuple(trial))  # type: ignore[arg-type]
                        needed = outcome.required_professionals
                        if not outcome.allowed or needed is None or needed > verdict.scheduled:
                            break
                        free += 1
            result[(group.pk, part)] = PartSummary(
                children,
                {cid: p.source for cid, p in expected.items()},
                verdict.required,
                verdict.scheduled,
                verdict.fits,
                free,
                verdict.reason,
            )
    return result


def attendance(
    groups: list[Group], day: dt.date, *, still_placed_on: dt.date | None = None
) -> dict[int, list[Presence]]:
    """Per group id, the children expected on `day`, by name, with their day parts in order
    (morning first): the attendance list. Absences, swaps, extra days and closing days count."""
    snapshot = Snapshot(groups, [day])
    order: dict[str, int] = {part: index for index, part in enumerate(DAY_PARTS)}
    result: dict[int, list[Presence]] = {}
    for group in groups:
        rows = [
            Presence(p.child, sorted(p.day_parts, key=lambda part: order.get(part, len(order))), p.source)
            for p in sorted(
                snapshot.expected(group, day, still_placed_on=still_placed_on).values(),
                key=lambda p: (p.child.first_name, p.child.last_name, p.child.pk),
            )
        ]
        result[group.pk] = rows
    return result
