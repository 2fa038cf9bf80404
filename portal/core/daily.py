"""The registry of daily jobs that `manage.py run_daily` runs, in order, for one date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class DailyJob:
    name: str
    function_path: str

    def run(self, day: dt.date) -> str:
        function: Callable[[dt.date], str] = import_string(self.function_path)
        return function(day)


DAILY_JOBS: list[DailyJob] = [
    DailyJob("invitations", "portal.accounts.services.invitations_send_due"),
    DailyJob("credits expire", "portal.planning.services.credits_expire"),
    DailyJob("credits of ended placements", "portal.planning.services.credits_void_after_placement"),
    DailyJob("departures and removal of data", "portal.privacy.services.departure_daily"),
]
