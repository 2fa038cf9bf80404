"""The diary for the app: read, write, reply, print."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from portal.access import diary as diary_access
from portal.accounts import identity
from portal.api.auth import TokenAuth
from portal.api.schemas import InputSchema
from portal.core import bounds
from portal.core.bounds import Date, Id
from portal.diary import services
from portal.diary.files import export_response
from portal.diary.models import DiaryEntry, DiaryExport, DiaryReply

router = Router(tags=["diary"], auth=TokenAuth())


class DiaryReplyOut(Schema):
    author: str
    text: str
    created_at: dt.datetime


class EntryOut(Schema):
    id: int
    date: dt.date
    state: str
    by_guardian: bool
    author: str
    text: str
    sleeps: list[dict]
    feeds: list[dict]
    nappies: list[dict]
    mood: str
    photo_url: str | None
    replies: list[DiaryReplyOut]


class EntryIn(InputSchema):
    date: Date
    text: str = Field(default="", max_length=bounds.TEXT_MAX_LENGTH)
    sleeps: list[dict] = Field(
        default_factory=list,
        max_length=bounds.CARE_ITEMS_MAX,
        description='[{"from": "09:30", "to": "11:00"}], staff only',
    )
    feeds: list[dict] = Field(
        default_factory=list,
        max_length=bounds.CARE_ITEMS_MAX,
        description='[{"time": "10:00", "what": "fles", "ml": 150}]',
    )
    nappies: list[dict] = Field(
        default_factory=list, max_length=bounds.CARE_ITEMS_MAX, description='[{"time": "11:15", "kind": "wet"}]'
    )
    mood: Literal["", "happy", "calm", "tired", "grumpy", "unwell"] = ""
    publish: bool = True


class DiaryReplyIn(InputSchema):
    text: str = Field(min_length=1, max_length=services.REPLY_MAX_LENGTH)


class ExportIn(InputSchema):
    first_day: Date | None = None
    last_day: Date | None = None


class ExportOut(Schema):
    id: int
    ready: bool
    pages: int | None
    error: str
    download_url: str | None


def _entry_out(entry: DiaryEntry) -> EntryOut:
    photo = reverse("diary:photo", args=[entry.pk, "screen"]) if entry.media and entry.media.state == "ready" else None
    return EntryOut(
        id=entry.pk,
        date=entry.date,
        state=entry.state,
        by_guardian=entry.by_guardian,
        author=identity.author_short_name(entry, entry.child.organisation_id),
        text=entry.text,
        sleeps=entry.sleeps,
        feeds=entry.feeds,
        nappies=entry.nappies,
        mood=entry.mood,
        photo_url=photo,
        replies=[
            DiaryReplyOut(
                author=identity.author_short_name(r, entry.child.organisation_id), text=r.text, created_at=r.created_at
            )
            for r in entry.replies.all()
        ],
    )


@router.get("/children/{child_id}/diary", response=list[EntryOut])
def entries(request, child_id: Id, before: Date | None = None):
    """Newest first, 30 a page; `before` gives the page before that day."""
    child = diary_access.diary_child_for_user(request.user, child_id)
    rows = identity.with_author_names(
        diary_access.readable_entries(request.user, child).select_related("author", "media"),
        child.organisation_id,
        replies_model=DiaryReply,
    )
    if before:
        rows = rows.filter(date__lt=before)
    return [_entry_out(e) for e in rows.order_by("-date", "-id")[:30]]


@router.post("/children/{child_id}/diary", response={201: EntryOut})
def write(request, child_id: Id, payload: EntryIn):
    child = diary_access.diary_child_for_user(request.user, child_id)
    staff = diary_access.is_diary_staff(request.user, child)
    care: dict[str, Any] = {
        "sleeps": payload.sleeps,
        "feeds": payload.feeds,
        "nappies": payload.nappies,
        "mood": payload.mood,
    }
    try:
        entry = services.entry_save(
            author=request.user,
            child=child,
            day=payload.date,
            text=payload.text,
            publish=payload.publish,
            by_guardian=not staff,
            **(care if staff else {}),
        )
    except (ValueError, TypeError) as exc:  # a care note of the wrong shape
        raise ValidationError(_("A care note is not in the form shown in the documentation.")) from exc
    return Status(201, _entry_out(entry))


@router.post("/diary/entries/{entry_id}/replies", response={201: DiaryReplyOut})
def reply(request, entry_id: Id, payload: DiaryReplyIn):
    entry = diary_access.entry_for_reader(request.user, entry_id)
    created = services.reply_add(author=request.user, entry=entry, text=payload.text)
    return Status(
        201, DiaryReplyOut(author=request.user.get_short_name(), text=created.text, created_at=created.created_at)
    )


def _export_out(export: DiaryExport) -> ExportOut:
    url = reverse("api:diary_export_file", kwargs={"export_id": export.pk}) if export.file else None
    return ExportOut(id=export.pk, ready=bool(export.file), pages=export.pages, error=export.error, download_url=url)


@router.post("/children/{child_id}/diary/pdf", response={202: ExportOut})
def export(request, child_id: Id, payload: ExportIn):
    """Ask for the PDF (made in the background); poll the export until it is ready."""
    child = diary_access.diary_child_for_user(request.user, child_id)
    made = services.export_request(
        user=request.user, child=child, first_day=payload.first_day, last_day=payload.last_day
    )
    return Status(202, _export_out(made))


def _own_export(request, export_id: Id) -> DiaryExport:
    return diary_access.export_for_user(request.user, export_id)


@router.get("/diary/exports/{export_id}", response=ExportOut)
def export_status(request, export_id: Id):
    return _export_out(_own_export(request, export_id))


@router.get("/diary/exports/{export_id}/file", url_name="diary_export_file")
def export_file(request, export_id: Id):
    return export_response(request, _own_export(request, export_id))
