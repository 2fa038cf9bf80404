"""Writes of the back office. Each is atomic and records what it changed in the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.accounts import identity
from portal.accounts.models import User
from portal.children.models import Child, Guardian, Placement, ScheduledDayPart
from portal.core import clock
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

Schedule = Iterable[tuple[int, str]]  # (weekday, day part)


@dataclass(frozen=True)
class GuardianData:
    email: str
    full_name: str = ""
    relation: str = Guardian.Relation.PARENT


def user_for_email(email: str, full_name: str = "") -> tuple[User, bool]:
    """The user with this e-mail address, made (without a password) when there is none yet.
    An existing person is not changed: the name entered goes to the organisation's profile."""
    email = User.objects.normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    return User.objects.create_user(email, None, full_name=full_name), True


def invite_due_guardians_of(child: Child) -> None:
    """Guardians of a child whose placement is within the lead time get their invitation now,
    instead of at the next daily run."""
    from portal.accounts.services import guardians_due_for_invitation, invitation_resend

    for user in guardians_due_for_invitation(clock.today(), organisation=child.organisation).filter(
        guardianships__child=child
    ):
        invitation_resend(user=user, resent_by=None, organisation=child.organisation)


def _set_schedule(placement: Placement, schedule: Schedule) -> None:
    placement.schedule.all().delete()
    ScheduledDayPart.objects.bulk_create(
        ScheduledDayPart(placement=placement, weekday=weekday, day_part=part) for weekday, part in sorted(set(schedule))
    )


def _check_group(organisation: Organisation, group: Group) -> None:
    if group.location.organisation_id != organisation.pk:
        raise ValidationError(_("The group belongs to another organisation."))


# ---------------------------------------------------------------- children and guardians


@transaction.atomic
def child_create(
    *,
    organisation: Organisation,
    actor,
    first_name: str,
    last_name: str,
    birth_date: dt.date,
    photo_consent: bool = False,
    allergies: str = "",
    notes: str = "",
    external_id: str = "",
    guardians: list[GuardianData],
    group: Group,
    start_date: dt.date,
    end_date: dt.date | None = None,
    schedule: Schedule = (),
) -> Child:
    _check_group(organisation, group)
    emails = [User.objects.normalize_email(g.email) for g in guardians]
    if len(set(emails)) != len(emails):
        raise ValidationError(_("The two guardians need different e-mail addresses."))
    child = Child.objects.create(
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        photo_consent=photo_consent,
        allergies=allergies,
        notes=notes,
        external_id=external_id,
    )
    for data in guardians:
        user, _created = user_for_email(data.email, data.full_name)
        Guardian.objects.create(user=user, child=child, relation=data.relation)
        identity.guardian_added(organisation=organisation, user=user, child=child, full_name=data.full_name)
    placement = Placement(child=child, group=group, start_date=start_date, end_date=end_date)
    placement.full_clean()
    placement.save()
    _set_schedule(placement, schedule)
    audit_record(
        organisation=organisation,
        actor=actor,
        action="child.created",
        target=child,
        summary=_("%(child)s added to %(group)s from %(start)s")
        % {"child": child.full_name, "group": group.name, "start": start_date.isoformat()},
        changes={"guardians": emails, "schedule": sorted(set(schedule))},
    )
    transaction.on_commit(lambda: invite_due_guardians_of(child))
    return child


@transaction.atomic
def child_update(*, child: Child, actor, **fields) -> Child:
    changes = changes_between(child, fields)
    if not changes:
        return child
    for name, value in fields.items():
        setattr(child, name, value)
    child.full_clean()
    child.save()
    if changes.get("photo_consent") == [True, False]:
        from portal.media.services import consent_withdrawn

        consent_withdrawn(child)
    audit_record(
        organisation=child.organisation,
        actor=actor,
        action="child.changed",
        target=child,
        summary=_("%(child)s changed") % {"child": child.full_name},
        changes=changes,
    )
    return child


@transaction.atomic
def guardian_add(*, child: Child, actor, data: GuardianData) -> Guardian:
    user, _created = user_for_email(data.email, data.full_name)
    if Guardian.objects.filter(child=child, user=user).exists():
        raise ValidationError(_("%(email)s is already a guardian of this child.") % {"email": user.email})
    guardian = Guardian.objects.create(child=child, user=user, relation=data.relation)
    identity.guardian_added(organisation=child.organisation, user=user, child=child, full_name=data.full_name)
    audit_record(
        organisation=child.organisation,
        actor=actor,
        action="guardian.added",
        target=child,
        summary=_("%(email)s added as guardian of %(child)s") % {"email": user.email, "child": child.full_name},
    )
    transaction.on_commit(lambda: invite_due_guardians_of(child))
    return guardian


@transaction.atomic
def guardian_remove(*, guardian: Guardian, actor) -> None:
    child = guardian.child
    if child.guardians.count() <= 1:
        raise ValidationError(_("A child keeps at least one guardian."))
    email = guardian.user.email
    guardian.delete()
    audit_record(
        organisation=child.organisation,
        actor=actor,
        action="guardian.removed",
        target=child,
        summary=_("%(email)s is no longer a guardian of %(child)s") % {"email": email, "child": child.full_name},
    )


# ---------------------------------------------------------------- placements


@transaction.atomic
def placement_end(*, placement: Placement, actor, end_date: dt.date) -> Placement:
    """End a placement: `end_date` is the last day of care."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if end_date < placement.start_date:
        raise ValidationError(
            _("The last day cannot be before the start (%(start)s).") % {"start": placement.start_date}
        )
    old = placement.end_date
    placement.end_date = end_date
    placement.save(update_fields=["end_date"])
    from portal.planning.services import placement_ended

    placement_ended(placement=placement, actor=actor)
    audit_record(
        organisation=placement.child.organisation,
        actor=actor,
        action="placement.ended",
        target=placement.child,
        summary=_("Placement of %(child)s on %(group)s ends on %(end)s")
        % {"child": placement.child.full_name, "group": placement.group.name, "end": end_date.isoformat()},
        changes={"end_date": [old, end_date]},
    )
    return placement


@transaction.atomic
def placement_move(*, placement: Placement, actor, group: Group, from_date: dt.date) -> Placement:
    """Move a child to another group from `from_date`, with the same schedule. The current
    placement ends the day before; the new one runs until the old end date (if any)."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    _check_group(placement.child.organisation, group)
    if group.pk == placement.group_id:
        raise ValidationError(_("The child is already on this group."))
    if from_date <= placement.start_date:
        raise ValidationError(
            _("The move must be after the start of the placement (%(start)s).") % {"start": placement.start_date}
        )
    if placement.end_date is not None and from_date > placement.end_date:
        raise ValidationError(_("The placement ends before that date."))
    schedule = list(placement.schedule.values_list("weekday", "day_part"))
    new = Placement.objects.create(
        child=placement.child, group=group, start_date=from_date, end_date=placement.end_date
    )
    _set_schedule(new, schedule)
    placement.end_date = from_date - dt.timedelta(days=1)
    placement.save(update_fields=["end_date"])
    from portal.planning.services import placement_moved

    placement_moved(old=placement, new=new)
    audit_record(
        organisation=placement.child.organisation,
        actor=actor,
        action="placement.moved",
        target=placement.child,
        summary=_("%(child)s moves from %(old)s to %(new)s on %(day)s")
        % {
            "child": placement.child.full_name,
            "old": placement.group.name,
            "new": group.name,
            "day": from_date.isoformat(),
        },
    )
    return new


@transaction.atomic
def placement_set_schedule(*, placement: Placement, actor, schedule: Schedule) -> None:
    old = sorted(placement.schedule.values_list("weekday", "day_part"))
    new = sorted(set(schedule))
    if old == new:
        return
    _set_schedule(placement, new)
    audit_record(
        organisation=placement.child.organisation,
        actor=actor,
        action="placement.schedule_changed",
        target=placement.child,
        summary=_("Schedule of %(child)s on %(group)s changed")
        % {"child": placement.child.full_name, "group": placement.group.name},
        changes={"schedule": [old, new]},
    )


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
            action="location.created" if created else "location.changed",
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
            action="group.created" if created else "group.changed",
            target=group,
            summary=(_("Group %(name)s added") if created else _("Group %(name)s changed")) % {"name": group.name},
            changes=changes or fields,
        )
    return group


# ---------------------------------------------------------------- staff roles


ROLE_MODELS = {"group_staff": GroupStaff, "planner": LocationPlanner, "admin": OrganisationAdmin}
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
    """Offer someone a role: it starts when they accept it (`identity.role_invite`)."""
    user, _created = user_for_email(email, full_name)
    if role == "group_staff":
        _check_group(organisation, group)
    elif role == "planner" and location.organisation_id != organisation.pk:
        raise ValidationError(_("The location belongs to another organisation."))
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
            action="settings.changed",
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
        action="roster.pattern_changed",
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
        action="roster.exception_set",
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
        action="roster.exception_removed",
        target=group,
        summary=_("Exception for %(group)s on %(day)s removed")
        % {"group": group.name, "day": exception.date.isoformat()},
    )
