"""The family's privacy: who looked at a child's files, requests to erase a child's data, and
the record that a child's data was removed (without personal data). See docs/privacy.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager


class AccessLogEntry(models.Model):
    """Someone downloaded a child's files or opened the child's record in the back office."""

    class What(models.TextChoices):
        PHOTO_ORIGINAL = "photo_original", _("downloaded a photo or video in original quality")
        DIARY_PDF = "diary_pdf", _("downloaded the diary as PDF")
        ARCHIVE = "archive", _("downloaded the archive with everything")
        DATA_EXPORT = "data_export", _("downloaded the data export")
        RECORD = "record", _("opened the child's record in the back office")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="access_log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=clock.now)
    what = models.CharField(max_length=20, choices=What.choices)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "-at", "-id"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.what} of {self.child_id} at {self.at:%Y-%m-%d %H:%M}"


class ErasureRequest(models.Model):
    """A guardian asks the organisation to erase the data of a child; an admin confirms it
    (the retention removal then runs at once) or refuses it with an explanation."""

    class State(models.TextChoices):
        OPEN = "open", _("waiting for the organisation")
        CONFIRMED = "confirmed", _("confirmed: the data was erased")
        REFUSED = "refused", _("refused")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    # SET_NULL: the request stays as a record when the child (after the fiscal retention) goes.
    child = models.ForeignKey("children.Child", null=True, on_delete=models.SET_NULL, related_name="erasure_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    note = models.TextField(_("explanation"), blank=True, max_length=2000)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal = models.TextField(_("why the request is refused"), blank=True, max_length=2000)

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(state="open"), name="one_open_erasure_request_per_child"
            )
        ]

    def __str__(self) -> str:
        return f"erasure of {self.child_id} ({self.state})"


class ChildRemoval(models.Model):
    """The record that a child's data was removed: ids and counts, no personal data."""

    class Reason(models.TextChoices):
        RETENTION = "retention", _("the grace period after departure ended")
        ERASURE = "erasure", _("erasure requested by a guardian")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    child = models.OneToOneField("children.Child", null=True, on_delete=models.SET_NULL, related_name="removal")
    child_number = models.PositiveBigIntegerField(help_text="The child's id, kept after the child row goes.")
    removed_at = models.DateTimeField(default=clock.now)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    counts = models.JSONField(default=dict)
    fiscal_removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When what the fiscal retention kept was removed too."
    )

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-removed_at"]

    def __str__(self) -> str:
        return f"data of child {self.child_number} removed ({self.reason})"
