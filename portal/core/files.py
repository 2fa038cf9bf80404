"""THE way a protected file leaves the portal: photos, videos, message and news attachments,
diary PDFs and exports all go through `protected_file_response`.

The caller has asked `portal.access` first (the object is one the user may see); this module
only builds the response:
- files in object storage (`PRIVATE_STORAGE=s3`) with `MEDIA_DELIVERY=redirect`: a redirect to a
  signed URL of the private bucket, valid for `S3_SIGNED_URL_SECONDS`, that also tells the
  storage which name, type and cache header to answer with (the bucket does Range itself);
- behind nginx (`MEDIA_ACCEL_REDIRECT_PREFIX` set), an empty response with X-Accel-Redirect to
  the internal location, so the web server sends the bytes (and handles Range itself);
- otherwise the file streamed by Django, with HTTP Range (one range; resume of a download,
  seeking in a video) answered as 206 Partial Content and a bad range as 416;
- always `Cache-Control: private` (no shared cache keeps a child's photo), `nosniff`, and
  same-origin resource policy; the file name is encoded for any language (RFC 6266).
"""

from __future__ import annotations

import re
from typing import Literal

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _in_object_storage(stored) -> bool:
    """Is the file in an S3 bucket (django-storages' S3Storage) rather than a local folder?"""
    return hasattr(stored.storage, "bucket_name")


def _file_size(stored) -> int | None:
    try:
        return stored.size
    except (OSError, ValueError):
        return None


def _wanted_range(header: str, size: int) -> tuple[int, int] | Literal[False] | None:
    """(first, last) byte of a single satisfiable range; None for no (or an ignored) range;
    False for a range that cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # several ranges or another unit: the whole file is a valid answer
    first_raw, last_raw = match.groups()
    if not first_raw and not last_raw:
        return None
    if not first_raw:  # the last N bytes
        suffix = int(last_raw[:20])
        if suffix == 0:
            return False
        return max(size - suffix, 0), size - 1
    first = int(first_raw[:20])
    last = int(last_raw[:20]) if last_raw else size - 1
    if first >= size or last < first:
        return False
    return first, min(last, size - 1)


def _stream(stored, first: int, length: int):
    with stored.open("rb") as handle:
        handle.seek(first)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def protected_file_response(
    request,
    stored,
    *,
    content_type: str,
    filename: str,
    inline: bool,
    cache: str = "private, max-age=3600",
) -> HttpResponseBase:
    """The response for `stored` (a FieldFile) that the user may see."""
    disposition = content_disposition_header(not inline, filename)
    if settings.MEDIA_DELIVERY == "redirect" and _in_object_storage(stored):
        parameters = {"ResponseContentType": content_type, "ResponseCacheControl": cache}
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        redirect = HttpResponseRedirect(stored.storage.url(stored.name, parameters=parameters))
        # The address expires soon: no cache keeps it (the file itself may be cached, as set above).
        redirect["Cache-Control"] = "private, no-store"
        redirect["Referrer-Policy"] = "no-referrer"
        return redirect
    if settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        response: HttpResponseBase = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + stored.name
    else:
        size = _file_size(stored)
        wanted = _wanted_range(request.META.get("HTTP_RANGE", ""), size) if size is not None else None
        if "HTTP_IF_RANGE" in request.META:
            wanted = None  # no validators are sent, so a conditional range gets the whole file
        if wanted is False:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
        elif wanted:
            first, last = wanted
            response = StreamingHttpResponse(
                _stream(stored, first, last - first + 1), status=206, content_type=content_type
            )
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
            response["Content-Length"] = str(last - first + 1)
        else:
            response = FileResponse(stored.open("rb"), content_type=content_type)
            if size is not None:
                response["Content-Length"] = str(size)
        response["Accept-Ranges"] = "bytes"
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
