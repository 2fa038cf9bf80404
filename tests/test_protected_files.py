"""One function serves every protected file: private caching, nosniff, Range, X-Accel-Redirect."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory

from portal.core.files import protected_file_response
from portal.diary.models import DiaryExport

BODY = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def stored(world):
    export = DiaryExport.objects.create(child=world.bo, requested_by=world.anna)
    export.file.save("schriftje-bo.pdf", ContentFile(BODY))
    return export.file


def respond(stored, **headers):
    request = RequestFactory().get("/file", **headers)
    response = protected_file_response(
        request, stored, content_type="application/pdf", filename="schriftje Bo é.pdf", inline=False
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_whole_file_privately(stored):
    response, body = respond(stored)
    assert response.status_code == 200 and body == BODY
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(BODY))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''schriftje%20Bo%20%C3%A9.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=10000-", 10000, 10239),
        ("bytes=-40", 10200, 10239),
        ("bytes=10200-99999", 10200, 10239),
    ],
)
def test_a_range_resumes(stored, header, first, last):
    response, body = respond(stored, HTTP_RANGE=header)
    assert response.status_code == 206
    assert body == BODY[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(BODY)}"
    assert response["Content-Length"] == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=500-100", "bytes=-0", "bytes=99999999999999999999999999-"])
def test_an_unsatisfiable_range_is_416(stored, header):
    response, _body = respond(stored, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(BODY)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=-", "garbage"])
def test_other_ranges_get_the_whole_file(stored, header):
    response, body = respond(stored, HTTP_RANGE=header)
    assert response.status_code == 200 and body == BODY


def test_if_range_gets_the_whole_file(stored):
    response, body = respond(stored, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE="Wed, 21 Oct 2015 07:28:00 GMT")
    assert response.status_code == 200 and body == BODY


def test_behind_nginx_the_web_server_sends_it(stored, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response, body = respond(stored, HTTP_RANGE="bytes=0-9")
    assert body == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + stored.name
    assert response["Cache-Control"].startswith("private")
