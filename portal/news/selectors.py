"""Reads of the news: the reader's list and the publisher's list, both in a fixed number of
queries whatever their length."""

from __future__ import annotations

from portal.access import news as news_access


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
