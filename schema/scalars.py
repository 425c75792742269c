"""Scalars with lac's wire formats."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from lac.resolvers.errors import LacError
from lac.resolvers.inputs import parse_instant


def serialize_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a `Z`, e.g. 2026-11-25T10:58:06.123456Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_datetime(value: object) -> datetime:
    """An ISO 8601 string with a timezone, in UTC; anything else is BAD_USER_INPUT."""
    parsed = parse_instant(value) if isinstance(value, str) else None
    if parsed is None:
        raise LacError.bad_input(
            "DateTime must be an ISO 8601 string with a timezone, between the years 1 and 9999 "
            "in UTC, e.g. 2026-11-25T10:58:06Z."
        )
    return parsed


DateTime = strawberry.scalar(
    name="DateTime",
    description="An instant in ISO 8601, UTC, e.g. 2026-11-25T10:58:06.123456Z.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
