"""PDFs attached to messages and news lose their document metadata, as photos lose theirs."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from portal.media.attachments import strip_pdf
from tests import media_files


def pdf_with_metadata(password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Anna Ouder", "/Title": "Machtiging Bo", "/Creator": "Tekstverwerker 9"})
    xmp = DecodedStreamObject()  # an XMP packet, as office programs write one
    xmp.set_data(b"<x:xmpmeta><dc:creator>Anna Ouder</dc:creator></x:xmpmeta>")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="eigenaar")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_author_title_creator_and_xmp_are_gone_and_the_pages_stay():
    original = pdf_with_metadata()
    assert b"Anna Ouder" in original
    cleaned = strip_pdf("machtiging.pdf", original)
    reader = PdfReader(io.BytesIO(cleaned))
    assert reader.metadata is None
    assert "/Metadata" not in reader.trailer["/Root"]
    assert len(reader.pages) == 2
    for word in (b"Anna", b"Machtiging", b"Tekstverwerker", b"pypdf"):
        assert word not in cleaned


def test_a_pdf_without_metadata_stays_readable():
    cleaned = strip_pdf("leeg.pdf", media_files.pdf_document())
    assert len(PdfReader(io.BytesIO(cleaned)).pages) == 1


def test_a_pdf_locked_with_a_password_is_refused():
    with pytest.raises(ValidationError, match="beveiligd met een wachtwoord"):
        strip_pdf("geheim.pdf", pdf_with_metadata(password="geheim"))


def test_a_pdf_with_only_an_owner_password_is_cleaned():
    cleaned = strip_pdf("rechten.pdf", pdf_with_metadata(password=""))
    assert b"Anna Ouder" not in cleaned and len(PdfReader(io.BytesIO(cleaned)).pages) == 2


def test_a_pdf_that_cannot_be_read_is_refused():
    broken = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\nstartxref\n0\n%%EOF\n"
    with pytest.raises(ValidationError, match="beschadigd"):
        strip_pdf("kapot.pdf", broken)


def test_a_pdf_sent_in_a_message_is_stored_without_its_author(world):
    from portal.messaging.models import Attachment
    from tests.test_messaging import pdf, start

    start(world, files=[pdf("Machtiging.pdf", pdf_with_metadata())])
    stored = Attachment.objects.get().file.read()
    assert b"Anna Ouder" not in stored and PdfReader(io.BytesIO(stored)).metadata is None
