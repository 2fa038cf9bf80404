"""Children: who sees which child.

Guardians see their own children, always (also after the placement ended: the family keeps its
data through the grace period). Group staff and planners see the children with a current or
upcoming placement on their groups or locations; admins every child of their organisation.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from portal.access.roles import NO_ROLES, roles_of
from portal.children.models import Child, Placement
from portal.core import clock


def visible_children(user) -> QuerySet[Child]:
    roles = roles_of(user)
    if roles is NO_ROLES:
        return Child.objects.none()
    placed = Placement.objects.current_or_upcoming(clock.today()).filter(
        Q(group_id__in=roles.staff_group_ids) | Q(group__location_id__in=roles.planner_location_ids)
    )
    return Child.objects.filter(
        Q(id__in=roles.guardian_child_ids)
        | Q(organisation_id__in=roles.admin_organisation_ids)
        | Q(id__in=placed.values("child_id"))
    ).distinct()


def guardian_children(user) -> QuerySet[Child]:
    """The user's own children (as guardian)."""
    return Child.objects.filter(id__in=roles_of(user).guardian_child_ids)


def child_for_user(user, child_id: int) -> Child:
    """The child, if the user may see it; otherwise a 404 (never a hint that it exists)."""
    try:
        return visible_children(user).get(pk=child_id)
    except (Child.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def own_child(user, child_id) -> Child:
    """One of the user's own children (as guardian); any other child is a 404."""
    try:
        return guardian_children(user).get(pk=child_id)
    except (Child.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def consent_child_for_guardian(user, child_id) -> Child:
    """A child whose photo consent the user changes: the guardians decide it, nobody else
    (anyone else's child, or one the user sees as staff or admin, is a 404)."""
    return own_child(user, child_id)
