"""Photos and videos for the app: upload, tags, the feed and the files."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from portal.access import media as media_access
from portal.access import organisations as organisations_access
from portal.access import roles as roles_access
from portal.api.auth import TokenAuth
from portal.api.schemas import InputSchema
from portal.core.bounds import Id
from portal.media import selectors, services
from portal.media.files import rendition_response
from portal.media.processing import MediaRejected

router = Router(tags=["photos and videos"], auth=TokenAuth())


class MediaOut(Schema):
    id: int
    kind: str
    state: str
    caption: str
    uploaded_at: dt.datetime
    group_id: Id
    children: list[int] = Field(description="Tagged children that the caller may know of")
    thumbnail_url: str | None
    screen_url: str | None
    download_url: str | None


class FeedOut(Schema):
    items: list[MediaOut]
    next_before: int | None = Field(description="Pass as `before` for the next, older page")


class UploadIn(InputSchema):
    upload_key: str = Field(min_length=8, max_length=60, description="Chosen by the device; send again safely")
    caption: str = Field(default="", max_length=500)
    children: list[Id] = Field(default_factory=list, description="Children on the photo (with photo consent)")


class TagsIn(InputSchema):
    children: list[Id]


def _out(item, user) -> MediaOut:
    children = [t.child_id for t in media_access.visible_tags(user, item)]
    ready = item.state == "ready"

    def url(name):
        return reverse("api:media_file", kwargs={"media_id": item.pk, "name": name}) if ready else None

    screen = "poster" if item.kind == "video" else "screen"
    return MediaOut(
        id=item.pk,
        kind=item.kind,
        state=item.state,
        caption=item.caption,
        uploaded_at=item.uploaded_at,
        group_id=item.group_id,
        children=children,
        thumbnail_url=url("thumb"),
        screen_url=url(screen),
        download_url=url("download"),
    )


@router.get("/media", response=FeedOut)
def feed(request, child: Id | None = None, before: Id | None = None):
    """The caller's photos and videos, newest first, 24 a page."""
    if child is not None and not roles_access.is_guardian_of(request.user, child):
        child = None
    items, next_cursor = selectors.feed(request.user, child_id=child, before=before)
    return FeedOut(items=[_out(i, request.user) for i in items], next_before=next_cursor)


@router.get("/media/{media_id}", response=MediaOut)
def detail(request, media_id: Id):
    return _out(media_access.media_for_user(request.user, media_id), request.user)


@router.get("/media/{media_id}/files/{name}", url_name="media_file")
def media_file(request, media_id: Id, name: str):
    """`thumb`, `screen`, `poster`, `video`, or `download` (original quality, no metadata)."""
    return rendition_response(request, media_access.media_for_user(request.user, media_id), name)


@router.post("/groups/{group_id}/media", response={200: MediaOut, 201: MediaOut})
def upload(request, group_id: Id, file: File[UploadedFile], data: Form[UploadIn]):
    """One photo or video. Sending it again with the same `upload_key` returns the first."""
    group = organisations_access.staff_group_for_user(request.user, group_id)
    try:
        item, created = services.media_receive(
            user=request.user,
            group=group,
            upload=file,
            upload_key=data.upload_key,
            caption=data.caption,
            child_ids=data.children,
        )
    except MediaRejected as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201 if created else 200, _out(item, request.user))


@router.put("/media/{media_id}/tags", response=MediaOut)
def set_tags(request, media_id: Id, payload: TagsIn):
    item = media_access.media_for_staff(request.user, media_id)
    services.media_set_tags(user=request.user, item=item, child_ids=payload.children)
    item.refresh_from_db()
    return Status(200, _out(item, request.user))
