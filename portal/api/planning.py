"""Planning for the app: calendar, absences, swaps, extra days, credits, the planner's queue
and decisions. The same services as the pages; the same access policy."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from portal.access import planning as planning_access
from portal.api.auth import TokenAuth
from portal.api.schemas import Error, InputSchema, PageSize, page_of
from portal.core import clock
from portal.core.bounds import Date, Id, PageNumber, PlanningDate
from portal.planning import selectors, services
from portal.planning.models import Credit, CreditEvent, PlanningRequest

router = Router(tags=["planning"], auth=TokenAuth())


class DayOut(Schema):
    date: dt.date
    planned: list[str]
    closed: str
    absent: bool
    credit: bool
    requests: list[int]


class RequestOut(Schema):
    id: int
    kind: str
    state: str
    date: dt.date
    day_parts: list[str]
    absence_date: dt.date | None
    pay_with_credit: bool
    decision_note: str


class AbsenceIn(InputSchema):
    date: PlanningDate
    reason: Literal["sick", "holiday", "other"]
    note: str = Field(default="", max_length=300)
    swap_date: PlanningDate | None = Field(default=None, description="Give a replacement day to ask for a swap")


class AbsenceOut(Schema):
    id: int
    date: dt.date
    earns_credit: bool
    credit_id: int | None
    swap: RequestOut | None
    created: bool


class ExtraDayIn(InputSchema):
    date: PlanningDate
    day_parts: list[Literal["morning", "afternoon"]] = Field(min_length=1)
    pay_with_credit: bool = False


class CreditOut(Schema):
    id: int
    kind_of_care: str
    state: str
    absence_date: dt.date
    expires_on: dt.date


class CreditEventOut(Schema):
    credit_id: int
    at: dt.datetime
    kind: str
    reason: str


class CreditsOut(Schema):
    balance: dict[str, int]
    credits: list[CreditOut]
    history: list[CreditEventOut]


class PartOut(Schema):
    day_part: str
    children: int
    counts: list[int]
    required: int | None
    scheduled: int
    fits: bool
    reason: str


class QueueItemOut(Schema):
    request: RequestOut
    child_name: str
    group: str
    location: str
    fits: bool
    reason: str
    parts: list[PartOut]


class RequestPage(Schema):
    count: int
    page: int
    pages: int
    items: list[RequestOut]


class QueuePage(Schema):
    count: int
    page: int
    pages: int
    items: list[QueueItemOut]


class DecisionIn(InputSchema):
    approve: bool
    note: str = Field(default="", max_length=300)


def _request_out(r: PlanningRequest) -> RequestOut:
    return RequestOut(
        id=r.pk,
        kind=r.kind,
        state=r.state,
        date=r.date,
        day_parts=r.day_parts,
        absence_date=r.absence.date if r.absence is not None else None,
        pay_with_credit=r.pay_with_credit,
        decision_note=r.decision_note,
    )


def _guardian_child(request, child_id: Id):
    return planning_access.planning_child(request.user, child_id)


@router.get("/children/{child_id}/calendar", response=list[DayOut])
def calendar(request, child_id: Id, start: Date | None = None, end: Date | None = None):
    """The child's days: planned day parts, closing days, absences and requests (at most 92 days)."""
    child = _guardian_child(request, child_id)
    start = start or clock.today()
    end = min(end or start + dt.timedelta(days=30), start + dt.timedelta(days=92))
    if end < start:
        raise HttpError(422, _("The end lies before the start."))
    return [
        DayOut(
            date=d.date,
            planned=d.planned,
            closed=d.closed,
            absent=d.absence is not None,
            credit=bool(d.absence is not None and hasattr(d.absence, "credit")),
            requests=[r.pk for r in d.requests],
        )
        for d in selectors.child_calendar(child, start, end)
    ]


@router.get("/children/{child_id}/requests", response=RequestPage)
def requests(request, child_id: Id, page: PageNumber = 1, size: PageSize = 50):
    """The child's requests, latest date first."""
    child = _guardian_child(request, child_id)
    rows = PlanningRequest.objects.filter(child=child).select_related("absence").order_by("-date", "-id")
    found = page_of(rows, page, size)
    return RequestPage(**{**found, "items": [_request_out(r) for r in found["items"]]})


@router.post("/children/{child_id}/absences", response={200: AbsenceOut, 201: AbsenceOut})
def absence_report(request, child_id: Id, payload: AbsenceIn):
    """Report an absence; with `swap_date` it is a swap. Sent twice, it is one absence (200)."""
    child = _guardian_child(request, child_id)
    result = services.absence_report(
        user=request.user,
        child=child,
        day=payload.date,
        reason=payload.reason,
        note=payload.note,
        swap_day=payload.swap_date,
    )
    body = AbsenceOut(
        id=result.absence.pk,
        date=result.absence.date,
        earns_credit=result.absence.in_time,
        credit_id=result.credit.pk if result.credit else None,
        swap=_request_out(result.swap) if result.swap else None,
        created=result.created,
    )
    return Status(201 if result.created else 200, body)


@router.post("/children/{child_id}/extra-days", response={200: RequestOut, 201: RequestOut})
def extra_day(request, child_id: Id, payload: ExtraDayIn):
    child = _guardian_child(request, child_id)
    planning_request, created = services.extra_day_request(
        user=request.user,
        child=child,
        day=payload.date,
        day_parts=list(payload.day_parts),
        pay_with_credit=payload.pay_with_credit,
    )
    return Status(201 if created else 200, _request_out(planning_request))


@router.post("/requests/{request_id}/withdraw", response=RequestOut)
def withdraw(request, request_id: Id):
    planning_request = planning_access.planning_request_for_guardian(request.user, request_id)
    planning_request = services.request_withdraw(user=request.user, request=planning_request)
    return Status(200, _request_out(planning_request))


@router.get("/children/{child_id}/credits", response=CreditsOut)
def credits(request, child_id: Id):
    child = _guardian_child(request, child_id)
    today = clock.today()
    rows = Credit.objects.filter(child=child).select_related("absence").order_by("expires_on")
    events = CreditEvent.objects.filter(credit__child=child).order_by("-at", "-id")[:200]
    return CreditsOut(
        balance=selectors.credit_balance(child, today),
        credits=[
            CreditOut(
                id=c.pk,
                kind_of_care=c.kind_of_care,
                state=c.state,
                absence_date=c.absence.date,
                expires_on=c.expires_on,
            )
            for c in rows
        ],
        history=[CreditEventOut(credit_id=e.credit_id, at=e.at, kind=e.kind, reason=e.reason) for e in events],
    )


@router.get("/planning/queue", response=QueuePage)
def queue(request, page: PageNumber = 1, size: PageSize = 50):
    """Open requests of the planner's locations, oldest first, each with the ratio verdict."""
    found = page_of(
        planning_access.pending_for_planner(request.user)
        .select_related("child", "group__location", "absence")
        .order_by("requested_at", "id"),
        page,
        size,
    )
    pending = found["items"]
    verdicts = selectors.verdicts_for(pending)
    items = []
    for r in pending:
        verdict = verdicts[r.pk]
        items.append(
            QueueItemOut(
                request=_request_out(r),
                child_name=r.child.full_name,
                group=r.group.name,
                location=r.group.location.name,
                fits=verdict.fits,
                reason=str(verdict.reason),
                parts=[
                    PartOut(
                        day_part=p.day_part,
                        children=p.children,
                        counts=list(p.counts),
                        required=p.required,
                        scheduled=p.scheduled,
                        fits=p.fits,
                        reason=str(p.reason),
                    )
                    for p in verdict.parts
                ],
            )
        )
    return QueuePage(**{**found, "items": items})


@router.post("/planning/requests/{request_id}/decision", response={200: RequestOut, 409: Error})
def decide(request, request_id: Id, payload: DecisionIn):
    """Approve (only when it fits) or reject. 409 when it no longer fits or was decided already."""
    planning_request = planning_access.planning_request_for_planner(request.user, request_id)
    try:
        planning_request = services.request_decide(
            planner=request.user, request=planning_request, approve=payload.approve, note=payload.note
        )
    except services.DecisionError as error:
        raise HttpError(409, str(error)) from error
    return Status(200, _request_out(planning_request))
