"""Taking everything along, and the family's privacy controls, for the app: the departure
archive of a child (start, status, download with HTTP Range), the data export, the access log
and erasure requests. The same access rules and services as the pages."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from portal.access import exports as exports_access
from portal.access import privacy as privacy_access
from portal.api.auth import TokenAuth
from portal.api.schemas import InputSchema
from portal.core.bounds import Id, PageNumber
from portal.exports import selectors as export_selectors
from portal.exports.files import archive_response
from portal.exports.models import Archive
from portal.exports.services import archive_request
from portal.privacy import selectors as privacy_selectors
from portal.privacy.services import erasure_request

router = Router(tags=["departure and privacy"], auth=TokenAuth())


class ArchiveOut(Schema):
    id: int
    kind: str = Field(description="departure: everything of one child; data: all data about you and your children")
    state: str = Field(description="waiting, building, ready or failed")
    files_done: int
    files_total: int
    percent: int
    size: int = Field(description="bytes, once ready")
    error: str
    download_url: str | None


class DepartureOut(Schema):
    last_day: dt.date = Field(description="the child's last day of care")
    available_until: dt.date = Field(description="the last day the archive can be made and downloaded")
    archive: ArchiveOut | None


class DataExportIn(InputSchema):
    organisation_id: Id


class AccessLogOut(Schema):
    at: dt.datetime
    who: str
    what: str


class ErasureIn(InputSchema):
    note: str = Field(default="", max_length=2000)


class ErasureOut(Schema):
    id: int
    state: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    refusal: str


def _archive_out(archive: Archive | None) -> ArchiveOut | None:
    if archive is None:
        return None
    ready = archive.state == Archive.State.READY
    return ArchiveOut(
        id=archive.pk,
        kind=archive.kind,
        state=archive.state,
        files_done=archive.files_done,
        files_total=archive.files_total,
        percent=archive.percent,
        size=archive.size if ready else 0,
        error=archive.error,
        download_url=reverse("api:archive_file", kwargs={"archive_id": archive.pk}) if ready else None,
    )


@router.get("/children/{child_id}/departure", response=DepartureOut)
def departure(request, child_id: Id):
    """A child who leaves: until when everything can be taken along, and the latest archive."""
    child, leaving = exports_access.departure_for_user(request.user, child_id)
    archive = export_selectors.latest_archive(request.user, kind=Archive.Kind.DEPARTURE, child=child)
    return DepartureOut(last_day=leaving.last_day, available_until=leaving.access_until, archive=_archive_out(archive))


@router.post("/children/{child_id}/departure/archive", response={202: ArchiveOut})
def departure_archive(request, child_id: Id):
    """Make the archive of everything of the child (in the background; poll its status). Asked
    again while it is being made, the same archive is the answer."""
    child, _leaving = exports_access.departure_for_user(request.user, child_id)
    made = archive_request(user=request.user, organisation=child.organisation, kind=Archive.Kind.DEPARTURE, child=child)
    return Status(202, _archive_out(made))


@router.post("/me/data-export", response={202: ArchiveOut})
def data_export(request, payload: DataExportIn):
    """Make the export of all data an organisation holds about you and your children."""
    organisation = exports_access.organisation_for_data_export(request.user, payload.organisation_id)
    made = archive_request(user=request.user, organisation=organisation, kind=Archive.Kind.DATA)
    return Status(202, _archive_out(made))


@router.get("/archives/{archive_id}", response=ArchiveOut)
def archive_status(request, archive_id: Id):
    return _archive_out(exports_access.archive_for_user(request.user, archive_id))


@router.get("/archives/{archive_id}/file", url_name="archive_file")
def archive_file(request, archive_id: Id):
    """The ZIP; send a Range header to resume a download that broke off (206)."""
    return archive_response(request, exports_access.archive_for_user(request.user, archive_id))


@router.get("/children/{child_id}/access-log", response=list[AccessLogOut])
def access_log(request, child_id: Id, page: PageNumber = 1):
    """Who downloaded the child's files or opened the child's record, newest first, 50 a page."""
    child = privacy_access.privacy_child_for_guardian(request.user, child_id)
    rows = privacy_selectors.access_log(child)[(page - 1) * 50 : page * 50]
    return [
        AccessLogOut(at=row["at"], who=row["who"], what=row["what"])
        for row in privacy_selectors.access_log_rows(request.user, child, rows)
    ]


@router.get("/children/{child_id}/erasure-requests", response=list[ErasureOut])
def erasure_requests(request, child_id: Id):
    child = privacy_access.privacy_child_for_guardian(request.user, child_id)
    return [_erasure_out(r) for r in privacy_selectors.erasure_requests_of_child(child)]


@router.post("/children/{child_id}/erasure-requests", response={201: ErasureOut})
def erasure_ask(request, child_id: Id, payload: ErasureIn):
    """Ask the organisation to erase the child's data; an open request is the answer to a second one."""
    child = privacy_access.privacy_child_for_guardian(request.user, child_id)
    return Status(201, _erasure_out(erasure_request(user=request.user, child=child, note=payload.note)))


def _erasure_out(row) -> ErasureOut:
    return ErasureOut(
        id=row.pk, state=row.state, requested_at=row.requested_at, decided_at=row.decided_at, refusal=row.refusal
    )
