"""Photos and videos, shared only with the families of the children on them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager
from portal.media.storage import private_storage


def upload_path(instance, filename: str) -> str:
    return f"uploads/{instance.organisation_id}/{uuid.uuid4().hex}"


def rendition_path(instance, filename: str) -> str:
    return f"renditions/{instance.media.organisation_id}/{instance.media_id}/{uuid.uuid4().hex}-{filename}"


class MediaItem(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")

    class State(models.TextChoices):
        PROCESSING = "processing", _("being processed")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be processed")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="media")
    group = models.ForeignKey("organisations.Group", on_delete=models.CASCADE, related_name="media")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now, db_index=True)
    upload_key = models.CharField(
        max_length=64, help_text="Chosen by the uploading device: sending the same file again is one upload."
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROCESSING, db_index=True)
    error = models.CharField(max_length=300, blank=True)
    incoming = models.FileField(storage=private_storage, upload_to=upload_path, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    hidden_for_consent = models.BooleanField(
        default=False, help_text="A child on it no longer has photo consent: families do not see it until staff act."
    )
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    duration_seconds = models.FloatField(null=True)

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["uploaded_by", "upload_key"], name="one_upload_per_device_key")]
        indexes = [models.Index(fields=["state", "-id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.state})"

    def rendition(self, name: str):
        for rendition in self.renditions.all():
            if rendition.name == name:
                return rendition
        return None


class Rendition(models.Model):
    """A processed file of a media item: every file anyone sees, all without metadata."""

    class Name(models.TextChoices):
        THUMBNAIL = "thumb", _("thumbnail")
        SCREEN = "screen", _("screen size")
        ORIGINAL = "original", _("original quality")
        POSTER = "poster", _("poster image")
        VIDEO = "video", _("video")

    media = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="renditions")
    name = models.CharField(max_length=20, choices=Name.choices)
    file = models.FileField(storage=private_storage, upload_to=rendition_path)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    size = models.PositiveBigIntegerField(default=0)

    TENANT_PATH = "media__organisation"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["media", "name"], name="one_rendition_per_name")]

    def __str__(self) -> str:
        return f"{self.name} of {self.media_id}"


class MediaTag(models.Model):
    media = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="tags")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="media_tags")

    TENANT_PATH = "media__organisation"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["media", "child"], name="one_tag_per_child")]
        indexes = [models.Index(fields=["child", "media"])]

    def __str__(self) -> str:
        return f"{self.child_id} on {self.media_id}"
