"""News items and newsletters, for a whole organisation, one location or one group.

An item is invisible to readers until `publish_at`; the families it reaches are told once,
when it appears (`notified_at` records that it happened). Who may publish and who may read is
decided in `portal.access.news`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager
from portal.media.storage import private_storage


class NewsItem(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        NEWSLETTER = "newsletter", _("Newsletter")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="news")
    # Both empty: the whole organisation. Otherwise one location or one group (never both).
    # Indexed by the indexes in Meta that begin with them (a plain one next to those would
    # tempt PostgreSQL to find the organisation-wide items as "group IS NULL").
    location = models.ForeignKey(
        "organisations.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="news", db_index=False
    )
    group = models.ForeignKey(
        "organisations.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="news", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    publish_at = models.DateTimeField(_("publish at"), default=clock.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    # Chosen by the form when it is shown: sending the same form twice makes one item.
    form_key = models.CharField(max_length=64, blank=True)

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(location__isnull=True) | models.Q(group__isnull=True),
                name="news_one_audience",
            ),
            models.UniqueConstraint(
                fields=["created_by", "form_key"],
                condition=~models.Q(form_key=""),
                name="news_one_item_per_form",
            ),
        ]
        # A reader's list is the union of three parts (portal.access.news.news_readable_parts),
        # each read newest first from its own index: organisation-wide items, a location's,
        # a group's.
        indexes = [
            models.Index(fields=["organisation", "-publish_at", "-id"]),
            models.Index(
                fields=["organisation", "-publish_at", "-id"],
                condition=models.Q(location__isnull=True, group__isnull=True),
                name="news_org_wide_publish",
            ),
            models.Index(fields=["location", "-publish_at", "-id"], name="news_location_publish"),
            models.Index(fields=["group", "-publish_at", "-id"], name="news_group_publish"),
            models.Index(fields=["notified_at", "publish_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.publish_at <= clock.now()

    @property
    def is_newsletter(self) -> bool:
        return self.kind == self.Kind.NEWSLETTER

    @property
    def audience(self) -> str:
        """The audience as the forms and the API write it: organisation:1, location:2, group:3."""
        if self.group_id:
            return f"group:{self.group_id}"
        if self.location_id:
            return f"location:{self.location_id}"
        return f"organisation:{self.organisation_id}"

    @property
    def audience_label(self) -> str:
        if self.group is not None:
            return self.group.name
        if self.location is not None:
            return self.location.name
        return str(_("Whole organisation"))

    def image_attachments(self) -> list[NewsAttachment]:
        return [a for a in self.attachments.all() if a.kind == NewsAttachment.Kind.IMAGE]

    def file_attachments(self) -> list[NewsAttachment]:
        return [a for a in self.attachments.all() if a.kind == NewsAttachment.Kind.FILE]

    def first_image(self) -> NewsAttachment | None:
        images = self.image_attachments()
        return images[0] if images else None


def attachment_path(instance, filename: str) -> str:
    return f"news/{instance.item.organisation_id}/{instance.item_id}/{uuid.uuid4().hex}-{filename}"


class NewsAttachment(models.Model):
    """An image (stored again without metadata, with a thumbnail) or a PDF of a news item."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        FILE = "file", _("file")

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(storage=private_storage, upload_to=attachment_path)
    thumbnail = models.FileField(storage=private_storage, upload_to=attachment_path, blank=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    TENANT_PATH = "item__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
