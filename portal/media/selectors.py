"""Reads for photos and videos: the feed, newest first, in pages that stay fast with hundreds
of thousands of photos (keyset pagination on the id, never OFFSET)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from portal.access import media as media_access
from portal.core import clock
from portal.media.models import MediaItem, MediaTag, Rendition

PAGE_SIZE = 24


def feed(user, *, child_id: int | None = None, before: int | None = None, size: int = PAGE_SIZE):
    """A page of the user's feed (optionally one child's photos), and the cursor of the next."""
    items = media_access.visible_media(user)
    if child_id is not None:
        items = items.filter(id__in=MediaTag.objects.filter(child_id=child_id).values("media_id"))
    if before is not None:
        items = items.filter(id__lt=before)
    page = list(
        items.order_by("-id")
        .select_related("group")
        .prefetch_related(
            Prefetch("renditions", queryset=Rendition.objects.only("id", "media_id", "name", "width", "height")),
            Prefetch(
                "tags",
                queryset=MediaTag.objects.select_related("child").only("media_id", "child__first_name", "child_id"),
            ),
        )[: size + 1]
    )
    next_cursor = page[size - 1].pk if len(page) > size else None
    return page[:size], next_cursor


def by_day(items: list[MediaItem]) -> list[tuple[dt.date, list[MediaItem]]]:
    """A page of the feed as [(day, items)], newest day first, on Amsterdam's calendar."""
    days: dict[dt.date, list[MediaItem]] = {}
    for item in items:
        days.setdefault(clock.local(item.uploaded_at).date(), []).append(item)
    return list(days.items())


def neighbours(user, item: MediaItem, child_id: int | None = None) -> tuple[int | None, int | None]:
    """The newer and the older item in the same feed, for swiping through."""
    items = media_access.visible_media(user)
    if child_id is not None:
        items = items.filter(id__in=MediaTag.objects.filter(child_id=child_id).values("media_id"))
    newer = items.filter(id__gt=item.pk).order_by("id").values_list("id", flat=True).first()
    older = items.filter(id__lt=item.pk).order_by("-id").values_list("id", flat=True).first()
    return newer, older
