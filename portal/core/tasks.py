"""Queueing background work that belongs to a change in the database."""

from __future__ import annotations

import datetime as dt

from django.db import transaction


def enqueue_after_commit(task, *args, run_after: dt.datetime | None = None) -> None:
    """Queue `task(*args)` so that it runs only when the current transaction commits.

    With the database queue (django-tasks-db: production and `make run`) the task's row is
    written inside the same transaction: the change and its follow-up (a mail, a notification)
    commit together or not at all, and a crash just after the commit loses nothing. A worker
    cannot see the row before the commit. Other queues get the task after the commit.
    """
    if run_after is not None:
        task = task.using(run_after=run_after)
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
