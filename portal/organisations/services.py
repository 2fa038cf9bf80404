"""Writes about an organisation: locations, groups, staff roles, settings, closing days and
the staff roster. Each is atomic and records what it changed in the history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.accounts import identity
from portal.accounts.models import User
from portal.core.audit import audit_record, changes_between
from portal.organisations.models import (
    ClosingDay,
    Group,
    GroupStaff,
    Location,
    LocationPlanner,
    Organisation,
    OrganisationAdmin,
    RosterException,
    RosterPattern,
)


def user_for_email(email: str, full_name: str = "") -> tuple[User, bool]:
    """The user with this e-mail address, made (without a password) when there is none yet.
    An existing person is not changed: the name entered goes to the organisation's profile."""
    email = User.objects.normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    return User.objects.create_user(email, None, full_name=full_name), True


def _check_group(organisation: Organisation, group: Group) -> None:
    if group.location.organisation_id != organisation.pk:
        raise ValidationError(_("The group belongs to another organisation."))


# ---------------------------------------------------------------- locations and groups


@transaction.atomic
def location_save(*, organisation: Organisation, actor, location: Location | None, **fields) -> Location:
    created = location is None
    location = location or Location(organisation=organisation)
    changes = {} if created else changes_between(location, fields)
    for name, value in fields.items():
        setattr(location, name, value)
    location.full_clean()
    location.save()
    if created or changes:
        audit_record(
            organisation=organisation,
            actor=actor,
            action="location.created" if created else "location.updated",
            target=location,
            summary=(_("Location %(name)s added") if created else _("Location %(name)s changed"))
            % {"name": location.name},
            changes=changes or fields,
        )
    return location


@transaction.atomic
def group_save(*, organisation: Organisation, actor, group: Group | None, **fields) -> Group:
    created = group is None
    group = group or Group()
    changes = {} if created else changes_between(group, fields)
    for name, value in fields.items():
        setattr(group, name, value)
    _check_group(organisation, group)
    group.full_clean()
    group.save()
    if created or changes:
        audit_record(
            organisation=organisation,
            actor=actor,
            action="group.created" if created else "group.updated",
            target=group,
            summary=(_("Group %(name)s added") if created else _("Group %(name)s changed")) % {"name": group.name},
            changes=changes or fields,
        )
    return group


# ---------------------------------------------------------------- staff roles


ROLE_MODELS: dict[str, type[GroupStaff] | type[LocationPlanner] | type[OrganisationAdmin]] = {
    "group_staff": GroupStaff,
    "planner": LocationPlanner,
    "admin": OrganisationAdmin,
}
ROLE_NAMES = {"group_staff": _lazy("group staff"), "planner": _lazy("planner"), "admin": _lazy("organisation admin")}


@transaction.atomic
def staff_role_add(
    *,
    organisation: Organisation,
    actor,
    email: str,
    full_name: str,
    role: str,
    group: Group | None = None,
    location: Location | None = None,
):
    """Offer someone a role: it starts when they accept it (`identity.role_invite`). A role
    without its group or location is refused before anyone's login is made."""
    if role == "group_staff":
        if group is None:
            raise ValidationError(_("Choose the group this person works on."))
        _check_group(organisation, group)
    elif role == "planner":
        if location is None:
            raise ValidationError(_("Choose the location this person plans for."))
        if location.organisation_id != organisation.pk:
            raise ValidationError(_("The location belongs to another organisation."))
    user, _created = user_for_email(email, full_name)
    return identity.role_invite(
        organisation=organisation,
        actor=actor,
        user=user,
        full_name=full_name,
        role=role,
        group=group,
        location=location,
    )


@transaction.atomic
def staff_role_remove(*, organisation: Organisation, actor, row) -> None:
    """Take a role away. An admin cannot take away their own admin role (the organisation
    would be left without anyone who can give it back): another admin does that."""
    if isinstance(row, OrganisationAdmin) and actor is not None and row.user_id == actor.pk:
        raise ValidationError(_("You cannot remove your own admin role; ask another admin."))
    user = row.user
    where = getattr(row, "group", None) or getattr(row, "location", None) or organisation
    row.delete()
    audit_record(
        organisation=organisation,
        actor=actor,
        action="role.removed",
        target=user,
        summary=_("%(email)s no longer works on %(where)s")
        % {"email": user.email, "where": getattr(where, "name", where)},
    )


# ---------------------------------------------------------------- settings and closing days


@transaction.atomic
def organisation_settings_update(*, organisation: Organisation, actor, **fields) -> Organisation:
    changes = changes_between(organisation, fields)
    if changes:
        for name, value in fields.items():
            setattr(organisation, name, value)
        organisation.full_clean()
        organisation.save()
        audit_record(
            organisation=organisation,
            actor=actor,
            action="organisation.settings.changed",
            target=organisation,
            summary=_("Settings changed"),
            changes=changes,
        )
    return organisation


@transaction.atomic
def closing_day_add(*, organisation: Organisation, actor, locations: list[Location], date: dt.date, name: str) -> int:
    added = 0
    for location in locations:
        if location.organisation_id != organisation.pk:
            raise ValidationError(_("The location belongs to another organisation."))
        _row, made = ClosingDay.objects.get_or_create(location=location, date=date, defaults={"name": name})
        added += made
    if added:
        audit_record(
            organisation=organisation,
            actor=actor,
            action="closing_day.added",
            summary=_("Closed on %(day)s (%(name)s) at %(where)s")
            % {"day": date.isoformat(), "name": name, "where": ", ".join(loc.name for loc in locations)},
        )
    return added


@transaction.atomic
def closing_day_remove(*, organisation: Organisation, actor, closing_day: ClosingDay) -> None:
    closing_day.delete()
    audit_record(
        organisation=organisation,
        actor=actor,
        action="closing_day.removed",
        summary=_("Closing day %(day)s at %(where)s removed")
        % {"day": closing_day.date.isoformat(), "where": closing_day.location.name},
    )


# ---------------------------------------------------------------- staff roster


@transaction.atomic
def roster_pattern_set(*, group: Group, actor, counts: dict[tuple[int, str], int]) -> None:
    """Set the weekly pattern of a group: professionals per (weekday, day part)."""
    old = {(r.weekday, r.day_part): r.professionals for r in group.roster_patterns.all()}
    if old == {k: v for k, v in counts.items() if v or k in old}:
        return
    for (weekday, part), professionals in counts.items():
        RosterPattern.objects.update_or_create(
            group=group, weekday=weekday, day_part=part, defaults={"professionals": professionals}
        )
    audit_record(
        organisation=group.location.organisation,
        actor=actor,
        action="roster.pattern.changed",
        target=group,
        summary=_("Weekly roster of %(group)s changed") % {"group": group.name},
        changes={f"{w}-{p}": [old.get((w, p)), n] for (w, p), n in counts.items() if old.get((w, p)) != n},
    )


@transaction.atomic
def roster_exception_set(
    *, group: Group, actor, date: dt.date, day_part: str, professionals: int, note: str = ""
) -> RosterException:
    row, _created = RosterException.objects.update_or_create(
        group=group, date=date, day_part=day_part, defaults={"professionals": professionals, "note": note}
    )
    audit_record(
        organisation=group.location.organisation,
        actor=actor,
        action="roster.exception.set",
        target=group,
        summary=_("%(group)s on %(day)s (%(part)s): %(count)d professionals")
        % {"group": group.name, "day": date.isoformat(), "part": day_part, "count": professionals},
    )
    return row


@transaction.atomic
def roster_exception_remove(*, exception: RosterException, actor) -> None:
    group = exception.group
    exception.delete()
    audit_record(
        organisation=group.location.organisation,
        actor=actor,
        action="roster.exception.removed",
        target=group,
        summary=_("Exception for %(group)s on %(day)s removed")
        % {"group": group.name, "day": exception.date.isoformat()},
    )
