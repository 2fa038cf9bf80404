import datetime as dt

from django import template
from django.utils.safestring import mark_safe

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


# The portal's icons (24×24, drawn with strokes by the stylesheet), by name. Written by a tag,
# not a template: every page shows six to ten of them, and an included template with a chain
# of conditions costs more than the rest of the navigation.
ICONS = {
    "today": '<path d="M3 11l9-8 9 8v10h-6v-6H9v6H3z"/>',
    "photos": (
        '<rect x="3" y="5" width="18" height="14" rx="2"/><circle cx="9" cy="10" r="2"/><path d="M21 16l-5-5-9 8"/>'
    ),
    "diary": '<path d="M5 4h9a4 4 0 0 1 4 4v12H9a4 4 0 0 1-4-4z"/><path d="M9 9h5M9 13h5"/>',
    "messages": '<path d="M4 5h16v11H10l-6 4z"/>',
    "planning": '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>',
    "requests": '<path d="M10 6h10M10 12h10M10 18h10M4 6l1.5 1.5L8 5M4 12l1.5 1.5L8 11M4 18l1.5 1.5L8 17"/>',
    "manage": (
        '<path d="M4 6h16M4 12h16M4 18h16"/>'
        '<circle cx="9" cy="6" r="2"/>'
        '<circle cx="15" cy="12" r="2"/>'
        '<circle cx="8" cy="18" r="2"/>'
    ),
    "news": '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M7 8h10M7 12h10M7 16h6"/>',
    "bell": '<path d="M6 16v-5a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>',
    "menu": '<path d="M4 7h16M4 12h16M4 17h16"/>',
    "phone": '<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a1 1 0 0 1-1 1A16 16 0 0 1 4 5a1 1 0 0 1 1-1z"/>',
    "download": '<path d="M12 4v11M7 10l5 5 5-5M5 20h14"/>',
    "attach": '<path d="M20 11l-8 8a5 5 0 0 1-7-7l8-8a3.5 3.5 0 0 1 5 5l-8 8a2 2 0 0 1-3-3l7-7"/>',
    "send": '<path d="M4 12l16-8-6 16-2-7z"/>',
    "close": '<path d="M6 6l12 12M18 6L6 18"/>',
    "lock": '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/>',
}


@register.simple_tag
def icon(name: str) -> str:
    """`{% icon "bell" %}`: the icon as inline SVG, hidden from screen readers (the link or
    button it is in carries the words). An unknown name gives an empty icon."""
    return mark_safe(  # noqa: S308 (fixed markup from ICONS, nothing from input)
        '<svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">'
        + ICONS.get(str(name), "")
        + "</svg>"
    )
