"""The files of a message: photos inline (the screen size, or the thumbnail), PDFs only as a
download, so that a PDF never opens inside the portal's origin."""

from __future__ import annotations

from django.http import Http404
from django.http.response import HttpResponseBase

from portal.core.files import protected_file_response
from portal.messaging.models import Attachment


def attachment_response(request, attachment: Attachment, size: str = "") -> HttpResponseBase:
    """A file of a message the user may read (ask `portal.access.messaging` first)."""
    thumb = size == "thumb" and attachment.is_photo and bool(attachment.thumbnail)
    stored = attachment.thumbnail if thumb else attachment.file
    if not stored:
        raise Http404
    return protected_file_response(
        request,
        stored,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=attachment.is_photo,
    )
