"""Writes about children, their guardians and their placements. Each is atomic and records
what it changed in the history. The back office forms and the CSV import call these same
functions, so both keep every rule (consent, end dates, moves)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts import identity
from portal.accounts.models import User
from portal.children.models import Child, Guardian, Placement, ScheduledDayPart
from portal.core import clock
from portal.core.audit import audit_record, changes_between
from portal.organisations.models import Group, Organisation
from portal.organisations.services import _check_group, user_for_email

Schedule = Iterable[tuple[int, str]]  # (weekday, day part)


@dataclass(frozen=True)
class GuardianData:
    email: str
    full_name: str = ""
    relation: str = Guardian.Relation.PARENT


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
        changes={"guardians": emails, "schedule": sorted(set(schedule)), "photo_consent": photo_consent},
    )
    transaction.on_commit(lambda: invite_due_guardians_of(child))
    return child


@transaction.atomic
def child_update(*, child: Child, actor, **fields) -> Child:
    """Change a child's own details. Photo consent is not one of them: it has consequences
    for the photos, so it changes only through `consent_change`."""
    if "photo_consent" in fields:
        raise TypeError("photo_consent changes through consent_change()")
    changes = changes_between(child, fields)
    if not changes:
        return child
    for name, value in fields.items():
        setattr(child, name, value)
    child.full_clean()
    child.save()
    audit_record(
        organisation=child.organisation,
        actor=actor,
        action="child.updated",
        target=child,
        summary=_("%(child)s changed") % {"child": child.full_name},
        changes=changes,
    )
    return child


@transaction.atomic
def consent_change_by_guardian(*, child: Child, guardian, consent: bool) -> bool:
    """A guardian gives or withdraws the photo consent themselves: the same change as the
    back office's (`consent_change`: withdrawing hides the photos at once), and the staff of
    the child's group are told in a conversation from the guardian, which they see unread in
    their inbox. Returns whether anything changed."""
    changed = consent_change(child=child, actor=guardian, consent=consent, source="guardian")
    if not changed:
        return False
    from portal.children.selectors import groups_of_now
    from portal.messaging.services import thread_start

    group = groups_of_now([child.pk], clock.today()).get(child.pk)
    if group is not None:
        if consent:
            subject = _("Photo consent for %(child)s given") % {"child": child.first_name}
            body = _(
                "I give consent for photos of %(child)s to be shared. From now on you can tag %(child)s on photos."
            ) % {"child": child.first_name}
        else:
            subject = _("Photo consent for %(child)s withdrawn") % {"child": child.first_name}
            body = _(
                "I withdraw the consent for photos of %(child)s. The photos %(child)s is on are hidden "
                "from the families until you have checked them; please do not tag %(child)s any more."
            ) % {"child": child.first_name}
        thread_start(author=guardian, child=child, group=group, subject=subject, body=body, by_staff=False)
    return True


@transaction.atomic
def consent_change(*, child: Child, actor, consent: bool, source: str = "backoffice") -> bool:
    """The one place where a child's photo consent changes (`source`: where the change came
    from, such as "backoffice" or "import"). When consent is withdrawn, the child's tags go
    and the photos the child was on are hidden from every family until the staff remove or
    retag them (`portal.media.services.consent_withdrawn`). Given consent changes no photo:
    the staff tag the child from then on. Returns whether anything changed."""
    old = Child.objects.select_for_update().values_list("photo_consent", flat=True).get(pk=child.pk)
    if old == consent:
        return False
    child.photo_consent = consent
    child.save(update_fields=["photo_consent"])
    hidden = 0
    if not consent:
        from portal.media.services import consent_withdrawn

        hidden = consent_withdrawn(child, actor=actor)
    audit_record(
        organisation=child.organisation,
        actor=actor,
        action="child.consent.changed",
        target=child,
        summary=(_("Photo consent for %(child)s given") if consent else _("Photo consent for %(child)s withdrawn"))
        % {"child": child.full_name},
        changes={"photo_consent": [old, consent], "source": source, "photos_hidden": hidden},
    )
    return True


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
def placement_create(
    *,
    child: Child,
    actor,
    group: Group,
    start_date: dt.date,
    end_date: dt.date | None = None,
    schedule: Schedule = (),
) -> Placement:
    """A further placement of a child who is already known (such as next year's out-of-school
    care). Its guardians get their invitation at once when it starts within the lead time."""
    _check_group(child.organisation, group)
    placement = Placement(child=child, group=group, start_date=start_date, end_date=end_date)
    placement.full_clean()
    placement.save()
    _set_schedule(placement, schedule)
    audit_record(
        organisation=child.organisation,
        actor=actor,
        action="placement.created",
        target=child,
        summary=_("%(child)s placed on %(group)s from %(start)s")
        % {"child": child.full_name, "group": group.name, "start": start_date.isoformat()},
        changes={"end_date": end_date, "schedule": sorted(set(schedule))},
    )
    transaction.on_commit(lambda: invite_due_guardians_of(child))
    return placement


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
    from portal.privacy.services import departure_announce

    placement_ended(placement=placement, actor=actor)
    departure_announce(placement.child)
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
def placement_end_remove(*, placement: Placement, actor) -> Placement:
    """The placement has no last day any more (the planning system says it goes on). What
    ending it did (withdrawn requests, voided credits) stays as it is."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    old = placement.end_date
    if old is None:
        return placement
    placement.end_date = None
    placement.save(update_fields=["end_date"])
    audit_record(
        organisation=placement.child.organisation,
        actor=actor,
        action="placement.end.removed",
        target=placement.child,
        summary=_("Placement of %(child)s on %(group)s no longer has an end date")
        % {"child": placement.child.full_name, "group": placement.group.name},
        changes={"end_date": [old, None]},
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
        changes={"group": [placement.group.name, group.name], "from_date": from_date},
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
        action="placement.schedule.changed",
        target=placement.child,
        summary=_("Schedule of %(child)s on %(group)s changed")
        % {"child": placement.child.full_name, "group": placement.group.name},
        changes={"schedule": [old, new]},
    )
