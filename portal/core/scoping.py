"""Tenancy as a property of the data (django-scopes, as pretix does it).

Every model that belongs to an organisation declares `objects = tenant_manager(<path to its
organisation>)`. Its queries then need an active scope:

- a request runs in the scope of the organisations the user has a role in
  (`portal.access.tenancy.TenantScopeMiddleware`; the API's token login widens it to the
  token's user), so a query can never return another organisation's rows, whatever the view
  forgets to filter;
- tasks, management commands and the operators' admin say explicitly that they work across
  organisations (`across_organisations()`), on ids that a scoped request handed them;
- anywhere else a query raises `ScopeError`: code that forgets the scope fails loudly in
  tests instead of silently crossing organisations.

Django's own machinery (deleting with cascades, following a foreign key) uses the base
manager, which is not scoped.
"""

from __future__ import annotations

import functools

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled
from django_scopes.exceptions import ScopeError

DIMENSION = "organisation"

__all__ = ["ScopeError", "across_organisations", "in_organisations", "tenant_manager", "tenant_task"]


def tenant_manager(path: str, queryset: type[models.QuerySet] | None = None):
    """The default manager of a model whose organisation is reached by `path`
    (`"organisation"`, `"child__organisation"`, ...), with the model's own QuerySet methods."""
    manager_class = models.Manager.from_queryset(queryset) if queryset is not None else models.Manager
    return ScopedManager(_manager_class=manager_class, **{DIMENSION: path})


def in_organisations(organisation_ids):
    """A scope of these organisations (ids), e.g. for a request or a link with a token."""
    return scope(**{DIMENSION: sorted(organisation_ids)})


def across_organisations():
    """Work that is not one user's request: tasks, daily jobs, the operators' admin, the demo."""
    return scopes_disabled()


def tenant_task(func):
    """For a task's function: it runs on ids, across organisations."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with across_organisations():
            return func(*args, **kwargs)

    return wrapper
