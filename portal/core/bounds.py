"""The limits of what the portal accepts, in one place: forms, the API's schemas, services and
the parsing of query strings all use these, so a page and the API refuse the same input with
the same message, and nothing out of range reaches the database (where it would fail there,
with a server error, instead of here with a sentence a person understands).

- Dates lie between 1 January 1900 and 100 years from today; planning dates (absences, swaps,
  extra days, roster exceptions) within `PLANNING_HORIZON_DAYS` of today.
- Whole numbers fit their column: ids are positive 64-bit integers.
- Texts are refused when they hold NUL or other control characters (a tab and new lines are
  fine); a search simply drops them and is cut to `SEARCH_MAX_LENGTH`.
- Lists from a client are capped (`LIST_MAX_ITEMS`, `CARE_ITEMS_MAX` care notes a day).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

from portal.core import clock

MIN_DATE = dt.date(1900, 1, 1)
YEARS_AHEAD = 100
PLANNING_HORIZON_DAYS = 2 * 366  # absences and extra days: at most about two years back or ahead

ID_MAX = 2**63 - 1  # a bigint primary key
PAGE_MAX = 100_000  # far beyond any list the portal keeps; larger page numbers are refused

TEXT_MAX_LENGTH = 10_000  # a diary page (a message and a news item keep their own limit, in their app)
SHORT_TEXT_MAX_LENGTH = 300  # a note, a reason
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_WORDS = 6
LIST_MAX_ITEMS = 200  # ids sent in one request
CARE_ITEMS_MAX = 48  # naps, bottles or nappies on one diary page

_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def max_date() -> dt.date:
    today = clock.today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def _day(value: dt.date) -> str:
    return date_format(value, "j F Y")


def check_date(value: dt.date) -> dt.date:
    """The date, or a ValidationError when it lies outside 1900 … 100 years ahead."""
    latest = max_date()
    if not MIN_DATE <= value <= latest:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s.") % {"first": _day(MIN_DATE), "last": _day(latest)},
            code="date_out_of_range",
        )
    return value


def check_planning_date(value: dt.date) -> dt.date:
    """A date for planning: within the horizon around today."""
    today = clock.today()
    first, last = today - dt.timedelta(days=PLANNING_HORIZON_DAYS), today + dt.timedelta(days=PLANNING_HORIZON_DAYS)
    if not first <= value <= last:
        raise ValidationError(
            _("Plan between %(first)s and %(last)s.") % {"first": _day(first), "last": _day(last)},
            code="date_out_of_range",
        )
    return value


def validate_date(value: dt.date) -> None:
    """`check_date` as a form field's validator."""
    check_date(value)


def validate_planning_date(value: dt.date) -> None:
    """`check_planning_date` as a form field's validator."""
    check_planning_date(value)


def has_control_characters(value: str) -> bool:
    return any(
        unicodedata.category(ch) in ("Cc", "Cs") and ch not in _ALLOWED_CONTROLS
        for ch in value
        if ch < " " or ch >= "\x7f"
    )


def check_text(value: str, max_length: int = TEXT_MAX_LENGTH) -> str:
    """The text, or a ValidationError for control characters or a text that is too long."""
    if has_control_characters(value):
        raise ValidationError(
            _("The text holds an invisible control character; type it again or paste it as plain text."),
            code="control_characters",
        )
    if len(value) > max_length:
        raise ValidationError(
            _("Keep it to %(max)s characters (it has %(count)s).") % {"max": max_length, "count": len(value)},
            code="too_long",
        )
    return value


def no_control_characters(value: str) -> None:
    """A Django validator (forms, model fields)."""
    check_text(value, max_length=len(value))


def clean_search(value: str | None) -> str:
    """A search: control characters dropped (harmless), cut to `SEARCH_MAX_LENGTH`."""
    value = value or ""
    if has_control_characters(value):
        value = "".join(ch for ch in value if not has_control_characters(ch))
    return value.strip()[:SEARCH_MAX_LENGTH]


def search_words(value: str | None) -> list[str]:
    """The words of a search (each must match), at most `SEARCH_MAX_WORDS`."""
    return clean_search(value).split()[:SEARCH_MAX_WORDS]


def parse_date(raw: str | None) -> dt.date | None:
    """A YYYY-MM-DD from a query string within the window, or None."""
    try:
        return check_date(dt.date.fromisoformat((raw or "").strip()))
    except (ValueError, ValidationError):
        return None


def parse_id(raw: str | None) -> int | None:
    """An id from a query string or form (a positive 64-bit integer), or None."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19) or not 0 < int(raw) <= ID_MAX:
        return None
    return int(raw)


def parse_ids(raws: list[str]) -> list[int]:
    """The ids among `raws` (a form's list of checkboxes), the rest left out; at most `LIST_MAX_ITEMS`."""
    return [i for i in (parse_id(raw) for raw in raws[:LIST_MAX_ITEMS]) if i is not None]


def parse_month(raw: str | None) -> dt.date | None:
    """A YYYY-MM from a query string (the first of that month) within the window, or None."""
    try:
        year, month = (int(part) for part in (raw or "").strip().split("-"))
        return check_date(dt.date(year, month, 1))
    except (ValueError, ValidationError):
        return None


def check_value(value):
    """Any value a client sent: texts without control characters, dates in the window, lists
    capped (nested lists and dicts too). The API's input schemas run it on every field."""
    if isinstance(value, str):
        return check_text(value, max_length=len(value))
    if isinstance(value, dt.datetime):
        check_date(value.date())
    elif isinstance(value, dt.date):
        check_date(value)
    elif isinstance(value, (list, tuple)):
        if len(value) > LIST_MAX_ITEMS:
            raise ValidationError(_("Send at most %(max)s items.") % {"max": LIST_MAX_ITEMS}, code="too_many")
        for item in value:
            check_value(item)
    elif isinstance(value, dict):
        for item in value.values():
            check_value(item)
    return value


def check_care_items(*lists: list) -> None:
    for items in lists:
        if len(items) > CARE_ITEMS_MAX:
            raise ValidationError(
                _("At most %(max)s of each care note a day.") % {"max": CARE_ITEMS_MAX}, code="too_many"
            )


# ---- the same limits as pydantic types, for the API's schemas and query parameters


def _pydantic(check):
    def validate(value):
        try:
            return check(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc

    return AfterValidator(validate)


Date = Annotated[dt.date, _pydantic(check_date)]
PlanningDate = Annotated[dt.date, _pydantic(check_planning_date)]
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
PageNumber = Annotated[int, Field(ge=1, le=PAGE_MAX)]
Search = Annotated[str, AfterValidator(clean_search)]
ClockTime = Annotated[
    str,
    Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description='A time of day in Dutch time, "HH:MM"'),
]
