"""Tenancy: which organisations a user belongs to, and the rule that another organisation's
object is a 404 (nobody learns that it exists)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from portal.access.roles import roles_of
from portal.organisations.models import Location, Organisation


def in_users_organisation(user, organisation_id: int) -> bool:
    """Does the user have any role in this organisation?"""
    return organisation_id in roles_of(user).organisation_ids


def user_organisation_ids(user) -> frozenset[int]:
    """The organisations the user has any role in (the scope of their requests)."""
    return roles_of(user).organisation_ids


def visible_organisations(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=roles_of(user).organisation_ids)


def admin_organisations(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=roles_of(user).admin_organisation_ids)


def is_admin_of(user, organisation) -> bool:
    return getattr(organisation, "pk", organisation) in roles_of(user).admin_organisation_ids


def organisation_for_admin(user, organisation_id: int) -> Organisation:
    """The organisation whose back office the user opens: another organisation (or none) is a
    404, the user's own organisation without the admin role a 403."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not in_users_organisation(user, organisation.pk):
        raise Http404
    if organisation.pk not in roles_of(user).admin_organisation_ids:
        raise PermissionDenied
    return organisation


def in_organisation(queryset, organisation: Organisation | Location, pk, lookup: str = "organisation"):
    """One object of `queryset` that belongs to `organisation` (through `lookup`), or a 404.
    A location narrows it further, with a lookup that ends at the location."""
    try:
        return queryset.get(pk=pk, **{lookup: organisation})
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
