"""Pages and API answers go out gzipped to browsers that ask for it (production settings);
photos, videos and other files never, and a Range answer stays the exact bytes it names."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from django.http import FileResponse, HttpResponse, JsonResponse
from django.test import RequestFactory

from portal.core.middleware import CompressionMiddleware
from tests.test_production_settings import ROOT, production_env

PAGE_TEXT = "<!DOCTYPE html><html><body>" + "Welkom bij het kinderdagverblijf. " * 60 + "</body></html>"


def through(response: HttpResponse, **headers) -> HttpResponse:
    request = RequestFactory().get("/", headers={"Accept-Encoding": "gzip, deflate, br", **headers})
    return CompressionMiddleware(lambda request: response)(request)


def test_a_page_is_compressed_for_a_browser_that_asks():
    response = through(HttpResponse(PAGE_TEXT, content_type="text/html; charset=utf-8"))
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content).decode() == PAGE_TEXT
    assert len(response.content) < len(PAGE_TEXT) / 5


def test_not_for_a_browser_that_does_not_ask():
    request = RequestFactory().get("/")
    response = CompressionMiddleware(lambda r: HttpResponse(PAGE_TEXT, content_type="text/html"))(request)
    assert not response.has_header("Content-Encoding")
    assert response.content.decode() == PAGE_TEXT


def test_an_api_answer_is_compressed():
    payload = {"items": [{"id": n, "text": "Bo heeft lekker geslapen"} for n in range(100)]}
    response = through(JsonResponse(payload))
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content)) == payload


@pytest.mark.parametrize("content_type", ["image/jpeg", "video/mp4", "application/pdf", "application/zip"])
def test_files_are_left_as_they_are(content_type):
    body = b"\xff\xd8" + b"A" * 5000
    response = through(HttpResponse(body, content_type=content_type))
    assert not response.has_header("Content-Encoding")
    assert response.content == body


def test_a_range_answer_stays_the_bytes_it_names(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Schriftje " * 500)
    response = FileResponse(path.open("rb"), content_type="text/plain")
    response.status_code = 206
    response["Content-Range"] = "bytes 0-99/5000"
    out = through(response)
    assert not out.has_header("Content-Encoding")
    assert b"".join(out.streaming_content).startswith(b"Schriftje")


def test_the_login_page_is_served_gzipped(client, settings):
    response = client.get("/accounts/login/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b"<form" in gzip.decompress(response.content)


def middleware_with(tmp_path, **env) -> list[str]:
    code = "import json, config.settings as s; print(json.dumps(s.MIDDLEWARE))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=production_env(tmp_path, **env), cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_on_in_production_off_in_development_and_by_choice(tmp_path):
    production = middleware_with(tmp_path)
    name = "portal.core.middleware.CompressionMiddleware"
    assert production.index(name) == production.index("whitenoise.middleware.WhiteNoiseMiddleware") - 1
    assert name not in middleware_with(tmp_path, DEBUG="1")
    assert name not in middleware_with(tmp_path, COMPRESS_RESPONSES="0")
