"""Reads about organisations: the staff roster."""

from __future__ import annotations

import datetime as dt

from portal.organisations.models import RosterException, RosterPattern


def professionals_scheduled(group_ids: list[int], day: dt.date) -> dict[tuple[int, str], int]:
    """Professionals scheduled per (group, day part) on `day`: an exception for that day wins
    over the weekly pattern; neither means none. Two queries, whatever the number of groups.

    Not on the live path: the planner's verdicts and the day view read the roster through
    `portal.planning.selectors.Snapshot.scheduled` (the same rule, for many days at once). Only
    the roster page's tests ask this one."""
    result: dict[tuple[int, str], int] = {}
    for pattern in RosterPattern.objects.filter(group_id__in=group_ids, weekday=day.weekday()):
        result[(pattern.group_id, pattern.day_part)] = pattern.professionals
    for exception in RosterException.objects.filter(group_id__in=group_ids, date=day):
        result[(exception.group_id, exception.day_part)] = exception.professionals
    return result
