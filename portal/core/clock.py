"""The one clock every rule uses: "now" and "today" in Europe/Amsterdam.

Tests freeze it with `frozen(...)`; nothing else in the code calls `datetime.now()` or
`date.today()`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current moment, aware, in Europe/Amsterdam."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(tz=AMSTERDAM)


def today() -> dt.date:
    """Today's date in Europe/Amsterdam (not the server's time zone)."""
    return now().date()


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(AMSTERDAM)


def at(day: dt.date, time: dt.time) -> dt.datetime:
    """The moment `time` on `day`, on the wall clocks of Amsterdam."""
    return dt.datetime.combine(day, time, tzinfo=AMSTERDAM)


def freeze(moment: dt.datetime | dt.date | str | None) -> None:
    """Stop the clock at `moment` (a naive value is read as Amsterdam time); None lets it run."""
    global _frozen
    if moment is None:
        _frozen = None
        return
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(9, 0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=AMSTERDAM)
    _frozen = moment.astimezone(AMSTERDAM)


@contextlib.contextmanager
def frozen(moment: dt.datetime | dt.date | str) -> Iterator[None]:
    previous = _frozen
    freeze(moment)
    try:
        yield
    finally:
        freeze(previous)
