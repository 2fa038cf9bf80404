"""Every error of the API in one shape, mapped in one place.

    {"error": {"code": "not_allowed", "message": "…", "fields": {"date": ["…"]}}}

`message` is in the caller's language (their setting; before login the app's Accept-Language).
The handlers below turn each kind of failure into that shape: a refusal of the access policy
(`PermissionDenied`) is 403, an object the caller may not know of (`Http404`) 404, input that does
not validate (the schemas, or a service's `ValidationError`) 422 with the fields, a body that
cannot be read 400, one that is too large 413, throttling 429, a missing or unknown token 401.
Endpoints raise `HttpError(status, message)` for the rest (409 when a decision no longer fits).

`document_errors` adds these answers to each operation of the OpenAPI, where they can occur.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from portal.api.schemas import Error

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "not_allowed",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
}


def error_body(status: int, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": CODES.get(status, "bad_request"), "message": message, "fields": fields or {}}}


def _field_message(error: dict[str, Any]) -> str:
    """Pydantic's message for one field, in the caller's language for the usual kinds."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    messages = {
        "missing": _("This field is required."),
        "string_too_short": _("This field cannot be empty.")
        if ctx.get("min_length") == 1
        else _("Give at least %(min_length)s characters."),
        "string_too_long": _("Keep it to %(max_length)s characters."),
        "too_short": _("Give at least %(min_length)s items."),
        "too_long": _("Send at most %(max_length)s items."),
        "int_parsing": _("Give a whole number."),
        "int_type": _("Give a whole number."),
        "int_from_float": _("Give a whole number."),
        "greater_than_equal": _("Give a number of at least %(ge)s."),
        "greater_than": _("Give a number above %(gt)s."),
        "less_than_equal": _("Give a number of at most %(le)s."),
        "less_than": _("Give a number below %(lt)s."),
        "bool_parsing": _("Give true or false."),
        "bool_type": _("Give true or false."),
        "date_parsing": _("Give a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Give a date as YYYY-MM-DD."),
        "date_from_datetime_inexact": _("Give a date as YYYY-MM-DD."),
        "date_type": _("Give a date as YYYY-MM-DD."),
        "datetime_parsing": _("Give a date and time as YYYY-MM-DDTHH:MM, with or without a time zone."),
        "datetime_from_date_parsing": _("Give a date and time as YYYY-MM-DDTHH:MM, with or without a time zone."),
        "datetime_type": _("Give a date and time as YYYY-MM-DDTHH:MM, with or without a time zone."),
        "literal_error": _("Choose one of: %(expected)s."),
        "enum": _("Choose one of: %(expected)s."),
        "string_pattern_mismatch": _("This is not in the expected form (%(pattern)s)."),
        "string_type": _("Give a text."),
        "list_type": _("Give a list."),
        "dict_type": _("Give an object."),
        "model_attributes_type": _("Give an object."),
        "json_invalid": _("This is not valid JSON."),
    }
    template = messages.get(kind)
    if template is None:
        return str(error.get("msg", _("This value is not valid.")))
    try:
        return template % {k: str(v) for k, v in ctx.items()}
    except (KeyError, ValueError, TypeError):
        return str(error.get("msg", _("This value is not valid.")))


def _field_name(loc: list | tuple) -> str:
    """("body", "payload", "date") → "date"; ("query", "page") → "page"; ("path", "child_id") → "child_id"."""
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # the endpoint's argument name is no concern of the client
    return ".".join(parts) or str(loc[0] if loc else "")


def _invalid(request: HttpRequest, fields: dict[str, list[str]], api: NinjaAPI) -> HttpResponse:
    if len(fields) == 1:
        name, problems = next(iter(fields.items()))
        message = _("%(field)s: %(problem)s") % {"field": name, "problem": " ".join(problems)}
    else:
        message = _("Some of what was sent is not valid; see the fields.")
    return api.create_response(request, error_body(422, message, fields), status=422)


def install(api: NinjaAPI) -> None:
    """The exception handlers of the whole API."""

    def respond(request: HttpRequest, status: int, message: str, **headers: str) -> HttpResponse:
        response = api.create_response(request, error_body(status, message), status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    def on_schema_error(request: HttpRequest, exc: Any) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(_field_message(error))
        return _invalid(request, fields, api)

    def on_service_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {name: list(problems) for name, problems in exc.message_dict.items()}
            if set(fields) != {"__all__"}:
                return _invalid(request, fields, api)
        return api.create_response(request, error_body(422, " ".join(exc.messages)), status=422)

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = _("The request body could not be read: send valid JSON (or a form, where one is asked).")
        return respond(request, exc.status_code, message)

    def on_unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(
            request,
            401,
            _("Log in first: send Authorization: Bearer <token>, with a token from POST /api/v1/auth/token."),
            **{"WWW-Authenticate": "Bearer"},
        )

    def on_throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        headers = {"Retry-After": str(exc.wait)} if exc.wait else {}
        return respond(request, 429, _("Too many requests; wait a moment and try again."), **headers)

    def on_not_allowed(request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc) or _("You may not do this.")
        return respond(request, 403, message)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, _("This does not exist, or you may not see it."))

    def on_too_large(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 413, _("What was sent is too large."))

    def on_unreadable(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 400, _("The request could not be read; send a valid form or JSON body."))

    api.add_exception_handler(NinjaValidationError, on_schema_error)
    api.add_exception_handler(DjangoValidationError, on_service_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(PermissionDenied, on_not_allowed)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(RequestDataTooBig, on_too_large)
    api.add_exception_handler(SuspiciousOperation, on_unreadable)  # too many fields or files
    api.add_exception_handler(MultiPartParserError, on_unreadable)  # e.g. a multipart body without boundary


def not_found_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """A path under the API that matches no endpoint (e.g. `/children/-1/…`): the same 404."""
    from portal.api.api import api

    return api.create_response(request, error_body(404, _("This does not exist, or you may not see it.")), status=404)


# ---- the OpenAPI: the error answers of each operation

_DESCRIPTIONS = {
    400: "The request could not be read (not valid JSON, a broken form)",
    401: "No token, or a token that no longer works",
    403: "Not allowed for this user",
    404: "Does not exist, or not visible to this user",
    409: "Conflicts with the current state",
    413: "Too large",
    422: "Input not valid (see `fields`)",
    429: "Too many attempts; try again later",
}


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds the error answers each operation can give (by its shape) and the Error schema."""
    error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(error_schema.pop("$defs", {}))
    components["Error"] = error_schema
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            has_input = bool(operation.get("parameters")) or "requestBody" in operation
            statuses = set()
            if operation.get("security"):
                statuses |= {401, 403}
            if has_input:
                statuses |= {404, 422}
            if "requestBody" in operation:
                statuses |= {400, 413}
            responses = operation["responses"]
            for status in sorted(statuses):
                responses.setdefault(status, _error_response(status))
    return schema
