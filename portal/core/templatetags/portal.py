import datetime as dt

from django import template

from portal.children.models import ScheduledDayPart
from portal.core import dates

register = template.Library()


@register.filter
def weekday_name(value: int) -> str:
    return str(ScheduledDayPart.Weekday(value).label)


@register.filter
def day_part_name(value: str) -> str:
    return str(ScheduledDayPart.DayPart(value).label)


@register.filter
def day_parts(values: list[str]) -> str:
    return ", ".join(day_part_name(v) for v in values)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.filter
def current_or_upcoming_on(placement, day) -> bool:
    """`{% if p|current_or_upcoming_on:today %}`: the placement's one rule, in a template."""
    return placement.is_current_or_upcoming(day)


@register.filter
def when(value) -> str:
    """A moment, short and in the reader's language: "1 dec. 17.17", "vandaag 9.30"."""
    return dates.moment_short(value)


@register.filter
def time_short(value) -> str:
    return dates.time_short(value) if value else ""


@register.filter
def day_heading(value) -> str:
    return dates.day_heading(value)


@register.filter
def care_kind(value: str) -> str:
    """The kind of care a credit is for, in words ("daycare (0–4)"), not its stored key."""
    from portal.organisations.models import Group

    try:
        return str(Group.Kind(value).label)
    except ValueError:
        return value


@register.filter
def time_of_day(value: str) -> str:
    """A stored "09:30" as people write it: 9.30 in Dutch, 9:30 in English."""
    try:
        return dates.time_short(dt.time.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


@register.filter
def departure_open(departure) -> bool:
    """Can the family still take everything along today (`Departure.open_on` with the clock)?"""
    from portal.core import clock

    return departure is not None and departure.open_on(clock.today())
