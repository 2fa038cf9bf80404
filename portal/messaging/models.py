"""Messages between families and their child's group.

A `Thread` is one conversation between one family (named by a child) and one group. Its
`Message`s may carry `Attachment`s (photos, stripped of metadata, and PDFs). Each person's
read state is a `ReadMark`. Who may read and write what is decided in `portal.access.messaging`
(section "messages"); see docs/messages.md for the rules and why.
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager
from portal.media.storage import private_storage

BODY_MAX_LENGTH = 5000
SUBJECT_MAX_LENGTH = 200
QUICK_MESSAGE_MAX_LENGTH = 120
QUICK_MESSAGES_MAX = 8


class Thread(models.Model):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("organisations.Group", on_delete=models.CASCADE, related_name="message_threads")
    # The family the conversation is with, named by one of its children.
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="message_threads")
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    last_message_at = models.DateTimeField(default=clock.now, db_index=True)
    # Staff mark a thread handled; empty means open. A new message from the family reopens it.
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["group", "-last_message_at"]),
            models.Index(fields=["child", "-last_message_at"]),
        ]

    def __str__(self) -> str:
        return f"thread {self.pk} of {self.child_id} with group {self.group_id}"

    @property
    def is_handled(self) -> bool:
        return self.handled_at is not None


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    by_staff = models.BooleanField(default=False)
    # Chosen when the form is shown (or by the app): sending the same form twice makes one message.
    idempotency_key = models.CharField(max_length=100, blank=True)

    TENANT_PATH = "thread__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="message_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"message {self.pk} in thread {self.thread_id}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        PDF = "pdf", _("PDF")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # A photo: the screen-size JPEG without metadata; a PDF: the file as sent.
    file = models.FileField(storage=private_storage, upload_to="messages/%Y/%m/", max_length=200)
    thumbnail = models.FileField(storage=private_storage, upload_to="messages/%Y/%m/", max_length=200, blank=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    TENANT_PATH = "message__thread__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_photo(self) -> bool:
        return self.kind == self.Kind.PHOTO

    @property
    def url_name(self) -> str:
        """A safe file name for the URL (the download keeps the original name)."""
        stem = slugify(PurePath(self.original_name).stem)[:60] or "file"
        return f"{stem}.{'pdf' if self.kind == self.Kind.PDF else 'jpg'}"


class ReadMark(models.Model):
    """How far one person has read one thread. Unread: messages after the mark, not their own.

    `last_read_message_id` is what the counts use (ids only grow, and two messages of the same
    moment are still told apart); `last_read_at` says when the person last looked."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField(default=clock.now)
    last_read_message_id = models.BigIntegerField(default=0)

    TENANT_PATH = "thread__organisation"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="one_read_mark_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} up to {self.last_read_message_id}"


class QuickMessage(models.Model):
    """A ready-made start of a message that a guardian taps ("is ziek", "komt later"), in the
    organisation's own words; the child's first name goes in front. Without any, the portal
    offers its defaults (`portal.messaging.selectors.quick_messages`)."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("text"), max_length=QUICK_MESSAGE_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text
