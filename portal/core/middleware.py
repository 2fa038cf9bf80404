from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# Everything the portal shows comes from its own origin: no CDN, no third party.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Swagger UI sets style attributes from its script; its page is the only one that needs them.
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = DOCS_POLICY if request.path.startswith("/api/v1/docs") else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), payment=()")
        return response


# What is worth compressing: text. Photos, videos, PDFs and ZIP archives are compressed already.
COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "text/css",
        "text/calendar",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
    }
)


class CompressionMiddleware(GZipMiddleware):
    """gzip for pages, API answers and calendars, for browsers that ask for it (production
    settings: `COMPRESS_RESPONSES`, on unless DEBUG). Django's gzip adds random bytes to every
    compressed answer (its mitigation of BREACH), and CSRF tokens are masked per answer.

    Files are left alone: they are compressed already, and an answer to a Range request (a video
    on an iPhone) must stay the exact bytes it names. Behind nginx the same holds: nginx does not
    compress an answer that already is."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if (
            content_type not in COMPRESSIBLE_TYPES
            or response.status_code == 206
            or response.has_header("Content-Range")
        ):
            return response
        return super().process_response(request, response)
