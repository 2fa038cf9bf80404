"""Writes of the planning: report an absence (and a swap), ask for an extra day, withdraw, and
the planner's decisions. Credits are earned, reserved, spent, returned, expired and voided here
only, each with an event that says why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.access import planning as planning_access
from portal.children.models import Child, Placement
from portal.core import bounds, clock
from portal.core.audit import log_action
from portal.core.tasks import enqueue_after_commit
from portal.organisations.models import ClosingDay, Location, Organisation
from portal.planning import selectors
from portal.planning.models import Absence, CalendarFeed, Credit, CreditEvent, PlanningRequest

OPEN_STATES = [PlanningRequest.State.PENDING, PlanningRequest.State.APPROVED]

# ---------------------------------------------------------------- the credit deadline


def credit_deadline(organisation: Organisation, day: dt.date) -> dt.datetime:
    """The moment before which an absence on `day` must be reported to earn a credit:
    12:00 (a setting) on the day before (a setting), Amsterdam time."""
    deadline_day = day - dt.timedelta(days=organisation.credit_deadline_days_before)
    return dt.datetime.combine(deadline_day, dt.time(organisation.credit_deadline_hour), tzinfo=clock.AMSTERDAM)


def earns_credit(organisation: Organisation, day: dt.date, reported_at: dt.datetime) -> bool:
    return reported_at < credit_deadline(organisation, day)


def credit_preview(organisation: Organisation, day: dt.date) -> str:
    """What the guardian reads before sending: 'reported before 12:00 on Sunday 29 November: yes'."""
    deadline = credit_deadline(organisation, day)
    when = date_format(deadline, "l j F") + " " + deadline.strftime("%H:%M")
    if earns_credit(organisation, day, clock.now()):
        return _("Reported before %(when)s: yes, this absence earns a credit.") % {"when": when}
    return _("Reported after %(when)s: this absence earns no credit.") % {"when": when}


# ---------------------------------------------------------------- helpers


def _placement_on(child: Child, day: dt.date) -> Placement | None:
    for placement in child.placements.select_related("group__location__organisation").prefetch_related("schedule"):
        if placement.is_active_on(day):
            return placement
    return None


def _refuse_unless_allowed(user, child: Child, day: dt.date) -> Placement:
    decision = planning_access.planning_request_decision(user, child, day)
    if not decision:
        raise ValidationError(decision.message)
    placement = _placement_on(child, day)
    if placement is None:  # the policy allows only days within a placement
        raise ValidationError(_("No placement on that day."))
    closed = ClosingDay.objects.filter(location_id=placement.group.location_id, date=day).first()
    if closed:
        raise ValidationError(
            _("The location is closed on %(day)s (%(reason)s).")
            % {"day": date_format(day, "l j F Y"), "reason": closed.name}
        )
    return placement


def _event(credit: Credit, kind: str, reason: str) -> None:
    CreditEvent.objects.create(credit=credit, kind=kind, reason=reason)


def _day(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _kind_label(request: PlanningRequest) -> str:
    return _("Swap") if request.kind == PlanningRequest.Kind.SWAP else _("Extra day")


def _log_request(action: str, request: PlanningRequest, *, actor, old_state: str, summary: str) -> None:
    """One history line for a request whose state changed (no notes: they are the people's words)."""
    log_action(
        action,
        actor=actor,
        organisation=request.child.organisation_id,
        target=request,
        changes={"state": [old_state, request.state]},
        summary=summary,
    )


def _log_credit(action: str, credit: Credit, *, actor, old_state: str, summary: str) -> None:
    log_action(
        action,
        actor=actor,
        organisation=credit.child.organisation_id,
        target=credit,
        changes={"state": [old_state, credit.state]},
        summary=summary,
    )


def _earn_credit(absence: Absence) -> Credit | None:
    if not absence.in_time or hasattr(absence, "credit"):
        return None
    organisation = absence.placement.group.location.organisation
    expires = absence.date + dt.timedelta(days=organisation.credit_validity_days)
    credit = Credit.objects.create(
        child=absence.child,
        placement=absence.placement,
        kind_of_care=absence.placement.group.kind,
        absence=absence,
        expires_on=expires,
    )
    _event(
        credit,
        CreditEvent.Kind.EARNED,
        _("Absence on %(day)s reported in time") % {"day": date_format(absence.date, "j F Y")},
    )
    log_action(
        "planning.credit.earned",
        actor=None,
        organisation=organisation,
        target=credit,
        changes={"expires_on": [None, expires]},
        summary=_("%(child)s earned a credit for the absence on %(day)s, valid until %(until)s")
        % {"child": absence.child.first_name, "day": _day(absence.date), "until": _day(expires)},
    )
    return credit


# ---------------------------------------------------------------- guardians


@dataclass
class AbsenceResult:
    absence: Absence
    created: bool
    credit: Credit | None
    swap: PlanningRequest | None


@transaction.atomic
def absence_report(
    *, user, child: Child, day: dt.date, reason: str, swap_day: dt.date | None = None, note: str = ""
) -> AbsenceResult:
    """Report an absence for a planned day; with `swap_day` it is a swap request, otherwise the
    day is kept as a credit when reported in time. Sending the same report twice is one report."""
    bounds.check_planning_date(day)
    if swap_day is not None:
        bounds.check_planning_date(swap_day)
    bounds.check_text(note, bounds.SHORT_TEXT_MAX_LENGTH)
    existing = Absence.objects.filter(child=child, date=day).first()
    if existing is not None:
        swap = getattr(existing, "swap_request", None)
        return AbsenceResult(existing, False, getattr(existing, "credit", None), swap)
    placement = _refuse_unless_allowed(user, child, day)
    parts = selectors.planned_day_parts(placement, day)
    if not parts:
        raise ValidationError(
            _("%(child)s does not come on %(day)s: only planned days can be reported absent.")
            % {"child": child.first_name, "day": date_format(day, "l j F Y")}
        )
    swap_placement = None
    if swap_day is not None:
        if swap_day == day:
            raise ValidationError(_("The replacement day must be another day."))
        swap_placement = _refuse_unless_allowed(user, child, swap_day)
        if selectors.planned_day_parts(swap_placement, swap_day):
            raise ValidationError(
                _("%(child)s already comes on %(day)s.")
                % {"child": child.first_name, "day": date_format(swap_day, "l j F Y")}
            )
        if swap_placement.group.kind != placement.group.kind:
            raise ValidationError(_("A swap stays within the same kind of care."))
        if PlanningRequest.objects.filter(child=child, date=swap_day, state__in=OPEN_STATES).exists():
            raise ValidationError(
                _("There is already a request for %(day)s.") % {"day": date_format(swap_day, "l j F Y")}
            )
    organisation = placement.group.location.organisation
    now = clock.now()
    try:
        with transaction.atomic():
            absence = Absence.objects.create(
                child=child,
                placement=placement,
                date=day,
                reason=reason,
                note=note,
                reported_at=now,
                reported_by=user,
                in_time=earns_credit(organisation, day, now),
            )
    except IntegrityError:  # the same report, sent at the same moment from another tab
        existing = Absence.objects.get(child=child, date=day)
        return AbsenceResult(
            existing, False, getattr(existing, "credit", None), getattr(existing, "swap_request", None)
        )
    swap = None
    credit = None
    log_action(
        "planning.absence.reported",
        actor=user,
        organisation=organisation,
        target=absence,
        changes={"date": [None, day], "reason": [None, reason], "in_time": [None, absence.in_time]},
        summary=_("Absence of %(child)s on %(day)s reported") % {"child": child.first_name, "day": _day(day)},
    )
    if swap_day is not None and swap_placement is not None:
        swap = PlanningRequest.objects.create(
            child=child,
            placement=swap_placement,
            group=swap_placement.group,
            kind=PlanningRequest.Kind.SWAP,
            date=swap_day,
            day_parts=parts,
            absence=absence,
            requested_by=user,
        )
        log_action(
            "planning.swap.requested",
            actor=user,
            organisation=organisation,
            target=swap,
            changes={"absent": [None, day], "date": [None, swap_day], "day_parts": [None, parts]},
            summary=_("Swap asked for %(child)s: %(absent)s for %(day)s")
            % {"child": child.first_name, "absent": _day(day), "day": _day(swap_day)},
        )
    else:
        credit = _earn_credit(absence)
    return AbsenceResult(absence, True, credit, swap)


MAX_RANGE_DAYS = 62


@dataclass
class RangeDay:
    """One day of an absence over a date range, as the guardian sees it before sending."""

    date: dt.date
    state: str  # "credit", "no_credit", "absent" (reported already), "closed", "not_planned"
    closed: str = ""

    @property
    def reportable(self) -> bool:
        return self.state in ("credit", "no_credit")


def _check_range(first: dt.date, last: dt.date) -> None:
    if last < first:
        raise ValidationError(_("The last day comes before the first day."))
    if first < clock.today():
        raise ValidationError(_("The first day has passed."))
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError(_("At most %(count)d days at a time.") % {"count": MAX_RANGE_DAYS})


def absence_range_preview(*, child: Child, first: dt.date, last: dt.date) -> list[RangeDay]:
    """Each day from `first` to `last`: whether the child comes, and whether reporting it now
    earns a credit (the same rule as one absence: `earns_credit`)."""
    _check_range(first, last)
    now = clock.now()
    days = []
    for day in selectors.child_calendar(child, first, last):
        if day.closed:
            days.append(RangeDay(day.date, "closed", day.closed))
        elif not day.planned:
            days.append(RangeDay(day.date, "not_planned"))
        elif day.absence is not None:
            days.append(RangeDay(day.date, "absent"))
        else:
            in_time = earns_credit(child.organisation, day.date, now)
            days.append(RangeDay(day.date, "credit" if in_time else "no_credit"))
    return days


@transaction.atomic
def absence_report_range(
    *, user, child: Child, first: dt.date, last: dt.date, reason: str, note: str = ""
) -> list[AbsenceResult]:
    """An absence for every planned day from `first` to `last` (a holiday) in one step; each day
    is one absence with its own credit, exactly as if reported alone. Days the child does not
    come, closing days and days reported already are skipped."""
    results = []
    for day in absence_range_preview(child=child, first=first, last=last):
        if day.reportable:
            results.append(absence_report(user=user, child=child, day=day.date, reason=reason, note=note))
    if not results:
        raise ValidationError(_("%(child)s does not come on any of these days.") % {"child": child.first_name})
    return results


@transaction.atomic
def extra_day_request(
    *, user, child: Child, day: dt.date, day_parts: list[str], pay_with_credit: bool
) -> tuple[PlanningRequest, bool]:
    """Ask for a day outside the schedule, paid or with a credit (reserved now, oldest first)."""
    bounds.check_planning_date(day)
    existing = PlanningRequest.objects.filter(child=child, date=day, state__in=OPEN_STATES).first()
    if existing is not None:
        return existing, False
    placement = _refuse_unless_allowed(user, child, day)
    if not day_parts:
        raise ValidationError(_("Choose the morning, the afternoon or both."))
    if set(selectors.planned_day_parts(placement, day)) & set(day_parts):
        raise ValidationError(
            _("%(child)s already comes on %(day)s.") % {"child": child.first_name, "day": date_format(day, "l j F Y")}
        )
    try:
        with transaction.atomic():
            request = PlanningRequest.objects.create(
                child=child,
                placement=placement,
                group=placement.group,
                kind=PlanningRequest.Kind.EXTRA_DAY,
                date=day,
                day_parts=sorted(day_parts, reverse=True),
                pay_with_credit=pay_with_credit,
                requested_by=user,
            )
    except IntegrityError:  # the same request, sent at the same moment from another tab
        return PlanningRequest.objects.get(child=child, date=day, state__in=OPEN_STATES), False
    if pay_with_credit:
        credit = selectors.available_credits(child, placement.group.kind, clock.today()).select_for_update().first()
        if credit is None:
            raise ValidationError(_("There is no credit left to pay this day with."))
        credit.state = Credit.State.RESERVED
        credit.request = request
        credit.save(update_fields=["state", "request"])
        _event(
            credit, CreditEvent.Kind.RESERVED, _("Extra day on %(day)s requested") % {"day": date_format(day, "j F Y")}
        )
    log_action(
        "planning.extra_day.requested",
        actor=user,
        organisation=child.organisation_id,
        target=request,
        changes={
            "date": [None, day],
            "day_parts": [None, request.day_parts],
            "pay_with_credit": [None, pay_with_credit],
        },
        summary=_("Extra day asked for %(child)s on %(day)s") % {"child": child.first_name, "day": _day(day)},
    )
    return request, True


def _return_credits(request: PlanningRequest, why: str) -> None:
    today = clock.today()
    for credit in Credit.objects.select_for_update().filter(request=request, state=Credit.State.RESERVED):
        credit.request = None
        credit.state = Credit.State.AVAILABLE if credit.expires_on >= today else Credit.State.EXPIRED
        credit.save(update_fields=["request", "state"])
        _event(credit, CreditEvent.Kind.RETURNED, why)
        if credit.state == Credit.State.EXPIRED:
            _event(credit, CreditEvent.Kind.EXPIRED, _("Expired while the request was open"))


def _close_swap(request: PlanningRequest) -> None:
    """A swap that does not happen leaves the absence standing; in time, it earns a credit."""
    if request.kind == PlanningRequest.Kind.SWAP and request.absence is not None:
        _earn_credit(request.absence)


@transaction.atomic
def request_withdraw(*, user, request: PlanningRequest) -> PlanningRequest:
    request = PlanningRequest.objects.select_for_update().get(pk=request.pk)
    if not planning_access.may_withdraw(user, request):
        raise ValidationError(_("Only the child's guardians can withdraw a request."))
    if request.state != PlanningRequest.State.PENDING:
        raise ValidationError(_("Only a request that waits for the planner can be withdrawn."))
    request.state = PlanningRequest.State.WITHDRAWN
    request.decided_at = clock.now()
    request.save(update_fields=["state", "decided_at"])
    _return_credits(request, _("Request withdrawn"))
    _close_swap(request)
    _log_request(
        "planning.request.withdrawn",
        request,
        actor=user,
        old_state=PlanningRequest.State.PENDING,
        summary=_("%(kind)s for %(child)s on %(day)s withdrawn")
        % {"kind": _kind_label(request), "child": request.child.first_name, "day": _day(request.date)},
    )
    return request


# ---------------------------------------------------------------- planners


class DecisionError(Exception):
    pass


@transaction.atomic
def request_decide(*, planner, request: PlanningRequest, approve: bool, note: str = "") -> PlanningRequest:
    """Approve (only when the group still fits) or reject a request. The location's row is
    locked, so two planners deciding on the last free place at once are served one after the other."""
    # The location's row is the lock: decisions on one location (BSO counts per location) are
    # taken one after the other, each re-reading what the previous one approved.
    Location.objects.select_for_update().filter(groups__planning_requests=request.pk).first()
    request = (
        PlanningRequest.objects.select_for_update(of=("self",))
        .select_related("child", "group__location")
        .get(pk=request.pk)
    )
    if not planning_access.may_decide_on(planner, request):
        raise DecisionError(_("Only a planner of this location decides on this request."))
    if request.state != PlanningRequest.State.PENDING:
        raise DecisionError(_("This request was already decided: %(state)s.") % {"state": request.get_state_display()})
    if approve:
        verdict = selectors.verdict_for(request.group, request.date, request.day_parts, request.child)
        if not verdict.fits:
            raise DecisionError(_("Does not fit any more: %(reason)s") % {"reason": verdict.reason})
    request.state = PlanningRequest.State.APPROVED if approve else PlanningRequest.State.REJECTED
    request.decided_at = clock.now()
    request.decided_by = planner
    request.decision_note = note[:300]
    request.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    if approve:
        for credit in Credit.objects.select_for_update().filter(request=request, state=Credit.State.RESERVED):
            credit.state = Credit.State.SPENT
            credit.save(update_fields=["state"])
            _event(
                credit,
                CreditEvent.Kind.SPENT,
                _("Extra day on %(day)s approved") % {"day": date_format(request.date, "j F Y")},
            )
    else:
        _return_credits(request, _("Request rejected"))
        _close_swap(request)
    words = {"kind": _kind_label(request), "child": request.child.first_name, "day": _day(request.date)}
    _log_request(
        "planning.request.approved" if approve else "planning.request.rejected",
        request,
        actor=planner,
        old_state=PlanningRequest.State.PENDING,
        summary=(
            _("%(kind)s for %(child)s on %(day)s approved")
            if approve
            else _("%(kind)s for %(child)s on %(day)s rejected")
        )
        % words,
    )
    from portal.planning.tasks import notify_decision

    enqueue_after_commit(notify_decision, request.pk)
    return request


def requests_approve_all_that_fit(*, planner, requests) -> tuple[int, int]:
    """Approve, oldest first, every request that fits once the earlier ones are approved."""
    approved = skipped = 0
    for request in requests:
        try:
            request_decide(planner=planner, request=request, approve=True)
            approved += 1
        except DecisionError:
            skipped += 1
    return approved, skipped


# ---------------------------------------------------------------- daily jobs


@transaction.atomic
def credits_expire(day: dt.date) -> str:
    """Credits whose last valid day was before `day` expire."""
    count = 0
    for credit in (
        Credit.objects.select_for_update(of=("self",))
        .select_related("child")
        .filter(state=Credit.State.AVAILABLE, expires_on__lt=day)
    ):
        credit.state = Credit.State.EXPIRED
        credit.save(update_fields=["state"])
        _event(
            credit,
            CreditEvent.Kind.EXPIRED,
            _("Valid until %(day)s") % {"day": date_format(credit.expires_on, "j F Y")},
        )
        _log_credit(
            "planning.credit.expired",
            credit,
            actor=None,
            old_state=Credit.State.AVAILABLE,
            summary=_("A credit of %(child)s expired (valid until %(day)s)")
            % {"child": credit.child.first_name, "day": _day(credit.expires_on)},
        )
        count += 1
    return f"{count} credits expired"


@transaction.atomic
def credits_void_after_placement(day: dt.date) -> str:
    """Credits are void when their placement has ended (its last day was before `day`)."""
    count = 0
    for credit in (
        Credit.objects.select_for_update(of=("self",))
        .select_related("child")
        .filter(
            state__in=[Credit.State.AVAILABLE, Credit.State.RESERVED],
            placement__in=Placement.objects.ended_before(day),
        )
    ):
        old_state = credit.state
        if credit.request_id is not None:
            _withdraw_after_placement(
                PlanningRequest.objects.select_for_update(of=("self",))
                .select_related("child")
                .filter(pk=credit.request_id, state=PlanningRequest.State.PENDING),
                actor=None,
            )
        credit.state = Credit.State.VOID
        credit.request = None
        credit.save(update_fields=["state", "request"])
        _event(credit, CreditEvent.Kind.VOIDED, _("The placement ended"))
        _log_credit(
            "planning.credit.voided",
            credit,
            actor=None,
            old_state=old_state,
            summary=_("A credit of %(child)s is void: the placement ended") % {"child": credit.child.first_name},
        )
        count += 1
    _withdraw_after_placement(
        PlanningRequest.objects.select_for_update(of=("self",))
        .select_related("child")
        .filter(state=PlanningRequest.State.PENDING, placement__in=Placement.objects.ended_before(day)),
        actor=None,
    )
    return f"{count} credits voided"


def _withdraw_after_placement(requests, *, actor) -> int:
    """Withdraw these requests because their placement ended; returns how many."""
    count = 0
    for request in requests:
        old_state = request.state
        request.state = PlanningRequest.State.WITHDRAWN
        request.decision_note = _("The placement ended")
        request.decided_at = clock.now()
        request.save(update_fields=["state", "decision_note", "decided_at"])
        _log_request(
            "planning.request.withdrawn",
            request,
            actor=actor,
            old_state=old_state,
            summary=_("%(kind)s for %(child)s on %(day)s withdrawn: the placement ended")
            % {"kind": _kind_label(request), "child": request.child.first_name, "day": _day(request.date)},
        )
        count += 1
    return count


def placement_moved(*, old: Placement, new: Placement) -> None:
    """A child moved to another group: absences, open requests and (same kind of care) credits
    from the move on belong to the new placement, so a move neither voids credits nor leaves
    requests on the old group."""
    Absence.objects.filter(placement=old, date__gte=new.start_date).update(placement=new)
    PlanningRequest.objects.filter(placement=old, date__gte=new.start_date, state__in=OPEN_STATES).update(
        placement=new, group=new.group
    )
    if old.group.kind == new.group.kind:
        Credit.objects.filter(placement=old, state__in=[Credit.State.AVAILABLE, Credit.State.RESERVED]).update(
            placement=new
        )


def placement_ended(*, placement: Placement, actor) -> int:
    """Requests for days after the last day of care are withdrawn (their credits given back)."""
    count = 0
    for request in (
        PlanningRequest.objects.select_for_update(of=("self",))
        .select_related("child")
        .filter(placement=placement, date__gt=placement.end_date, state__in=OPEN_STATES)
    ):
        _withdraw_after_placement([request], actor=actor)
        _return_credits(request, _("The placement ended"))
        count += 1
    return count


# ---------------------------------------------------------------- a guardian's private calendar link


@transaction.atomic
def calendar_feed_renew(*, user, child: Child) -> CalendarFeed:
    """A new private calendar link for the guardian and child; an earlier one stops working."""
    CalendarFeed.objects.filter(user=user, child=child).delete()
    return CalendarFeed.objects.create(user=user, child=child)


def calendar_feed_revoke(*, user, child: Child) -> None:
    """The guardian's calendar link for the child stops working."""
    CalendarFeed.objects.filter(user=user, child=child).delete()
