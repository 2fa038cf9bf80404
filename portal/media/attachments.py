"""Photos and PDF documents attached to a message or a news item.

Each file is recognised by its content, not its name. A photo (JPEG, PNG, HEIC) is stored again
without any metadata, at screen size with a thumbnail (see `portal.media.processing`). A PDF
must be whole: a header, a cross-reference and an end; it is written again without its document
metadata (author, title, the program that made it, the XMP packet), as photos lose theirs.
Every file of a batch is checked before anything is stored, and one bad file refuses the batch
with a message that names each problem.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.media.processing import MediaRejected, check_upload, process_photo, sniff_kind

logger = logging.getLogger(__name__)

# Where a PDF keeps who made it: the catalog's and each page's XMP packet, and the page-piece
# dictionaries programs leave behind (the document information dictionary goes as a whole).
_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")


@dataclass
class PreparedFile:
    """A file that passed every check, ready to store."""

    kind: str  # "photo" or "pdf"
    name: str
    content_type: str
    content: bytes
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None


def clean_name(name: str, fallback: str) -> str:
    """The file's own name without folders or characters that trouble a download."""
    name = PurePath((name or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return (name or fallback)[-150:]


def _too_large(name: str, limit: int) -> ValidationError:
    return ValidationError(
        _("%(name)s is too large: at most %(limit)d MB for a PDF.") % {"name": name, "limit": limit // (1024 * 1024)}
    )


def check_pdf(name: str, data: bytes, limit: int) -> None:
    if len(data) > limit:
        raise _too_large(name, limit)
    tail = data[-2048:]
    if not re.match(rb"%PDF-\d\.\d", data[:8]) or b"%%EOF" not in tail or b"startxref" not in tail:
        raise ValidationError(_("%(name)s is damaged or incomplete; please send it again.") % {"name": name})


def strip_pdf(name: str, data: bytes) -> bytes:
    """The PDF written again without document metadata. A PDF that cannot be read, or that is
    locked with a password, is refused: it could not be cleaned."""
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(_("%(name)s is locked with a password; please send it without one.") % {"name": name})
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None  # the document information dictionary: author, title, creator, ...
        for holder in [writer._root_object, *writer.pages]:
            for key in _PDF_METADATA_KEYS:
                if key in holder:
                    del holder[key]
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)  # drop what was cut off
        out = io.BytesIO()
        writer.write(out)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a broken file
        logger.info("PDF %s refused: %s", name, exc)
        raise ValidationError(_("%(name)s is damaged or incomplete; please send it again.") % {"name": name}) from exc
    return out.getvalue()


def prepare_photo(name: str, data: bytes) -> PreparedFile:
    """A photo stored again without metadata: the screen size, and a thumbnail."""
    try:
        outputs = {o.name: o for o in process_photo(data)}
    except MediaRejected as exc:
        message = str(exc)
        raise ValidationError(message if name in message else f"{name}: {message}") from exc
    screen, thumb = outputs["screen"], outputs["thumb"]
    stem = PurePath(name).stem or "foto"
    return PreparedFile(
        "photo", f"{stem}.jpg", "image/jpeg", screen.content, thumb.content, screen.width, screen.height
    )


def prepare(upload, *, pdf_limit: int) -> PreparedFile:
    """Check one uploaded file (a Django UploadedFile) and make what will be stored."""
    name = clean_name(upload.name, "bijlage")
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("%(name)s is empty (0 bytes).") % {"name": name})
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        if size > pdf_limit:
            raise _too_large(name, pdf_limit)
        data = upload.read()
        check_pdf(name, data, pdf_limit)
        return PreparedFile("pdf", f"{PurePath(name).stem or 'document'}.pdf", "application/pdf", strip_pdf(name, data))
    if sniff_kind(head) != "photo":
        raise ValidationError(
            _("%(name)s cannot be attached: only photos (JPEG, PNG, HEIC) and PDF documents can.") % {"name": name}
        )
    try:
        check_upload(name, size, head)
    except MediaRejected as exc:
        message = str(exc)
        raise ValidationError(message if name in message else f"{name}: {message}") from exc
    return prepare_photo(name, upload.read())


def prepare_all(uploads: Iterable, *, pdf_limit: int, max_count: int, too_many: str) -> list[PreparedFile]:
    """Every upload checked before anything is stored; `too_many` is the message past `max_count`."""
    uploads = [u for u in uploads if u]
    if len(uploads) > max_count:
        raise ValidationError(too_many)
    prepared, errors = [], []
    for upload in uploads:
        try:
            prepared.append(prepare(upload, pdf_limit=pdf_limit))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return prepared
