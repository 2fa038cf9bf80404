"""Reads of the news: the reader's list and the publisher's list, both in a fixed number of
queries whatever their length."""

from __future__ import annotations

from portal.access import news as news_access
from portal.accounts.models import User
from portal.children.models import Placement
from portal.core import clock


def reader_items(user):
    """Published items for this user, newest first."""
    return (
        news_access.news_readable(user)
        .select_related("location", "group")
        .prefetch_related("attachments")
        .order_by("-publish_at", "-id")
    )


def manage_items(user):
    """The items this user may edit, scheduled ones included, latest moment first."""
    return (
        news_access.news_manageable(user)
        .select_related("location", "group", "created_by")
        .prefetch_related("attachments")
        .order_by("-publish_at", "-id")
    )


def recipients(item):
    """The guardians an item reaches: of the children with a current or upcoming placement in
    the organisation, at the location or on the group."""
    placements = Placement.objects.current_or_upcoming(clock.today())
    if item.group_id:
        placements = placements.filter(group_id=item.group_id)
    elif item.location_id:
        placements = placements.filter(group__location_id=item.location_id)
    else:
        placements = placements.filter(group__location__organisation_id=item.organisation_id)
    return User.objects.filter(is_active=True, guardianships__child_id__in=placements.values("child_id")).distinct()
