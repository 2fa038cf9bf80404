"""Background work that survives a worker's death (kill -9, a lost database connection, a
restarted machine).

Tasks are queued in the database (django-tasks-db). A worker claims a task by setting it
RUNNING; if the worker dies then, nothing else would ever look at that task again. So:

- every worker (`manage.py db_worker`, `portal/core/worker.py`) writes a heartbeat row every
  `TASK_HEARTBEAT_SECONDS`, naming the task it runs;
- `sweep()` (run by every worker every `TASK_SWEEP_SECONDS`, and by `manage.py sweep_tasks`
  from cron) finds RUNNING tasks whose worker has been silent for `TASK_LEASE_SECONDS`, or
  whose worker says it runs something else, and queues them again;
- after `TASK_MAX_ATTEMPTS` claims the task fails for good, and the task's give-up handler
  (registered with `on_give_up`) marks its object failed with a reason people see, e.g. a photo
  "could not be processed" with its upload deleted;
- objects still waiting for a task that is gone (a task that failed, a row pruned) are given up
  the same way, so nothing stays "processing" for ever.

Tasks are idempotent (running one twice does the work once), so running a task again whose
worker died halfway is safe. Times here are the real time of the machine (the task queue's own
timestamps), not the portal's clock, which tests freeze.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string, module_has_submodule
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.core.scoping import across_organisations

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The worker that ran the task stopped (killed, lost its database, machine restarted)."""


@dataclasses.dataclass(frozen=True)
class Recovery:
    give_up: Callable[[int, str], None]  # (the object's id, the reason in English for the log)
    waiting: Callable[[dt.datetime], Iterable[int]] | None  # ids waiting for the task since before then


_RECOVERIES: dict[str, Recovery] = {}


def on_give_up(task, *, waiting: Callable[[dt.datetime], Iterable[int]] | None = None):
    """Register what happens to a task's object (its first argument, an id) when the task fails
    for good: `handler(object_id, reason)`. `waiting(before)` lists the ids of objects that still
    wait for this task and were asked for before `before`; those without a queued or running task
    are given up too."""

    def register(handler: Callable[[int, str], None]) -> Callable[[int, str], None]:
        _RECOVERIES[task.module_path] = Recovery(give_up=handler, waiting=waiting)
        return handler

    return register


def _recovery_for(task_path: str) -> Recovery | None:
    if task_path not in _RECOVERIES:
        try:
            import_string(task_path)  # importing the task's module registers its handler
        except ImportError:
            return None
    return _RECOVERIES.get(task_path)


def give_up(db_task: DBTaskResult, reason: str) -> None:
    """The task failed for good: let its object say so (and clean up)."""
    recovery = _recovery_for(db_task.task_path)
    args = (db_task.args_kwargs or {}).get("args") or []
    if recovery is None or not args:
        return
    try:
        with across_organisations():
            recovery.give_up(int(args[0]), reason)
    except Exception:  # noqa: BLE001 - a sweep must go on with the other tasks
        logger.exception("giving up task %s (%s) failed", db_task.pk, db_task.task_path)


def attempts(db_task: DBTaskResult) -> int:
    """How often the task was claimed by a worker (each claim adds the worker's id)."""
    return len(db_task.worker_ids or [])


def retry_or_give_up(db_task: DBTaskResult, reason: str, *, now: dt.datetime | None = None) -> str:
    """Queue a task again whose run was cut short, or fail it after `TASK_MAX_ATTEMPTS` claims.
    Only a task still RUNNING as it was read is changed (another sweeper may have been first).
    Returns "retried", "failed" or "" (changed meanwhile)."""
    now = now or timezone.now()
    running = DBTaskResult.objects.filter(pk=db_task.pk, status=TaskResultStatus.RUNNING, started_at=db_task.started_at)
    if attempts(db_task) < settings.TASK_MAX_ATTEMPTS:
        changed = running.update(status=TaskResultStatus.READY)  # due again at once
        outcome = "retried"
    else:
        changed = running.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"{reason} (after {attempts(db_task)} attempts)",
        )
        outcome = "failed"
    if not changed:
        return ""
    logger.warning("task %s (%s): %s; %s", db_task.pk, db_task.task_path, reason, outcome)
    if outcome == "failed":
        give_up(db_task, reason)
    return outcome


def lost_tasks(now: dt.datetime) -> list[tuple[DBTaskResult, str]]:
    """RUNNING tasks whose worker is gone or no longer runs them, with the reason."""
    from portal.core.models import WorkerHeartbeat

    lease = dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    running = list(DBTaskResult.objects.running())
    worker_ids = {t.worker_ids[-1] for t in running if t.worker_ids}
    beats = {b.worker_id: b for b in WorkerHeartbeat.objects.filter(worker_id__in=worker_ids)}
    lost = []
    for task in running:
        beat = beats.get(task.worker_ids[-1]) if task.worker_ids else None
        started = task.started_at or task.enqueued_at
        if beat is None:
            if started < now - lease:
                lost.append((task, "its worker is not running"))
        elif beat.last_seen < now - lease:
            lost.append((task, f"its worker {beat.worker_id} stopped (last seen {beat.last_seen:%H:%M:%S})"))
        elif beat.task_id != str(task.pk) and beat.last_seen > started:
            # The worker is alive and moved on without recording the end (its database
            # connection broke while it ran the task).
            lost.append((task, f"its worker {beat.worker_id} was cut off from the database"))
    return lost


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Run again (or give up) the tasks of dead workers and the objects waiting for nothing.
    Safe to run from several workers at once. Returns counts for the log."""
    from portal.core.models import WorkerHeartbeat

    now = now or timezone.now()
    counts = {"retried": 0, "failed": 0, "orphans": 0}
    for task, reason in lost_tasks(now):
        outcome = retry_or_give_up(task, reason, now=now)
        if outcome:
            counts[outcome] += 1
    counts["orphans"] = _give_up_orphans(now)
    WorkerHeartbeat.objects.filter(last_seen__lt=now - dt.timedelta(days=1)).delete()
    return counts


def _give_up_orphans(now: dt.datetime) -> int:
    """Objects that wait for a task that is neither queued nor running (it failed before this
    recovery existed, or its row was removed): they would wait for ever."""
    before = now - dt.timedelta(seconds=settings.TASK_LEASE_SECONDS) * (settings.TASK_MAX_ATTEMPTS + 1)
    given_up = 0
    for task_path in list(_RECOVERIES):
        recovery = _RECOVERIES[task_path]
        if recovery.waiting is None:
            continue
        with across_organisations():
            waiting = set(recovery.waiting(before))
        if not waiting:
            continue
        pending = DBTaskResult.objects.filter(
            task_path=task_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).values_list("args_kwargs", flat=True)
        for args_kwargs in pending:
            args = (args_kwargs or {}).get("args") or []
            if args:
                waiting.discard(args[0])
        for object_id in sorted(waiting):
            with transaction.atomic(), across_organisations():
                _RECOVERIES[task_path].give_up(object_id, "its task is no longer queued")
            given_up += 1
    return given_up


def register_all() -> None:
    """Import every app's tasks, so that their give-up handlers are known to a sweep."""
    from django.apps import apps

    for app in apps.get_app_configs():
        if app.name.startswith("portal.") and module_has_submodule(app.module, "tasks"):
            import_module(f"{app.name}.tasks")
