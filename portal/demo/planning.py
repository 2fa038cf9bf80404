"""Demo planning: closing days, an absence with a credit and two requests waiting for the
planner, so the calendar, the credits and the planner's queue show something after `make run`."""

from __future__ import annotations

import datetime as dt

from portal.organisations.models import ClosingDay
from portal.planning import services


def _next_weekday(day: dt.date, weekdays: set[int], after: int) -> dt.date:
    day = day + dt.timedelta(days=after)
    while day.weekday() not in weekdays:
        day += dt.timedelta(days=1)
    return day


def load_demo_planning(today, locations, ouder, ouder2, noor, sem) -> None:
    """The closing days of both locations; the absence and the requests go through the planning
    services, as a guardian's would."""
    christmas = dt.date(today.year if today <= dt.date(today.year, 12, 25) else today.year + 1, 12, 25)
    study_day = _next_weekday(today, {2}, 21)  # a Wednesday three weeks ahead
    for location in locations.values():
        ClosingDay.objects.get_or_create(location=location, date=christmas, defaults={"name": "Eerste Kerstdag"})
        ClosingDay.objects.get_or_create(location=location, date=study_day, defaults={"name": "Studiedag"})
    closed = {christmas, study_day}

    def planned(weekdays, after):
        day = _next_weekday(today, weekdays, after)
        while day in closed:
            day = _next_weekday(day, weekdays, 1)
        return day

    services.absence_report(user=ouder, child=noor, day=planned({0, 1, 3}, 2), reason="holiday")
    services.absence_report(
        user=ouder2, child=sem, day=planned({1, 2, 3, 4}, 3), reason="other", swap_day=planned({0}, 3)
    )
    services.extra_day_request(user=ouder, child=noor, day=planned({4}, 2), day_parts=["morning"], pay_with_credit=True)
