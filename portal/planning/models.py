"""Absences, swaps, extra days and credits (docs/domain.md, "Absences, swaps, extra days and credits")."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager


class Absence(models.Model):
    """A planned day on which the child will not come."""

    class Reason(models.TextChoices):
        SICK = "sick", _("sick")
        HOLIDAY = "holiday", _("holiday")
        OTHER = "other", _("other")

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="absences")
    placement = models.ForeignKey("children.Placement", on_delete=models.CASCADE, related_name="absences")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_at = models.DateTimeField(default=clock.now)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    in_time = models.BooleanField(help_text="Reported before the credit deadline: it earns a credit unless swapped.")

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["child", "date"], name="one_absence_per_child_and_day")]

    def __str__(self) -> str:
        return f"{self.child} absent on {self.date}"


class PlanningRequest(models.Model):
    """A swap (an absence plus a replacement day) or an extra day; the planner decides."""

    class Kind(models.TextChoices):
        SWAP = "swap", _("swap")
        EXTRA_DAY = "extra_day", _("extra day")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the planner")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="planning_requests")
    placement = models.ForeignKey("children.Placement", on_delete=models.CASCADE, related_name="planning_requests")
    group = models.ForeignKey("organisations.Group", on_delete=models.CASCADE, related_name="planning_requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField(_("day"), help_text="The replacement day of a swap, or the extra day.")
    day_parts = models.JSONField(default=list)
    absence = models.OneToOneField(
        Absence, null=True, blank=True, on_delete=models.CASCADE, related_name="swap_request"
    )
    pay_with_credit = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    requested_at = models.DateTimeField(default=clock.now, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(max_length=300, blank=True)

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            # The same request sent twice is one request.
            models.UniqueConstraint(
                fields=["child", "date"],
                condition=models.Q(state__in=["pending", "approved"]),
                name="one_open_request_per_child_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.child} on {self.date} ({self.state})"


class Credit(models.Model):
    """A day of care credited to a child for one kind of care, valid until `expires_on`."""

    class State(models.TextChoices):
        AVAILABLE = "available", _("available")
        RESERVED = "reserved", _("reserved for a request")
        SPENT = "spent", _("spent")
        EXPIRED = "expired", _("expired")
        VOID = "void", _("void: the placement ended")

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="credits")
    placement = models.ForeignKey("children.Placement", on_delete=models.CASCADE, related_name="credits")
    kind_of_care = models.CharField(max_length=20)
    absence = models.OneToOneField(Absence, on_delete=models.CASCADE, related_name="credit")
    earned_at = models.DateTimeField(default=clock.now)
    expires_on = models.DateField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.AVAILABLE, db_index=True)
    request = models.ForeignKey(
        PlanningRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="credits"
    )

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["expires_on", "id"]  # oldest first

    def __str__(self) -> str:
        return f"credit of {self.child} from {self.absence.date} ({self.state})"


class CreditEvent(models.Model):
    """The history of a credit: earned, reserved, spent, returned, expired, voided."""

    class Kind(models.TextChoices):
        EARNED = "earned", _("earned")
        RESERVED = "reserved", _("reserved")
        SPENT = "spent", _("spent")
        RETURNED = "returned", _("returned")
        EXPIRED = "expired", _("expired")
        VOIDED = "voided", _("voided")

    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=clock.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(max_length=300)

    TENANT_PATH = "credit__child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}: {self.reason}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private, revocable link to a child's calendar in iCalendar format, for one guardian."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=clock.now)

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "child"], name="one_feed_per_guardian_and_child")]

    def __str__(self) -> str:
        return f"calendar of {self.child} for {self.user}"
