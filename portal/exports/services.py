"""Asking for an archive and building it (in the worker).

`archive_request` records the wish and queues the build; asking again while one is being built
gives that one, and asking after one is ready makes a fresh one (the old file is removed once
the new one is there). `archive_build` is the task's body: idempotent, so a build that was
interrupted (a worker killed mid-way) simply starts again; after `MAX_ATTEMPTS` it gives up and
says so on the page.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from portal.children.models import Child
from portal.core import clock
from portal.core.audit import log_action
from portal.core.tasks import enqueue_after_commit
from portal.exports.models import Archive
from portal.organisations.models import Organisation

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A build that has run this long without finishing lost its worker; asking again restarts it.
STALE = dt.timedelta(minutes=30)
RETRY_AFTER = dt.timedelta(minutes=1)


def _file_name(archive: Archive) -> str:
    made = clock.local(archive.requested_at)
    if archive.kind == Archive.Kind.DEPARTURE and archive.child is not None:
        stem = f"ouderportaal-{archive.child.first_name}-{made:%Y%m%d}"
    else:
        stem = f"ouderportaal-gegevens-{made:%Y%m%d}"
    from django.utils.text import slugify

    return f"{slugify(stem) or 'ouderportaal'}-{archive.pk}.zip"


@transaction.atomic
def archive_request(*, user, organisation: Organisation, kind: str, child: Child | None = None) -> Archive:
    """Ask for an archive (ask `portal.access.exports` first). One being built already is
    the answer to a second click."""
    running = (
        Archive.objects.select_for_update()
        .filter(requested_by=user, kind=kind, child=child, organisation=organisation)
        .filter(state__in=[Archive.State.WAITING, Archive.State.BUILDING])
        .first()
    )
    if running is not None:
        if running.state == Archive.State.BUILDING and running.started_at and clock.now() - running.started_at > STALE:
            _queue(running.pk)  # its worker stopped mid-way: build it again
        return running
    archive = Archive.objects.create(organisation=organisation, kind=kind, child=child, requested_by=user)
    log_action(
        f"export.{kind}.requested",
        actor=user,
        organisation=organisation,
        target=archive,
        child=child,
        summary=(
            _("Archive of everything of %(child)s asked for") % {"child": child.first_name}
            if child is not None
            else _("Data export asked for")
        ),
    )
    _queue(archive.pk)
    return archive


def _queue(archive_id: int, *, later: bool = False) -> None:
    from portal.exports.tasks import build_archive

    later = later and build_archive.get_backend().supports_defer  # a queue that can wait
    enqueue_after_commit(build_archive, archive_id, run_after=clock.now() + RETRY_AFTER if later else None)


def _claim(archive_id: int) -> Archive | None:
    """Take the archive for building (or building again, after an interrupted attempt)."""
    with transaction.atomic():
        archive = (
            Archive.objects.select_for_update()
            .select_related("child", "requested_by", "organisation")
            .filter(pk=archive_id)
            .first()
        )
        if archive is None or archive.state in (Archive.State.READY, Archive.State.FAILED):
            return None
        if archive.attempts >= MAX_ATTEMPTS:
            archive.state = Archive.State.FAILED
            archive.error = _("The archive could not be made. Please ask for it again.")
            archive.finished_at = clock.now()
            archive.save(update_fields=["state", "error", "finished_at"])
            return None
        archive.attempts += 1
        archive.state = Archive.State.BUILDING
        archive.started_at = clock.now()
        archive.files_done = 0
        archive.save(update_fields=["attempts", "state", "started_at", "files_done"])
        return archive


def archive_build(archive_id: int) -> Archive | None:
    """Build the archive: collect its members, stream them into a checked ZIP, store it."""
    from portal.exports.builder import write_zip
    from portal.exports.contents import data_export_members, departure_members

    archive = _claim(archive_id)
    if archive is None:
        return None
    guardian = archive.requested_by
    try:
        if archive.kind == Archive.Kind.DEPARTURE and archive.child is not None:
            members = departure_members(archive.child, guardian)
        else:
            members = data_export_members(guardian, archive.organisation)
        Archive.objects.filter(pk=archive.pk).update(files_total=len(members))

        def progress(done: int) -> None:
            Archive.objects.filter(pk=archive.pk).update(files_done=done)

        written = write_zip(members, progress=progress, directory=_scratch_directory(archive))
    except Exception:
        logger.exception("archive %s could not be made (attempt %s)", archive.pk, archive.attempts)
        if archive.attempts >= MAX_ATTEMPTS:
            Archive.objects.filter(pk=archive.pk).update(
                state=Archive.State.FAILED,
                error=_("The archive could not be made. Please ask for it again."),
                finished_at=clock.now(),
            )
            return None
        with transaction.atomic():
            Archive.objects.filter(pk=archive.pk).update(state=Archive.State.WAITING)
            _queue(archive.pk, later=True)
        return None
    try:
        with open(written.path, "rb") as handle:
            archive.file.save(_file_name(archive), _MovableFile(handle, written.path), save=False)
    finally:
        if os.path.exists(written.path):
            os.unlink(written.path)
    with transaction.atomic():
        older = list(
            Archive.objects.select_for_update()
            .filter(requested_by=archive.requested_by, kind=archive.kind, child=archive.child)
            .filter(organisation=archive.organisation, state=Archive.State.READY)
            .exclude(pk=archive.pk)
        )
        Archive.objects.filter(pk=archive.pk).update(
            state=Archive.State.READY,
            file=archive.file.name,
            size=written.size,
            files_done=len(written.names),
            files_total=len(written.names),
            finished_at=clock.now(),
            error="",
        )
        for old in older:
            archive_delete(old)
    archive.refresh_from_db()
    return archive


class _MovableFile(File):
    """A finished ZIP on local disk: a local storage moves it into place instead of copying it
    (Django's FileSystemStorage renames a file that has a `temporary_file_path`); any other
    storage reads it in chunks."""

    def __init__(self, handle, path: str):
        super().__init__(handle)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def _scratch_directory(archive: Archive) -> str | None:
    """Where the ZIP is written before it is stored: in the storage's own folder when storage
    is local (the same file system, so storing is a rename), else the system's temporary folder."""
    storage = archive.file.storage
    try:
        folder = os.path.join(storage.path(""), "archives", "building")
    except NotImplementedError:  # object storage has no local path
        return None
    os.makedirs(folder, exist_ok=True)
    return folder


def archive_delete(archive: Archive) -> None:
    """Remove an archive and its file (an older one replaced, or the child's data removed)."""
    if archive.file:
        archive.file.delete(save=False)
    archive.delete()


def archive_give_up(archive_id: int, reason: str) -> None:
    """The build task failed for good (its worker died each time, see portal/core/recovery.py):
    the archive says it could not be made, instead of "being built" for ever."""
    changed = Archive.objects.filter(pk=archive_id, state__in=[Archive.State.WAITING, Archive.State.BUILDING]).update(
        state=Archive.State.FAILED,
        error=_("The archive could not be made. Please ask for it again."),
        finished_at=clock.now(),
    )
    if changed:
        logger.error("archive %s given up: %s", archive_id, reason)


def archive_waiting(before: dt.datetime) -> list[int]:
    """Archives still waiting or being built, asked for before `before`."""
    in_progress = [Archive.State.WAITING, Archive.State.BUILDING]
    return list(Archive.objects.filter(state__in=in_progress, requested_at__lt=before).values_list("pk", flat=True))
