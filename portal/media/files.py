"""The files of a photo or video: one rendition, or the original quality as a download."""

from __future__ import annotations

from django.http import Http404
from django.http.response import HttpResponseBase

from portal.core.files import protected_file_response
from portal.media.models import MediaItem, Rendition
from portal.privacy.models import AccessLogEntry
from portal.privacy.services import access_record, first_piece

INLINE = {"thumb", "screen", "poster", "video"}


def rendition_response(request, item: MediaItem, name: str) -> HttpResponseBase:
    """One rendition of an item the user may see (ask `portal.access.media` first), or with
    `download` the original quality (no metadata) as an attachment."""
    download = name == "download"
    wanted = ("video" if item.kind == MediaItem.Kind.VIDEO else "original") if download else name
    if not download and wanted not in INLINE:
        raise Http404
    rendition = Rendition.objects.filter(media=item, name=wanted).first()
    if rendition is None:
        raise Http404
    extension = "mp4" if rendition.content_type == "video/mp4" else "jpg"
    if download and first_piece(request):
        access_record(
            actor=request.user,
            organisation_id=item.organisation_id,
            child_ids=item.tags.values_list("child_id", flat=True),
            what=AccessLogEntry.What.PHOTO_ORIGINAL,
            object_id=item.pk,
        )
    return protected_file_response(
        request,
        rendition.file,
        content_type=rendition.content_type,
        filename=f"ouderportaal-{item.uploaded_at:%Y%m%d}-{item.pk}.{extension}",
        inline=not download,
    )
