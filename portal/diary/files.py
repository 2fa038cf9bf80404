"""The diary's PDF keepsake as a download."""

from __future__ import annotations

from django.http import Http404

from portal.core.files import protected_file_response
from portal.diary.models import DiaryExport
from portal.privacy.models import AccessLogEntry
from portal.privacy.services import access_record, first_piece


def export_response(request, export: DiaryExport):
    """The PDF of an export the user may fetch (ask `portal.access.diary` first); not ready
    yet is a 404."""
    if not export.file:
        raise Http404
    if first_piece(request):
        access_record(
            actor=request.user,
            organisation_id=export.child.organisation_id,
            child_ids=[export.child_id],
            what=AccessLogEntry.What.DIARY_PDF,
            object_id=export.pk,
        )
    return protected_file_response(
        request,
        export.file,
        content_type="application/pdf",
        filename=export.file.name.rsplit("/", 1)[-1],
        inline=False,
        cache="private, no-store",
    )
