"""A real worker killed with SIGKILL in the middle of a photo, a diary PDF and a mail, then a new
worker: every piece of work finishes exactly once, no mail goes twice, no upload with its
metadata stays on disk. Against a file SQLite database, and against PostgreSQL when the suite
runs there (`make test-postgres`: a database of its own, named after the suite's).

The workers are `manage.py db_worker` processes (tests/fault_worker.py); the mail goes to a real
SMTP server in this process that takes its time to answer, so the worker dies while sending."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
HELPER = str(ROOT / "tests" / "fault_worker.py")
SUITE_DATABASE = os.environ.get("DATABASE_URL", "")


class SlowMailbox:
    """Keeps each message as soon as it has it, then waits before saying so: a worker killed
    meanwhile has handed over the mail without knowing it."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.received = threading.Event()
        self.delay = 3.0

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((", ".join(envelope.rcpt_tos), str(message["Subject"])))
        self.received.set()
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Scenario:
    def __init__(self, tmp: Path, database_url: str, smtp_port: int) -> None:
        self.tmp = tmp
        self.marks = tmp / "marks"
        self.marks.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TASK_"))},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "1",
            "DATABASE_URL": database_url,
            "VAR_DIR": str(tmp),
            "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
            "MEDIA_ROOT": str(tmp / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "FAULT_MARKS": str(self.marks),
            "LOG_LEVEL": "WARNING",
            # Workers that are killed never give up on each other's tasks; the last one does,
            # after a short lease instead of a minute.
            "TASK_LEASE_SECONDS": "3600",
        }

    def run(self, *args: str, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], env={**self.env, **env}, cwd=ROOT, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start_paused_worker(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, HELPER, "worker-paused"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def report(self, ids: dict) -> dict:
        return json.loads(self.run(HELPER, "report", json.dumps(ids)))


def wait_for(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One migrated SQLite file for the module; each scenario works on a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        env={
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{path}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    return path


@pytest.fixture
def smtp():
    mailbox = SlowMailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def postgres_url() -> str:
    """A database of its own next to the suite's PostgreSQL database, made empty."""
    import psycopg

    parsed = urlparse(SUITE_DATABASE)
    name = f"{parsed.path.lstrip('/')}_faults"
    with psycopg.connect(SUITE_DATABASE.replace(parsed.path, "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return SUITE_DATABASE.replace(parsed.path, f"/{name}")


DATABASES = ["sqlite"] + (["postgres"] if SUITE_DATABASE.startswith("postgres") else [])


@pytest.mark.parametrize("database", DATABASES)
def test_a_worker_killed_mid_photo_mid_pdf_and_mid_mail(database, tmp_path, smtp, request):
    mailbox, smtp_port = smtp
    if database == "sqlite":
        shutil.copy(request.getfixturevalue("migrated_sqlite"), tmp_path / "db.sqlite3")
        url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        scenario = Scenario(tmp_path, url, smtp_port)
    else:
        scenario = Scenario(tmp_path, postgres_url(), smtp_port)
        scenario.run("manage.py", "migrate", "--verbosity", "0")
    ids = json.loads(scenario.run(HELPER, "setup"))

    # Killed in the middle of processing the photo: it stays "processing", the upload is there.
    worker = scenario.start_paused_worker()
    wait_for(lambda: (scenario.marks / "photo").exists(), "the worker to start on the photo")
    kill(worker)
    # A second worker takes the next task, the PDF, and is killed in the middle of it.
    worker = scenario.start_paused_worker()
    wait_for(lambda: (scenario.marks / "pdf").exists(), "the worker to start on the PDF")
    kill(worker)
    # A third sends the mail and is killed while the mail server has it but has not yet answered.
    worker = scenario.start_paused_worker()
    wait_for(mailbox.received.is_set, "the mail to reach the mail server")
    kill(worker)

    stuck = scenario.report(ids)
    assert stuck["media_state"] == "processing" and stuck["media_incoming"] and stuck["uploads_on_disk"]
    assert not stuck["export_file"] and not stuck["export_error"]
    assert sorted(t["status"] for t in stuck["tasks"]) == ["RUNNING", "RUNNING", "RUNNING"]

    # A new worker with a short lease: it finds the three tasks of dead workers and runs them
    # (and what they queue) until nothing is left.
    mailbox.delay = 0
    scenario.run(
        "manage.py",
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--interval",
        "0",
        TASK_LEASE_SECONDS="1",
        TASK_HEARTBEAT_SECONDS="1",
    )
    done = scenario.report(ids)

    assert done["media_state"] == "ready", done
    assert done["renditions"] == 3 and not done["media_incoming"]
    assert done["uploads_on_disk"] == [], "the upload with its GPS metadata is gone"
    assert done["export_file"] and done["export_pages"] >= 1 and not done["export_error"]
    assert {t["status"] for t in done["tasks"]} == {"SUCCESSFUL"}, done["tasks"]
    attempts = sorted((t["path"], t["attempts"]) for t in done["tasks"])
    # The three killed once and finished once; what they queued (the photo's notification and
    # its mail) ran once.
    assert attempts == [
        ("deliver", 1),
        ("deliver", 2),
        ("make_pdf", 2),
        ("notify_tagged", 1),
        ("process_media", 2),
    ], attempts
    # Each notification once; each mail once: the interrupted one is not sent again.
    assert len(done["notifications"]) == len({tuple(n) for n in done["notifications"]}) == 2
    assert mailbox.messages.count(("parent@example.test", "A message for the fault test")) == 1
    assert len(mailbox.messages) == len(set(mailbox.messages)) == 2  # and the photo's, once
