from django import template

from portal.children.models import ScheduledDayPart

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
def departure_open(departure) -> bool:
    """Can the family still take everything along today (`Departure.open_on` with the clock)?"""
    from portal.core import clock

    return departure is not None and departure.open_on(clock.today())
