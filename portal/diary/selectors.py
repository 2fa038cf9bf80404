"""Reads of the diary: the timeline of each day, in time order.

A day's pages (the group's, and the family's own) become one list of moments: naps, bottles
and meals, nappies, the written notes and their photos, each at its time. A note has the time
it was published on its own day; a page written afterwards, or without a time, comes last."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from portal.core import clock
from portal.diary.models import DiaryEntry

LAST = "99:99"  # sorts after every time of day


@dataclass
class Moment:
    time: str  # "09:30", or "" when the moment has no time of its own
    kind: str  # "sleep", "feed", "nappy", "note"
    entry: DiaryEntry
    data: dict = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[str, int]:
        order = {"sleep": 0, "feed": 1, "nappy": 2, "note": 3}
        return (self.time or LAST, order[self.kind])


@dataclass
class TimelineDay:
    date: dt.date
    moments: list[Moment] = field(default_factory=list)
    moods: list[DiaryEntry] = field(default_factory=list)  # the entries that give a mood


def _note_time(entry: DiaryEntry) -> str:
    moment = entry.published_at or entry.created_at
    local = clock.local(moment)
    return local.strftime("%H:%M") if local.date() == entry.date else ""


def timeline(entries) -> list[TimelineDay]:
    """The entries (newest day first) as days of moments in time order."""
    days: dict[dt.date, TimelineDay] = {}
    for entry in entries:
        day = days.setdefault(entry.date, TimelineDay(entry.date))
        if entry.mood:
            day.moods.append(entry)
        for sleep in entry.sleeps or []:
            day.moments.append(Moment(sleep.get("from", ""), "sleep", entry, sleep))
        for feed in entry.feeds or []:
            day.moments.append(Moment(feed.get("time", ""), "feed", entry, feed))
        for nappy in entry.nappies or []:
            day.moments.append(Moment(nappy.get("time", ""), "nappy", entry, nappy))
        if entry.text or entry.media_id or entry.state == DiaryEntry.State.DRAFT or not entry.has_care_notes:
            day.moments.append(Moment(_note_time(entry), "note", entry))
    for day in days.values():
        day.moments.sort(key=lambda m: m.sort_key)
    return sorted(days.values(), key=lambda d: d.date, reverse=True)
