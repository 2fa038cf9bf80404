"""The history of changes: every service that changes an organisation's data records it here,
as a namespaced action (`planning.request.approved`), with who did it, the object, the child it
is about and the old and new values of what changed.

Call `log_action` inside the service's `transaction.atomic` block, after the change: the line
is written in the same transaction, so a change that is rolled back leaves no line, and a line
never speaks of a change that did not happen.

A line says what happened, never what was written: no message texts, no diary texts, no care
notes, no news texts. Summaries name the child, the day and the kind of thing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import AuditEntry

ACTION_MAX_LENGTH = 80  # AuditEntry.action


def log_action(
    action: str,
    *,
    actor,
    organisation,
    target: models.Model | None = None,
    child=None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    """Record one change. `organisation` is the organisation (or its id) whose history it is;
    `child` (a Child or its id) the child the change is about; left out, it is the target when
    that is a child, or the target's `child_id`."""
    if not action or len(action) > ACTION_MAX_LENGTH:
        raise ValueError(f"not an action name: {action!r}")
    entry = AuditEntry.objects.create(
        organisation_id=organisation.pk if isinstance(organisation, models.Model) else organisation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=(target._meta.model_name or "") if target is not None else "",
        object_id=target.pk if target is not None else None,
        child_id=_child_id(target, child),
        summary=str(summary)[:300],
        changes=_jsonable(changes or {}),
    )
    if entry.child_id is not None:
        from portal.accounts import kept

        # What changes in a child's history shows on their families' Today pages at once (a
        # photo untagged, a diary page corrected, the other parent's message or request).
        kept.children_changed_after_commit([entry.child_id])
    return entry


def audit_record(
    *,
    organisation,
    actor,
    action: str,
    target: models.Model | None = None,
    summary: str,
    changes: dict[str, Any] | None = None,
    child=None,
) -> AuditEntry:
    """The back office's older name for `log_action`, with the same keyword arguments."""
    return log_action(
        action, actor=actor, organisation=organisation, target=target, child=child, changes=changes, summary=summary
    )


def changes_between(instance: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields in `data` whose value differs from `instance`."""
    result = {}
    for name, new in data.items():
        old = getattr(instance, name)
        if old != new:
            result[name] = [old, new]
    return result


def _child_id(target: models.Model | None, child) -> int | None:
    if child is not None:
        return child.pk if isinstance(child, models.Model) else int(child)
    if target is None:
        return None
    if target._meta.label == "children.Child":
        return target.pk
    return getattr(target, "child_id", None)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# ---------------------------------------------------------------- reading the history a page at a time

HISTORY_PAGE_SIZE = 50
# The page says how many lines match up to this many ("more than 1000" beyond): counting every
# line of a history of millions would cost more than the whole page.
HISTORY_COUNT_LIMIT = 1000

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR = re.compile(r"^([0-9]{1,18})-([0-9]{1,19})$")


def history_cursor(entry: AuditEntry) -> str:
    """Where a line stands in the order of the history (time, then id): `<microseconds>-<id>`."""
    return f"{(entry.at - _EPOCH) // dt.timedelta(microseconds=1)}-{entry.pk}"


def parse_history_cursor(raw: str | None) -> tuple[dt.datetime, int] | None:
    """The time and id of a cursor from a link, or None for anything else."""
    match = _CURSOR.match((raw or "").strip())
    if match is None:
        return None
    try:
        at = _EPOCH + dt.timedelta(microseconds=int(match.group(1)))
    except OverflowError:
        return None
    pk = int(match.group(2))
    return (at, pk) if 0 < pk < 2**63 else None


@dataclass
class HistoryPage:
    entries: list[Any] = field(default_factory=list)  # AuditEntry rows, with what `shown` added
    count: int = 0  # up to HISTORY_COUNT_LIMIT + 1
    newer: str = ""  # the cursor for the page of newer lines ("" when this is the newest)
    older: str = ""  # the cursor for the page of older lines ("" when there are none)

    @property
    def count_is_exact(self) -> bool:
        return self.count <= HISTORY_COUNT_LIMIT


def history_page(
    entries, *, before: str | None = None, after: str | None = None, shown: Callable[[Any], Any] = lambda rows: rows
) -> HistoryPage:
    """A page of `entries` (a filtered AuditEntry queryset), newest first: the newest, or the
    lines just older than the cursor `before`, or just newer than `after`. Seek pagination: each
    page reads its own lines from the index on (organisation, ..., at, id), never the lines
    before it, and the count stops at HISTORY_COUNT_LIMIT. `shown` adds what the page shows
    (names, the child) to the lines read, not to the count. Three queries at most."""
    size = HISTORY_PAGE_SIZE
    page = HistoryPage(count=entries.order_by().values("pk")[: HISTORY_COUNT_LIMIT + 1].count())
    entries = shown(entries)
    newest_first = entries.order_by("-at", "-id")
    rows: list[AuditEntry] = []
    cursor = parse_history_cursor(after) if after and not before else None
    if cursor is not None:
        at, pk = cursor
        newer = list(entries.filter(Q(at__gte=at) & (Q(at__gt=at) | Q(id__gt=pk))).order_by("at", "id")[: size + 1])
        if len(newer) > size:
            rows = newer[:size][::-1]
            page.newer = history_cursor(rows[0])
            page.older = history_cursor(rows[-1])
            page.entries = rows
            return page
        # Fewer than a page newer than the cursor: the newest page it is.
    cursor = parse_history_cursor(before)
    if cursor is not None:
        at, pk = cursor
        newest_first = newest_first.filter(Q(at__lte=at) & (Q(at__lt=at) | Q(id__lt=pk)))
    rows = list(newest_first[: size + 1])
    page.entries = rows[:size]
    if cursor is not None and page.entries:
        page.newer = history_cursor(page.entries[0])
    if len(rows) > size:
        page.older = history_cursor(page.entries[-1])
    return page


# ---------------------------------------------------------------- labels for the history page

# Every action the code records, with its label. A test fails when the code records an action
# that is not listed here (tests/test_audit.py), so a new action gets its words at once.
ACTION_LABELS: dict[str, Any] = {
    # back office
    "child.created": _("Child added"),
    "child.updated": _("Child's details changed"),
    "child.consent.changed": _("Photo consent changed"),
    "guardian.added": _("Guardian added"),
    "guardian.removed": _("Guardian removed"),
    "placement.created": _("Placement added"),
    "placement.ended": _("Placement ended"),
    "placement.end.removed": _("End date of a placement removed"),
    "placement.moved": _("Child moved to another group"),
    "placement.schedule.changed": _("Schedule changed"),
    "location.created": _("Location added"),
    "location.updated": _("Location changed"),
    "group.created": _("Group added"),
    "group.updated": _("Group changed"),
    "role.added": _("Role given"),
    "role.removed": _("Role taken away"),
    "role.invited": _("Invited to a role"),
    "role.accepted": _("Role accepted"),
    "role.declined": _("Role declined"),
    "role.invitation_withdrawn": _("Invitation to a role withdrawn"),
    "organisation.settings.changed": _("Settings changed"),
    "closing_day.added": _("Closing day added"),
    "closing_day.removed": _("Closing day removed"),
    "roster.pattern.changed": _("Staff roster changed"),
    "roster.exception.set": _("Roster exception set"),
    "roster.exception.removed": _("Roster exception removed"),
    "import.applied": _("Import applied"),
    "import.child.created": _("Child added by the import"),
    "import.child.updated": _("Child changed by the import"),
    "invitation.sent": _("Invitation sent"),
    "demo.loaded": _("Demo data loaded"),
    # planning
    "planning.absence.reported": _("Absence reported"),
    "planning.swap.requested": _("Swap requested"),
    "planning.extra_day.requested": _("Extra day requested"),
    "planning.request.approved": _("Request approved"),
    "planning.request.rejected": _("Request rejected"),
    "planning.request.withdrawn": _("Request withdrawn"),
    "planning.credit.earned": _("Credit earned"),
    "planning.credit.expired": _("Credit expired"),
    "planning.credit.voided": _("Credit void"),
    # photos and videos
    "media.item.uploaded": _("Photo or video posted"),
    "media.item.tagged": _("Child tagged on a photo"),
    "media.item.untagged": _("Child's tag removed from a photo"),
    "media.item.deleted": _("Photo or video deleted"),
    "media.item.shown": _("Photo shown again after checking the tags"),
    "media.item.consent_hidden": _("Photo hidden: consent withdrawn"),
    # diary
    "diary.entry.created": _("Diary page saved as draft"),
    "diary.entry.published": _("Diary page published"),
    "diary.entry.changed": _("Diary page changed"),
    "diary.reply.added": _("Reply in the diary"),
    "diary.export.requested": _("Diary PDF requested"),
    # messages
    "messaging.thread.started": _("Conversation started"),
    "messaging.message.sent": _("Message sent"),
    "messaging.thread.handled": _("Conversation marked handled"),
    "messaging.thread.reopened": _("Conversation reopened"),
    "messaging.quick_messages.changed": _("Quick messages changed"),
    # news
    "news.item.created": _("News item created"),
    "news.item.changed": _("News item changed"),
    "news.item.deleted": _("News item deleted"),
    "news.item.published": _("News item published"),
    # departure and privacy
    "export.departure.requested": _("Archive of everything asked for"),
    "export.data.requested": _("Data export asked for"),
    "privacy.child.removed": _("Child's data removed"),
    "privacy.child.fiscal_removed": _("Child's records for the accounts removed"),
    "privacy.erasure.requested": _("Erasure asked for"),
    "privacy.erasure.confirmed": _("Erasure confirmed"),
    "privacy.erasure.refused": _("Erasure refused"),
}

# The first part of an action, for the filter "everything about planning".
NAMESPACE_LABELS: dict[str, Any] = {
    "child": _("Children"),
    "guardian": _("Guardians"),
    "placement": _("Placements"),
    "location": _("Locations"),
    "group": _("Groups"),
    "role": _("Roles"),
    "organisation": _("Settings"),
    "closing_day": _("Closing days"),
    "roster": _("Staff roster"),
    "import": _("Import"),
    "invitation": _("Invitations"),
    "demo": _("Demo data"),
    "planning": _("Planning"),
    "media": _("Photos and videos"),
    "diary": _("Diary"),
    "messaging": _("Messages"),
    "news": _("News"),
    "export": _("Archives"),
    "privacy": _("Privacy and erasure"),
}


def action_label(action: str) -> str:
    """The words for an action; an action without words shows as it is stored."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def namespace_of(action: str) -> str:
    return action.split(".", 1)[0]
