"""Ids on the wire are plain strings of the row's primary key."""

from __future__ import annotations

import strawberry

from lac.resolvers.inputs import row_id


def parse_id(value: strawberry.ID | str, *, what: str = "id") -> int:
    """The primary key in an `ID` argument of a query; a malformed id is BAD_USER_INPUT
    (mutations pass their ids on, to be parsed inside their logged change)."""
    return row_id(value, what=what)
