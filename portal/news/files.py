"""The files of a news item: images inline (or their thumbnail), PDFs as a download."""

from __future__ import annotations

from django.http import Http404
from django.http.response import HttpResponseBase

from portal.core.files import protected_file_response
from portal.news.models import NewsAttachment


def attachment_response(request, attachment: NewsAttachment, size: str = "") -> HttpResponseBase:
    """An image or PDF of an item the user may read (ask `portal.access.news` first)."""
    thumb = size == "thumb"
    stored = attachment.thumbnail if thumb else attachment.file
    if not stored:
        raise Http404
    is_pdf = attachment.kind == NewsAttachment.Kind.FILE
    return protected_file_response(
        request,
        stored,
        content_type="image/jpeg" if thumb else attachment.content_type,
        filename=attachment.original_name,
        inline=not is_pdf,
    )
