"""Reads kept for one person for a short while, so that a page they open again and again (the
guardian's Today page) is not read afresh every time.

A kept read belongs to one person and is used again only while all of this holds:

- **their reads version is unchanged.** `User.reads_version` sits on the user row, which every
  signed-in request reads anyway, so checking it costs nothing. It goes up:
  - after every request of a guardian that writes (POST, PUT, PATCH, DELETE; page or API) or
    marks something read, so the person's own change shows at once (`ChangedReadsMiddleware`);
  - when they are told of something: a message, photo, diary page, decision, news or
    departure (`portal.notifications.services.notify` calls `changed`);
  - when something of their child changes that nobody is told of: every change recorded in
    the child's history (`portal.core.audit.log_action`: a photo untagged or deleted, a
    published diary page corrected, the other parent's message or request, a placement
    changed), and a photo hidden for consent (for the families of every child on it);
- **their roles and language are the same** (a child added or removed, a role ended or begun):
  the roles are read on every request, and both are part of the key;
- **it is the same day, and it is younger than KEPT_SECONDS** by the portal's clock. Anything
  else that changes for a person without telling them (a child moved to another group) shows
  within that time.

Reads are kept in each web process's own memory, at most KEPT_ENTRIES of them, and dropped once
KEPT_SECONDS have passed (at the process's next request), so what was kept of a child does not
outlive its use. The processes need not share them: the version they compare lives in the
database.
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TypeVar, cast

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import transaction
from django.db.models import F

from portal.core import clock

logger = logging.getLogger(__name__)

KEPT_SECONDS = 30
BUMP_CHUNK = 1000  # people whose version one UPDATE moves on (news to a whole organisation)

T = TypeVar("T")


class _Store:
    """Pickled values by key, oldest first; entries older than KEPT_SECONDS are dropped from
    the front at every use. Pickled, so no two requests ever share an object."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def _drop_expired(self, now: float) -> None:
        while self._entries:
            at = next(iter(self._entries.values()))[0]
            if 0 <= now - at < KEPT_SECONDS:
                break
            self._entries.popitem(last=False)

    def get(self, key: str, now: float) -> tuple[bool, object]:
        with self._lock:
            self._drop_expired(now)
            entry = self._entries.get(key)
        if entry is None:
            return False, None
        return True, pickle.loads(entry[1])  # noqa: S301 - bytes this process pickled itself

    def set(self, key: str, value: object, now: float) -> None:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._drop_expired(now)
            self._entries.pop(key, None)
            self._entries[key] = (now, data)
            while len(self._entries) > settings.KEPT_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_store = _Store()


def forget_all() -> None:
    """Drop every read kept in this process (tests start from nothing)."""
    _store.clear()


def read(user, name: str, compute: Callable[[], T], *key) -> T:
    """`compute()`, or what it gave this person earlier while that is still valid (see above).
    `key` names what else the answer depends on (the day, a child's id)."""
    from portal.access.roles import roles_fingerprint

    if KEPT_SECONDS <= 0 or not getattr(user, "is_authenticated", False):
        return compute()
    entry = ":".join(
        [name, str(user.pk), str(user.reads_version), str(roles_fingerprint(user)), user.language, *map(str, key)]
    )
    now = clock.now().timestamp()
    found, value = _store.get(entry, now)
    if found:
        return cast(T, value)
    value = compute()
    _store.set(entry, value, now)
    return value


def _ids(values: Iterable) -> list[int]:
    return sorted({pk for pk in values if pk is not None})


def _move_on(users) -> None:
    """One UPDATE: these users' reads version goes up by one, in the database."""
    users.update(reads_version=F("reads_version") + 1)


def _after_commit(move_on: Callable[[list[int]], None], ids: list[int]) -> None:
    """`move_on(ids)` once the surrounding transaction has committed (at once outside one): the
    rows are not held locked while the rest of it runs, and a failure is logged, not raised
    (the write it follows stands; the kept reads run out by themselves)."""
    if ids:
        transaction.on_commit(lambda: move_on(ids), robust=True)


def changed(user_ids: Iterable) -> None:
    """What these people see has changed: their kept reads are not used again. Many people (news
    to a whole organisation) are moved on in chunks, each its own short UPDATE."""
    from portal.accounts.models import User

    ids = _ids(user_ids)
    for start in range(0, len(ids), BUMP_CHUNK):
        _move_on(User.objects.filter(pk__in=ids[start : start + BUMP_CHUNK]))


def changed_after_commit(user_ids: Iterable) -> None:
    """`changed`, after the commit (`notify`)."""
    _after_commit(changed, _ids(user_ids))


def changed_for_children(child_ids: Iterable) -> None:
    """Something of these children changed (a photo untagged or hidden, a diary page corrected,
    the other parent's message or request): their guardians' kept reads go, in one UPDATE."""
    from portal.accounts.models import User
    from portal.children.models import Guardian

    ids = _ids(child_ids)
    if ids:
        _move_on(User.objects.filter(pk__in=Guardian.objects.filter(child_id__in=ids).values("user_id")))


def children_changed_after_commit(child_ids: Iterable) -> None:
    """`changed_for_children`, after the commit. Every change recorded in a child's history calls
    it (`portal.core.audit.log_action`)."""
    _after_commit(changed_for_children, _ids(child_ids))


def changed_in_this_request(user) -> None:
    """The person read something new in this request (a conversation, their notifications):
    their kept reads go once it is answered."""
    if user is not None and getattr(user, "is_authenticated", False):
        user._reads_changed = True


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def person_of(request):
    """The request's user once it is answered, or None when no one read it (a user never read
    in this request is not read now: that would cost a query)."""
    user = request.__dict__.get("user")
    return getattr(user, "_wrapped", user)


class ChangedReadsMiddleware:
    """After a request in which a guardian wrote something or read something new (their unread
    counts changed), their kept reads go: what they did shows on the next page. Only guardians
    have kept reads, so a tablet's or a planner's requests cost nothing here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from portal.access.roles import role_names

        response = self.get_response(request)
        person = person_of(request)
        if not getattr(person, "is_authenticated", False):
            return response
        if request.method not in SAFE_METHODS or getattr(person, "_reads_changed", False):
            try:
                if "guardian" in role_names(person):
                    changed([person.pk])
            except DatabaseError:  # the database went away: the answer stands, kept reads run out
                logger.warning("reads version of user %s not moved on", person.pk, exc_info=True)
        return response
