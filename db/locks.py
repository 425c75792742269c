"""Transaction-scoped locks that serialize writers across processes.

PostgreSQL gets `pg_advisory_xact_lock(key)`, released when the transaction ends. On
SQLite a write transaction already holds the database's one write lock (`BEGIN
IMMEDIATE`, see `db.engine.begin_write`), so there is nothing more to take.
Every lock lac takes has its key here, so no two uses share one by accident.
"""

from __future__ import annotations

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

# "lac" + a number: one key per serialized kind of change.
ACL_LOCK_KEY = 0x6C_61_63_01  # role and admin-user changes
ORDER_INCREMENT_LOCK_KEY = 0x6C_61_63_02  # choosing the next order increment id
LOG_CHAIN_LOCK_KEY = 0x6C_61_63_03  # appending to the admin action log's hash chain


async def advisory_xact_lock(session: AsyncSession, key: int) -> None:
    """Wait for the lock `key` and hold it until the session's transaction ends."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.exec(select(func.pg_advisory_xact_lock(key)))
