"""Streaming the admin action log out, for SIEM import (`lac log export`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import AdminActionLogEntry
from lac.resolvers.log.chain import entries_in_order
from lac.resolvers.log.entry import EXPORTED_FIELDS, exported_fields
from lac.resolvers.log.reading import AdminActionLogFilter, log_conditions

COLUMNS = tuple(field.name for field in EXPORTED_FIELDS)


def entry_record(entry: AdminActionLogEntry) -> dict[str, Any]:
    """An entry with the API's field names; `details` parsed, `time` ISO 8601 UTC ("Z")."""
    record = exported_fields(entry)
    record["time"] = record["time"].replace("+00:00", "Z")
    return record


async def count_entries(session: AsyncSession, where: AdminActionLogFilter) -> int:
    total = select(func.count()).select_from(AdminActionLogEntry).where(*log_conditions(where))
    return (await session.exec(total)).one()


def stream_entries(
    session: AsyncSession, where: AdminActionLogFilter
) -> AsyncIterator[AdminActionLogEntry]:
    """Matching entries in chain order, a batch at a time, so millions fit in memory."""
    return entries_in_order(session, where=log_conditions(where))
