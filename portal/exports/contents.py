"""What goes into an archive, member by member, in the language of the guardian it is for.

A departure archive holds everything of one child that the family could see: every photo and
video the child is tagged on (original quality, no metadata, named by date and time in a
folder per year and month), the whole diary (the PDF, one readable HTML page with the photos
beside it, and JSON), every conversation of the family with the group (an HTML page each,
with the attachments), and a read-me. A data export adds the data the organisation holds
about the guardian and each of their children, as JSON, with each child's files beside it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import PurePosixPath

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.access import exports as exports_access
from portal.access import media as media_access
from portal.accounts import identity
from portal.children.models import Child
from portal.core import clock
from portal.diary.pdf import diary_pdf, entries_for_print
from portal.exports.builder import Member, UniqueNames, safe_name
from portal.media.models import MediaItem, Rendition
from portal.messaging.models import Message


def _extension(rendition: Rendition) -> str:
    return "mp4" if rendition.content_type == "video/mp4" else "jpg"


def media_members(child: Child, root: str, names: UniqueNames) -> Iterator[Member]:
    """Every photo and video of the child the family sees, in original quality (without
    metadata: only processed renditions are ever stored), as "2026/03/2026-03-14 10.32 Rupsjes.jpg"."""
    folder = pgettext("folder in the archive", "Photos and videos")
    wanted = Rendition.objects.filter(name__in=[Rendition.Name.ORIGINAL, Rendition.Name.VIDEO])
    items = (
        media_access.family_media_of_child(child)
        .select_related("group")
        .prefetch_related(Prefetch("renditions", queryset=wanted))
        .order_by("uploaded_at", "id")
    )
    for item in items.iterator(chunk_size=500):
        renditions = list(item.renditions.all())
        if not renditions:
            continue
        rendition = renditions[0]
        local = clock.local(item.uploaded_at)
        name = f"{local:%Y-%m-%d %H.%M} {safe_name(item.group.name)}.{_extension(rendition)}"
        path = names(f"{root}/{folder}/{local:%Y}/{local:%m}/{name}")
        yield Member.stored(path, rendition.file, item.uploaded_at, size=rendition.size)


def diary_members(child: Child, root: str, names: UniqueNames) -> Iterator[Member]:
    """The diary as the PDF keepsake, as one HTML page with its photos beside it, and as JSON."""
    folder = root + "/" + pgettext("folder in the archive", "Diary")
    photos_folder = pgettext("folder in the archive", "photos")
    entries = list(entries_for_print(child, None, None))
    now = clock.now()
    photos: dict[int, str] = {}
    files: list[Member] = []
    for entry in entries:
        if entry.media is None or entry.media.state != MediaItem.State.READY:
            continue
        wanted = "video" if entry.media.kind == MediaItem.Kind.VIDEO else "original"
        rendition = entry.media.rendition(wanted)
        if rendition is None:
            continue
        relative = names(f"{folder}/{photos_folder}/{entry.date:%Y-%m-%d} {entry.pk}.{_extension(rendition)}")
        photos[entry.pk] = str(PurePosixPath(relative).relative_to(folder))
        files.append(Member.stored(relative, rendition.file, entry.media.uploaded_at, size=rendition.size))
    stem = pgettext("file name in the archive", "diary")
    pdf, _pages = diary_pdf(child)
    yield Member(
        name=names(f"{folder}/{stem}.pdf"),
        modified=now,
        chunks=lambda: [pdf],
        size=len(pdf),
        compress=False,
    )
    html = render_to_string(
        "exports/diary.html",
        {"child": child, "entries": [(e, photos.get(e.pk)) for e in entries], "made": now},
    )
    yield Member.text(names(f"{folder}/{stem}.html"), html, now)
    yield Member.text(names(f"{folder}/{stem}.json"), _json(diary_json(entries, photos)), now)
    yield from files


def diary_json(entries, photos: dict[int, str]) -> list[dict]:
    return [
        {
            "date": entry.date.isoformat(),
            "written_by": entry.author_name if entry.author_id else None,
            "written_at_home": entry.by_guardian,
            "text": entry.text,
            "mood": entry.mood or None,
            "sleeps": entry.sleeps,
            "feeds": entry.feeds,
            "nappies": entry.nappies,
            "photo": photos.get(entry.pk),
            "published_at": entry.published_at.isoformat() if entry.published_at else None,
            "replies": [
                {"by": reply.author_name, "at": reply.created_at.isoformat(), "text": reply.text}
                for reply in entry.replies.all()
            ],
        }
        for entry in entries
    ]


def message_members(child: Child, root: str, names: UniqueNames) -> Iterator[Member]:
    """Each conversation of the family about the child as a readable HTML page, with its
    attachments in a folder beside it."""
    folder = root + "/" + pgettext("folder in the archive", "Messages")
    attachments = pgettext("folder in the archive", "attachments")
    threads = exports_access.family_threads_of_child(child).select_related("group").order_by("created_at", "id")
    for thread in threads:
        messages = list(
            Message.objects.filter(thread=thread)
            .annotate(author_name=identity.name_of("author", thread.organisation_id))
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        )
        title = thread.subject or _("Conversation of %(day)s") % {"day": f"{clock.local(thread.created_at):%Y-%m-%d}"}
        page = names(f"{folder}/{safe_name(thread.group.name)} - {safe_name(title)}.html")
        attachment_folder = f"{folder}/{attachments}/{PurePosixPath(page).stem}"
        rows, files = [], []
        for message in messages:
            links = []
            for attachment in message.attachments.all():
                path = names(f"{attachment_folder}/{safe_name(attachment.original_name, attachment.url_name)}")
                links.append((attachment, str(PurePosixPath(path).relative_to(folder))))
                files.append(Member.stored(path, attachment.file, message.created_at, size=attachment.size))
            rows.append((message, links))
        html = render_to_string("exports/thread.html", {"thread": thread, "title": title, "rows": rows})
        yield Member.text(page, html, thread.last_message_at)
        yield from files


def readme_member(root: str, *, child: Child | None, guardian, kind: str) -> Member:
    text = render_to_string(
        "exports/readme.txt",
        {"child": child, "guardian": guardian, "kind": kind, "made": clock.now()},
    )
    name = pgettext("file name in the archive", "README")
    return Member.text(f"{root}/{name}.txt", text, clock.now())


def departure_members(child: Child, guardian) -> list[Member]:
    """Every member of the archive of a child who leaves, in `guardian`'s language."""
    with translation.override(guardian.language):
        root = safe_name(child.full_name, "kind")
        names = UniqueNames()
        members = [readme_member(root, child=child, guardian=guardian, kind="departure")]
        names(members[0].name)
        members += list(media_members(child, root, names))
        members += list(diary_members(child, root, names))
        members += list(message_members(child, root, names))
    return members


def data_export_members(guardian, organisation) -> list[Member]:
    """All data the organisation holds about `guardian` and their children: the JSON, and each
    child's photos, diary and messages beside it."""
    from portal.privacy.selectors import data_about

    with translation.override(guardian.language):
        root = safe_name(_("My data at %(organisation)s") % {"organisation": organisation.name}, "data")
        names = UniqueNames()
        data = data_about(guardian, organisation)
        data_name = pgettext("file name in the archive", "data")
        members = [
            readme_member(root, child=None, guardian=guardian, kind="data"),
            Member.text(f"{root}/{data_name}.json", _json(data), clock.now()),
        ]
        for member in members:
            names(member.name)
        for child in exports_access.children_for_data_export(guardian, organisation):
            child_root = f"{root}/{safe_name(child.full_name, 'kind')}"
            members += list(media_members(child, child_root, names))
            members += list(diary_members(child, child_root, names))
            members += list(message_members(child, child_root, names))
    return members


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_default) + "\n"


def _default(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)
