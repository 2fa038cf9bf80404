"""Taking everything along: a child's departure archive is for the child's guardians, from the
moment the child's last placement has an end date until the grace period after it ends. The
data export is for a guardian, about themselves and their children. Nobody else gets either:
not staff, not planners, not admins."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from portal.access.children import own_child
from portal.access.roles import roles_of
from portal.children.models import Child
from portal.children.selectors import Departure, departure_of
from portal.core import clock
from portal.exports.models import Archive
from portal.messaging.models import Thread
from portal.organisations.models import Organisation


def departure_for_user(user, child_id) -> tuple[Child, Departure]:
    """One of the user's own children who is leaving (or left, within the grace period), with
    the departure; anything else is a 404."""
    child = own_child(user, child_id)
    departure = departure_of(child)
    if departure is None or not departure.open_on(clock.today()):
        raise Http404
    return child, departure


def archive_for_user(user, archive_id) -> Archive:
    """An archive the user asked for, while they may still take it: a departure archive while
    the departure is open; a data export while they are a guardian at its organisation."""
    try:
        archive = Archive.objects.filter(pk=archive_id, requested_by_id=user.pk).select_related("child").first()
    except (ValueError, TypeError, OverflowError):
        archive = None
    if archive is None:
        raise Http404
    if archive.kind == Archive.Kind.DEPARTURE:
        departure_for_user(user, archive.child_id)
    elif not guardian_organisations(user).filter(pk=archive.organisation_id).exists():
        raise Http404
    return archive


def guardian_organisations(user) -> QuerySet[Organisation]:
    """The organisations where the user is a guardian: the ones a data export can be about."""
    return Organisation.objects.filter(children__id__in=roles_of(user).guardian_child_ids).distinct()


def organisation_for_data_export(user, organisation_id) -> Organisation:
    try:
        organisation = guardian_organisations(user).filter(pk=organisation_id).first()
    except (ValueError, TypeError, OverflowError):
        organisation = None
    if organisation is None:
        raise Http404
    return organisation


def children_for_data_export(user, organisation) -> QuerySet[Child]:
    return Child.objects.filter(id__in=roles_of(user).guardian_child_ids, organisation=organisation).order_by(
        "first_name", "last_name", "id"
    )


def family_threads_of_child(child: Child) -> QuerySet[Thread]:
    """The family's conversations about the child (with any group): the family keeps them
    after the child leaves a group (see `visible_threads`)."""
    return Thread.objects.filter(child_id=child.pk)
