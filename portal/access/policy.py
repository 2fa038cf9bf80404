"""THE authorisation policy of the portal.

Every page, API endpoint, task, export and file download asks this module two kinds of
question: "which objects may this user see" (querysets) and "may this user do this to this
object" (functions that return the object, or a `Decision`).

The rules:
- Guardians see their own children. Group staff see the children placed (now or soon) on
  their groups. Planners see the groups and children of their locations. Organisation
  admins see everything of their organisation.
- An object of an organisation the user has no role in, or that does not exist, is a 404:
  nobody learns that another organisation's object exists. A child the user may not see is
  a 404 too, even within the same organisation.
- A group, location or organisation page of the user's own organisation, asked for without
  the role it needs, is a 403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.children.models import Child, Placement
from portal.core import clock
from portal.organisations.models import Group, Location, Organisation


@dataclass(frozen=True)
class Roles:
    """The ids behind each role of one user, read once per request."""

    guardian_child_ids: frozenset[int] = field(default_factory=frozenset)
    staff_group_ids: frozenset[int] = field(default_factory=frozenset)
    planner_location_ids: frozenset[int] = field(default_factory=frozenset)
    admin_organisation_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_guardian(self) -> bool:
        return bool(self.guardian_child_ids)

    @property
    def is_group_staff(self) -> bool:
        return bool(self.staff_group_ids)

    @property
    def is_planner(self) -> bool:
        return bool(self.planner_location_ids)

    @property
    def is_organisation_admin(self) -> bool:
        return bool(self.admin_organisation_ids)

    def names(self) -> list[str]:
        result = []
        if self.is_guardian:
            result.append("guardian")
        if self.is_group_staff:
            result.append("group_staff")
        if self.is_planner:
            result.append("planner")
        if self.is_organisation_admin:
            result.append("organisation_admin")
        return result


NO_ROLES = Roles()


def roles_of(user) -> Roles:
    """The user's roles; cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    from portal.children.models import Guardian
    from portal.organisations.models import GroupStaff, LocationPlanner, OrganisationAdmin

    guardian_rows = list(Guardian.objects.filter(user=user).values_list("child_id", "child__organisation_id"))
    staff_rows = list(GroupStaff.objects.filter(user=user).values_list("group_id", "group__location__organisation_id"))
    planner_rows = list(
        LocationPlanner.objects.filter(user=user).values_list("location_id", "location__organisation_id")
    )
    admin_ids = list(OrganisationAdmin.objects.filter(user=user).values_list("organisation_id", flat=True))
    roles = Roles(
        guardian_child_ids=frozenset(r[0] for r in guardian_rows),
        staff_group_ids=frozenset(r[0] for r in staff_rows),
        planner_location_ids=frozenset(r[0] for r in planner_rows),
        admin_organisation_ids=frozenset(admin_ids),
        organisation_ids=frozenset(
            [r[1] for r in guardian_rows] + [r[1] for r in staff_rows] + [r[1] for r in planner_rows] + admin_ids
        ),
    )
    user._portal_roles = roles
    return roles


def forget_roles(user) -> None:
    """Call after changing a user's roles within the same request or test."""
    if hasattr(user, "_portal_roles"):
        del user._portal_roles


# ---------------------------------------------------------------- what a user may see


def _current_or_upcoming(today: dt.date) -> Q:
    return Q(placements__end_date__isnull=True) | Q(placements__end_date__gte=today)


def visible_organisations(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=roles_of(user).organisation_ids)


def admin_organisations(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=roles_of(user).admin_organisation_ids)


def visible_locations(user) -> QuerySet[Location]:
    roles = roles_of(user)
    return Location.objects.filter(
        Q(id__in=roles.planner_location_ids) | Q(organisation_id__in=roles.admin_organisation_ids)
    )


def planner_locations(user) -> QuerySet[Location]:
    return Location.objects.filter(id__in=roles_of(user).planner_location_ids)


def visible_groups(user) -> QuerySet[Group]:
    """Groups whose page the user may open: as staff, as planner of the location, as admin."""
    roles = roles_of(user)
    return Group.objects.filter(
        Q(id__in=roles.staff_group_ids)
        | Q(location_id__in=roles.planner_location_ids)
        | Q(location__organisation_id__in=roles.admin_organisation_ids)
    )


def staff_groups(user) -> QuerySet[Group]:
    return Group.objects.filter(id__in=roles_of(user).staff_group_ids)


def visible_children(user) -> QuerySet[Child]:
    roles = roles_of(user)
    if roles is NO_ROLES:
        return Child.objects.none()
    today = clock.today()
    placed = Placement.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).filter(
        Q(group_id__in=roles.staff_group_ids) | Q(group__location_id__in=roles.planner_location_ids)
    )
    return Child.objects.filter(
        Q(id__in=roles.guardian_child_ids)
        | Q(organisation_id__in=roles.admin_organisation_ids)
        | Q(id__in=placed.values("child_id"))
    ).distinct()


def guardian_children(user) -> QuerySet[Child]:
    return Child.objects.filter(id__in=roles_of(user).guardian_child_ids)


# ---------------------------------------------------------------- one object for one user


def child_for_user(user, child_id: int) -> Child:
    """The child, if the user may see it; otherwise a 404 (never a hint that it exists)."""
    try:
        return visible_children(user).get(pk=child_id)
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _in_users_organisation(user, organisation_id: int) -> bool:
    return organisation_id in roles_of(user).organisation_ids


def group_for_user(user, group_id: int) -> Group:
    group = Group.objects.select_related("location__organisation").filter(pk=group_id).first()
    if group is None or not _in_users_organisation(user, group.location.organisation_id):
        raise Http404
    if not visible_groups(user).filter(pk=group.pk).exists():
        raise PermissionDenied
    return group


def location_for_user(user, location_id: int) -> Location:
    location = Location.objects.select_related("organisation").filter(pk=location_id).first()
    if location is None or not _in_users_organisation(user, location.organisation_id):
        raise Http404
    if not visible_locations(user).filter(pk=location.pk).exists():
        raise PermissionDenied
    return location


def organisation_for_admin(user, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not _in_users_organisation(user, organisation.pk):
        raise Http404
    if organisation.pk not in roles_of(user).admin_organisation_ids:
        raise PermissionDenied
    return organisation


def guardian_user_for_admin(user, organisation: Organisation, guardian_user_id: int):
    """A guardian's user in the admin's organisation, e.g. to resend an invitation."""
    from portal.accounts.models import User

    organisation_for_admin(user, organisation.pk)
    guardian_user = (
        User.objects.filter(pk=guardian_user_id, guardianships__child__organisation=organisation).distinct().first()
    )
    if guardian_user is None:
        raise Http404
    return guardian_user


# ---------------------------------------------------------------- decisions with a reason


@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str = ""
    possible_from: dt.date | None = None

    def __bool__(self) -> bool:
        return self.allowed


def planning_request_decision(user, child: Child, day: dt.date | None = None) -> Decision:
    """May this user ask for an absence, swap or extra day for this child (on `day`)?

    Only the child's guardians may, and only within a placement that has started: before the
    start date a guardian can log in and use the portal, but requests wait until that date.
    """
    if child.pk not in roles_of(user).guardian_child_ids:
        return Decision(False, _("Only the child's guardians can make planning requests."))
    today = clock.today()
    placements = list(child.placements.all())
    if not placements:
        return Decision(False, _("%(child)s has no placement.") % {"child": child.first_name})
    first_start = min(p.start_date for p in placements)
    if today < first_start:
        return _not_yet(child, first_start)
    if day is not None:
        if day < today:
            return Decision(False, _("%(day)s has passed.") % {"day": date_format(day, "DATE_FORMAT")})
        if not any(p.is_active_on(day) for p in placements):
            return Decision(
                False,
                _("%(child)s has no placement on %(day)s.")
                % {"child": child.first_name, "day": date_format(day, "DATE_FORMAT")},
            )
        return Decision(True)
    if any(p.is_active_on(today) or p.start_date > today for p in placements):
        return Decision(True)
    last_end = max(p.end_date for p in placements if p.end_date is not None)
    return Decision(
        False,
        _("The placement of %(child)s ended on %(day)s.")
        % {"child": child.first_name, "day": date_format(last_end, "DATE_FORMAT")},
    )


def _not_yet(child: Child, start: dt.date) -> Decision:
    return Decision(
        False,
        _("Absences, swaps and extra days for %(child)s are possible from %(day)s, when the placement starts.")
        % {"child": child.first_name, "day": date_format(start, "DATE_FORMAT")},
        possible_from=start,
    )


def in_organisation(queryset, organisation: Organisation, pk, lookup: str = "organisation"):
    """One object of `queryset` that belongs to `organisation` (through `lookup`), or a 404."""
    try:
        return queryset.get(pk=pk, **{lookup: organisation})
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def location_for_roster(user, location_id: int) -> Location:
    """The staff roster of a location is kept by its planners and the organisation's admins."""
    location = Location.objects.select_related("organisation").filter(pk=location_id).first()
    if location is None or not _in_users_organisation(user, location.organisation_id):
        raise Http404
    roles = roles_of(user)
    if location.pk not in roles.planner_location_ids and location.organisation_id not in roles.admin_organisation_ids:
        raise PermissionDenied
    return location


def planner_location_ids(user) -> frozenset[int]:
    """Locations whose requests this user decides on: as their planner or as admin."""
    roles = roles_of(user)
    ids = set(roles.planner_location_ids)
    if roles.admin_organisation_ids:
        ids.update(
            Location.objects.filter(organisation_id__in=roles.admin_organisation_ids).values_list("id", flat=True)
        )
    return frozenset(ids)


def may_decide_on(user, request) -> bool:
    return request.group.location_id in planner_location_ids(user)


def planning_request_for_planner(user, request_id: int):
    """A request the planner may decide on: another organisation's is a 404, without the role a 403."""
    from portal.planning.models import PlanningRequest

    request = PlanningRequest.objects.select_related("child", "group__location").filter(pk=request_id).first()
    if request is None or not _in_users_organisation(user, request.group.location.organisation_id):
        raise Http404
    if request.group.location_id not in planner_location_ids(user):
        raise PermissionDenied
    return request


def planning_request_for_guardian(user, request_id: int):
    from portal.planning.models import PlanningRequest

    request = PlanningRequest.objects.select_related("child").filter(pk=request_id).first()
    if request is None or request.child_id not in roles_of(user).guardian_child_ids:
        raise Http404
    return request


def location_for_day_view(user, location_id: int) -> Location:
    """The day view of a location: its planners, the organisation's admins, and the staff of
    its groups (for whom it is the attendance list)."""
    location = Location.objects.select_related("organisation").filter(pk=location_id).first()
    if location is None or not _in_users_organisation(user, location.organisation_id):
        raise Http404
    roles = roles_of(user)
    if location.pk in planner_location_ids(user):
        return location
    if Group.objects.filter(location=location, id__in=roles.staff_group_ids).exists():
        return location
    raise PermissionDenied


# ---------------------------------------------------------------- photos and videos


def visible_media(user):
    """Photos and videos a user may see: those on which one of their children is tagged, and
    those of the groups they work on. Nobody else: not planners, not admins."""
    from portal.media.models import MediaItem, MediaTag

    roles = roles_of(user)
    return MediaItem.objects.filter(state=MediaItem.State.READY).filter(
        Q(
            id__in=MediaTag.objects.filter(child_id__in=roles.guardian_child_ids).values("media_id"),
            hidden_for_consent=False,
        )
        | Q(group_id__in=roles.staff_group_ids)
    )


def media_for_user(user, media_id: int):
    """A ready photo or video the user may see; anything else is a 404."""
    item = visible_media(user).filter(pk=media_id).first()
    if item is None:
        raise Http404
    return item


def media_for_staff(user, media_id: int):
    """A photo or video of one of the user's groups, to tag or remove (any state)."""
    from portal.media.models import MediaItem

    item = MediaItem.objects.filter(pk=media_id, group_id__in=roles_of(user).staff_group_ids).first()
    if item is None:
        raise Http404
    return item


# ---------------------------------------------------------------- the diary


def diary_child_for_user(user, child_id: int) -> Child:
    """A child's diary is for the child's guardians and the staff of the child's group only."""
    roles = roles_of(user)
    child = Child.objects.filter(pk=child_id).first()
    if child is None:
        raise Http404
    if child.pk in roles.guardian_child_ids:
        return child
    today = clock.today()
    placed = child.placements.filter(group_id__in=roles.staff_group_ids).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    if placed.exists():
        return child
    raise Http404


def is_diary_staff(user, child: Child) -> bool:
    """Staff of the child's group write staff entries and see drafts."""
    return child.placements.filter(group_id__in=roles_of(user).staff_group_ids).exists()


def staff_group_for_user(user, group_id: int) -> Group:
    """A group the user works on as staff (to share photos, write the diary): another
    organisation's is a 404, a group of the user's own organisation without the role a 403."""
    group = group_for_user(user, group_id)
    if group.pk not in roles_of(user).staff_group_ids:
        raise PermissionDenied
    return group


def require_planner(user) -> frozenset[int]:
    """The locations the user decides requests for; none at all is a 403."""
    location_ids = planner_location_ids(user)
    if not location_ids:
        raise PermissionDenied
    return location_ids


# ---------------------------------------------------------------- messages
#
# A conversation (thread) is between one family and one group. The family's guardians and the
# group's staff read it; nobody else: planners and admins do not read messages (they get a 403
# on a group inbox of their own organisation and a 404 on a thread, like everyone else who may
# not read it). See docs/messages.md.


def visible_threads(user):
    """Threads the user may read: those of their children (as guardian), and as staff those of
    their groups with a child placed on the group now or later. When a child leaves the group,
    its conversations leave the group's inbox; the family keeps them."""
    from django.db.models import Exists, OuterRef

    from portal.messaging.models import Thread

    roles = roles_of(user)
    if not (roles.guardian_child_ids or roles.staff_group_ids):
        return Thread.objects.none()
    today = clock.today()
    placed = Placement.objects.filter(child_id=OuterRef("child_id"), group_id=OuterRef("group_id")).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    return Thread.objects.filter(organisation_id__in=roles.organisation_ids).filter(
        Q(child_id__in=roles.guardian_child_ids) | (Q(group_id__in=roles.staff_group_ids) & Exists(placed))
    )


def thread_for_user(user, thread_id: int):
    """A thread the user may read; anything else (another family's, another organisation's,
    a planner or admin asking) is a 404."""
    from portal.messaging.models import Thread

    try:
        return visible_threads(user).select_related("child", "group__location").get(pk=thread_id)
    except (Thread.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_thread_staff(user, thread) -> bool:
    """Staff of the thread's group answer it, mark it handled and write to the family."""
    return thread.group_id in roles_of(user).staff_group_ids


def thread_for_staff(user, thread_id: int):
    """A thread to mark handled or reopen: not readable is a 404, read as a guardian a 403."""
    thread = thread_for_user(user, thread_id)
    if not is_thread_staff(user, thread):
        raise PermissionDenied
    return thread


def inbox_group_for_user(user, group_id: int) -> Group:
    """A group's inbox is for its staff: another organisation's group is a 404, a group of the
    user's own organisation without working on it (guardians, planners, admins) a 403."""
    return staff_group_for_user(user, group_id)


def require_messaging_user(user) -> Roles:
    """Messages are for guardians and group staff; anyone else (planners, admins) gets a 403."""
    roles = roles_of(user)
    if not (roles.is_guardian or roles.is_group_staff):
        raise PermissionDenied
    return roles


def require_messaging_guardian(user) -> Roles:
    """Starting a conversation about a child is for the child's guardians: staff write from
    their group's inbox; anyone else gets a 403."""
    roles = require_messaging_user(user)
    if not roles.is_guardian:
        raise PermissionDenied
    return roles


def _placed_now_or_later(today: dt.date) -> Q:
    return Q(end_date__isnull=True) | Q(end_date__gte=today)


def message_groups_of_children(child_ids) -> dict[int, Group]:
    """child id -> the group a guardian writes to: the group of the current placement, or of
    the upcoming one before the start date (guardians may write before the child starts)."""
    today = clock.today()
    placements = (
        Placement.objects.filter(child_id__in=child_ids)
        .filter(_placed_now_or_later(today))
        .select_related("group__location")
        .order_by("start_date", "id")
    )
    result: dict[int, Group] = {}
    current: set[int] = set()
    for placement in placements:
        if placement.start_date <= today and placement.child_id not in current:
            result[placement.child_id] = placement.group
            current.add(placement.child_id)
        elif placement.child_id not in result:
            result[placement.child_id] = placement.group
    return result


def message_children_for_guardian(user) -> list[tuple[Child, Group]]:
    """The user's children that can be written about, each with the group it goes to."""
    roles = roles_of(user)
    groups = message_groups_of_children(roles.guardian_child_ids)
    children = Child.objects.filter(id__in=groups.keys()).order_by("first_name", "id")
    return [(c, groups[c.pk]) for c in children]


def message_child_for_guardian(user, child_id) -> tuple[Child, Group | None]:
    """One of the user's own children (anyone else's is a 404), with the group to write to
    (None when the child has no current or upcoming placement)."""
    try:
        child_id = int(child_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if child_id not in roles_of(user).guardian_child_ids:
        raise Http404
    child = Child.objects.get(pk=child_id)
    return child, message_groups_of_children([child_id]).get(child_id)


def message_children_of_group(group: Group) -> QuerySet[Child]:
    """The children staff may write to the family of: those with a current or upcoming
    placement on the group."""
    placed = Placement.objects.filter(group=group).filter(_placed_now_or_later(clock.today()))
    return Child.objects.filter(id__in=placed.values("child_id")).order_by("first_name", "last_name", "id")


def message_child_for_staff(group: Group, child_id) -> Child:
    """A child of the group (current or upcoming); any other child is a 404."""
    try:
        return message_children_of_group(group).get(pk=child_id)
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def message_reply_decision(user, thread) -> Decision:
    """Staff of the group always answer. A guardian answers while the child still has a current
    or upcoming placement on the thread's group; after a move or departure the conversation with
    that group is closed for them, and a new one goes to the child's group of now."""
    if is_thread_staff(user, thread):
        return Decision(True)
    if thread.child_id not in roles_of(user).guardian_child_ids:
        return Decision(False, _("You cannot reply in this conversation."))
    placed = thread.child.placements.filter(group_id=thread.group_id).filter(_placed_now_or_later(clock.today()))
    if placed.exists():
        return Decision(True)
    return Decision(
        False,
        _(
            "%(child)s is no longer on group %(group)s, so this conversation is closed. "
            "Start a new conversation to write to the group of now."
        )
        % {"child": thread.child.first_name, "group": thread.group.name},
    )


def attachment_for_user(user, attachment_id: int):
    """A file of a message in a thread the user may read; otherwise a 404."""
    from portal.messaging.models import Attachment

    attachment = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    thread_for_user(user, attachment.message.thread_id)
    return attachment


# ---------------------------------------------------------------- news


@dataclass(frozen=True)
class NewsReach:
    """What news reaches one user, read once: as a guardian (the groups, locations and
    organisations of their children's current or upcoming placements), as group staff (their
    groups, the locations of those groups, their organisation) and as an employee (planners
    and admins read their organisation's organisation-wide items); and what they may publish
    to (admins: their organisations; planners: their locations and the groups there)."""

    organisation_ids: frozenset[int] = frozenset()
    location_ids: frozenset[int] = frozenset()
    group_ids: frozenset[int] = frozenset()
    manage_organisation_ids: frozenset[int] = frozenset()
    manage_location_ids: frozenset[int] = frozenset()

    @property
    def is_publisher(self) -> bool:
        return bool(self.manage_organisation_ids or self.manage_location_ids)


def news_reach(user) -> NewsReach:
    roles = roles_of(user)
    if roles is NO_ROLES:
        return NewsReach()
    organisations: set[int] = set(roles.admin_organisation_ids)
    locations: set[int] = set()
    groups: set[int] = set(roles.staff_group_ids)
    if roles.guardian_child_ids:
        placed = Placement.objects.filter(child_id__in=roles.guardian_child_ids).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=clock.today())
        )
        for group_id, location_id, organisation_id in placed.values_list(
            "group_id", "group__location_id", "group__location__organisation_id"
        ):
            groups.add(group_id)
            locations.add(location_id)
            organisations.add(organisation_id)
    if roles.staff_group_ids:
        for location_id, organisation_id in Group.objects.filter(id__in=roles.staff_group_ids).values_list(
            "location_id", "location__organisation_id"
        ):
            locations.add(location_id)
            organisations.add(organisation_id)
    if roles.planner_location_ids:
        organisations.update(
            Location.objects.filter(id__in=roles.planner_location_ids).values_list("organisation_id", flat=True)
        )
    return NewsReach(
        organisation_ids=frozenset(organisations),
        location_ids=frozenset(locations),
        group_ids=frozenset(groups),
        manage_organisation_ids=roles.admin_organisation_ids,
        manage_location_ids=roles.planner_location_ids,
    )


def _news_manage_q(reach: NewsReach) -> Q:
    return (
        Q(organisation_id__in=reach.manage_organisation_ids)
        | Q(location_id__in=reach.manage_location_ids)
        | Q(group__location_id__in=reach.manage_location_ids)
    )


def _news_reach_q(reach: NewsReach) -> Q:
    return (
        Q(location__isnull=True, group__isnull=True, organisation_id__in=reach.organisation_ids)
        | Q(location_id__in=reach.location_ids)
        | Q(group_id__in=reach.group_ids)
    )


def news_readable(user):
    """Published news items (publish_at <= now) that reach the user or that they may manage."""
    from portal.news.models import NewsItem

    reach = news_reach(user)
    return NewsItem.objects.filter(publish_at__lte=clock.now()).filter(_news_reach_q(reach) | _news_manage_q(reach))


def news_manageable(user):
    """Every item (scheduled ones too) the user may edit and delete."""
    from portal.news.models import NewsItem

    reach = news_reach(user)
    if not reach.is_publisher:
        return NewsItem.objects.none()
    return NewsItem.objects.filter(_news_manage_q(reach))


def news_item_for_reader(user, item_id: int):
    """A published item that reaches the user, or any item they may manage (a preview of a
    scheduled one); anything else is a 404."""
    from portal.news.models import NewsItem

    reach = news_reach(user)
    rows = NewsItem.objects.select_related("organisation", "location", "group").filter(
        (Q(publish_at__lte=clock.now()) & _news_reach_q(reach)) | _news_manage_q(reach)
    )
    try:
        return rows.get(pk=item_id)
    except (NewsItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def news_require_publisher(user) -> NewsReach:
    """The management pages: a user who may publish nowhere gets a 403."""
    reach = news_reach(user)
    if not reach.is_publisher:
        raise PermissionDenied
    return reach


def news_item_for_publisher(user, item_id: int):
    """An item to edit or delete: another organisation's (or none) is a 404, one of the user's
    own organisation that they may not manage a 403."""
    from portal.news.models import NewsItem

    item = NewsItem.objects.select_related("organisation", "location", "group").filter(pk=item_id).first()
    if item is None or not _in_users_organisation(user, item.organisation_id):
        raise Http404
    if not news_manageable(user).filter(pk=item.pk).exists():
        raise PermissionDenied
    return item


def news_attachment_for_user(user, attachment_id: int):
    """An image or file of an item the user may read (or manage); otherwise a 404."""
    from portal.news.models import NewsAttachment

    attachment = NewsAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    news_item_for_reader(user, attachment.item_id)
    return attachment


@dataclass(frozen=True)
class NewsAudience:
    """Who an item is for: the whole organisation, a location or a group."""

    organisation: Organisation
    location: Location | None = None
    group: Group | None = None

    @property
    def value(self) -> str:
        if self.group is not None:
            return f"group:{self.group.pk}"
        if self.location is not None:
            return f"location:{self.location.pk}"
        return f"organisation:{self.organisation.pk}"

    @property
    def label(self) -> str:
        if self.group is not None:
            return _("Group %(group)s (%(location)s)") % {
                "group": self.group.name,
                "location": self.group.location.name,
            }
        if self.location is not None:
            return _("Location %(location)s") % {"location": self.location.name}
        return _("Whole organisation (%(organisation)s)") % {"organisation": self.organisation.name}


def news_audiences(user) -> list[NewsAudience]:
    """The audiences the user may publish to: admins the whole organisation, every location and
    every group; planners their locations and the groups of those locations."""
    reach = news_reach(user)
    if not reach.is_publisher:
        return []
    result = [NewsAudience(organisation=o) for o in Organisation.objects.filter(id__in=reach.manage_organisation_ids)]
    locations = Location.objects.select_related("organisation").filter(
        Q(organisation_id__in=reach.manage_organisation_ids) | Q(id__in=reach.manage_location_ids)
    )
    groups = Group.objects.select_related("location__organisation").filter(location__in=locations)
    result += [NewsAudience(organisation=x.organisation, location=x) for x in locations.order_by("name")]
    result += [
        NewsAudience(organisation=g.location.organisation, group=g) for g in groups.order_by("location__name", "name")
    ]
    return result


def news_audience_for_publisher(user, value: str) -> NewsAudience:
    """Parse 'organisation:<id>', 'location:<id>' or 'group:<id>'. Something of another
    organisation (or nothing) is a 404; of the user's own organisation without the right a 403."""
    kind, _sep, raw_id = (value or "").partition(":")
    if not raw_id.isdigit():
        raise Http404
    pk = int(raw_id)
    reach = news_reach(user)
    if kind == "organisation":
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None or not _in_users_organisation(user, pk):
            raise Http404
        if pk not in reach.manage_organisation_ids:
            raise PermissionDenied
        return NewsAudience(organisation=organisation)
    if kind == "location":
        location = Location.objects.select_related("organisation").filter(pk=pk).first()
        if location is None or not _in_users_organisation(user, location.organisation_id):
            raise Http404
        if location.organisation_id not in reach.manage_organisation_ids and pk not in reach.manage_location_ids:
            raise PermissionDenied
        return NewsAudience(organisation=location.organisation, location=location)
    if kind == "group":
        group = Group.objects.select_related("location__organisation").filter(pk=pk).first()
        if group is None or not _in_users_organisation(user, group.location.organisation_id):
            raise Http404
        if (
            group.location.organisation_id not in reach.manage_organisation_ids
            and group.location_id not in reach.manage_location_ids
        ):
            raise PermissionDenied
        return NewsAudience(organisation=group.location.organisation, group=group)
    raise Http404


def news_recipients(item):
    """The guardians an item reaches: of the children with a current or upcoming placement in
    the organisation, at the location or on the group."""
    from portal.accounts.models import User

    placements = Placement.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=clock.today()))
    if item.group_id:
        placements = placements.filter(group_id=item.group_id)
    elif item.location_id:
        placements = placements.filter(group__location_id=item.location_id)
    else:
        placements = placements.filter(group__location__organisation_id=item.organisation_id)
    return User.objects.filter(is_active=True, guardianships__child_id__in=placements.values("child_id")).distinct()


# ---------------------------------------------------------------- notifications and push devices


def visible_notifications(user):
    """A person's own notifications; nobody sees another's."""
    from portal.notifications.models import Notification

    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notification_for_user(user, notification_id: int):
    """One of the user's own notifications; anyone else's is a 404."""
    notification = visible_notifications(user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    return notification


def visible_push_devices(user):
    """The devices that receive this person's push messages; nobody sees or removes another's."""
    from portal.notifications.models import PushSubscription

    if user is None or not user.is_authenticated:
        return PushSubscription.objects.none()
    return PushSubscription.objects.filter(user=user)
