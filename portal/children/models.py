from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import TenantManager, TenantQuerySet
from portal.organisations.models import Group, Organisation


class Child(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    photo_consent = models.BooleanField(
        _("photo consent"), default=False, help_text=_("The guardians allow photos of this child to be shared.")
    )
    allergies = models.TextField(_("allergies"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    external_id = models.CharField(
        _("number in the planning system"),
        max_length=50,
        blank=True,
        help_text=_("The child's number in the organisation's planning system; used by the import."),
    )

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["first_name", "last_name"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_child_external_id",
            )
        ]
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: dt.date) -> int:
        """Age in completed years on `day` (a child born on 29 February ages on 1 March)."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class PickupPerson(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="pickup_persons")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100, blank=True)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmergencyContact(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="emergency_contacts")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=100, blank=True)
    phone = models.CharField(_("phone number"), max_length=40)

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Guardian(models.Model):
    """A parent or carer of a child. Every guardian has an own login (their user)."""

    class Relation(models.TextChoices):
        PARENT = "parent", _("parent")
        CARER = "carer", _("carer")
        OTHER = "other", _("other")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardians")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices, default=Relation.PARENT)

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "child"], name="unique_guardian")]

    def __str__(self) -> str:
        return f"{self.user} ({self.relation}) of {self.child}"


def current_or_upcoming_q(day: dt.date, via: str = "") -> models.Q:
    """The one definition of "a placement that is current or upcoming on `day`": not ended
    before `day` (it may start later). `via` is the path to the placement from another model
    ("placements" from Child, "placement" from a credit or a schedule row), so the condition
    joins the same placement row as the rest of one `filter()` call."""
    prefix = f"{via}__" if via else ""
    return models.Q(**{f"{prefix}end_date__isnull": True}) | models.Q(**{f"{prefix}end_date__gte": day})


class PlacementQuerySet(TenantQuerySet):
    def current_or_upcoming(self, day: dt.date) -> PlacementQuerySet:
        """Placements not ended before `day`: running on it, or starting later."""
        return self.filter(current_or_upcoming_q(day))

    def ended_before(self, day: dt.date) -> PlacementQuerySet:
        """Placements whose last day of care was before `day`: the opposite of the above."""
        return self.exclude(current_or_upcoming_q(day))

    def without_end(self) -> PlacementQuerySet:
        """Placements with no last day yet: while a child has one, the child is not leaving."""
        return self.filter(end_date__isnull=True)

    def active_on(self, day: dt.date) -> PlacementQuerySet:
        """Placements running on `day` (started, not ended)."""
        return self.filter(start_date__lte=day).filter(current_or_upcoming_q(day))


PlacementManager = TenantManager.from_queryset(PlacementQuerySet)


class Placement(models.Model):
    """A child's contract on a group: from `start_date` up to and including `end_date`."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="placements", verbose_name=_("group"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("The last day of care."))

    TENANT_PATH = "child__organisation"
    objects = PlacementManager()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="placement_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child} on {self.group.name} from {self.start_date}"

    def clean(self) -> None:
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        if self.group_id and self.child_id and self.group.location.organisation_id != self.child.organisation_id:
            raise ValidationError({"group": _("The group belongs to another organisation.")})

    def is_current_or_upcoming(self, day: dt.date) -> bool:
        """The same rule as `current_or_upcoming_q`, for a placement already read."""
        return self.end_date is None or self.end_date >= day

    def is_active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and self.is_current_or_upcoming(day)


class ScheduledDayPart(models.Model):
    """One day part of the weekly schedule of a placement, e.g. Monday morning."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")

    class DayPart(models.TextChoices):
        MORNING = "morning", _("morning")
        AFTERNOON = "afternoon", _("afternoon")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="schedule")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    day_part = models.CharField(_("day part"), max_length=10, choices=DayPart.choices)

    TENANT_PATH = "placement__child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["weekday", "-day_part"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "weekday", "day_part"], name="unique_scheduled_day_part")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.get_day_part_display()}"
