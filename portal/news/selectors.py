"""Reads of the news: the reader's list and the publisher's list, both in a fixed number of
queries whatever their length."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, overload

from django.db.models import QuerySet

from portal.access import news as news_access
from portal.news.models import NewsItem


class ReaderFeed:
    """The published items that reach a user, newest first, as a sequence that a Paginator
    (the page, the API) counts and slices. The ids come from the union of the parts of
    `news_readable` (each read from its own index: the organisation-wide items, the user's
    locations', the user's groups'), so neither the count nor a page reads the items of other
    locations and groups; a page's items are then read by id with their location, group and
    attachments. Four queries a page: count, ids, items, attachments."""

    def __init__(self, user):
        parts = [part.order_by().values("id", "publish_at") for part in news_access.news_readable_parts(user)]
        self.ids: QuerySet[Any, Any]
        if not parts:
            self.ids = NewsItem.objects.none().values("id", "publish_at")
        elif len(parts) == 1:
            self.ids = parts[0]
        else:
            # UNION (not ALL): an item in two parts (a planner's location and their group) once.
            self.ids = parts[0].union(*parts[1:])
        self.ids = self.ids.order_by("-publish_at", "-id")

    def count(self) -> int:
        return self.ids.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[NewsItem]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> NewsItem: ...

    @overload
    def __getitem__(self, index: slice) -> list[NewsItem]: ...

    def __getitem__(self, index: int | slice) -> NewsItem | list[NewsItem]:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = [row["id"] for row in self.ids[index]]
        items = NewsItem.objects.filter(pk__in=ids).select_related("location", "group").prefetch_related("attachments")
        by_id = {item.pk: item for item in items}
        return [by_id[pk] for pk in ids if pk in by_id]


def reader_items(user) -> ReaderFeed:
    """Published items for this user, newest first (see ReaderFeed)."""
    return ReaderFeed(user)


def manage_items(user):
    """The items this user may edit, scheduled ones included, latest moment first."""
    return (
        news_access.news_manageable(user)
        .select_related("location", "group", "created_by")
        .prefetch_related("attachments")
        .order_by("-publish_at", "-id")
    )
