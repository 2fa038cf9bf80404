"""News: who reads which items and who publishes where.

Readers: guardians read what reaches the groups, locations and organisations of their
children's current or upcoming placements; group staff what reaches their groups, the
locations of those groups and their organisation; planners and admins their organisation's
organisation-wide items. Publishers: admins publish to their organisation, every location and
every group; planners to their locations and the groups there. A publisher also reads (and
previews) everything they may manage.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from portal.access.roles import NO_ROLES, roles_of
from portal.access.tenancy import found_in_users_organisations, in_users_organisation
from portal.accounts.models import User
from portal.children.models import Placement
from portal.core import clock
from portal.news.audience import NewsAudience
from portal.news.models import NewsAttachment, NewsItem
from portal.organisations.models import Group, Location, Organisation


@dataclass(frozen=True)
class NewsReach:
    """What news reaches one user, read once, and where they may publish."""

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
        placed = Placement.objects.filter(child_id__in=roles.guardian_child_ids).current_or_upcoming(clock.today())
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


def is_publisher(user) -> bool:
    """May the user publish news anywhere (admins and planners)? Read from the roles alone."""
    roles = roles_of(user)
    return roles.is_organisation_admin or roles.is_planner


def _manage_parts(reach: NewsReach) -> list[Q]:
    """Where the user may manage, as parts that each one index answers (empty ones left out)."""
    parts = []
    if reach.manage_organisation_ids:
        parts.append(Q(organisation_id__in=reach.manage_organisation_ids))
    if reach.manage_location_ids:
        parts.append(Q(location_id__in=reach.manage_location_ids))
        parts.append(Q(group__location_id__in=reach.manage_location_ids))
    return parts


def _reach_parts(reach: NewsReach) -> list[Q]:
    """What reaches the user, as parts that each one index answers (empty ones left out):
    organisation-wide items, items to a location, items to a group."""
    parts = []
    if reach.organisation_ids:
        parts.append(Q(location__isnull=True, group__isnull=True, organisation_id__in=reach.organisation_ids))
    if reach.location_ids:
        parts.append(Q(location_id__in=reach.location_ids))
    if reach.group_ids:
        parts.append(Q(group_id__in=reach.group_ids))
    return parts


def _any(parts: list[Q]) -> Q:
    """The parts joined with OR; no parts: nothing (not everything, as an empty Q would be)."""
    return reduce(operator.or_, parts) if parts else Q(pk__in=[])


def _manage_q(reach: NewsReach) -> Q:
    return _any(_manage_parts(reach))


def _reach_q(reach: NewsReach) -> Q:
    return _any(_reach_parts(reach))


def news_readable(user) -> QuerySet[NewsItem]:
    """Published news items (publish_at <= now) that reach the user or that they may manage."""
    reach = news_reach(user)
    return NewsItem.objects.filter(publish_at__lte=clock.now()).filter(_reach_q(reach) | _manage_q(reach))


def news_readable_parts(user) -> list[QuerySet[NewsItem]]:
    """`news_readable` split into parts that may overlap and that together are exactly it:
    organisation-wide items, the items to the user's locations, to their groups, and what they
    manage. Each part is read from its own index (migration news.0002), so a reader's list
    touches only their own items, never the other locations' and groups' (an OR of the parts
    lets PostgreSQL walk every item of the organisation newest first instead). An admin, who
    reads every item of their organisation, gets one part: the plain query reads no others."""
    reach = news_reach(user)
    published = NewsItem.objects.filter(publish_at__lte=clock.now())
    if reach.manage_organisation_ids:
        return [published.filter(_reach_q(reach) | _manage_q(reach))]
    return [published.filter(part) for part in _reach_parts(reach) + _manage_parts(reach)]


def news_manageable(user) -> QuerySet[NewsItem]:
    """Every item (scheduled ones too) the user may edit and delete."""
    reach = news_reach(user)
    if not reach.is_publisher:
        return NewsItem.objects.none()
    return NewsItem.objects.filter(_manage_q(reach))


def may_manage(user, item: NewsItem) -> bool:
    return news_manageable(user).filter(pk=item.pk).exists()


def news_item_for_reader(user, item_id: int) -> NewsItem:
    """A published item that reaches the user, or any item they may manage (a preview of a
    scheduled one); anything else is a 404."""
    reach = news_reach(user)
    rows = NewsItem.objects.select_related("organisation", "location", "group").filter(
        (Q(publish_at__lte=clock.now()) & _reach_q(reach)) | _manage_q(reach)
    )
    try:
        return rows.get(pk=item_id)
    except (NewsItem.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def news_require_publisher(user) -> NewsReach:
    """The management pages: a user who may publish nowhere gets a 403."""
    reach = news_reach(user)
    if not reach.is_publisher:
        raise PermissionDenied
    return reach


def news_item_for_publisher(user, item_id: int) -> NewsItem:
    """An item to edit or delete: another organisation's (or none) is a 404, one of the user's
    own organisation that they may not manage a 403."""
    item = found_in_users_organisations(
        user, NewsItem.objects.select_related("organisation", "location", "group"), item_id, lambda x: x.organisation_id
    )
    if not may_manage(user, item):
        raise PermissionDenied
    return item


def news_attachment_for_user(user, attachment_id: int) -> NewsAttachment:
    """An image or file of an item the user may read (or manage); otherwise a 404."""
    try:
        attachment = NewsAttachment.objects.filter(pk=attachment_id).first()
    except (ValueError, TypeError, OverflowError):
        attachment = None
    if attachment is None:
        raise Http404
    news_item_for_reader(user, attachment.item_id)
    return attachment


def news_recipients(item: NewsItem):
    """The guardians an item reaches, the same rule as `news_reach` seen from the item: of the
    children with a current or upcoming placement in the organisation, at the location or on
    the group."""
    placements = Placement.objects.current_or_upcoming(clock.today())
    if item.group_id:
        placements = placements.filter(group_id=item.group_id)
    elif item.location_id:
        placements = placements.filter(group__location_id=item.location_id)
    else:
        placements = placements.filter(group__location__organisation_id=item.organisation_id)
    return User.objects.filter(is_active=True, guardianships__child_id__in=placements.values("child_id")).distinct()


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
    if not raw_id.isdigit() or len(raw_id) > 18:
        raise Http404
    pk = int(raw_id)
    reach = news_reach(user)
    if kind == "organisation":
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None or not in_users_organisation(user, pk):
            raise Http404
        if pk not in reach.manage_organisation_ids:
            raise PermissionDenied
        return NewsAudience(organisation=organisation)
    if kind == "location":
        location = Location.objects.select_related("organisation").filter(pk=pk).first()
        if location is None or not in_users_organisation(user, location.organisation_id):
            raise Http404
        if location.organisation_id not in reach.manage_organisation_ids and pk not in reach.manage_location_ids:
            raise PermissionDenied
        return NewsAudience(organisation=location.organisation, location=location)
    if kind == "group":
        group = Group.objects.select_related("location__organisation").filter(pk=pk).first()
        if group is None or not in_users_organisation(user, group.location.organisation_id):
            raise Http404
        if (
            group.location.organisation_id not in reach.manage_organisation_ids
            and group.location_id not in reach.manage_location_ids
        ):
            raise PermissionDenied
        return NewsAudience(organisation=group.location.organisation, group=group)
    raise Http404
