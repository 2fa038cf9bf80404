"""Recovery of background work (portal/core/recovery.py, portal/core/worker.py) at its edges:
when a worker counts as dead, how often a task runs again, what people see when it is given up,
a worker that meets database errors, and a request whose database connection is lost.
The whole story with real killed worker processes is in tests/test_worker_faults.py."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from portal.core import recovery
from portal.core.models import WorkerHeartbeat
from portal.core.worker import RecoveringWorker
from portal.diary import services as diary
from portal.diary.models import DiaryExport
from portal.diary.tasks import make_pdf
from portal.media.models import MediaItem
from portal.media.tasks import process_media
from tests.conftest import login
from tests.test_media import consent, upload  # noqa: F401 - consent is a fixture

NOW = timezone.now().replace(microsecond=0)
LEASE = dt.timedelta(seconds=60)


@pytest.fixture(autouse=True)
def short_settings(settings):
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3


def running(task, object_id: int, *, workers=("w1",), started=NOW - dt.timedelta(seconds=5)) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [object_id], "kwargs": {}},
        task_path=task.module_path,
        worker_ids=list(workers),
        backend_name="default",
        run_after=get_date_max(),  # as queued without a time
        started_at=started,
    )


def heartbeat(worker_id="w1", *, seen, task_id="") -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"started_at": NOW - dt.timedelta(hours=1), "last_seen": seen, "task_id": task_id}
    )


@pytest.fixture
def photo(consent):  # noqa: F811
    """A photo that was uploaded but never processed (its task was not run)."""
    item, _ = upload(consent, children=[consent.bo], committed=mock.MagicMock)
    assert item.state == MediaItem.State.PROCESSING and item.incoming
    return item


def test_a_task_is_run_again_once_its_worker_is_silent_longer_than_the_lease(photo):
    task = running(process_media, photo.pk)
    heartbeat(seen=NOW - LEASE, task_id=str(task.pk))
    assert recovery.sweep(NOW)["retried"] == 0  # silent exactly the lease: still alive
    heartbeat(seen=NOW - LEASE - dt.timedelta(seconds=1), task_id=str(task.pk))
    assert recovery.sweep(NOW)["retried"] == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY and DBTaskResult.objects.ready().filter(pk=task.pk).exists()


def test_a_live_worker_keeps_its_task_until_it_says_it_runs_another(photo):
    task = running(process_media, photo.pk)
    heartbeat(seen=NOW, task_id=str(task.pk))
    assert recovery.sweep(NOW)["retried"] == 0
    # A heartbeat taken before the claim names nothing yet: not a lost task.
    heartbeat(seen=task.started_at - dt.timedelta(seconds=1), task_id="")
    assert recovery.sweep(NOW)["retried"] == 0
    # Taken after the claim, naming nothing: its database connection broke mid-task.
    heartbeat(seen=task.started_at + dt.timedelta(seconds=1), task_id="")
    assert recovery.sweep(NOW)["retried"] == 1


def test_a_task_without_any_heartbeat_waits_the_lease_from_its_start(photo):
    task = running(process_media, photo.pk, started=NOW - LEASE)
    assert recovery.sweep(NOW)["retried"] == 0
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=NOW - LEASE - dt.timedelta(seconds=1))
    assert recovery.sweep(NOW)["retried"] == 1


def test_after_the_last_attempt_the_photo_fails_with_a_reason_and_its_upload_is_deleted(photo):
    incoming = Path(photo.incoming.path)
    assert incoming.exists()
    old = NOW - 2 * LEASE  # no heartbeat, started long ago: a dead worker's
    running(process_media, photo.pk, workers=("w1", "w2"), started=old)  # two claims: one more try
    assert recovery.sweep(NOW) == {"retried": 1, "failed": 0, "orphans": 0}
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, worker_ids=["w1", "w2", "w3"], started_at=old)
    assert recovery.sweep(NOW)["failed"] == 1

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.FAILED and "worker" in task.traceback
    photo.refresh_from_db()
    assert photo.state == MediaItem.State.FAILED and photo.error
    assert not photo.incoming and not incoming.exists()


def test_a_photo_waiting_for_a_task_that_is_gone_is_given_up(photo):
    long_ago = NOW - LEASE * 4
    MediaItem.objects.filter(pk=photo.pk).update(uploaded_at=long_ago + dt.timedelta(seconds=1))
    assert recovery.sweep(NOW)["orphans"] == 0  # not yet (lease × (attempts + 1) since the upload)
    MediaItem.objects.filter(pk=photo.pk).update(uploaded_at=long_ago - dt.timedelta(seconds=1))
    queued = running(process_media, photo.pk)
    DBTaskResult.objects.filter(pk=queued.pk).update(status=TaskResultStatus.READY)
    assert recovery.sweep(NOW)["orphans"] == 0  # its task is queued: it waits
    queued.delete()
    assert recovery.sweep(NOW)["orphans"] == 1
    photo.refresh_from_db()
    assert photo.state == MediaItem.State.FAILED and not photo.incoming


def test_a_pdf_given_up_says_so_and_a_made_pdf_is_not_made_again(world):
    export = diary.export_request(user=world.anna, child=world.bo, first_day=None, last_day=None)
    running(make_pdf, export.pk, workers=("w1", "w2", "w3"), started=NOW - 2 * LEASE)
    assert recovery.sweep(NOW)["failed"] == 1
    export.refresh_from_db()
    assert export.error and not export.file

    made = diary.export_request(user=world.anna, child=world.bo, first_day=None, last_day=None)
    diary.export_make(made.pk)
    made.refresh_from_db()
    name = made.file.name
    with mock.patch("portal.diary.pdf.diary_pdf") as again:
        diary.export_make(made.pk)  # a worker that died after saving it runs the task again
    again.assert_not_called()
    assert DiaryExport.objects.get(pk=made.pk).file.name == name


def test_processing_a_photo_again_after_it_was_done_only_removes_the_upload(photo):
    from portal.media import services

    services.media_process(photo.pk)
    photo.refresh_from_db()
    assert photo.state == MediaItem.State.READY and photo.renditions.count() == 3
    with mock.patch("portal.media.processing.process_photo") as again:
        services.media_process(photo.pk)
    again.assert_not_called()
    assert photo.renditions.count() == 3


def worker(**kwargs) -> RecoveringWorker:
    options = dict(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    return RecoveringWorker(**{**options, **kwargs})


def test_a_worker_that_meets_a_locked_database_waits_and_goes_on(transactional_db):
    """(A transactional test: the worker closes its connections after the error, which a test
    wrapped in one transaction would not survive on PostgreSQL.)"""
    calls = []

    def sweep():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return {"retried": 0, "failed": 0, "orphans": 0}

    with (
        mock.patch.object(recovery, "sweep", sweep),
        mock.patch("portal.core.worker.time.sleep") as sleep,
        mock.patch.object(RecoveringWorker, "_beat_forever"),
    ):
        # A queue of its own, empty whatever other tests left in the database: the worker
        # returns (batch: nothing to do) instead of dying on the first error.
        worker(queue_names=["nothing-queued-here"]).run()
    assert len(calls) == 2 and sleep.call_args_list[0].args == (1.0,)


def test_a_task_cut_off_from_the_database_is_queued_again_not_failed(photo):
    from django.db import connection

    if connection.vendor == "postgresql":
        # The worker closes its connections after the error, and with them the transaction this
        # test runs in; tests/test_worker_faults.py covers a real worker on PostgreSQL.
        pytest.skip("runs inside one test transaction, which PostgreSQL cannot keep after a closed connection")
    task = running(process_media, photo.pk)
    w = worker()
    with mock.patch("portal.media.services.media_process", side_effect=OperationalError("connection lost")):
        w.run_task(task)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    photo.refresh_from_db()
    assert photo.state == MediaItem.State.PROCESSING and photo.incoming  # it will be processed

    task.worker_ids = ["w1", "w2", "w3"]
    task.status = TaskResultStatus.RUNNING
    task.save()
    with mock.patch("portal.media.services.media_process", side_effect=OperationalError("connection lost")):
        w.run_task(task)
    task.refresh_from_db()
    photo.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and photo.state == MediaItem.State.FAILED and not photo.incoming


def test_the_heartbeat_names_the_running_task(db):
    w = worker()
    w.current_task_id = "abc"
    w.beat()
    beat = WorkerHeartbeat.objects.get(worker_id="test-worker")
    assert beat.task_id == "abc" and beat.pid


# ---------------------------------------------------------------- a request loses its database


def test_a_lost_database_answers_try_again_as_a_page_and_as_json(world, client):
    login(client, world.anna)
    client.raise_request_exception = False
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=lost):
        page = client.get("/home/")
        api = client.get("/api/v1/news")
    assert page.status_code == 503 and page["Retry-After"] == "10"
    assert "Probeer het over een paar seconden opnieuw" in page.content.decode()
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert api.json()["error"]["code"] == "unavailable"
    assert client.get("/home/").status_code == 200


def test_any_other_error_is_still_the_plain_500_page(world, client):
    login(client, world.anna)
    client.raise_request_exception = False
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=RuntimeError("bug")):
        page = client.get("/home/")
    assert page.status_code == 500 and "Er ging iets mis" in page.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminating a backend is PostgreSQL's")
def test_a_connection_killed_by_the_server_mid_request_then_the_next_request_works(live_server, transactional_db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection as conn

    original = SessionStore.load

    def killed(self):
        with conn.cursor() as cursor:  # the server ends this very connection, as an admin would
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return original(self)

    def get(path: str) -> tuple[int, str]:
        request = urllib.request.Request(live_server.url + path, headers={"Cookie": "sessionid=" + "x" * 32})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    with mock.patch.object(SessionStore, "load", killed):
        status, body = get("/accounts/login/")
        api_status, api_body = get("/api/v1/news")
    assert status == 503 and "opnieuw" in body
    assert api_status == 503 and '"unavailable"' in api_body
    assert get("/accounts/login/")[0] == 200


def test_an_archive_whose_workers_died_says_it_could_not_be_made(world):
    from portal.exports.models import Archive
    from portal.exports.tasks import build_archive

    archive = Archive.objects.create(
        organisation=world.a.org, kind=Archive.Kind.DATA, requested_by=world.anna, state=Archive.State.BUILDING
    )
    running(build_archive, archive.pk, workers=("w1", "w2", "w3"), started=NOW - 2 * LEASE)
    assert recovery.sweep(NOW)["failed"] == 1
    archive.refresh_from_db()
    assert archive.state == Archive.State.FAILED and archive.error
