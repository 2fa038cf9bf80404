"""The other side of tests/test_worker_faults.py: runs in its own process against the database
named by DATABASE_URL (a file SQLite database or PostgreSQL), with the real settings.

    python tests/fault_worker.py setup             # a photo, a diary PDF and a mail, queued
    python tests/fault_worker.py worker-paused     # `db_worker` that stops inside photo and PDF work
    python tests/fault_worker.py report IDS_JSON   # what became of them, as JSON

`worker-paused` runs the real `db_worker` command; only the photo processing and the PDF making
announce themselves (a file in FAULT_MARKS) and then wait, so the test can kill the worker in
the middle of them with SIGKILL. A worker started afterwards runs them for real.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def setup() -> dict:
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from portal.core.scoping import across_organisations
    from portal.diary import services as diary
    from portal.media import services as media
    from portal.notifications.models import EmailChoice, Kind, Preference
    from portal.notifications.services import Text, notify
    from tests import factories, media_files

    with across_organisations():
        group = factories.GroupFactory()
        staff = factories.UserFactory(email="staff@example.test")
        factories.GroupStaffFactory(user=staff, group=group)
        parent = factories.UserFactory(email="parent@example.test")
        child = factories.ChildFactory(
            organisation=group.location.organisation, first_name="Noor", guardians=[parent], photo_consent=True
        )
        factories.place(child, group, dt.date(2020, 1, 1))
        Preference.objects.create(user=parent, kind=Kind.MESSAGE, push=False, email=EmailChoice.INSTANT)
        Preference.objects.create(user=parent, kind=Kind.PHOTO, push=False, email=EmailChoice.INSTANT)
        upload = SimpleUploadedFile("IMG_0001.jpg", media_files.jpeg_with_gps(), content_type="image/jpeg")
        item, _ = media.media_receive(
            user=staff, group=group, upload=upload, upload_key="fault-1", caption="", child_ids=[child.pk]
        )
        export = diary.export_request(user=parent, child=child, first_day=None, last_day=None)
        with transaction.atomic():
            (notification,) = notify(
                users=[parent],
                kind=Kind.MESSAGE,
                key="fault:mail",
                render=lambda user: Text(title="A message for the fault test", body="", url="/"),
            )
    return {"media": item.pk, "export": export.pk, "notification": notification.pk}


def pause_inside_work() -> None:
    marks = Path(os.environ["FAULT_MARKS"])

    def pausing(name, real):
        def wrapper(*args, **kwargs):
            (marks / name).write_text(str(os.getpid()))
            time.sleep(120)
            return real(*args, **kwargs)

        return wrapper

    from portal.diary import pdf
    from portal.media import processing

    processing.process_photo = pausing("photo", processing.process_photo)
    pdf.diary_pdf = pausing("pdf", pdf.diary_pdf)


def report(ids: dict) -> dict:
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from portal.core.scoping import across_organisations
    from portal.diary.models import DiaryExport
    from portal.media.models import MediaItem
    from portal.notifications.models import Delivery, Notification

    with across_organisations():
        item = MediaItem.objects.get(pk=ids["media"])
        export = DiaryExport.objects.get(pk=ids["export"])
        uploads = [str(p) for p in (Path(settings.PRIVATE_MEDIA_ROOT) / "uploads").rglob("*") if p.is_file()]
        return {
            "media_state": item.state,
            "media_error": item.error,
            "media_incoming": bool(item.incoming),
            "renditions": item.renditions.count(),
            "uploads_on_disk": uploads,
            "export_file": bool(export.file),
            "export_error": export.error,
            "export_pages": export.pages,
            "tasks": [
                {"path": t.task_path.rsplit(".", 1)[-1], "status": t.status, "attempts": len(t.worker_ids)}
                for t in DBTaskResult.objects.order_by("enqueued_at")
            ],
            "notifications": list(Notification.objects.values_list("key", "user_id").order_by("key")),
            "mail_deliveries": list(
                Delivery.objects.filter(channel=Delivery.Channel.EMAIL).values_list("notification__key", "state")
            ),
        }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        print(json.dumps(setup()))
    elif command == "worker-paused":
        pause_inside_work()
        call_command("db_worker", "--interval", "0.1", "--no-startup-delay")
    elif command == "report":
        print(json.dumps(report(json.loads(sys.argv[2]))))
    else:
        raise SystemExit(f"unknown command {command}")
