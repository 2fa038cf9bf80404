"""The pages every role starts from: the home page and the pages of a child, group,
location and organisation. Each view asks `portal.access` first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import accounts as access_accounts
from portal.access import backoffice as backoffice_access
from portal.access import children as children_access
from portal.access import organisations as organisations_access
from portal.access import planning as planning_access
from portal.access import roles as roles_access
from portal.access import tablet as tablet_access
from portal.access import tenancy as tenancy_access
from portal.accounts import identity, kept
from portal.accounts.models import User
from portal.children import services as children_services
from portal.children.models import Child, Placement
from portal.children.selectors import children_with_placements, departure_of, weekly_schedule
from portal.core import bounds, clock
from portal.core.paging import CappedPaginator, up_to
from portal.home.selectors import guardian_today
from portal.organisations.models import Group, Location, Organisation
from portal.planning.selectors import attendance


def _day_from(request) -> dt.date:
    raw = request.GET.get("date")
    if raw:
        day = bounds.parse_date(raw)
        if day is not None:
            return day
        messages.error(request, _("%(value)s is not a date; showing today.") % {"value": bounds.clean_search(raw)[:20]})
    return clock.today()


def _staff_groups(user, today: dt.date) -> list[dict]:
    groups = list(organisations_access.staff_groups(user).select_related("location").order_by("name"))
    expected = attendance(groups, today, still_placed_on=today)
    return [{"group": g, "attendance": expected[g.pk]} for g in groups]


def _location_summaries(locations, day: dt.date) -> list[dict]:
    groups = list(Group.objects.filter(location__in=locations).select_related("location").order_by("name"))
    expected = attendance(groups, day, still_placed_on=clock.today())
    summaries = []
    for location in locations:
        rows: list[dict[str, Any]] = [
            {"group": g, "count": len(expected[g.pk])} for g in groups if g.location_id == location.pk
        ]
        summaries.append({"location": location, "groups": rows, "total": sum(r["count"] for r in rows)})
    return summaries


def _organisation_summaries(user, today: dt.date) -> list[dict]:
    organisations = tenancy_access.admin_organisations(user).annotate(
        location_count=Count("locations", distinct=True),
        group_count=Count("locations__groups", distinct=True),
    )
    return [
        {"organisation": organisation, **_organisation_figures(organisation, today)} for organisation in organisations
    ]


# The admin's home counts the organisation's placed children and the guardians still without
# an account: in a large organisation that is a count over 50,000 children, more than the rest
# of the page. The figures are kept for a minute (per organisation and day, in each process's
# cache), so a home page opened again and again counts once.
FIGURES_SECONDS = 60


def _organisation_figures(organisation, today: dt.date) -> dict:
    key = f"home:organisation-figures:{organisation.pk}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        children = Child.objects.filter(organisation=organisation)
        figures = {
            "children": children.filter(
                Exists(Placement.objects.filter(child=OuterRef("pk")).current_or_upcoming(today))
            ).count(),
            "awaiting": _guardians_awaiting(organisation).count(),
        }
        cache.set(key, figures, FIGURES_SECONDS)
    return figures


def _guardians_awaiting(organisation):
    """Guardians of the organisation who have not logged in since it added them. Its own
    relation only: whether the address had an account elsewhere is none of its business."""
    from portal.accounts.models import OrganisationProfile
    from portal.children.models import Guardian

    waiting = OrganisationProfile.objects.filter(organisation=organisation, user=OuterRef("pk"), joined_at__isnull=True)
    guardian = Guardian.objects.filter(user=OuterRef("pk"), child__organisation=organisation)
    # EXISTS, not a join: a guardian of three children is one row without a DISTINCT, and a
    # count can stop early.
    return User.objects.filter(Exists(guardian)).filter(Exists(waiting)).order_by("email")


PUSH_OFFER_HIDDEN = "push_offer_hidden"  # the person said "not now" to notifications on this device


@login_required
@require_POST
def push_offer_hide(request):
    """ "Not now": the Today page stops offering notifications in this login (the settings
    page keeps the switch)."""
    request.session[PUSH_OFFER_HIDDEN] = True
    return redirect("home:home")


@login_required
def home(request):
    user = request.user
    today = clock.today()
    roles = roles_access.role_names(user)
    context = {
        "today": today,
        "roles": roles,
        # Kept for the person for a short while (portal.accounts.kept): the page they return to.
        "guardian_today": kept.read(user, "guardian_today", lambda: guardian_today(user, today), today)
        if "guardian" in roles
        else None,
        "push_offer": "guardian" in roles and not request.session.get(PUSH_OFFER_HIDDEN),
        "staff_groups": _staff_groups(user, today) if "group_staff" in roles else [],
        "planner_locations": _location_summaries(list(organisations_access.planner_locations(user)), today)
        if "planner" in roles
        else [],
        "organisations": _organisation_summaries(user, today) if "organisation_admin" in roles else [],
        # Roles offered to the person are theirs to answer, not the group tablet's.
        "role_invitations": [] if tablet_access.current(request) else list(identity.open_role_invitations(user)),
        "admin_waiting_for_two_step": list(
            Organisation.objects.filter(id__in=access_accounts.admin_roles_not_in_use(user)).order_by("name")
        ),
    }
    return render(request, "home/home.html", context)


# The app's tabs that lead to a child's or a group's page: the page itself when there is one,
# otherwise a short list to choose from (a family with two children, staff of two groups).
SECTIONS: dict[str, dict[str, str]] = {
    "diary": {"child": "diary:child", "group": "diary:group"},
    "planning": {"child": "planning:calendar"},
    "photos": {"group": "media:group"},
    "manage": {"organisation": "backoffice:children"},
}


@login_required
def section(request, name: str):
    targets = SECTIONS.get(name)
    if targets is None:
        raise Http404
    user = request.user
    choices: list[tuple[str, str, str]] = []  # (url, name, detail)
    if "child" in targets:
        for child in children_access.guardian_children(user).order_by("first_name"):
            choices.append((reverse(targets["child"], args=[child.pk]), child.first_name, ""))
    if "group" in targets:
        for group in organisations_access.staff_groups(user).select_related("location").order_by("name"):
            choices.append((reverse(targets["group"], args=[group.pk]), group.name, group.location.name))
    if "organisation" in targets:
        for organisation in tenancy_access.admin_organisations(user).order_by("name"):
            choices.append((reverse(targets["organisation"], args=[organisation.pk]), organisation.name, ""))
    if len(choices) == 1:
        return redirect(choices[0][0])
    titles = {"diary": _("Diary"), "planning": _("Planning"), "photos": _("Photos"), "manage": _("Manage")}
    return render(request, "home/section.html", {"title": titles[name], "choices": choices})


@login_required
def child_detail(request, child_id: int):
    child = children_access.child_for_user(request.user, child_id)
    today = clock.today()
    [child] = children_with_placements(Child.objects.filter(pk=child.pk).select_related("organisation"), today)
    placements = [{"placement": p, "schedule": weekly_schedule(p)} for p in child.active_placements]
    return render(
        request,
        "home/child.html",
        {
            "child": child,
            "placements": placements,
            "today": today,
            "guardians": identity.with_profile(
                child.guardians.select_related("user").order_by("pk"), child.organisation_id
            ),
            "is_guardian": roles_access.is_guardian_of(request.user, child),
            "departure": departure_of(child),
            "planning": planning_access.planning_request_decision(request.user, child),
        },
    )


@login_required
def photo_consent(request, child_id: int):
    """The guardians give or withdraw the photo consent of their child themselves. Withdrawing
    asks for a confirmation and hides the photos at once; the group's staff are told."""
    child = children_access.consent_child_for_guardian(request.user, child_id)
    error = ""
    if request.method == "POST":
        wanted = request.POST.get("consent", "")
        if wanted not in ("yes", "no"):
            error = _("Choose whether photos of %(child)s may be shared.") % {"child": child.first_name}
        elif wanted == "no" and child.photo_consent and request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm that you withdraw the consent.")
        else:
            changed = children_services.consent_change_by_guardian(
                child=child, guardian=request.user, consent=wanted == "yes"
            )
            if not changed:
                messages.info(request, _("Nothing changed."))
            elif wanted == "yes":
                messages.success(
                    request, _("Thank you: the group may now share photos of %(child)s.") % {"child": child.first_name}
                )
            else:
                messages.success(
                    request,
                    _("The consent is withdrawn. Photos of %(child)s are hidden from now on, and the group knows.")
                    % {"child": child.first_name},
                )
            return redirect("home:child", child_id=child.pk)
    return render(request, "home/photo_consent.html", {"child": child, "error": error}, status=400 if error else 200)


@login_required
def group_detail(request, group_id: int):
    group = organisations_access.group_for_user(request.user, group_id)
    day = _day_from(request)
    expected = attendance([group], day, still_placed_on=clock.today())[group.pk]
    return render(
        request,
        "home/group.html",
        {
            "group": group,
            "day": day,
            "attendance": expected,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "is_today": day == clock.today(),
        },
    )


@login_required
def location_detail(request, location_id: int):
    location = organisations_access.location_for_user(request.user, location_id)
    day = _day_from(request)
    [summary] = _location_summaries([location], day)
    return render(
        request,
        "home/location.html",
        {
            "location": location,
            "summary": summary,
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
        },
    )


ORGANISATION_LOCATIONS_SHOWN = 30


@login_required
def organisation_detail(request, organisation_id: int):
    organisation = tenancy_access.organisation_for_admin(request.user, organisation_id)
    # The first locations by name; a large organisation's 250 are in the back office's list.
    rows = (
        Location.objects.filter(organisation=organisation).annotate(group_count=Count("groups")).order_by("name", "pk")
    )
    locations, more_locations = up_to(rows, ORGANISATION_LOCATIONS_SHOWN)
    awaiting = identity.with_profile(_guardians_awaiting(organisation), organisation, "pk")
    page = CappedPaginator(awaiting, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "home/organisation.html",
        {
            "organisation": organisation,
            "locations": locations,
            "more_locations": more_locations,
            "page": page,
        },
    )


@login_required
@require_POST
def guardian_invite(request, organisation_id: int, user_id: int):
    organisation = tenancy_access.organisation_for_admin(request.user, organisation_id)
    guardian = backoffice_access.guardian_user_for_admin(request.user, organisation, user_id)
    # The same answer whether or not the address has an account: a new password link, or a
    # new notice to log in with the existing one (only the person sees which).
    identity.guardian_invite_again(organisation=organisation, user=guardian, actor=request.user)
    messages.success(request, _("A new invitation is on its way to %(email)s.") % {"email": guardian.email})
    return redirect("home:organisation", organisation_id=organisation.pk)
