"""Writes of messages: start a conversation, reply, write to every family of a group, read
marks, handled/reopen, and the checking of attachments.

Attachments are checked and processed before anything is stored: a broken, fake or too large
file refuses the whole message with a message saying which file and why, and nothing is saved.
Photos are saved again without metadata (portal.media.processing); PDFs are recognised by their
content and kept as sent (they are only ever served as a download).

Every message may carry an idempotency key (the form's hidden field, or the app's): the same key
from the same author makes one message, however often it is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portal.access import messaging as messaging_access
from portal.core import bounds, clock
from portal.core.audit import log_action
from portal.core.tasks import enqueue_after_commit
from portal.media.attachments import PreparedFile, prepare_all
from portal.messaging.models import (
    BODY_MAX_LENGTH,
    QUICK_MESSAGE_MAX_LENGTH,
    QUICK_MESSAGES_MAX,
    SUBJECT_MAX_LENGTH,
    Attachment,
    Message,
    QuickMessage,
    ReadMark,
    Thread,
)
from portal.notifications import badges

MAX_ATTACHMENTS = 4
PDF_MAX_BYTES_DEFAULT = 10 * 1024 * 1024
KEY_PATTERN = re.compile(r"[^A-Za-z0-9_-]")


def pdf_max_bytes() -> int:
    return getattr(settings, "MESSAGE_MAX_PDF_BYTES", PDF_MAX_BYTES_DEFAULT)


def clean_key(key: str | None) -> str:
    """The idempotency key as stored: letters, digits, - and _, at most 64."""
    return KEY_PATTERN.sub("", key or "")[:64]


def attachments_prepare(uploads: Iterable) -> list[PreparedFile]:
    """Check and process uploaded files (photos and PDFs, see `portal.media.attachments`); any
    problem raises a ValidationError naming the file."""
    return prepare_all(
        uploads,
        pdf_limit=pdf_max_bytes(),
        max_count=MAX_ATTACHMENTS,
        too_many=_("At most %(count)d attachments per message.") % {"count": MAX_ATTACHMENTS},
    )


def _check_text(body: str, subject: str, prepared: list[PreparedFile]) -> tuple[str, str]:
    body = (body or "").strip()
    subject = " ".join((subject or "").split())
    bounds.no_control_characters(body + subject)
    if not body and not prepared:
        raise ValidationError(_("Write a message, or attach a photo or PDF."))
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            _("A message can be at most %(limit)d characters; this one has %(count)d.")
            % {"limit": BODY_MAX_LENGTH, "count": len(body)}
        )
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ValidationError(_("The subject can be at most %(limit)d characters.") % {"limit": SUBJECT_MAX_LENGTH})
    return body, subject


def _store(message: Message, prepared: list[PreparedFile], stored: list[Attachment] | None) -> list[Attachment]:
    """Save the files of one message; for a message to many families the files are stored once
    and each message's attachments point at the same file."""
    made = []
    for index, item in enumerate(prepared):
        attachment = Attachment(
            message=message,
            kind=item.kind,
            original_name=item.name,
            content_type=item.content_type,
            size=len(item.content),
            width=item.width,
            height=item.height,
        )
        if stored is not None:
            attachment.file = stored[index].file.name
            attachment.thumbnail = stored[index].thumbnail.name
        else:
            extension = "pdf" if item.kind == Attachment.Kind.PDF else "jpg"
            attachment.file.save(f"{message.pk}-{index}.{extension}", ContentFile(item.content), save=False)
            if item.thumbnail is not None:
                attachment.thumbnail.save(f"{message.pk}-{index}-thumb.jpg", ContentFile(item.thumbnail), save=False)
        attachment.save()
        made.append(attachment)
    return made


def _notify_after_commit(message_ids: list[int]) -> None:
    from portal.messaging.tasks import notify_messages

    enqueue_after_commit(notify_messages, message_ids)


def _existing(author, key: str, *, thread=None, child=None, group=None) -> Message | None:
    """The message this author sent before with this key, if it was for the same conversation.
    A key used for another conversation (a stale form, an app that reuses keys) is refused:
    answering with that other conversation could show what the author may no longer see."""
    if not key:
        return None
    message = Message.objects.select_related("thread").filter(author=author, idempotency_key=key).first()
    if message is None:
        return None
    same = (
        (thread is None or message.thread_id == thread.pk)
        and (child is None or message.thread.child_id == child.pk)
        and (group is None or message.thread.group_id == group.pk)
    )
    if not same:
        raise ValidationError(_("This form was sent before. Reload the page and write your message again."))
    return message


def _log(action: str, thread: Thread, *, actor, target=None, summary: str, changes=None) -> None:
    """A history line about a conversation: who, which child and group; never the subject or
    the text (they are the people's words), only how many files came with it."""
    log_action(
        action,
        actor=actor,
        organisation=thread.organisation_id,
        target=target or thread,
        child=thread.child_id,
        changes=changes,
        summary=summary,
    )


def _who(thread: Thread) -> dict[str, str]:
    return {"child": thread.child.first_name, "group": thread.group.name}


def _mark_read(user, thread_id: int, upto: int) -> None:
    now = clock.now()
    marks = ReadMark.objects.filter(thread_id=thread_id, user=user)
    if marks.filter(last_read_message_id__lt=upto).update(last_read_message_id=upto, last_read_at=now):
        badges.changed(user)  # something new was read: the tab's unread count is counted again
        return
    if marks.update(last_read_at=now):  # nothing new since the last look
        return
    try:
        with transaction.atomic():
            ReadMark.objects.create(thread_id=thread_id, user=user, last_read_message_id=upto, last_read_at=now)
    except IntegrityError:  # read at the same moment in another request
        _mark_read(user, thread_id, upto)
        return
    badges.changed(user)


def thread_start(*, author, child, group, subject: str, body: str, files=(), key: str = "", by_staff: bool) -> Thread:
    """A new conversation between the family of `child` and `group`, with its first message.
    Sending the same key again gives the thread made the first time."""
    key = clean_key(key)
    if (existing := _existing(author, key, child=child, group=group)) is not None:
        return existing.thread
    prepared = attachments_prepare(files)
    body, subject = _check_text(body, subject, prepared)
    try:
        with transaction.atomic():
            now = clock.now()
            thread = Thread.objects.create(
                organisation_id=group.location.organisation_id,
                group=group,
                child=child,
                subject=subject,
                started_by=author,
                created_at=now,
                last_message_at=now,
            )
            message = Message.objects.create(
                thread=thread, author=author, body=body, by_staff=by_staff, idempotency_key=key, created_at=now
            )
            _store(message, prepared, None)
            _mark_read(author, thread.pk, message.pk)
            _log(
                "messaging.thread.started",
                thread,
                actor=author,
                changes={"attachments": [None, len(prepared)]},
                summary=_("Conversation about %(child)s with %(group)s started") % _who(thread),
            )
            if by_staff:
                _notify_after_commit([message.pk])
    except IntegrityError:
        if (existing := _existing(author, key, child=child, group=group)) is not None:
            return existing.thread
        raise
    return thread


def message_add(*, author, thread: Thread, body: str, files=(), key: str = "", by_staff: bool) -> Message:
    """A reply in a thread. A family's message reopens a handled thread; staff's message tells
    the family (after the commit)."""
    key = clean_key(key)
    if (existing := _existing(author, key, thread=thread)) is not None:
        return existing
    prepared = attachments_prepare(files)
    body, _subject = _check_text(body, "", prepared)
    try:
        with transaction.atomic():
            now = clock.now()
            message = Message.objects.create(
                thread=thread, author=author, body=body, by_staff=by_staff, idempotency_key=key, created_at=now
            )
            _store(message, prepared, None)
            changes: dict[str, object] = {"last_message_at": now}
            if not by_staff:
                changes.update(handled_at=None, handled_by=None)
            Thread.objects.filter(pk=thread.pk).update(**changes)
            for field, value in changes.items():
                setattr(thread, field, value)
            _mark_read(author, thread.pk, message.pk)
            _log(
                "messaging.message.sent",
                thread,
                actor=author,
                target=message,
                changes={"attachments": [None, len(prepared)]},
                summary=_("Message in the conversation about %(child)s with %(group)s") % _who(thread),
            )
            if by_staff:
                _notify_after_commit([message.pk])
    except IntegrityError:
        if (existing := _existing(author, key, thread=thread)) is not None:
            return existing
        raise
    return message


def group_families(group) -> list[list]:
    """The families of a group: its children (current or upcoming placement) grouped by their
    guardians. Children with exactly the same guardians are one family; children without any
    guardian are left out (nobody would read it)."""
    from portal.children.models import Guardian

    children = list(messaging_access.message_children_of_group(group))
    guardians: dict[int, set[int]] = {c.pk: set() for c in children}
    for child_id, user_id in Guardian.objects.filter(child__in=children).values_list("child_id", "user_id"):
        guardians[child_id].add(user_id)
    families: dict[frozenset[int], list] = {}
    for child in children:
        users = frozenset(guardians[child.pk])
        if users:
            families.setdefault(users, []).append(child)
    return list(families.values())


def broadcast(*, author, group, subject: str, body: str, files=(), key: str = "") -> list[Thread]:
    """The same message (text and attachments) to every family of the group: one thread per
    family. Sending the same key again gives the threads made the first time."""
    key = clean_key(key)
    if key:
        sent = Message.objects.filter(author=author, idempotency_key__startswith=f"{key}:").select_related("thread")
        if sent.exists():
            if any(m.thread.group_id != group.pk for m in sent):
                raise ValidationError(_("This form was sent before. Reload the page and write your message again."))
            return [m.thread for m in sent.order_by("id")]
    prepared = attachments_prepare(files)
    body, subject = _check_text(body, subject, prepared)
    families = group_families(group)
    if not families:
        raise ValidationError(_("There are no families on this group yet."))
    threads = []
    try:
        with transaction.atomic():
            now = clock.now()
            stored = None
            message_ids = []
            for children in families:
                thread = Thread.objects.create(
                    organisation_id=group.location.organisation_id,
                    group=group,
                    child=children[0],
                    subject=subject,
                    started_by=author,
                    created_at=now,
                    last_message_at=now,
                )
                message = Message.objects.create(
                    thread=thread,
                    author=author,
                    body=body,
                    by_staff=True,
                    idempotency_key=f"{key}:{children[0].pk}" if key else "",
                    created_at=now,
                )
                stored = _store(message, prepared, stored)
                _mark_read(author, thread.pk, message.pk)
                _log(
                    "messaging.thread.started",
                    thread,
                    actor=author,
                    changes={"attachments": [None, len(prepared)], "to_all_families": [None, True]},
                    summary=_("Conversation about %(child)s with %(group)s started (to all families of the group)")
                    % {"child": children[0].first_name, "group": group.name},
                )
                message_ids.append(message.pk)
                threads.append(thread)
            _notify_after_commit(message_ids)
    except IntegrityError:
        if key:
            sent = Message.objects.filter(author=author, idempotency_key__startswith=f"{key}:")
            return [m.thread for m in sent.select_related("thread").order_by("id")]
        raise
    return threads


def thread_mark_read(*, user, thread: Thread) -> None:
    """The user has seen every message of the thread up to now."""
    newest = thread.messages.aggregate(newest=Max("id"))["newest"] or 0
    _mark_read(user, thread.pk, newest)
    from django.urls import reverse

    from portal.notifications.services import mark_read_for_url

    mark_read_for_url(user, reverse("messaging:thread", args=[thread.pk]))


@transaction.atomic
def thread_set_handled(*, user, thread: Thread, handled: bool) -> Thread:
    was_handled = thread.handled_at is not None
    if handled:
        thread.handled_at, thread.handled_by = clock.now(), user
    else:
        thread.handled_at, thread.handled_by = None, None
    thread.save(update_fields=["handled_at", "handled_by"])
    if handled:
        action, summary = "messaging.thread.handled", _("Conversation about %(child)s with %(group)s marked handled")
    else:
        action, summary = "messaging.thread.reopened", _("Conversation about %(child)s with %(group)s reopened")
    _log(action, thread, actor=user, changes={"handled": [was_handled, handled]}, summary=summary % _who(thread))
    return thread


@transaction.atomic
def quick_messages_set(*, actor, organisation, texts: list[str]) -> list[QuickMessage]:
    """The organisation's quick messages, in this order (empty lines dropped). None at all
    brings back the portal's defaults."""
    cleaned = [" ".join(t.split()) for t in texts]
    cleaned = [t for t in cleaned if t]
    if len(cleaned) > QUICK_MESSAGES_MAX:
        raise ValidationError(_("At most %(count)d quick messages.") % {"count": QUICK_MESSAGES_MAX})
    for text in cleaned:
        if len(text) > QUICK_MESSAGE_MAX_LENGTH:
            raise ValidationError(
                _("“%(text)s…” is too long: at most %(count)d characters.")
                % {"text": text[:30], "count": QUICK_MESSAGE_MAX_LENGTH}
            )
    before = list(QuickMessage.objects.filter(organisation=organisation).values_list("text", flat=True))
    if before == cleaned:
        return list(QuickMessage.objects.filter(organisation=organisation))
    QuickMessage.objects.filter(organisation=organisation).delete()
    rows = QuickMessage.objects.bulk_create(
        QuickMessage(organisation=organisation, text=text, position=index) for index, text in enumerate(cleaned)
    )
    log_action(
        "messaging.quick_messages.changed",
        actor=actor,
        organisation=organisation,
        changes={"quick_messages": [before, cleaned]},
        summary=_("Quick messages: %(texts)s") % {"texts": "; ".join(cleaned) or _("the defaults")},
    )
    return rows
