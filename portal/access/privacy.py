"""The family's privacy controls: the access log of a child and erasure requests.

A child's access log is for the child's guardians and for the organisation's admins. In it,
the names of the organisation's people (staff, planners, admins) and of the child's own family
are shown; a guardian of another child (who downloaded a photo both children are on) stays
anonymous to the family, as other families' children do on photos. Guardians ask for erasure of
their own child's data; the organisation's admins decide.
"""

from __future__ import annotations

from django.http import Http404

from portal.access.children import own_child
from portal.access.roles import roles_of
from portal.children.models import Child, Guardian
from portal.organisations.models import GroupStaff, LocationPlanner, OrganisationAdmin
from portal.privacy.models import ErasureRequest


def privacy_child_for_guardian(user, child_id) -> Child:
    """A child whose access log the user reads or whose erasure they ask for: their own."""
    return own_child(user, child_id)


def names_shown_in_access_log(viewer, child: Child, actor_ids) -> set[int]:
    """Of `actor_ids`, whose names `viewer` sees in the child's access log (see above): all for
    an admin of the organisation; for the family, the organisation's people and the family."""
    actor_ids = set(actor_ids)
    if viewer is not None and child.organisation_id in roles_of(viewer).admin_organisation_ids:
        return actor_ids
    organisation_id = child.organisation_id
    shown = set(Guardian.objects.filter(child=child, user_id__in=actor_ids).values_list("user_id", flat=True))
    shown |= set(
        GroupStaff.objects.filter(user_id__in=actor_ids, group__location__organisation_id=organisation_id).values_list(
            "user_id", flat=True
        )
    )
    shown |= set(
        LocationPlanner.objects.filter(user_id__in=actor_ids, location__organisation_id=organisation_id).values_list(
            "user_id", flat=True
        )
    )
    shown |= set(
        OrganisationAdmin.objects.filter(user_id__in=actor_ids, organisation_id=organisation_id).values_list(
            "user_id", flat=True
        )
    )
    return shown


def erasure_request_for_admin(organisation, request_id) -> ErasureRequest:
    """A request of the admin's organisation (ask `organisation_for_admin` first); another
    organisation's, or a made-up id, is a 404."""
    try:
        found = ErasureRequest.objects.filter(pk=request_id, organisation=organisation).select_related("child").first()
    except (ValueError, TypeError, OverflowError):
        found = None
    if found is None:
        raise Http404
    return found
