import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from portal.core import clock
from portal.core.daily import DAILY_JOBS
from portal.core.scoping import across_organisations


class Command(BaseCommand):
    help = "Run every daily job for one date (today in Europe/Amsterdam by default). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the date to run for, as YYYY-MM-DD")

    @across_organisations()  # a job of the installation, not one user's request
    def handle(self, *args, **options):
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date {options['date']!r} is not a date like 2026-11-25") from exc
        else:
            day = clock.today()
        for job in DAILY_JOBS:
            summary = job.run(day)
            self.stdout.write(f"{day.isoformat()} {job.name}: {summary}")
