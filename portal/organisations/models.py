from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import TenantManager


class Organisation(models.Model):
    """A childcare provider: the tenant. Nothing of one organisation is visible to another."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    invitation_lead_days = models.PositiveSmallIntegerField(
        _("invitation lead time (days)"),
        default=42,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("Guardians receive their invitation this many days before the placement starts."),
    )
    credit_deadline_hour = models.PositiveSmallIntegerField(
        _("credit deadline (hour)"),
        default=12,
        validators=[MaxValueValidator(23)],
        help_text=_("An absence earns a credit when it is reported before this hour (Amsterdam time)."),
    )
    credit_deadline_days_before = models.PositiveSmallIntegerField(
        _("credit deadline (days before)"),
        default=1,
        validators=[MaxValueValidator(30)],
        help_text=_("The deadline falls this many days before the absent day (1 = the day before)."),
    )
    credit_validity_days = models.PositiveSmallIntegerField(
        _("credit validity (days)"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A credit can be used for this many days after the absent day."),
    )
    grace_period_days = models.PositiveSmallIntegerField(
        _("access after departure (days)"),
        default=90,
        validators=[MaxValueValidator(730)],
        help_text=_("Guardians keep access this long after the placement ends, to download everything."),
    )

    TENANT_PATH = "id"
    objects = TenantManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone number"), max_length=40)
    lrk_number = models.CharField(
        _("LRK number"),
        max_length=12,
        validators=[RegexValidator(r"^\d{9,12}$", _("An LRK number has 9 to 12 digits."))],
        help_text=_("The number in the national childcare register (Landelijk Register Kinderopvang)."),
    )

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_link(self) -> str:
        """The phone number as a tel: URI for a tap-to-call link."""
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}"


class Group(models.Model):
    class Kind(models.TextChoices):
        DAYCARE = "dagopvang", _("daycare (0–4)")
        OUT_OF_SCHOOL = "bso", _("out-of-school care (4–13)")
        PRESCHOOL = "peuteropvang", _("preschool (2–4)")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="groups", verbose_name=_("location"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    TENANT_PATH = "location__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["location__name", "name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return f"{self.name} ({self.location.name})"


class GroupStaff(models.Model):
    """Group staff (pedagogisch medewerker) working on a group."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_roles")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="staff")

    TENANT_PATH = "group__location__organisation"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="unique_group_staff")]

    def __str__(self) -> str:
        return f"{self.user} on {self.group}"


class LocationPlanner(models.Model):
    """A planner deciding on requests for a location."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planner_roles")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="planners")

    TENANT_PATH = "location__organisation"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "location"], name="unique_location_planner")]

    def __str__(self) -> str:
        return f"{self.user} plans {self.location}"


class OrganisationAdmin(models.Model):
    """An administrator of the organisation's data and settings (two-factor login required)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admin_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="admins")

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_organisation_admin")]

    def __str__(self) -> str:
        return f"{self.user} administers {self.organisation}"


class ClosingDay(models.Model):
    """A day a location is closed (a holiday, a study day): no care is planned then."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closing_days")
    date = models.DateField(_("date"))
    name = models.CharField(_("reason"), max_length=100)

    TENANT_PATH = "location__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        constraints = [models.UniqueConstraint(fields=["location", "date"], name="unique_closing_day")]

    def __str__(self) -> str:
        return f"{self.location.name} {self.date}: {self.name}"


class RosterPattern(models.Model):
    """How many professionals normally work on a group in one day part of the week."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="roster_patterns")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    day_part = models.CharField(_("day part"), max_length=10)
    professionals = models.PositiveSmallIntegerField(_("professionals"), validators=[MaxValueValidator(20)])

    TENANT_PATH = "group__location__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["group", "weekday", "-day_part"]
        constraints = [models.UniqueConstraint(fields=["group", "weekday", "day_part"], name="unique_roster_pattern")]

    def __str__(self) -> str:
        return f"{self.group.name} {self.weekday} {self.day_part}: {self.professionals}"


class RosterException(models.Model):
    """A single day on which a group has another number of professionals than its pattern."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="roster_exceptions")
    date = models.DateField(_("date"))
    day_part = models.CharField(_("day part"), max_length=10)
    professionals = models.PositiveSmallIntegerField(_("professionals"), validators=[MaxValueValidator(20)])
    note = models.CharField(_("note"), max_length=200, blank=True)

    TENANT_PATH = "group__location__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["date", "-day_part"]
        constraints = [models.UniqueConstraint(fields=["group", "date", "day_part"], name="unique_roster_exception")]

    def __str__(self) -> str:
        return f"{self.group.name} {self.date} {self.day_part}: {self.professionals}"
