"""Ids on the wire are plain strings of the row's primary key."""

from __future__ import annotations

import strawberry

from resolvers.errors import LacError


def parse_id(value: strawberry.ID | str, *, what: str = "id") -> int:
    """The primary key in an `ID`; a malformed id is BAD_USER_INPUT."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        raise LacError.bad_input(f"Invalid {what}: {value!r}.")
    return int(text)
