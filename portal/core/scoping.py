"""Tenancy as a property of the data (django-scopes, as pretix does it).

Every model that belongs to an organisation declares `TENANT_PATH` (the path to its
organisation) and `objects = TenantManager()`. Its queries then need an active scope:

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
from typing import Any

from django.db import models
from django_scopes import get_scope, scope, scopes_disabled
from django_scopes.exceptions import ScopeError
from django_scopes.manager import DisabledQuerySet

DIMENSION = "organisation"

__all__ = ["ScopeError", "TenantManager", "TenantQuerySet", "across_organisations", "in_organisations", "tenant_task"]


class _OutsideAnyScope(DisabledQuerySet):
    """A queryset made outside any scope: it may be built and passed on (a form field declares
    one when its module is imported, before any request), but running it raises ScopeError."""

    def all(self):
        return self


class TenantQuerySet(models.QuerySet):
    def select_for_update(self, nowait=False, skip_locked=False, of=(), no_key=False):
        """Lock only this model's rows by default: a scope joins the organisation's tables,
        and locking their rows too would make every lock in an organisation wait on the
        organisation row (PostgreSQL locks every joined row unless told `of`)."""
        return super().select_for_update(nowait=nowait, skip_locked=skip_locked, of=of or ("self",), no_key=no_key)


_TenantBaseManager = models.Manager.from_queryset(TenantQuerySet)


class TenantManager(_TenantBaseManager):
    """The default manager of a model that belongs to an organisation. The model names the path
    to its organisation in `TENANT_PATH` (`"organisation"`, `"child__organisation"`, ...).

    In a scope of organisations its querysets hold only their rows; with the scope disabled,
    every row; without a scope, any query on them raises `ScopeError` (`all()`, `none()` and
    `create()` still work, so a form field can be declared when its module is imported). A model with its own
    QuerySet (a `TenantQuerySet`) uses `TenantManager.from_queryset(ItsQuerySet)`; related
    managers inherit it."""

    def get_queryset(self) -> Any:
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        if DIMENSION not in current:
            return _OutsideAnyScope(self.model, using=self._db, missing_scopes={DIMENSION})
        path = self.model.TENANT_PATH  # type: ignore[attr-defined]  # declared by each tenant model
        return super().get_queryset().filter(**{f"{path}__in": current[DIMENSION]})

    def all(self) -> Any:
        return self.get_queryset()  # what Manager.all() returns


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

    wrapper.runs_across_organisations = True  # type: ignore[attr-defined]  # checked by the tests
    return wrapper
