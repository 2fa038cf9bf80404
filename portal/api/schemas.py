"""Schemas that every part of the API shares."""

from __future__ import annotations

from ninja import Schema


class Message(Schema):
    """The answer to a request that cannot be done: what is wrong, in the user's language."""

    detail: str
