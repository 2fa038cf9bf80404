"""An archive as a download: through the one way protected files leave the portal (HTTP
Range, so a broken download resumes), recorded in the children's access log."""

from __future__ import annotations

from django.http import Http404

from portal.access import exports as exports_access
from portal.core.files import protected_file_response
from portal.exports.models import Archive
from portal.privacy.models import AccessLogEntry
from portal.privacy.services import access_record, first_piece


def archive_response(request, archive: Archive):
    """The ZIP of an archive the user may fetch (ask `portal.access.exports` first); not ready
    is a 404."""
    if archive.state != Archive.State.READY or not archive.file:
        raise Http404
    if archive.kind == Archive.Kind.DEPARTURE:
        children, what = [c for c in [archive.child_id] if c is not None], AccessLogEntry.What.ARCHIVE
    else:
        children = list(
            exports_access.children_for_data_export(request.user, archive.organisation).values_list("pk", flat=True)
        )
        what = AccessLogEntry.What.DATA_EXPORT
    if first_piece(request):
        access_record(
            actor=request.user,
            organisation_id=archive.organisation_id,
            child_ids=children,
            what=what,
            object_id=archive.pk,
        )
    return protected_file_response(
        request,
        archive.file,
        content_type="application/zip",
        filename=archive.file.name.rsplit("/", 1)[-1],
        inline=False,
        cache="private, no-store",
    )
