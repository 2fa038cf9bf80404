"""The history of changes: every service that changes an organisation's data records it here."""

from __future__ import annotations

from typing import Any

from django.db import models

from portal.core.models import AuditEntry


def audit_record(
    *,
    organisation,
    actor,
    action: str,
    target: models.Model | None = None,
    summary: str,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=(target._meta.model_name or "") if target is not None else "",
        object_id=target.pk if target is not None else None,
        summary=summary[:300],
        changes=_jsonable(changes or {}),
    )


def changes_between(instance: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields in `data` whose value differs from `instance`."""
    result = {}
    for name, new in data.items():
        old = getattr(instance, name)
        if old != new:
            result[name] = [old, new]
    return result


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
