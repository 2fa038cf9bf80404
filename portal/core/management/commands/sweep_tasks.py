"""`manage.py sweep_tasks`: run again, or give up, tasks whose worker died. Every worker does this
by itself every `TASK_SWEEP_SECONDS`; this command is for cron or an operator."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal.core import recovery


class Command(BaseCommand):
    help = "Queue again (or give up) tasks whose worker died, and objects waiting for a task that is gone"

    def handle(self, *args, **options) -> None:
        recovery.register_all()
        counts = recovery.sweep()
        self.stdout.write(
            f"{counts['retried']} task(s) queued again, {counts['failed']} given up, "
            f"{counts['orphans']} waiting object(s) given up"
        )
