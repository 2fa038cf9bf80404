"""Reads about organisations: closing days and the staff roster."""

from __future__ import annotations

import datetime as dt

from portal.organisations.models import ClosingDay, RosterException, RosterPattern


def professionals_scheduled(group_ids: list[int], day: dt.date) -> dict[tuple[int, str], int]:
    """Professionals scheduled per (group, day part) on `day`: an exception for that day wins
    over the weekly pattern; neither means none. Two queries, whatever the number of groups."""
    result: dict[tuple[int, str], int] = {}
    for pattern in RosterPattern.objects.filter(group_id__in=group_ids, weekday=day.weekday()):
        result[(pattern.group_id, pattern.day_part)] = pattern.professionals
    for exception in RosterException.objects.filter(group_id__in=group_ids, date=day):
        result[(exception.group_id, exception.day_part)] = exception.professionals
    return result


def closing_days_between(location_ids: list[int], start: dt.date, end: dt.date) -> dict[int, dict[dt.date, str]]:
    """Per location, the closing days from `start` up to and including `end`, with their reason."""
    result: dict[int, dict[dt.date, str]] = {location_id: {} for location_id in location_ids}
    for row in ClosingDay.objects.filter(location_id__in=location_ids, date__range=(start, end)):
        result[row.location_id][row.date] = row.name
    return result
