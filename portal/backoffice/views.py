"""The back office: organisation admins keep their organisation's data; planners keep the
staff roster of their locations. Every view asks `portal.access` (tenancy, planning) first, then
calls a service in `portal.children.services` or `portal.organisations.services`."""

from __future__ import annotations

import copy
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.access import planning as planning_access
from portal.access import tenancy as tenancy_access
from portal.accounts import identity
from portal.backoffice import forms
from portal.children import services as children_services
from portal.children.models import Child, Guardian, Placement, ScheduledDayPart
from portal.core import bounds, clock
from portal.core.models import AuditEntry
from portal.core.paging import CappedPaginator, read_page, up_to
from portal.organisations import services as organisation_services
from portal.organisations.models import (
    ClosingDay,
    Group,
    GroupStaff,
    Location,
    LocationPlanner,
    OrganisationAdmin,
    RosterException,
    RosterPattern,
)
from portal.privacy import selectors as privacy_selectors
from portal.privacy import services as privacy_services
from portal.privacy.models import AccessLogEntry, ChildRemoval, ErasureRequest

PAGE_SIZE = 25
ACCESS_LOG_ROWS = 20


SECTIONS = {
    "children": "children",
    "child_create": "children",
    "child_detail": "children",
    "locations": "locations",
    "location_edit": "locations",
    "group_edit": "locations",
    "staff": "staff",
    "settings_page": "settings",
    "history": "history",
    "import_upload": "import",
    "import_preview": "import",
    "erasure_requests": "privacy",
    "erasure_request": "privacy",
}


def admin_view(view):
    """Login required, and the user must be an admin of the organisation in the URL."""

    @login_required
    @wraps(view)
    def wrapper(request, organisation_id: int, *args, **kwargs):
        organisation = tenancy_access.organisation_for_admin(request.user, organisation_id)
        request.backoffice_section = SECTIONS.get(view.__name__, "children")
        return view(request, organisation, *args, **kwargs)

    return wrapper


def _errors_to_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---------------------------------------------------------------- children


@admin_view
def children(request, organisation):
    today = clock.today()
    query = bounds.clean_search(request.GET.get("q"))
    location_id = bounds.parse_id(request.GET.get("location"))
    group_id = bounds.parse_id(request.GET.get("group"))
    status = request.GET.get("status", "current")
    rows = Child.objects.filter(organisation=organisation)
    if query:
        for word in bounds.search_words(query):
            # Each alternative is one the database answers from an index (trigram indexes on
            # PostgreSQL, see the migration): no join that multiplies rows, so no DISTINCT.
            rows = rows.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(external_id__iexact=word)
                | Q(pk__in=Guardian.objects.filter(user__email__icontains=word).values("child_id"))
            )
    # The placements that decide the filters, correlated with each child (EXISTS): a child is
    # counted and listed once, and only this organisation's children are looked at.
    placements = Placement.objects.filter(child=OuterRef("pk"))
    if location_id:
        placements = placements.filter(group__location_id=location_id)
    if group_id:
        placements = placements.filter(group_id=group_id)
    if status == "current":
        placements = placements.active_on(today)
    elif status == "upcoming":
        placements = placements.filter(start_date__gt=today)
    elif status == "ended":
        rows = rows.exclude(Exists(Placement.objects.current_or_upcoming(today).filter(child=OuterRef("pk"))))
    if status != "all" or location_id or group_id:
        rows = rows.filter(Exists(placements))
    rows = rows.order_by("last_name", "first_name", "pk").prefetch_related(
        Prefetch("placements", queryset=Placement.objects.select_related("group__location").order_by("-start_date")),
    )
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    group_options, location_first = forms.group_filter_options(organisation, location_id, group_id)
    return render(
        request,
        "backoffice/children.html",
        {
            "organisation": organisation,
            "page": page,
            "query": query,
            "status": status,
            "location_id": location_id,
            "group_id": group_id,
            "location_options": forms.location_options(organisation, location_id),
            "group_options": group_options,
            "choose_location_first": location_first,
            "filter_query": filters.urlencode(),
            "today": today,
        },
    )


@admin_view
def child_create(request, organisation):
    form = forms.ChildCreateForm(organisation, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        guardians = [
            children_services.GuardianData(data["guardian1_email"], data["guardian1_name"], data["guardian1_relation"])
        ]
        if data.get("guardian2_email"):
            guardians.append(
                children_services.GuardianData(
                    data["guardian2_email"], data["guardian2_name"], data["guardian2_relation"] or "parent"
                )
            )
        try:
            child = children_services.child_create(
                organisation=organisation,
                actor=request.user,
                guardians=guardians,
                group=data["group"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                schedule=forms.parse_schedule(data["schedule"]),
                **{name: data[name] for name in forms.ChildFields.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(child)s is added.") % {"child": child.full_name})
            return redirect("backoffice:child", organisation_id=organisation.pk, child_id=child.pk)
    return render(request, "backoffice/child_create.html", {"organisation": organisation, "form": form})


def _child_page(request, organisation, child, **forms_in_use):
    placements = child.placements.select_related("group__location").prefetch_related("schedule").order_by("-start_date")
    context = {
        "organisation": organisation,
        "child": child,
        "placements": [
            {
                "placement": p,
                "end_form": forms_in_use.get(f"end_{p.pk}") or forms.PlacementEndForm(prefix=f"end{p.pk}"),
                "move_form": forms_in_use.get(f"move_{p.pk}")
                or forms.PlacementMoveForm(organisation, prefix=f"move{p.pk}"),
                "schedule_form": forms.PlacementScheduleForm(
                    prefix=f"schedule{p.pk}",
                    initial={"schedule": [f"{s.weekday}-{s.day_part}" for s in p.schedule.all()]},
                ),
            }
            for p in placements
        ],
        "guardians": identity.with_profile(child.guardians.select_related("user").order_by("pk"), organisation),
        "edit_form": forms_in_use.get("edit") or forms.ChildEditForm(instance=child),
        "guardian_form": forms_in_use.get("guardian") or forms.GuardianAddForm(),
        "history": AuditEntry.objects.filter(organisation=organisation, object_type="child", object_id=child.pk)
        .select_related("actor")
        .annotate(actor_name=identity.name_of("actor", organisation))[:20],
        "today": clock.today(),
        "access_log": privacy_selectors.access_log_rows(
            request.user, child, privacy_selectors.access_log(child)[:ACCESS_LOG_ROWS]
        ),
        "erasure_requests": privacy_selectors.erasure_requests_of_child(child),
        "removal": ChildRemoval.objects.filter(child=child).first(),
    }
    if not forms_in_use:  # opening the record (not re-showing a form) is in the child's access log
        privacy_services.access_record(
            actor=request.user, organisation_id=organisation.pk, child_ids=[child.pk], what=AccessLogEntry.What.RECORD
        )
    status = 400 if forms_in_use else 200
    return render(request, "backoffice/child.html", context, status=status)


@admin_view
def child_detail(request, organisation, child_id: int):
    child = tenancy_access.in_organisation(Child.objects.all(), organisation, child_id)
    return _child_page(request, organisation, child)


@admin_view
@require_POST
def child_edit(request, organisation, child_id: int):
    child = tenancy_access.in_organisation(Child.objects.all(), organisation, child_id)
    form = forms.ChildEditForm(data=request.POST, instance=copy.copy(child))
    if not form.is_valid():
        return _child_page(request, organisation, child, edit=form)
    fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
    consent = fields.pop("photo_consent")
    with transaction.atomic():
        children_services.child_update(child=child, actor=request.user, **fields)
        children_services.consent_change(child=child, actor=request.user, consent=consent, source="backoffice")
    messages.success(request, _("Saved."))
    return redirect("backoffice:child", organisation_id=organisation.pk, child_id=child.pk)


@admin_view
@require_POST
def guardian_add(request, organisation, child_id: int):
    child = tenancy_access.in_organisation(Child.objects.all(), organisation, child_id)
    form = forms.GuardianAddForm(data=request.POST)
    if form.is_valid():
        try:
            guardian = children_services.guardian_add(
                child=child, actor=request.user, data=children_services.GuardianData(**form.cleaned_data)
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request,
                _("%(email)s is now a guardian of %(child)s, with an own login.")
                % {"email": guardian.user.email, "child": child.first_name},
            )
            return redirect("backoffice:child", organisation_id=organisation.pk, child_id=child.pk)
    return _child_page(request, organisation, child, guardian=form)


@admin_view
@require_POST
def guardian_remove(request, organisation, child_id: int, guardian_id: int):
    child = tenancy_access.in_organisation(Child.objects.all(), organisation, child_id)
    guardian = tenancy_access.in_organisation(
        Guardian.objects.select_related("user"), organisation, guardian_id, "child__organisation"
    )
    if guardian.child_id != child.pk:
        return redirect("backoffice:child", organisation_id=organisation.pk, child_id=child.pk)
    try:
        children_services.guardian_remove(guardian=guardian, actor=request.user)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(
            request, _("%(email)s is no longer a guardian of this child.") % {"email": guardian.user.email}
        )
    return redirect("backoffice:child", organisation_id=organisation.pk, child_id=child.pk)


def _placement(organisation, placement_id):
    return tenancy_access.in_organisation(
        Placement.objects.select_related("child", "group"), organisation, placement_id, "child__organisation"
    )


@admin_view
@require_POST
def placement_end(request, organisation, placement_id: int):
    placement = _placement(organisation, placement_id)
    form = forms.PlacementEndForm(data=request.POST, prefix=f"end{placement.pk}")
    if form.is_valid():
        try:
            children_services.placement_end(
                placement=placement, actor=request.user, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as error:
            form.add_error("end_date", error)
        else:
            messages.success(request, _("The placement ends on %(day)s.") % {"day": form.cleaned_data["end_date"]})
            return redirect("backoffice:child", organisation_id=organisation.pk, child_id=placement.child_id)
    return _child_page(request, organisation, placement.child, **{f"end_{placement.pk}": form})


@admin_view
@require_POST
def placement_move(request, organisation, placement_id: int):
    placement = _placement(organisation, placement_id)
    form = forms.PlacementMoveForm(organisation, data=request.POST, prefix=f"move{placement.pk}")
    if form.is_valid():
        try:
            new = children_services.placement_move(
                placement=placement,
                actor=request.user,
                group=form.cleaned_data["group"],
                from_date=form.cleaned_data["from_date"],
            )
        except ValidationError as error:
            form.add_error("from_date", error)
        else:
            messages.success(
                request,
                _("%(child)s moves to %(group)s on %(day)s.")
                % {"child": placement.child.first_name, "group": new.group.name, "day": new.start_date},
            )
            return redirect("backoffice:child", organisation_id=organisation.pk, child_id=placement.child_id)
    return _child_page(request, organisation, placement.child, **{f"move_{placement.pk}": form})


@admin_view
@require_POST
def placement_schedule(request, organisation, placement_id: int):
    placement = _placement(organisation, placement_id)
    form = forms.PlacementScheduleForm(data=request.POST, prefix=f"schedule{placement.pk}")
    if form.is_valid():
        children_services.placement_set_schedule(
            placement=placement, actor=request.user, schedule=forms.parse_schedule(form.cleaned_data["schedule"])
        )
        messages.success(request, _("The schedule is saved."))
    else:
        messages.error(request, _("Choose at least one day part."))
    return redirect("backoffice:child", organisation_id=organisation.pk, child_id=placement.child_id)


# ---------------------------------------------------------------- locations and groups


@admin_view
def locations(request, organisation):
    rows = Location.objects.filter(organisation=organisation).prefetch_related(
        Prefetch("groups", queryset=Group.objects.annotate(children_count=Count("placements")).order_by("name"))
    )
    return render(request, "backoffice/locations.html", {"organisation": organisation, "locations": rows})


@admin_view
def location_edit(request, organisation, location_id: int | None = None):
    location = (
        tenancy_access.in_organisation(Location.objects.all(), organisation, location_id) if location_id else None
    )
    form = forms.LocationForm(data=request.POST or None, instance=copy.copy(location))
    if request.method == "POST" and form.is_valid():
        organisation_services.location_save(
            organisation=organisation, actor=request.user, location=location, **form.cleaned_data
        )
        messages.success(request, _("Saved."))
        return redirect("backoffice:locations", organisation_id=organisation.pk)
    return render(
        request,
        "backoffice/form_page.html",
        {
            "organisation": organisation,
            "form": form,
            "title": _("Edit location") if location else _("New location"),
        },
    )


@admin_view
def group_edit(request, organisation, group_id: int | None = None):
    group = (
        tenancy_access.in_organisation(Group.objects.all(), organisation, group_id, "location__organisation")
        if group_id
        else None
    )
    form = forms.GroupForm(organisation, data=request.POST or None, instance=copy.copy(group))
    if request.method == "POST" and form.is_valid():
        organisation_services.group_save(
            organisation=organisation, actor=request.user, group=group, **form.cleaned_data
        )
        messages.success(request, _("Saved."))
        return redirect("backoffice:locations", organisation_id=organisation.pk)
    return render(
        request,
        "backoffice/form_page.html",
        {
            "organisation": organisation,
            "form": form,
            "title": _("Edit group") if group else _("New group"),
        },
    )


# ---------------------------------------------------------------- staff


def _people_matching(organisation, words: list[str], user_ref: str = "user") -> Q:
    """Rows whose person (at `user_ref`) has every word in the name this organisation entered
    or in their e-mail address. On PostgreSQL trigram indexes answer both (migrations
    `children.0004` and `accounts.0007`)."""
    from portal.accounts.models import OrganisationProfile, User

    condition = Q()
    for word in words:
        # Neither condition joins the logins: a join with every login of the installation
        # (115,000 at ×100) costs more than the roles searched. The addresses come from their
        # trigram index; the name is checked per role on the person's profile.
        addressed = User.objects.filter(email__icontains=word).values("pk")
        named = OrganisationProfile.objects.filter(
            organisation=organisation, user_id=OuterRef(f"{user_ref}_id"), full_name__icontains=word
        )
        condition &= Q(**{f"{user_ref}_id__in": addressed}) | Q(Exists(named))
    return condition


@admin_view
def staff(request, organisation):
    """Everyone with a role in the organisation. The group staff (who grow with the groups) come
    a page at a time; a search on name or e-mail address and a location narrow every list."""
    location_id = bounds.parse_id(request.GET.get("location"))
    form = forms.StaffRoleForm(organisation, data=request.POST or None, location_id=location_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation_services.staff_role_add(
            organisation=organisation,
            actor=request.user,
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            group=data.get("group"),
            location=data.get("location"),
        )
        messages.success(
            request, _("%(email)s is invited: the role starts when they accept it.") % {"email": data["email"]}
        )
        return redirect("backoffice:staff", organisation_id=organisation.pk)
    query = bounds.clean_search(request.GET.get("q"))
    words = bounds.search_words(query)
    group_staff = GroupStaff.objects.filter(group__location__organisation=organisation)
    planners = LocationPlanner.objects.filter(location__organisation=organisation)
    admins = OrganisationAdmin.objects.filter(organisation=organisation)
    invitations = identity.open_role_invitations_of(organisation)
    if words:
        matching = _people_matching(organisation, words)
        group_staff, planners, admins = group_staff.filter(matching), planners.filter(matching), admins.filter(matching)
        invitations = invitations.filter(matching)
    if location_id:
        group_staff = group_staff.filter(group__location_id=location_id)
        planners = planners.filter(location_id=location_id)
        invitations = invitations.filter(Q(group__location_id=location_id) | Q(location_id=location_id))
    # By location and group, then in the order they were added: the page is chosen from the
    # roles alone (no join with every login), and only its 25 rows are read with name and address.
    ids = group_staff.order_by("group__location__name", "group__name", "pk").values_list("pk", flat=True)
    page = read_page(
        CappedPaginator(ids, PAGE_SIZE).get_page(request.GET.get("page")),
        identity.with_profile(GroupStaff.objects.select_related("user", "group__location"), organisation),
    )
    filters = {k: v for k, v in (("q", query), ("location", location_id)) if v}
    context = {
        "organisation": organisation,
        "form": form,
        "page": page,
        "query": query,
        "location_id": location_id,
        "filtered": bool(filters),
        "filter_query": urlencode(filters) + "&" if filters else "",
        "location_options": forms.location_options(organisation, location_id),
        "admins": identity.with_profile(admins.select_related("user"), organisation) if not location_id else None,
    }
    # Planners (one or more a location: 250 locations in a large organisation) and open
    # invitations are listed up to a limit; the search and the location find the others.
    context["planners"], context["more_planners"] = up_to(
        identity.with_profile(
            planners.select_related("user", "location").order_by("location__name", "user__email", "pk"), organisation
        ),
        STAFF_LIST_LIMIT,
    )
    context["invitations"], context["more_invitations"] = up_to(invitations, STAFF_LIST_LIMIT)
    return render(request, "backoffice/staff.html", context, status=400 if form.errors else 200)


STAFF_LIST_LIMIT = 50


@admin_view
@require_POST
def staff_remove(request, organisation, role: str, role_id: int):
    lookups = {
        "group_staff": "group__location__organisation",
        "planner": "location__organisation",
        "admin": "organisation",
    }
    if role not in lookups:
        return redirect("backoffice:staff", organisation_id=organisation.pk)
    row = tenancy_access.in_organisation(
        organisation_services.ROLE_MODELS[role].objects.select_related("user"), organisation, role_id, lookups[role]
    )
    try:
        organisation_services.staff_role_remove(organisation=organisation, actor=request.user, row=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role is removed."))
    return redirect("backoffice:staff", organisation_id=organisation.pk)


@admin_view
@require_POST
def staff_invitation_withdraw(request, organisation, invitation_id: int):
    from portal.accounts.models import RoleInvitation

    invitation = tenancy_access.in_organisation(
        RoleInvitation.objects.select_related("user"), organisation, invitation_id
    )
    identity.role_invitation_withdraw(organisation=organisation, actor=request.user, invitation=invitation)
    messages.success(request, _("The invitation is withdrawn."))
    return redirect("backoffice:staff", organisation_id=organisation.pk)


# ---------------------------------------------------------------- settings, closing days, history


@admin_view
def settings_page(request, organisation):
    # The forms get their own copy: the service compares it with the stored object.
    form = forms.OrganisationSettingsForm(
        data=request.POST if "save_settings" in request.POST else None, instance=copy.copy(organisation)
    )
    closing_form = forms.ClosingDayForm(organisation, data=request.POST if "add_closing_day" in request.POST else None)
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            organisation_services.organisation_settings_update(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("The settings are saved."))
            return redirect("backoffice:settings", organisation_id=organisation.pk)
        if closing_form.is_bound and closing_form.is_valid():
            data = closing_form.cleaned_data
            added = organisation_services.closing_day_add(
                organisation=organisation,
                actor=request.user,
                locations=list(data["locations"]),
                date=data["date"],
                name=data["name"],
            )
            messages.success(
                request,
                ngettext(
                    "Closing day added for %(count)d location.", "Closing day added for %(count)d locations.", added
                )
                % {"count": added},
            )
            return redirect("backoffice:settings", organisation_id=organisation.pk)
    closing_days = ClosingDay.objects.filter(
        location__organisation=organisation, date__gte=clock.today()
    ).select_related("location")
    return render(
        request,
        "backoffice/settings.html",
        {"organisation": organisation, "form": form, "closing_form": closing_form, "closing_days": closing_days},
        status=400 if (form.errors or closing_form.errors) else 200,
    )


@admin_view
@require_POST
def closing_day_remove(request, organisation, closing_day_id: int):
    closing_day = tenancy_access.in_organisation(
        ClosingDay.objects.select_related("location"), organisation, closing_day_id, "location__organisation"
    )
    organisation_services.closing_day_remove(organisation=organisation, actor=request.user, closing_day=closing_day)
    messages.success(request, _("The closing day is removed."))
    return redirect("backoffice:settings", organisation_id=organisation.pk)


@admin_view
def history(request, organisation):
    """The organisation's history, newest first, filtered by child, by who did it and by action
    (one, or all of a kind such as `planning.*`), a page at a time with links to newer and
    older lines (portal.core.audit.history_page: no page reads the lines before it)."""
    from portal.core.audit import HISTORY_COUNT_LIMIT, action_label, history_page

    form = forms.HistoryFilterForm(organisation, request.GET)
    entries = AuditEntry.objects.filter(organisation=organisation)
    # A filter that is not valid (a child or person not of this organisation) shows nothing.
    entries = form.filter(entries) if form.is_valid() else entries.none()
    page = history_page(
        entries,
        before=request.GET.get("before"),
        after=request.GET.get("after"),
        shown=lambda rows: rows.select_related("child").annotate(actor_name=identity.name_of("actor", organisation)),
    )
    for entry in page.entries:
        entry.label = action_label(entry.action)
    kept = {k: v for k, v in request.GET.items() if k in form.fields and v}
    chosen_child = form.cleaned_data.get("child") if form.is_valid() else None
    return render(
        request,
        "backoffice/history.html",
        {
            "organisation": organisation,
            "page": page,
            "form": form,
            "chosen_child": chosen_child,
            "count_limit": HISTORY_COUNT_LIMIT,
            "filtered": bool(kept),
            "query": urlencode(kept) + "&" if kept else "",
        },
        status=200 if form.is_valid() else 400,
    )


# ---------------------------------------------------------------- staff roster (planners and admins)


@login_required
def roster(request, location_id: int):
    location = planning_access.location_for_roster(request.user, location_id)
    groups = list(location.groups.order_by("name"))
    weekdays = ScheduledDayPart.Weekday.choices
    parts = ScheduledDayPart.DayPart.choices
    patterns = {
        (r.group_id, r.weekday, r.day_part): r.professionals for r in RosterPattern.objects.filter(group__in=groups)
    }
    exception_form = forms.RosterExceptionForm(location, data=request.POST if "add_exception" in request.POST else None)
    if request.method == "POST" and "save_pattern" in request.POST:
        errors = []
        for group in groups:
            counts = {}
            for weekday, _label in weekdays:
                for part, _plabel in parts:
                    raw = request.POST.get(f"p-{group.pk}-{weekday}-{part}", "").strip() or "0"
                    if not (raw.isascii() and raw.isdigit()) or int(raw) > 20:
                        errors.append(raw)
                        continue
                    counts[(weekday, part)] = int(raw)
            if not errors:
                organisation_services.roster_pattern_set(group=group, actor=request.user, counts=counts)
        if errors:
            messages.error(request, _("Use whole numbers from 0 to 20. Nothing was saved for groups with an error."))
        else:
            messages.success(request, _("The weekly roster is saved."))
        return redirect("backoffice:roster", location_id=location.pk)
    if exception_form.is_bound and exception_form.is_valid():
        data = exception_form.cleaned_data
        organisation_services.roster_exception_set(
            group=data["group"],
            actor=request.user,
            date=data["date"],
            day_part=data["day_part"],
            professionals=data["professionals"],
            note=data["note"],
        )
        messages.success(request, _("The exception is saved."))
        return redirect("backoffice:roster", location_id=location.pk)
    rows = [
        {
            "group": group,
            "cells": [
                [
                    {
                        "name": f"p-{group.pk}-{weekday}-{part}",
                        "value": patterns.get((group.pk, weekday, part), 0),
                        "label": f"{group.name} {wlabel} {plabel}",
                    }
                    for part, plabel in parts
                ]
                for weekday, wlabel in weekdays
            ],
        }
        for group in groups
    ]
    exceptions = RosterException.objects.filter(group__in=groups, date__gte=clock.today()).select_related("group")
    return render(
        request,
        "backoffice/roster.html",
        {
            "location": location,
            "rows": rows,
            "weekdays": weekdays,
            "parts": parts,
            "exceptions": exceptions,
            "exception_form": exception_form,
        },
        status=400 if exception_form.errors else 200,
    )


@login_required
@require_POST
def roster_exception_remove(request, location_id: int, exception_id: int):
    location = planning_access.location_for_roster(request.user, location_id)
    exception = tenancy_access.in_organisation(
        RosterException.objects.select_related("group"), location, exception_id, "group__location"
    )
    organisation_services.roster_exception_remove(exception=exception, actor=request.user)
    messages.success(request, _("The exception is removed."))
    return redirect("backoffice:roster", location_id=location.pk)


# ---------------------------------------------------------------- import


@admin_view
def import_upload(request, organisation):
    from portal.backoffice import importer
    from portal.backoffice.models import ImportBatch

    form = forms.ImportUploadForm(data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > importer.MAX_BYTES:
            form.add_error("file", _("The file is larger than 5 MB. Split it into parts."))
        else:
            batch = importer.batch_store(
                organisation=organisation, user=request.user, filename=upload.name, content=upload.read()
            )
            return redirect("backoffice:import_preview", organisation_id=organisation.pk, batch_id=batch.pk)
    recent = (
        ImportBatch.objects.filter(organisation=organisation)
        .defer("content")
        .select_related("uploaded_by", "applied_by")[:10]
    )
    return render(
        request,
        "backoffice/import_upload.html",
        {
            "organisation": organisation,
            "form": form,
            "recent": recent,
            "columns": importer.COLUMNS,
            "required": importer.REQUIRED,
        },
        status=400 if form.errors else 200,
    )


@admin_view
def import_preview(request, organisation, batch_id: int):
    from portal.backoffice import importer
    from portal.backoffice.models import ImportBatch

    batch = tenancy_access.in_organisation(ImportBatch.objects.all(), organisation, batch_id)
    if request.method == "POST":
        preview = importer.batch_apply(organisation=organisation, batch=batch, user=request.user)
        if preview is None:
            messages.info(request, _("This file was imported already; nothing changed."))
            return redirect("backoffice:import_preview", organisation_id=organisation.pk, batch_id=batch.pk)
        if preview.ok:
            messages.success(
                request,
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": preview.count("create"),
                    "updated": preview.count("update"),
                    "unchanged": preview.count("unchanged"),
                },
            )
            return redirect("backoffice:children", organisation_id=organisation.pk)
        messages.error(request, _("Nothing was imported: the file has errors."))
    else:
        preview = importer.read(organisation, bytes(batch.content))
    return render(
        request,
        "backoffice/import_preview.html",
        {"organisation": organisation, "batch": batch, "preview": preview},
    )


# ---------------------------------------------------------------- privacy: erasure requests


@admin_view
def erasure_requests(request, organisation):
    requests = ErasureRequest.objects.filter(organisation=organisation).select_related("child")
    page = Paginator(
        requests.annotate(requester_name=identity.name_of("requested_by", organisation)).order_by(
            "-state", "-requested_at", "-id"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "backoffice/erasure_requests.html", {"organisation": organisation, "page": page})


@admin_view
def erasure_request(request, organisation, request_id: int):
    from portal.access import privacy as privacy_access

    erasure = privacy_access.erasure_request_for_admin(organisation, request_id)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "confirm":
                if request.POST.get("confirm") != "yes":
                    raise ValidationError(_("Tick the box to confirm the erasure."))
                privacy_services.erasure_confirm(admin=request.user, request=erasure)
                messages.success(request, _("The data is erased. The guardian gets an e-mail."))
            elif request.POST.get("decision") == "refuse":
                privacy_services.erasure_refuse(
                    admin=request.user, request=erasure, refusal=request.POST.get("refusal", "")
                )
                messages.success(request, _("The request is refused. The guardian reads your explanation."))
            else:
                raise ValidationError(_("Choose to confirm or to refuse."))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("backoffice:erasure_requests", organisation_id=organisation.pk)
    still_placed = erasure.child is not None and (
        Placement.objects.filter(child=erasure.child).current_or_upcoming(clock.today()).exists()
    )
    return render(
        request,
        "backoffice/erasure_request.html",
        {
            "organisation": organisation,
            "erasure": erasure,
            "requester": identity.names_in(organisation, [erasure.requested_by_id]).get(
                erasure.requested_by_id or 0, ""
            ),
            "still_placed": still_placed,
            "error": error,
        },
        status=400 if error else 200,
    )
