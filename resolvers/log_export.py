"""Streaming the admin action log out, for SIEM import (`lac log export`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import AdminActionLogEntry
from resolvers.audit import AdminActionLogFilter, log_conditions
from resolvers.log_chain import entries_in_order

COLUMNS = (
    "id",
    "time",
    "actionGroup",
    "action",
    "result",
    "username",
    "adminId",
    "adminUsername",
    "ipAddress",
    "userAgent",
    "fullActionName",
    "customerId",
    "customerEmail",
    "customerName",
    "loginAsCustomerSessionId",
    "details",
    "hash",
)


def entry_record(entry: AdminActionLogEntry) -> dict[str, Any]:
    """An entry with the API's field names; `details` parsed, `time` ISO 8601 UTC."""
    return {
        "id": entry.id,
        "time": entry.time.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "actionGroup": entry.action_group,
        "action": entry.action,
        "result": entry.result,
        "username": entry.username,
        "adminId": entry.admin_id,
        "adminUsername": entry.admin_username,
        "ipAddress": entry.ip_address,
        "userAgent": entry.user_agent,
        "fullActionName": entry.full_action_name,
        "customerId": entry.customer_id,
        "customerEmail": entry.customer_email,
        "customerName": entry.customer_name,
        "loginAsCustomerSessionId": entry.login_as_customer_session_id,
        "details": json.loads(entry.details),
        "hash": entry.hash,
    }


async def count_entries(session: AsyncSession, where: AdminActionLogFilter) -> int:
    total = select(func.count()).select_from(AdminActionLogEntry).where(*log_conditions(where))
    return (await session.exec(total)).one()


def stream_entries(
    session: AsyncSession, where: AdminActionLogFilter
) -> AsyncIterator[AdminActionLogEntry]:
    """Matching entries in chain order, a batch at a time, so millions fit in memory."""
    return entries_in_order(session, where=log_conditions(where))
