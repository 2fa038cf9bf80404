"""`manage.py db_worker`: django-tasks-db's worker command, running the portal's worker
(`portal/core/worker.py`: heartbeat, sweep, recovery from database errors) and never under the
autoreloader. This app comes before django_tasks_db in INSTALLED_APPS, so this command wins."""

from __future__ import annotations

from django_tasks_db.management.commands import db_worker

from portal.core.worker import RecoveringWorker


class Command(db_worker.Command):
    help = "Run a background worker (with heartbeat and recovery of tasks whose worker died)"

    def handle(self, *args, **options) -> None:
        # An autoreloader runs the worker in a child process that outlives a killed parent, and
        # in a thread that may die while the process stays: always off.
        options["reload"] = False
        original = db_worker.Worker
        db_worker.Worker = RecoveringWorker  # type: ignore[misc]  # the command builds its worker by this name
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
