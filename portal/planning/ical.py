"""A child's calendar as iCalendar (RFC 5545), written by hand: a few all-day events."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from portal.children.models import Child
from portal.planning import selectors


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def calendar_feed(child: Child, today: dt.date, *, weeks_back: int = 4, weeks_ahead: int = 26) -> str:
    first, last = today - dt.timedelta(weeks=weeks_back), today + dt.timedelta(weeks=weeks_ahead)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ouderportaal//NL",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(child.first_name)}",
    ]
    for day in selectors.child_calendar(child, first, last):
        summaries = []
        if day.closed:
            summaries.append(_("Closed: %(reason)s") % {"reason": day.closed})
        elif day.absence is not None:
            summaries.append(_("%(child)s absent") % {"child": child.first_name})
        elif day.planned:
            summaries.append(_("%(child)s at the childcare") % {"child": child.first_name})
        for request in day.requests:
            if request.state in ("pending", "approved"):
                summaries.append(
                    _("%(kind)s: %(state)s")
                    % {"kind": request.get_kind_display(), "state": request.get_state_display()}
                )
        for index, summary in enumerate(summaries):
            lines += [
                "BEGIN:VEVENT",
                f"UID:{child.pk}-{day.date:%Y%m%d}-{index}@ouderportaal",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{day.date:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day.date + dt.timedelta(days=1):%Y%m%d}",
                f"SUMMARY:{_escape(summary)}",
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
