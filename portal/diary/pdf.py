"""The diary as a printable keepsake: HTML and CSS to PDF with WeasyPrint, photos included."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import translation

from portal.accounts import identity
from portal.children.models import Child
from portal.diary.models import DiaryEntry, DiaryReply
from portal.media.storage import private_storage


def entries_for_print(child: Child, first_day: dt.date | None, last_day: dt.date | None):
    entries = DiaryEntry.objects.filter(child=child, state=DiaryEntry.State.PUBLISHED)
    if first_day:
        entries = entries.filter(date__gte=first_day)
    if last_day:
        entries = entries.filter(date__lte=last_day)
    return identity.with_author_names(
        entries.select_related("author", "media").prefetch_related("media__renditions"),
        child.organisation_id,
        replies_model=DiaryReply,
    ).order_by("date", "id")


# Photos reach WeasyPrint by their name in the private storage (a local folder or a bucket),
# through `_fetch`: it reads nothing else, neither the web nor other local files.
PHOTO_SCHEME = "stored-file:"


def _photo_url(entry: DiaryEntry) -> str | None:
    if entry.media is None or entry.media.state != "ready":
        return None
    rendition = entry.media.rendition("poster" if entry.media.kind == "video" else "screen")
    return PHOTO_SCHEME + rendition.file.name if rendition else None


def _photo_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StoredPhotoFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(PHOTO_SCHEME):
                raise ValueError("the diary PDF loads only its own photos")
            with private_storage().open(url.removeprefix(PHOTO_SCHEME), "rb") as handle:
                body = handle.read()
            return URLFetcherResponse(url, body, {"Content-Type": "image/jpeg"})

    return StoredPhotoFetcher()


def diary_pdf(child: Child, first_day: dt.date | None = None, last_day: dt.date | None = None) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    from weasyprint import HTML

    entries = list(entries_for_print(child, first_day, last_day))
    days: list[dict] = []
    for entry in entries:
        if not days or days[-1]["date"] != entry.date:
            days.append({"date": entry.date, "entries": []})
        days[-1]["entries"].append({"entry": entry, "photo": _photo_url(entry)})
    placement = child.placements.select_related("group__location").order_by("-start_date").first()
    language = next((g.user.language for g in child.guardians.select_related("user")), "nl")
    with translation.override(language):
        html = render_to_string(
            "diary/pdf.html",
            {
                "child": child,
                "days": days,
                "group": placement.group if placement else None,
                "first": entries[0].date if entries else first_day,
                "last": entries[-1].date if entries else last_day,
            },
        )
    document = HTML(string=html, base_url="/", url_fetcher=_photo_fetcher()).render()
    return document.write_pdf(), len(document.pages)
