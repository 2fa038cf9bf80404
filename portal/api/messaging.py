"""Messages for the app: conversations between families and groups, replies with photos and
PDFs, read state, handled/open, and the unread count. The same rules as the pages
(`portal.access.messaging`); writes go through `portal.messaging.services`.

Writing endpoints take a form (multipart/form-data, or urlencoded without files), so that
photos and PDFs can go along with the text. Send an `idempotency_key` of your own (a uuid per
message you compose): sending it again after a broken connection makes no second message."""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from portal.access import messaging as messaging_access
from portal.accounts import identity
from portal.api.auth import TokenAuth
from portal.api.schemas import InputSchema, PageSize, page_of
from portal.core.bounds import Id, PageNumber, Search
from portal.messaging import selectors, services
from portal.messaging.files import attachment_response
from portal.messaging.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Attachment, Thread

router = Router(tags=["messages"], auth=TokenAuth())

PAGE_SIZE = 30
AttachmentKind = Literal["photo", "pdf"]


class MessageAttachmentOut(Schema):
    id: int
    kind: AttachmentKind
    name: str
    content_type: str
    size: int
    url: str = Field(description="The file (a photo at screen size; a PDF as a download)")
    thumbnail_url: str | None = Field(description="Photos only")


class MessageOut(Schema):
    id: int
    author: str
    mine: bool
    by_staff: bool
    body: str = Field(description="Plain text as written; show it escaped")
    created_at: dt.datetime
    attachments: list[MessageAttachmentOut]


class ThreadSummary(Schema):
    id: int
    child_id: int
    child_name: str
    group_id: int
    group_name: str
    subject: str
    last_message_at: dt.datetime
    handled: bool
    unread: int
    excerpt: str = Field(description="The start of the newest message")


class ThreadPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ThreadSummary]


class ThreadOut(ThreadSummary):
    can_reply: bool
    reply_blocked_reason: str = Field(description="Why a guardian can no longer reply (start a new conversation)")
    urgent_phone: str = Field(description="Urgent matters go by phone: the location's number")
    urgent_phone_link: str = Field(description="The same as a tel: link")
    messages: list[MessageOut] = Field(description="The newest messages, oldest first")
    older_before: int | None = Field(description="Pass as `before` for earlier messages")


class ThreadsCreated(Schema):
    threads: list[ThreadSummary] = Field(description="One, or one per family when writing to all families")


class ThreadIn(InputSchema):
    child_id: Id | None = Field(default=None, description="Guardians: the child; staff: the family's child")
    group_id: Id | None = Field(default=None, description="Staff only: the group that writes")
    all_families: bool = Field(default=False, description="Staff only: one conversation per family of the group")
    subject: str = Field(default="", max_length=SUBJECT_MAX_LENGTH)
    body: str = Field(default="", max_length=BODY_MAX_LENGTH)
    idempotency_key: str = Field(default="", max_length=64)


class MessageReplyIn(InputSchema):
    body: str = Field(default="", max_length=BODY_MAX_LENGTH)
    idempotency_key: str = Field(default="", max_length=64)


class UnreadOut(Schema):
    count: int


class ThreadReadOut(Schema):
    unread: int = Field(description="Unread in this thread (0 after reading)")
    total: int = Field(description="Unread messages in all the caller's threads")


def _attachment_out(attachment: Attachment) -> MessageAttachmentOut:
    url = reverse("api:message_attachment_file", kwargs={"attachment_id": attachment.pk})
    return MessageAttachmentOut(
        id=attachment.pk,
        kind=cast(AttachmentKind, attachment.kind),  # Attachment.Kind's values
        name=attachment.original_name,
        content_type=attachment.content_type,
        size=attachment.size,
        url=url,
        thumbnail_url=f"{url}?size=thumb" if attachment.is_photo else None,
    )


def _summary(thread: Thread, unread: int | None = None) -> dict:
    return {
        "id": thread.pk,
        "child_id": thread.child_id,
        "child_name": thread.child.first_name,
        "group_id": thread.group_id,
        "group_name": thread.group.name,
        "subject": thread.subject,
        "last_message_at": thread.last_message_at,
        "handled": thread.handled_at is not None,
        "unread": getattr(thread, "unread", 0) if unread is None else unread,
        "excerpt": getattr(thread, "excerpt", None) or "",
    }


def _message_out(message, user) -> MessageOut:
    return MessageOut(
        id=message.pk,
        author=identity.author_short_name(message, message.thread.organisation_id),
        mine=message.author_id == user.pk,
        by_staff=message.by_staff,
        body=message.body,
        created_at=message.created_at,
        attachments=[_attachment_out(a) for a in message.attachments.all()],
    )


def _thread_out(request, thread: Thread, before: Id | None = None) -> ThreadOut:
    rows, older = selectors.thread_messages(thread, before=before, limit=50)
    decision = messaging_access.message_reply_decision(request.user, thread)
    location = thread.group.location
    return ThreadOut(
        **_summary(thread, unread=selectors.unread_in_thread(request.user, thread)),
        can_reply=decision.allowed,
        reply_blocked_reason="" if decision.allowed else decision.message,
        urgent_phone=location.phone,
        urgent_phone_link=location.phone_link,
        messages=[_message_out(m, request.user) for m in rows],
        older_before=older,
    )


def _files(files) -> list:
    return list(files or [])


@router.get("/messages/threads", response=ThreadPage, url_name="message_threads")
def message_threads(
    request,
    group_id: Id | None = None,
    state: Literal["open", "handled", "all"] = "all",
    q: Search = "",
    page: PageNumber = 1,
    size: PageSize = PAGE_SIZE,
):
    """Guardians: their conversations. Staff: their groups' conversations (or one group's with
    `group_id`), by `state`, searched with `q` (subject, text, child's name). Newest first."""
    taking_part = messaging_access.require_messaging_user(request.user)
    if group_id is not None:
        group = messaging_access.inbox_group_for_user(request.user, group_id)
        threads = selectors.staff_threads(request.user, group_ids=[group.pk], state=state, q=q)
    elif taking_part.staff and not taking_part.family:
        threads = selectors.staff_threads(request.user, group_ids=None, state=state, q=q)
    else:
        threads = selectors.search(selectors.guardian_threads(request.user), q)
    found = page_of(threads, page, size)
    return ThreadPage(**{**found, "items": [ThreadSummary(**_summary(t)) for t in found["items"]]})


@router.post("/messages/threads", response={201: ThreadsCreated}, url_name="message_thread_create")
def message_thread_create(request, data: Form[ThreadIn], files: list[UploadedFile] = File(None)):
    """Guardians: `child_id` (the message goes to the child's group). Staff: `group_id` and
    either `child_id` (one family) or `all_families`. Up to 4 photos (JPEG, PNG, HEIC) or PDFs."""
    # The group first: another organisation's group is a 404 whatever the caller's roles.
    group = messaging_access.inbox_group_for_user(request.user, data.group_id) if data.group_id is not None else None
    taking_part = messaging_access.require_messaging_user(request.user)
    common = {
        "author": request.user,
        "subject": data.subject,
        "body": data.body,
        "files": _files(files),
        "key": data.idempotency_key,
    }
    if group is None:
        if not taking_part.family:
            raise HttpError(422, _("Staff give the group_id of the group that writes."))
        if data.child_id is None:
            raise HttpError(422, _("Give the child_id of the child the message is about."))
        child, group = messaging_access.message_child_for_guardian(request.user, data.child_id)
        if group is None:
            raise HttpError(422, _("This child has no current or upcoming placement to write to."))
        made = [services.thread_start(child=child, group=group, by_staff=False, **common)]
    else:
        if data.all_families:
            made = services.broadcast(group=group, **common)
        elif data.child_id is None:
            raise HttpError(422, _("Give a child_id, or all_families."))
        else:
            child = messaging_access.message_child_for_staff(group, data.child_id)
            made = [services.thread_start(child=child, group=group, by_staff=True, **common)]
    made_ids = [t.pk for t in made]
    rows = selectors.with_counts(
        request.user, messaging_access.visible_threads(request.user).filter(pk__in=made_ids)
    ).order_by("id")
    return Status(201, ThreadsCreated(threads=[ThreadSummary(**_summary(t)) for t in rows]))


@router.get("/messages/threads/{thread_id}", response=ThreadOut, url_name="message_thread")
def message_thread(request, thread_id: Id, before: Id | None = None):
    """One conversation with its newest 50 messages (`before`: earlier ones). Reading it here
    does not mark it read: POST .../read does."""
    return _thread_out(request, messaging_access.thread_for_user(request.user, thread_id), before)


@router.post(
    "/messages/threads/{thread_id}/messages",
    response={201: MessageOut},
    url_name="message_reply",
)
def message_reply(request, thread_id: Id, data: Form[MessageReplyIn], files: list[UploadedFile] = File(None)):
    """Reply. A guardian can reply while the child still has a current or upcoming placement on
    the conversation's group (otherwise 403 with the reason: start a new conversation)."""
    thread = messaging_access.thread_for_user(request.user, thread_id)
    decision = messaging_access.message_reply_decision(request.user, thread)
    if not decision:
        raise HttpError(403, decision.message)
    message = services.message_add(
        author=request.user,
        thread=thread,
        body=data.body,
        files=_files(files),
        key=data.idempotency_key,
        by_staff=messaging_access.is_thread_staff(request.user, thread),
    )
    return Status(201, _message_out(message, request.user))


@router.post("/messages/threads/{thread_id}/read", response=ThreadReadOut, url_name="message_read")
def message_read(request, thread_id: Id):
    thread = messaging_access.thread_for_user(request.user, thread_id)
    services.thread_mark_read(user=request.user, thread=thread)
    return ThreadReadOut(
        unread=selectors.unread_in_thread(request.user, thread), total=selectors.unread_total(request.user)
    )


@router.post("/messages/threads/{thread_id}/handled", response=ThreadSummary, url_name="message_handled")
def message_handled(request, thread_id: Id, handled: bool | None = None):
    """Staff: mark handled (`handled=true`), open again (`handled=false`), or toggle (left out)."""
    thread = messaging_access.thread_for_staff(request.user, thread_id)
    wanted = (not thread.is_handled) if handled is None else handled
    services.thread_set_handled(user=request.user, thread=thread, handled=wanted)
    return ThreadSummary(**_summary(thread, unread=selectors.unread_in_thread(request.user, thread)))


@router.get("/messages/unread", response=UnreadOut, url_name="message_unread")
def message_unread(request):
    """Unread messages in all of the caller's conversations (0 for whoever reads none)."""
    return UnreadOut(count=selectors.unread_total(request.user))


@router.get("/messages/attachments/{attachment_id}/file", url_name="message_attachment_file")
def message_attachment_file(request, attachment_id: Id, size: Literal["", "thumb"] = ""):
    """A photo (screen size, or `size=thumb`) or a PDF (always as a download)."""
    return attachment_response(request, messaging_access.attachment_for_user(request.user, attachment_id), size)
