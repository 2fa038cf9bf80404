"""The back office (/manage/<organisation>/...): for the organisation's admins."""

from __future__ import annotations

from django.http import Http404

from portal.access.tenancy import organisation_for_admin
from portal.accounts.models import User
from portal.organisations.models import Organisation


def guardian_user_for_admin(user, organisation: Organisation, guardian_user_id: int) -> User:
    """A guardian's user in the admin's organisation, e.g. to resend an invitation."""
    organisation_for_admin(user, organisation.pk)
    try:
        guardian_user = (
            User.objects.filter(pk=guardian_user_id, guardianships__child__organisation=organisation).distinct().first()
        )
    except (ValueError, TypeError, OverflowError):
        guardian_user = None
    if guardian_user is None:
        raise Http404
    return guardian_user
