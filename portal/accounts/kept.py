"""Reads kept for one person for a short while, so that a page they open again and again (the
guardian's Today page, the tab they return to) is not read afresh every time.

A kept read belongs to one person and is used again only while all of this holds:

- **their reads version is unchanged.** `User.reads_version` sits on the user row, which every
  signed-in request reads anyway, so checking it costs nothing. It goes up:
  - after every request of theirs that writes (POST, PUT, PATCH, DELETE; page or API) or
    marks something read, so the person's own change shows at once (`ChangedReadsMiddleware`);
  - when they are told of something: a message, photo, diary page, decision, news or
    departure (`portal.notifications.services.notify` calls `changed`);
- **their roles are the same** (a child added or removed, a role ended or begun): the roles are
  read on every request, and they are part of the key;
- **it is the same day, and it is younger than KEPT_SECONDS** by the portal's clock. What
  changes for a person without telling them (a photo untagged, a child moved to another group)
  shows within that time.

Reads are kept in each web process's own memory (the "kept" cache). The processes need not
share it: the version they compare lives in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import DatabaseError
from django.db.models import F

from portal.core import clock

logger = logging.getLogger(__name__)

KEPT_SECONDS = 30
CACHE = "kept"

T = TypeVar("T")


def read(user, name: str, compute: Callable[[], T], *key) -> T:
    """`compute()`, or what it gave this person earlier while that is still valid (see above).
    `key` names what else the answer depends on (the day, a child's id)."""
    from portal.access.roles import roles_fingerprint

    if KEPT_SECONDS <= 0 or not getattr(user, "is_authenticated", False):
        return compute()
    cache = caches[CACHE]
    entry = f"{name}:{user.pk}:{user.reads_version}:{roles_fingerprint(user)}:{':'.join(map(str, key))}"
    now = clock.now().timestamp()
    kept = cache.get(entry)
    if kept is not None and 0 <= now - kept[0] < KEPT_SECONDS:
        return kept[1]
    value = compute()
    cache.set(entry, (now, value), KEPT_SECONDS)
    return value


def changed(user_ids) -> None:
    """What these people see has changed (they were told of something new): their kept reads
    are not used again."""
    from portal.accounts.models import User

    ids = sorted({pk for pk in user_ids if pk is not None})
    if ids:
        User.objects.filter(pk__in=ids).update(reads_version=F("reads_version") + 1)


def changed_in_this_request(user) -> None:
    """The person read something new in this request (a conversation, their notifications):
    their kept reads go once it is answered."""
    if user is not None and getattr(user, "is_authenticated", False):
        user._reads_changed = True


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ChangedReadsMiddleware:
    """After a request in which the person wrote something or read something new (their unread
    counts changed), their kept reads go: what they did shows on the next page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = request.__dict__.get("user")  # a user never read in this request is not read now
        person = getattr(user, "_wrapped", user)
        if not getattr(person, "is_authenticated", False):
            return response
        if request.method not in SAFE_METHODS or getattr(person, "_reads_changed", False):
            try:
                changed([person.pk])
            except DatabaseError:  # the database went away: the answer stands, kept reads run out
                logger.warning("reads version of user %s not moved on", person.pk, exc_info=True)
        return response
