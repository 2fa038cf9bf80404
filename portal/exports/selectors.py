"""Reads for the archive pages."""

from __future__ import annotations

from django.db.models import Count

from portal.access import exports as exports_access
from portal.access import media as media_access
from portal.exports.models import Archive


def latest_archive(user, *, kind: str, child=None, organisation=None) -> Archive | None:
    archives = Archive.objects.filter(requested_by_id=user.pk, kind=kind)
    if child is not None:
        archives = archives.filter(child=child)
    if organisation is not None:
        archives = archives.filter(organisation=organisation)
    return archives.order_by("-requested_at", "-id").first()


def departure_summary(child) -> dict:
    """What the child's archive will hold, counted: photos, videos, diary pages, conversations."""
    media = media_access.family_media_of_child(child).values("kind").annotate(n=Count("id"))
    by_kind = {row["kind"]: row["n"] for row in media}
    return {
        "photos": by_kind.get("photo", 0),
        "videos": by_kind.get("video", 0),
        "diary_pages": child.diary_entries.filter(state="published").count(),
        "conversations": exports_access.family_threads_of_child(child).count(),
    }
