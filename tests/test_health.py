"""/healthz for the load balancer: the database, the storage and the task queue's lag."""

import datetime as dt

from botocore.config import Config
from django.db import connection

from portal.core import clock


def test_healthy(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok", "queue_lag_seconds": 0.0}
    assert "no-cache" in response["Cache-Control"] and not response.cookies


def test_a_queue_that_falls_behind_is_reported_without_taking_the_process_out(client, db, settings):
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        task_path="portal.core.tasks.nothing", args_kwargs={"args": [], "kwargs": {}}, backend_name="default"
    )
    DBTaskResult.objects.update(
        enqueued_at=clock.now() - dt.timedelta(seconds=settings.HEALTHZ_MAX_QUEUE_LAG_SECONDS + 5)
    )
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["queue_lag_seconds"] > settings.HEALTHZ_MAX_QUEUE_LAG_SECONDS
    DBTaskResult.objects.update(
        enqueued_at=clock.now() - dt.timedelta(seconds=settings.HEALTHZ_MAX_QUEUE_LAG_SECONDS - 5)
    )
    assert client.get("/healthz").json()["status"] == "ok"


def test_storage_that_does_not_answer_is_a_503(client, db, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "x",
                "endpoint_url": "http://127.0.0.1:9",  # nothing listens there
                "access_key": "a",
                "secret_key": "b",
                "client_config": Config(connect_timeout=1, retries={"max_attempts": 1}),
            },
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["storage"] == "failing"


def test_a_database_that_does_not_answer_is_a_503(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("gone")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "failing", "storage": "ok", "queue_lag_seconds": None}
