"""Import children, guardians and placements from a planning system's CSV export.

The import runs in two steps: `import_preview` reads the whole file and says, per row, what
would happen (create, update, unchanged) and every error in words with its line number;
`import_apply` does it, all rows or none. Importing the same file twice changes nothing.
The columns are described in docs/import.md; an example is docs/import-example.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from portal.children.models import Child, Placement
from portal.core import clock
from portal.core.audit import audit_record
from portal.organisations.models import Group, Organisation

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

REQUIRED = [
    "child_number",
    "first_name",
    "last_name",
    "birth_date",
    "location",
    "group",
    "start_date",
    "schedule",
    "guardian1_email",
    "guardian1_name",
]
OPTIONAL = [
    "end_date",
    "photo_consent",
    "allergies",
    "guardian2_email",
    "guardian2_name",
]
COLUMNS = REQUIRED + OPTIONAL

WEEKDAYS = {
    "ma": 0,
    "maandag": 0,
    "mo": 0,
    "mon": 0,
    "monday": 0,
    "di": 1,
    "dinsdag": 1,
    "tu": 1,
    "tue": 1,
    "tuesday": 1,
    "wo": 2,
    "woensdag": 2,
    "we": 2,
    "wed": 2,
    "wednesday": 2,
    "do": 3,
    "donderdag": 3,
    "th": 3,
    "thu": 3,
    "thursday": 3,
    "vr": 4,
    "vrijdag": 4,
    "fr": 4,
    "fri": 4,
    "friday": 4,
}
DAY_PARTS = {
    "ochtend": ["morning"],
    "morning": ["morning"],
    "o": ["morning"],
    "middag": ["afternoon"],
    "afternoon": ["afternoon"],
    "m": ["afternoon"],
    "dag": ["morning", "afternoon"],
    "day": ["morning", "afternoon"],
    "": ["morning", "afternoon"],
}
MAX_LENGTHS = {
    "child_number": 50,
    "first_name": 100,
    "last_name": 100,
    "allergies": 2000,
    "guardian1_name": 200,
    "guardian2_name": 200,
    "guardian1_email": 254,
    "guardian2_email": 254,
}
TRUE = {"ja", "j", "yes", "y", "1", "true", "waar"}
FALSE = {"nee", "n", "no", "0", "false", "onwaar", ""}


@dataclass
class Row:
    line: int
    action: str = ""  # create, update, unchanged, error
    child_number: str = ""
    child_name: str = ""
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def count_create(self) -> int:
        return self.count("create")

    @property
    def count_update(self) -> int:
        return self.count("update")

    @property
    def count_unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def error_rows(self) -> list[Row]:
        return [r for r in self.rows if r.errors]


def decode(raw: bytes, preview: Preview) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        preview.file_errors.append(_("The file is not text in UTF-8 or Windows-1252. Save it as “CSV UTF-8”."))
        return None
    preview.notes.append(_("The file was not UTF-8; it was read as Windows-1252 (Excel). Check the accents below."))
    return text


def parse_date(value: str, column: str, errors: list[str]) -> dt.date | None:
    value = value.strip()
    if not value:
        errors.append(_("%(column)s is empty.") % {"column": column})
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    errors.append(
        _("%(column)s “%(value)s” is not a date; use 2026-11-24 or 24-11-2026.") % {"column": column, "value": value}
    )
    return None


def parse_schedule(value: str, errors: list[str]) -> list[tuple[int, str]]:
    """'ma,di:ochtend,do:middag': a bare day is the whole day."""
    result = set()
    for item in re.split(r"[,\s]+", value.strip().lower()):
        if not item:
            continue
        day, _sep, part = item.partition(":")
        if day not in WEEKDAYS or part not in DAY_PARTS:
            errors.append(_("schedule “%(item)s” is not a day like ma, di:ochtend or do:middag.") % {"item": item})
            continue
        for day_part in DAY_PARTS[part]:
            result.add((WEEKDAYS[day], day_part))
    if not result and not errors:
        errors.append(_("schedule is empty: give the days, like ma,di,do."))
    return sorted(result)


def parse_bool(value: str, column: str, errors: list[str]) -> bool:
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    errors.append(_("%(column)s “%(value)s” should be ja or nee.") % {"column": column, "value": value})
    return False


def parse_email(value: str, column: str, errors: list[str], required: bool) -> str:
    value = value.strip().lower()
    if not value:
        if required:
            errors.append(_("%(column)s is empty.") % {"column": column})
        return ""
    try:
        validate_email(value)
    except ValidationError:
        errors.append(_("%(column)s “%(value)s” is not an e-mail address.") % {"column": column, "value": value})
    return value


def read(organisation: Organisation, raw: bytes) -> Preview:
    """Read and check the whole file; nothing is written."""
    preview = Preview()
    if len(raw) > MAX_BYTES:
        preview.file_errors.append(_("The file is larger than 5 MB. Split it into parts."))
        return preview
    if not raw.strip():
        preview.file_errors.append(_("The file is empty."))
        return preview
    text = decode(raw, preview)
    if text is None:
        return preview
    if "\x00" in text:
        preview.file_errors.append(_("The file contains NUL characters: it is not a CSV text file."))
        return preview
    try:
        return _read_rows(organisation, text, preview)
    except csv.Error as error:
        preview.file_errors.append(
            _("The file cannot be read as CSV (%(error)s). Check the quotes around values.") % {"error": error}
        )
        preview.rows = []
        return preview


def _read_rows(organisation: Organisation, text: str, preview: Preview) -> Preview:
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if delimiter == ";":
        preview.notes.append(_("The columns are separated by semicolons (as Excel does in Dutch); that is fine."))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        preview.file_errors.append(_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
    unknown = [h for h in headers if h and h not in COLUMNS]
    if unknown:
        preview.notes.append(_("Columns not used: %(columns)s.") % {"columns": ", ".join(unknown)})
    if missing:
        return preview

    groups = {
        (g.location.name.strip().lower(), g.name.strip().lower()): g
        for g in Group.objects.filter(location__organisation=organisation).select_related("location")
    }
    seen_numbers: dict[str, int] = {}
    guardian_names: dict[str, tuple[str, int]] = {}
    for index, record in enumerate(reader):
        line = reader.line_num  # the file's own line number (after empty lines and quoted line breaks)
        if index >= MAX_ROWS:
            preview.file_errors.append(_("More than %(max)d rows; split the file.") % {"max": MAX_ROWS})
            break
        if record.get(None):
            row = Row(line=line, action="error", errors=[_("This line has more values than there are columns.")])
            preview.rows.append(row)
            continue
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue  # an empty line
        row = Row(
            line=line,
            child_number=values["child_number"],
            child_name=f"{values['first_name']} {values['last_name']}".strip(),
        )
        errors = row.errors
        for column in ("child_number", "first_name", "last_name"):
            if not values[column]:
                errors.append(_("%(column)s is empty.") % {"column": column})
        for column, limit in MAX_LENGTHS.items():
            if len(values.get(column, "")) > limit:
                errors.append(_("%(column)s is longer than %(limit)d characters.") % {"column": column, "limit": limit})
        if values["child_number"] in seen_numbers:
            errors.append(
                _("child_number %(number)s is also on line %(line)d.")
                % {"number": values["child_number"], "line": seen_numbers[values["child_number"]]}
            )
        elif values["child_number"]:
            seen_numbers[values["child_number"]] = line
        birth = parse_date(values["birth_date"], "birth_date", errors)
        start = parse_date(values["start_date"], "start_date", errors)
        end = parse_date(values["end_date"], "end_date", errors) if values.get("end_date") else None
        if start and end and end < start:
            errors.append(_("end_date is before start_date."))
        if birth and start and birth > start:
            errors.append(_("birth_date is after start_date."))
        group = groups.get((values["location"].lower(), values["group"].lower()))
        if group is None:
            errors.append(
                _("There is no group “%(group)s” at location “%(location)s”.")
                % {"group": values["group"], "location": values["location"]}
            )
        schedule = parse_schedule(values["schedule"], errors)
        photo_consent = parse_bool(values.get("photo_consent", ""), "photo_consent", errors)
        guardians = []
        for number in (1, 2):
            email = parse_email(
                values.get(f"guardian{number}_email", ""), f"guardian{number}_email", errors, number == 1
            )
            name = values.get(f"guardian{number}_name", "")
            if email:
                if not name:
                    errors.append(_("guardian%(n)d_name is empty.") % {"n": number})
                earlier = guardian_names.get(email)
                if earlier and name and earlier[0].lower() != name.lower():
                    errors.append(
                        _(
                            "%(email)s has the name “%(name)s” here and “%(other)s” on line %(line)d: "
                            "one e-mail address is one person."
                        )
                        % {"email": email, "name": name, "other": earlier[0], "line": earlier[1]}
                    )
                guardian_names.setdefault(email, (name, line))
                guardians.append((email, name))
        if len(guardians) == 2 and guardians[0][0] == guardians[1][0]:
            errors.append(_("guardian1_email and guardian2_email are the same: each guardian needs an own address."))
        row.data = {
            "child_number": values["child_number"],
            "first_name": values["first_name"],
            "last_name": values["last_name"],
            "birth_date": birth,
            "photo_consent": photo_consent,
            "allergies": values.get("allergies", ""),
            "group": group,
            "start_date": start,
            "end_date": end,
            "schedule": schedule,
            "guardians": guardians,
        }
        if errors:
            row.action = "error"
        preview.rows.append(row)
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append(_("The file has a header but no rows."))
    shared: dict[str, list[int]] = {}
    for row in preview.rows:
        for email, _name in row.data.get("guardians", []):
            shared.setdefault(email, []).append(row.line)
    for email, lines in shared.items():
        if len(lines) > 1:
            preview.notes.append(
                _("%(email)s is a guardian on lines %(lines)s: one login for all these children.")
                % {"email": email, "lines": ", ".join(map(str, lines))}
            )
    _compare_with_database(organisation, preview)
    return preview


def _compare_with_database(organisation: Organisation, preview: Preview) -> None:
    numbers = [r.data["child_number"] for r in preview.rows if not r.errors]
    existing = {
        c.external_id: c
        for c in Child.objects.filter(organisation=organisation, external_id__in=numbers).prefetch_related(
            "guardians__user", "placements__schedule", "placements__group"
        )
    }
    for row in preview.rows:
        if row.errors:
            continue
        child = existing.get(row.data["child_number"])
        if child is None:
            row.action = "create"
            continue
        same = _placement_for(child, row.data)
        overlaps = _overlapping(child, row.data, same)
        move = overlaps[0] if same is None and len(overlaps) == 1 and _is_move(overlaps[0], row.data) else None
        if overlaps and move is None:
            row.errors.append(
                _("This placement overlaps the placement on %(group)s from %(start)s; end that one first.")
                % {"group": overlaps[0].group.name, "start": overlaps[0].start_date.isoformat()}
            )
            row.action = "error"
            continue
        row.data.update(child=child, placement=same, move=move)
        row.changes = _differences(child, row.data)
        row.action = "update" if row.changes else "unchanged"
        if move is not None:
            preview.notes.append(
                _("Line %(line)d moves %(child)s from %(old)s to %(new)s on %(day)s, as “Move to another group” does.")
                % {
                    "line": row.line,
                    "child": child.full_name,
                    "old": move.group.name,
                    "new": row.data["group"].name,
                    "day": row.data["start_date"].isoformat(),
                }
            )


def _overlapping(child: Child, data: dict, same: Placement | None) -> list[Placement]:
    """The child's other placements that run at the same time as the line's placement."""
    start, end = data["start_date"], data["end_date"] or dt.date.max
    result = []
    for placement in child.placements.all():
        if same is not None and placement.pk == same.pk:
            continue
        other_end = placement.end_date or dt.date.max
        if placement.start_date <= end and start <= other_end:
            result.append(placement)
    return result


def _is_move(placement: Placement, data: dict) -> bool:
    """A line with another group, starting while `placement` runs (after its first day), is a
    move to that group: the same as "Move to another group" in the back office."""
    return (
        placement.group_id != data["group"].pk
        and placement.start_date < data["start_date"]
        and placement.is_current_or_upcoming(data["start_date"])
    )


def _placement_for(child: Child, data: dict) -> Placement | None:
    for placement in child.placements.all():
        if placement.group_id == data["group"].pk and placement.start_date == data["start_date"]:
            return placement
    return None


def _schedule_of(placement: Placement) -> list[tuple[int, str]]:
    return sorted((s.weekday, s.day_part) for s in placement.schedule.all())


def _differences(child: Child, data: dict) -> list[str]:
    changes = []
    for name in ("first_name", "last_name", "birth_date", "photo_consent", "allergies"):
        if getattr(child, name) != data[name]:
            changes.append(name)
    emails = {g.user.email for g in child.guardians.all()}
    if any(email not in emails for email, _name in data["guardians"]):
        changes.append("guardians")
    placement = data["placement"] or data["move"]
    if placement is None:
        changes.append("placement")
    else:
        if data["move"] is not None:
            changes.append("group")
        if placement.end_date != data["end_date"]:
            changes.append("end_date")
        if _schedule_of(placement) != data["schedule"]:
            changes.append("schedule")
    return changes


WEEKDAY_CODES = ["ma", "di", "wo", "do", "vr"]
DAY_PART_CODES = {"morning": "ochtend", "afternoon": "middag"}


def schedule_text(schedule) -> str:
    """A schedule written as in the file: "ma,di:ochtend" (a bare day is the whole day)."""
    parts: dict[int, set[str]] = {}
    for weekday, day_part in schedule:
        parts.setdefault(weekday, set()).add(day_part)
    items = []
    for weekday in sorted(parts):
        code = WEEKDAY_CODES[weekday] if weekday < len(WEEKDAY_CODES) else str(weekday)
        if parts[weekday] >= set(DAY_PART_CODES):
            items.append(code)
        else:
            items.extend(f"{code}:{DAY_PART_CODES.get(p, p)}" for p in sorted(parts[weekday]))
    return ",".join(items)


def _snapshot(child: Child, placement: Placement | None) -> dict:
    """What a line says about a child, as it is in the database: for the history."""
    values = {name: getattr(child, name) for name in ("first_name", "last_name", "birth_date", "photo_consent")}
    values["allergies"] = child.allergies
    values["guardians"] = sorted(g.user.email for g in child.guardians.all())
    if placement is not None:
        values["group"] = f"{placement.group.location.name} · {placement.group.name}"
        values["start_date"] = placement.start_date
        values["end_date"] = placement.end_date
        values["schedule"] = schedule_text(_schedule_of(placement))
    return values


def _fresh(child: Child) -> Child:
    return Child.objects.prefetch_related("guardians__user").get(pk=child.pk)


def _fresh_placement(placement: Placement) -> Placement:
    return Placement.objects.select_related("group__location").prefetch_related("schedule").get(pk=placement.pk)


def _apply_row(organisation: Organisation, row: Row, actor) -> None:
    """One line, through the same services as the back office forms, so that the import keeps
    every rule they keep: withdrawn consent hides the photos, an end date withdraws later
    requests, a group change is a move (credits and absences go along)."""
    from portal.children import services

    data = row.data
    fields = {k: data[k] for k in ("first_name", "last_name", "birth_date", "allergies")}
    if row.action == "create":
        child = services.child_create(
            organisation=organisation,
            actor=actor,
            external_id=data["child_number"],
            photo_consent=data["photo_consent"],
            guardians=[services.GuardianData(email, name) for email, name in data["guardians"]],
            group=data["group"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            schedule=data["schedule"],
            **fields,
        )
        after = _snapshot(_fresh(child), _fresh_placement(child.placements.get()))
        audit_record(
            organisation=organisation,
            actor=actor,
            action="import.child.created",
            target=child,
            summary=_("%(child)s added by the import (line %(line)d)") % {"child": child.full_name, "line": row.line},
            changes={name: [None, value] for name, value in after.items()},
        )
        return

    child = data["child"]  # a Child: the one the line matched
    before = _snapshot(child, data["placement"] or data["move"])
    services.child_update(child=child, actor=actor, **fields)
    services.consent_change(child=child, actor=actor, consent=data["photo_consent"], source="import")
    emails = {g.user.email for g in child.guardians.all()}
    for email, name in data["guardians"]:
        if email not in emails:
            services.guardian_add(child=child, actor=actor, data=services.GuardianData(email, name))
    placement = data["placement"]
    if data["move"] is not None:
        placement = services.placement_move(
            placement=data["move"], actor=actor, group=data["group"], from_date=data["start_date"]
        )
    elif placement is None:
        placement = services.placement_create(
            child=child,
            actor=actor,
            group=data["group"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            schedule=data["schedule"],
        )
    placement = _fresh_placement(placement)
    if placement.end_date != data["end_date"]:
        if data["end_date"] is None:
            services.placement_end_remove(placement=placement, actor=actor)
        else:
            services.placement_end(placement=placement, actor=actor, end_date=data["end_date"])
    services.placement_set_schedule(placement=placement, actor=actor, schedule=data["schedule"])
    after = _snapshot(_fresh(child), _fresh_placement(placement))
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    audit_record(
        organisation=organisation,
        actor=actor,
        action="import.child.updated",
        target=child,
        summary=_("%(child)s changed by the import (line %(line)d): %(fields)s")
        % {"child": child.full_name, "line": row.line, "fields": ", ".join(changes)},
        changes=changes,
    )


@transaction.atomic
def apply(organisation: Organisation, raw: bytes, actor) -> Preview:
    """Read the file again and import it: all rows, or nothing when any row has an error.
    Each changed child gets its own history line (`import.child.created` or
    `import.child.updated`, with old and new values), beside what the services record and
    one line for the whole import (`import.applied`)."""
    preview = read(organisation, raw)
    if not preview.ok:
        return preview
    try:
        with transaction.atomic():
            for row in preview.rows:
                if row.action == "unchanged":
                    continue
                try:
                    _apply_row(organisation, row, actor)
                except ValidationError as error:
                    row.errors.extend(error.messages)
                    row.action = "error"
                    raise
            audit_record(
                organisation=organisation,
                actor=actor,
                action="import.applied",
                summary=_("Import: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {
                    "created": preview.count("create"),
                    "updated": preview.count("update"),
                    "unchanged": preview.count("unchanged"),
                },
                changes={"lines": [r.line for r in preview.rows if r.action in ("create", "update")]},
            )
    except ValidationError:
        pass  # the line says why; nothing of the file is written
    return preview


# ---------------------------------------------------------------- the uploaded files


def batch_store(*, organisation: Organisation, user, filename: str, content: bytes):
    """Keep an uploaded file for its preview; nothing of it is imported yet."""
    from portal.backoffice.models import ImportBatch

    return ImportBatch.objects.create(
        organisation=organisation, uploaded_by=user, filename=filename[:200], content=content
    )


def batch_apply(*, organisation: Organisation, batch, user) -> Preview | None:
    """Import a kept file once: None when it was imported already (a second click, another
    tab); otherwise the outcome, with the file marked imported when every row went in."""
    from portal.backoffice.models import ImportBatch

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.applied_at is not None:
            return None
        preview = apply(organisation, bytes(batch.content), user)
        if preview.ok:
            batch.applied_at = clock.now()
            batch.applied_by = user
            batch.save(update_fields=["applied_at", "applied_by"])
    return preview
