"""Tenancy: which organisations a user belongs to, and the rule that another organisation's
object is a 404 (nobody learns that it exists)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from portal.access.roles import roles_of
from portal.core.scoping import across_organisations, in_organisations
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


def found_in_users_organisations(user, queryset, pk, organisation_id_of):
    """The object `pk` of `queryset` when it exists in one of the user's organisations
    (`organisation_id_of(obj)` says which it is in); otherwise, or for an id that is not a
    number, a 404: nobody learns that another organisation's object exists."""
    try:
        obj = queryset.filter(pk=pk).first()
    except (ValueError, TypeError, OverflowError):
        obj = None
    if obj is None or not in_users_organisation(user, organisation_id_of(obj)):
        raise Http404
    return obj


def in_organisation(queryset, organisation: Organisation | Location, pk, lookup: str = "organisation"):
    """One object of `queryset` that belongs to `organisation` (through `lookup`), or a 404.
    A location narrows it further, with a lookup that ends at the location."""
    try:
        return queryset.get(pk=pk, **{lookup: organisation})
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# ---------------------------------------------------------------- the scope of a request


class TenantScopeMiddleware:
    """Every request runs in the scope of the organisations its user has a role in (none for a
    visitor who is not logged in), so no query in it returns another organisation's rows.
    Django's admin, for the operators of the installation, works across organisations."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff and _is_operator_admin(request):
            with across_organisations():
                return self.get_response(request)
        request._tenant_scopes = []
        with in_organisations(user_organisation_ids(user)):
            try:
                return self.get_response(request)
            finally:
                while request._tenant_scopes:  # scopes entered later in the request, innermost first
                    request._tenant_scopes.pop().__exit__(None, None, None)


def _is_operator_admin(request) -> bool:
    from django.urls import reverse

    return request.path.startswith(reverse("admin:index"))


def enter_scope_of(request, user) -> None:
    """Widen the request's scope to `user`'s organisations when the user is known only inside
    the view (the API's token login); it ends with the request."""
    scopes = getattr(request, "_tenant_scopes", None)
    if scopes is None:  # outside the middleware (a view called directly): nothing to widen
        return
    entered = in_organisations(user_organisation_ids(user))
    entered.__enter__()
    scopes.append(entered)


def scope_of_organisation(organisation_id: int):
    """A scope of one organisation, for a link whose token is the only key (the calendar feed)."""
    return in_organisations([organisation_id])
