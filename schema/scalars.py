"""Scalars with lac's wire formats."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from resolvers.errors import LacError


def serialize_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a `Z`, e.g. 2026-11-25T10:58:06.123456Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_datetime(value: object) -> datetime:
    """An aware ISO 8601 string as a UTC datetime; anything else, including an instant whose
    UTC form falls outside years 1 to 9999 (0001-01-01T00:00:00+14:00), is BAD_USER_INPUT."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise LacError.bad_input(
        "DateTime must be an ISO 8601 string with a timezone, between the years 1 and 9999 "
        "in UTC, e.g. 2026-11-25T10:58:06Z."
    )


DateTime = strawberry.scalar(
    name="DateTime",
    description="An instant in ISO 8601, UTC, e.g. 2026-11-25T10:58:06.123456Z.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
