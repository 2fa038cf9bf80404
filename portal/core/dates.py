"""Dates and times as people read them: "1 dec. 17.17" in Dutch, "1 Dec 17:17" in English,
"vandaag 9.30", and day headings ("Vandaag", "Gisteren", "maandag 30 november").

Django's own Dutch month abbreviations have no full stop ("dec") and its time uses a colon;
Dutch house style writes "dec." and "17.17", so the forms are here, in the catalogue."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from portal.core import clock

MONTHS_SHORT = {
    1: pgettext_lazy("abbreviated month", "Jan"),
    2: pgettext_lazy("abbreviated month", "Feb"),
    3: pgettext_lazy("abbreviated month", "Mar"),
    4: pgettext_lazy("abbreviated month", "Apr"),
    5: pgettext_lazy("abbreviated month", "May"),
    6: pgettext_lazy("abbreviated month", "Jun"),
    7: pgettext_lazy("abbreviated month", "Jul"),
    8: pgettext_lazy("abbreviated month", "Aug"),
    9: pgettext_lazy("abbreviated month", "Sep"),
    10: pgettext_lazy("abbreviated month", "Oct"),
    11: pgettext_lazy("abbreviated month", "Nov"),
    12: pgettext_lazy("abbreviated month", "Dec"),
}


def time_short(moment: dt.datetime | dt.time) -> str:
    """17:17 in English, 17.17 in Dutch."""
    if isinstance(moment, dt.datetime):
        moment = clock.local(moment).time()
    return pgettext("time of day", "%(hour)d:%(minute)02d") % {"hour": moment.hour, "minute": moment.minute}


def day_short(day: dt.date, today: dt.date | None = None) -> str:
    """1 Dec / 1 dec.; with the year when it is not this year's."""
    today = today or clock.today()
    text = f"{day.day} {MONTHS_SHORT[day.month]}"
    return text if day.year == today.year else f"{text} {day.year}"


def moment_short(moment: dt.datetime | None) -> str:
    """A moment in a list or a conversation: "today 9.30", "yesterday 17.17", "1 dec. 17.17"."""
    if moment is None:
        return ""
    local = clock.local(moment)
    today = clock.today()
    if local.date() == today:
        return _("today %(time)s") % {"time": time_short(local)}
    if local.date() == today - dt.timedelta(days=1):
        return _("yesterday %(time)s") % {"time": time_short(local)}
    return f"{day_short(local.date(), today)} {time_short(local)}"


def day_heading(day: dt.date) -> str:
    """A heading over a day's photos or diary pages: Today, Yesterday, Monday 30 November."""
    today = clock.today()
    if day == today:
        return _("Today")
    if day == today - dt.timedelta(days=1):
        return _("Yesterday")
    return date_format(day, "l j F" if day.year == today.year else "l j F Y")
