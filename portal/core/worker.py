"""The background worker: django-tasks-db's worker with a heartbeat, a sweep and recovery from
database trouble (see `portal/core/recovery.py` and docs/operations.md).

Differences from the plain `db_worker`:

- a thread writes a heartbeat row every `TASK_HEARTBEAT_SECONDS` (with its own connection),
  naming the task being run, so that other workers see when this one died;
- every `TASK_SWEEP_SECONDS` (and at start) the worker runs `recovery.sweep()`;
- a database error ("database is locked", a dropped connection) no longer ends the worker's
  loop: it closes its connections, waits (1, 2, 4 … 30 seconds) and goes on. A task cut short by
  such an error is queued again rather than failed, up to `TASK_MAX_ATTEMPTS` claims;
- a task that fails for good lets its object say so (`recovery.on_give_up`);
- it never runs under the autoreloader (a reloader's child survives a killed parent).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from portal.core import recovery

logger = logging.getLogger("portal.worker")

TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def forget_connections() -> None:
    """Drop this thread's database connections, broken or not; the next query opens a new one."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            conn.connection = None  # closing a dead connection can fail; forget it anyway


class RecoveringWorker(Worker):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.current_task_id = ""
        self.started_at = timezone.now()
        self._stopping = threading.Event()
        self._next_sweep = 0.0

    # ---------------------------------------------------------------- the loop

    def run(self) -> None:
        recovery.register_all()
        beat = threading.Thread(target=self._beat_forever, name="heartbeat", daemon=True)
        beat.start()
        delay = 1.0
        try:
            while self.running:
                try:
                    if self._run_once():
                        return
                    delay = 1.0
                except TRANSIENT_ERRORS as exc:
                    self.current_task_id = ""
                    logger.warning("database unavailable (%s); trying again in %.0f s", exc, delay)
                    forget_connections()
                    time.sleep(delay)
                    delay = min(delay * 2, 30.0)
        finally:
            self._stopping.set()
            beat.join(timeout=5)
            self._forget_heartbeat()

    def _run_once(self) -> bool:
        """One round of django-tasks-db's loop (claim a task, run it), plus the sweep. True when
        the worker should stop (--batch with nothing left, or --max-tasks reached)."""
        close_old_connections()
        if time.monotonic() >= self._next_sweep:
            counts = recovery.sweep()
            if any(counts.values()):
                logger.warning("sweep: %s", counts)
            self._next_sweep = time.monotonic() + settings.TASK_SWEEP_SECONDS

        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)

        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    # Named in the heartbeat before the claim commits: a sweep never sees this
                    # task RUNNING under a heartbeat taken after the claim that names another.
                    self.current_task_id = str(task_result.pk)
                    task_result.claim(self.worker_id)
        except Exception:
            self.current_task_id = ""
            raise

        if task_result is not None:
            self.run_task(task_result)
        if self.batch and task_result is None:
            logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return True
        close_old_connections()
        if self.running and not task_result:
            time.sleep(self.interval)
        return False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one claimed task: success, a failure (given up at once: running it again would fail
        the same way), or, on a database error, queued again."""
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except TRANSIENT_ERRORS as exc:
            # Cut off from the database: a new connection, then the task goes back in the queue.
            # If the database is still away this raises, and the sweep requeues it later.
            forget_connections()
            recovery.retry_or_give_up(db_task_result, f"database error: {exc}")
        except Exception as exc:  # noqa: BLE001 - recorded on the task, as django-tasks-db does
            db_task_result.set_failed(exc)
            recovery.give_up(db_task_result, f"{type(exc).__name__}: {exc}")
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
        finally:
            self.current_task_id = ""
            self.running_task = False
            self._run_tasks += 1

    # ---------------------------------------------------------------- the heartbeat

    def _beat_forever(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self.beat()
                except DatabaseError as exc:
                    logger.warning("heartbeat not written: %s", exc)
                    forget_connections()
                self._stopping.wait(settings.TASK_HEARTBEAT_SECONDS)
        finally:
            connections.close_all()

    def beat(self) -> None:
        from portal.core.models import WorkerHeartbeat

        # The time is taken before the task id is read: a heartbeat never claims to be newer
        # than what it saw (see `recovery.lost_tasks`).
        seen = timezone.now()
        task_id = self.current_task_id
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "last_seen": seen,
                "task_id": task_id,
            },
        )

    def _forget_heartbeat(self) -> None:
        from portal.core.models import WorkerHeartbeat

        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            pass  # the row ages out; sweeps treat it as a dead worker
