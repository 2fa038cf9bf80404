"""Pages of the planning: the guardian's calendar, absences, swaps, extra days and credits;
the planner's queue and decisions; the day view of a location. Each view asks
`portal.access.planning` first and then calls a service."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import planning as planning_access
from portal.access import tenancy as tenancy_access
from portal.children.models import Child
from portal.core import bounds, clock
from portal.notifications.services import mark_read_for_url
from portal.planning import forms, selectors, services
from portal.planning.ical import calendar_feed
from portal.planning.models import CalendarFeed, CreditEvent, PlanningRequest


def _guardian_child(request, child_id: int) -> Child:
    return planning_access.planning_child(request.user, child_id)  # the guardians' own pages


def _month(request) -> dt.date:
    return bounds.parse_month(request.GET.get("month")) or clock.today().replace(day=1)


def _calendar(child, month: dt.date, with_upcoming: bool) -> tuple[list[list], list[tuple[dt.date, list[str]]]]:
    """The calendar of `month` in whole weeks from Monday to Sunday, and (`with_upcoming`) the
    planned days of the coming weeks for the absence form."""
    first = month - dt.timedelta(days=month.weekday())
    last_of_month = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    last = last_of_month + dt.timedelta(days=6 - last_of_month.weekday())
    if with_upcoming:
        days, upcoming = selectors.calendar_with_upcoming(child, first, last, clock.today())
    else:
        days, upcoming = selectors.child_calendar(child, first, last), []
    for day in days:
        day.in_month = day.date.month == month.month
    return [days[i : i + 7] for i in range(0, len(days), 7)], upcoming


def _absence_form(child, upcoming, data=None) -> forms.AbsenceForm:
    """The absence form, with each upcoming planned day saying whether it still earns a credit."""
    previews = {day: services.credit_preview(child.organisation, day) for day, _parts in upcoming}
    return forms.AbsenceForm(upcoming, previews, data=data, prefix="absence")


@login_required
def child_calendar(request, child_id: int):
    child = _guardian_child(request, child_id)
    mark_read_for_url(request.user, request.path)
    month = _month(request)
    decision = planning_access.planning_request_decision(request.user, child)
    weeks, upcoming = _calendar(child, month, decision.allowed)
    return _calendar_page(
        request,
        child,
        month,
        weeks,
        decision,
        _absence_form(child, upcoming),
        forms.ExtraDayForm(prefix="extra"),
        chosen=_chosen_day(request, child, weeks, decision),
    )


def _chosen_day(request, child, weeks, decision) -> dict | None:
    """The day tapped in the calendar (`?day=`), with what can be done on it: report it absent
    (kept as a credit or swapped) when the child comes, ask for it as an extra day when not."""
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return None
    found = [d for week in weeks for d in week if d.date == day]
    if not found:
        return None
    [entry] = found
    today = clock.today()
    can_ask = decision.allowed and day >= today and not entry.closed
    chosen: dict = {"entry": entry, "past": day < today}
    if can_ask and entry.planned and entry.absence is None:
        chosen["absence_form"] = forms.AbsenceForm(
            [(day, entry.planned)],
            {day: services.credit_preview(child.organisation, day)},
            prefix="absence",
            initial={"day": day.isoformat()},
            auto_id="day_%s",  # the page also has the general form, with the same names
        )
    elif can_ask and not entry.planned and not entry.requests:
        chosen["extra_form"] = forms.ExtraDayForm(prefix="extra", initial={"day": day}, auto_id="day_%s")
    return chosen


def _calendar_page(request, child, month, weeks, decision, absence_form, extra_form, status=200, chosen=None):
    today = clock.today()
    previous_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    open_requests = PlanningRequest.objects.filter(child=child, date__gte=today).order_by("date")
    feed = CalendarFeed.objects.filter(user=request.user, child=child).first()
    return render(
        request,
        "planning/calendar.html",
        {
            "child": child,
            "month": month,
            "weeks": weeks,
            "previous_month": previous_month,
            "next_month": next_month,
            "decision": decision,
            "absence_form": absence_form,
            "extra_form": extra_form,
            "requests": open_requests,
            "balance": selectors.credit_balance(child, today),
            "feed_url": request.build_absolute_uri(reverse("planning:feed", args=[feed.token])) if feed else "",
            "today": today,
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            "chosen": chosen,
        },
        status=status,
    )


@login_required
def absence_range(request, child_id: int):
    """An absence over several days (a holiday) in one step: first a summary per day of what
    earns a credit, then one confirmation."""
    child = _guardian_child(request, child_id)
    decision = planning_access.planning_request_decision(request.user, child)
    form = forms.AbsenceRangeForm(data=request.POST or None, prefix="range")
    preview = None
    status = 200
    if request.method == "POST" and decision and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("confirm") == "yes":
                results = services.absence_report_range(
                    user=request.user,
                    child=child,
                    first=data["first"],
                    last=data["last"],
                    reason=data["reason"],
                    note=data["note"],
                )
                earned = sum(1 for r in results if r.credit)
                messages.success(
                    request,
                    _("%(child)s is reported absent on %(days)d days; %(credits)d of them earn a credit.")
                    % {"child": child.first_name, "days": len(results), "credits": earned},
                )
                return redirect(reverse("planning:calendar", args=[child.pk]) + f"?month={data['first']:%Y-%m}")
            preview = services.absence_range_preview(child=child, first=data["first"], last=data["last"])
        except ValidationError as error:
            form.add_error(None, error)
    if request.method == "POST" and (form.errors or not decision):
        status = 400
    return render(
        request,
        "planning/absence_range.html",
        {
            "child": child,
            "form": form,
            "decision": decision,
            "preview": preview,
            "reportable": [d for d in preview or [] if d.reportable],
        },
        status=status,
    )


@login_required
@require_POST
def absence_report(request, child_id: int):
    child = _guardian_child(request, child_id)
    form = _absence_form(child, selectors.upcoming_planned_days(child, clock.today()), data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.absence_report(
                user=request.user,
                child=child,
                day=data["day"],
                reason=data["reason"],
                note=data["note"],
                swap_day=data["swap_day"] if data["what"] == form.SWAP else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.swap:
                messages.success(request, _("The absence is registered; the swap waits for the planner."))
            elif result.credit:
                messages.success(request, _("The absence is registered and earns a credit."))
            else:
                messages.success(request, _("The absence is registered. It was reported too late for a credit."))
            return redirect("planning:calendar", child_id=child.pk)
    return _form_error_page(request, child, absence_form=form)


@login_required
@require_POST
def extra_day_request(request, child_id: int):
    child = _guardian_child(request, child_id)
    form = forms.ExtraDayForm(data=request.POST, prefix="extra")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.extra_day_request(
                user=request.user,
                child=child,
                day=data["day"],
                day_parts=data["day_parts"],
                pay_with_credit=data["pay_with_credit"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your request waits for the planner."))
            return redirect("planning:calendar", child_id=child.pk)
    return _form_error_page(request, child, extra_form=form)


def _form_error_page(request, child, absence_form=None, extra_form=None):
    month = clock.today().replace(day=1)
    decision = planning_access.planning_request_decision(request.user, child)
    weeks, upcoming = _calendar(child, month, decision.allowed and absence_form is None)
    return _calendar_page(
        request,
        child,
        month,
        weeks,
        decision,
        absence_form or _absence_form(child, upcoming),
        extra_form or forms.ExtraDayForm(prefix="extra"),
        status=400,
    )


@login_required
@require_POST
def request_withdraw(request, request_id: int):
    planning_request = planning_access.planning_request_for_guardian(request.user, request_id)
    try:
        services.request_withdraw(user=request.user, request=planning_request)
        messages.success(request, _("The request is withdrawn."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("planning:calendar", child_id=planning_request.child_id)


@login_required
def credits(request, child_id: int):
    child = _guardian_child(request, child_id)
    today = clock.today()
    events = CreditEvent.objects.filter(credit__child=child).select_related("credit__absence").order_by("-at", "-id")
    return render(
        request,
        "planning/credits.html",
        {
            "child": child,
            "balance": selectors.credit_balance(child, today),
            "usable": list(selectors.usable_credits(child, today).select_related("absence")),
            "page": Paginator(events, 50).get_page(request.GET.get("page")),
            "today": today,
        },
    )


@login_required
@require_POST
def feed_create(request, child_id: int):
    child = _guardian_child(request, child_id)
    services.calendar_feed_renew(user=request.user, child=child)
    messages.success(request, _("A new private calendar link is made; an earlier link stops working."))
    return redirect("planning:calendar", child_id=child.pk)


@login_required
@require_POST
def feed_revoke(request, child_id: int):
    child = _guardian_child(request, child_id)
    services.calendar_feed_revoke(user=request.user, child=child)
    messages.success(request, _("The calendar link no longer works."))
    return redirect("planning:calendar", child_id=child.pk)


def feed(request, token: str):
    """The iCalendar feed: the token in the link is the only key, so it can be revoked."""
    row = planning_access.feed_for_token(token)
    with tenancy_access.scope_of_organisation(row.child.organisation_id):
        body = calendar_feed(row.child, clock.today())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


# ---------------------------------------------------------------- planners


def _queue(user):
    return (
        planning_access.pending_for_planner(user)
        .select_related("child", "group__location", "absence")
        .order_by("requested_at", "id")
    )


@login_required
def queue(request):
    planning_access.require_planner(request.user)
    page = Paginator(_queue(request.user), 25).get_page(request.GET.get("page"))
    verdicts = selectors.verdicts_for(list(page))
    items = [{"request": r, "verdict": verdicts[r.pk]} for r in page]
    return render(request, "planning/queue.html", {"page": page, "items": items, "form": forms.DecisionForm()})


@login_required
@require_POST
def decide(request, request_id: int):
    planning_request = planning_access.planning_request_for_planner(request.user, request_id)
    form = forms.DecisionForm(data=request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    try:
        services.request_decide(planner=request.user, request=planning_request, approve=approve, note=note)
    except services.DecisionError as error:
        problem, outcome = str(error), ""
    else:
        problem, outcome = "", _("Approved.") if approve else _("Rejected.")
    if request.htmx:
        return _decided_card(request, planning_request.pk, outcome=outcome, error=problem)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, outcome)
    return redirect("planning:queue")


def _decided_card(request, request_id: int, *, outcome: str, error: str) -> HttpResponse:
    """The answer to htmx: only this request's card. Still open (it no longer fits), it comes
    back with a fresh verdict and the reason; decided, with what happened. When the queue is
    now empty, the page says so and loses its "approve all" form, as after a reload."""
    row = _queue(request.user).filter(pk=request_id).first()
    if row is not None:
        verdict = selectors.verdicts_for([row])[row.pk]
        response = render(request, "planning/_request.html", {"r": row, "v": verdict, "error": error})
    else:
        row = PlanningRequest.objects.select_related("child").get(pk=request_id)
        context = {"r": row, "outcome": outcome, "error": error, "queue_empty": not _queue(request.user).exists()}
        response = render(request, "planning/_request_decided.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def approve_all(request):
    planning_access.require_planner(request.user)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm approving all requests that fit."))
        return redirect("planning:queue")
    approved, skipped = services.requests_approve_all_that_fit(
        planner=request.user, requests=list(_queue(request.user))
    )
    messages.success(
        request, _("%(approved)d approved; %(skipped)d do not fit.") % {"approved": approved, "skipped": skipped}
    )
    return redirect("planning:queue")


@login_required
def day_view(request, location_id: int):
    """Per group and day part: the children expected, required and scheduled professionals,
    free places. Group staff of the location's groups see it as their attendance list."""
    location = planning_access.location_for_day_view(request.user, location_id)
    raw = request.GET.get("date", "")
    day = bounds.parse_date(raw) if raw else clock.today()
    if day is None:
        day = clock.today()
        messages.error(request, _("%(value)s is not a date; showing today.") % {"value": bounds.clean_search(raw)[:20]})
    groups = list(planning_access.day_view_groups(request.user, location).select_related("location").order_by("name"))
    summary = selectors.day_summary(groups, day)
    closed = selectors.closed_locations_on([location.pk], day).get(location.pk, "")
    rows = [
        {"group": g, "part": part, "summary": summary[(g.pk, part)]}
        for g in groups
        for part in selectors.DAY_PARTS
        if summary[(g.pk, part)].children or summary[(g.pk, part)].scheduled  # no care planned: no row
    ]
    return render(
        request,
        "planning/day.html",
        {
            "location": location,
            "day": day,
            "rows": rows,
            "closed": closed,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
        },
    )
