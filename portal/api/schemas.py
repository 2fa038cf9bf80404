"""Schemas that every part of the API shares: the one error shape, the base of every input
schema (with the portal's input bounds), and pages of a list (`page` from 1, `size` at most
100; every list endpoint answers `count`, `page`, `pages` and `items`)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from ninja import Schema
from pydantic import Field, field_validator

from portal.core import bounds

ErrorCode = Literal[
    "bad_request",
    "not_authenticated",
    "not_allowed",
    "not_found",
    "conflict",
    "too_large",
    "invalid",
    "too_many_requests",
]


class ErrorDetail(Schema):
    code: ErrorCode = Field(description="What kind of error, for the app to act on")
    message: str = Field(description="What is wrong, in the caller's language, to show as it is")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Per field that is not valid (422): what is wrong with it"
    )


class Error(Schema):
    """Every answer that is not a success has this shape."""

    error: ErrorDetail


class InputSchema(Schema):
    """The base of every request body: each field is held to the portal's input bounds
    (`portal.core.bounds`): no control characters in texts, dates within the window, lists capped."""

    @field_validator("*", mode="after")
    @classmethod
    def _within_bounds(cls, value):
        try:
            return bounds.check_value(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc


PageSize = Annotated[int, Field(ge=1, le=100, description="Items a page (at most 100)")]


def page_of(rows, page: int, size: int) -> dict:
    """The page `page` (from 1) of `rows` with `size` items: count, page, pages and items. A
    page beyond the last is empty (not an error), so a client can simply stop at an empty page."""
    paginator = Paginator(rows, size)
    items = list(paginator.page(page).object_list) if page <= paginator.num_pages else []
    return {"count": paginator.count, "page": page, "pages": paginator.num_pages, "items": items}
