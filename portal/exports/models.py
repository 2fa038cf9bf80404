"""Archives a family takes along: everything of one child when the child leaves (photos,
videos, the diary, the conversations), or all data the organisation holds about a guardian
and their children. Built in the background as one ZIP file in private storage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager
from portal.media.storage import private_storage


class Archive(models.Model):
    class Kind(models.TextChoices):
        DEPARTURE = "departure", _("everything of a child who leaves")
        DATA = "data", _("all data about a guardian and their children")

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        BUILDING = "building", _("being built")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be made")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The child of a departure archive; empty for a data export (which covers all children).
    child = models.ForeignKey("children.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    files_done = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to="archives/", blank=True, max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "kind", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.kind} archive {self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == self.State.READY:
            return 100
        if not self.files_total:
            return 0
        return min(99, self.files_done * 100 // self.files_total)

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.WAITING, self.State.BUILDING)
