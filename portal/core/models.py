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
        indexes = [
            models.Index(fields=["organisation", "-at"]),
            models.Index(fields=["organisation", "child", "-at"], name="core_audit_org_child_at"),
            models.Index(fields=["organisation", "actor", "-at"], name="core_audit_org_actor_at"),
        ]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"
