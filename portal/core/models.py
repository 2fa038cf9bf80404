from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager


class AuditEntry(models.Model):
    """One change to an organisation's data: who did what to which object, and when."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=clock.now, db_index=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The child the change is about (when there is one), so the history filters by child.
    # SET_NULL: the line stays when the child's data is removed; its summary says what happened.
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-at", "-id"]
        # The history page reads newest first, a page at a time from a cursor (time, id),
        # with or without one filter: each has an index in that order, so a page reads its own
        # lines only. The child's page in the back office finds its lines by object.
        indexes = [
            models.Index(fields=["organisation", "-at", "-id"], name="core_audit_org_at_id"),
            models.Index(fields=["organisation", "child", "-at", "-id"], name="core_audit_org_child_at_id"),
            models.Index(fields=["organisation", "actor", "-at", "-id"], name="core_audit_org_actor_at_id"),
            models.Index(fields=["organisation", "action", "-at", "-id"], name="core_audit_org_action_at_id"),
            models.Index(fields=["organisation", "object_type", "object_id"], name="core_audit_org_object"),
        ]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"


class WorkerHeartbeat(models.Model):
    """A running background worker (`manage.py db_worker`) says every few seconds that it is
    alive and which task it runs. A task whose worker stopped saying so is run again by
    `portal.core.recovery.sweep` (docs/operations.md). Not an organisation's row: not scoped."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task it is running now, if any.")

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname} (pid {self.pid})"
