"""The async engine, request sessions and write transactions.

SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` for write transactions (the
SQLAlchemy recipe that takes over BEGIN from the driver), so concurrent writers queue
instead of failing with "database is locked"; reads still begin deferred.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel.ext.asyncio.session import AsyncSession

from db.locks import LOG_CHAIN_LOCK_KEY, advisory_xact_lock
from db.session import RequestSession
from lac.settings import async_database_url

WRITE_OPTION = "lac_write"
WRITERS_TURN = "lac_writers_turn"  # session.info key: the lock a query's writers queue on
SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for a plain or driver-qualified database URL."""
    engine = create_async_engine(async_database_url(database_url), **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Stop the driver from emitting its own BEGIN; `on_begin` emits ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


async def begin_write(session: AsyncSession) -> None:
    """Start the session's next transaction as a write transaction.

    Ends whatever read transaction is open (nothing is pending in it), then opens a
    new one that takes the writers' lock up front: `BEGIN IMMEDIATE` on SQLite, the
    action log's chain lock on PostgreSQL. Almost every write appends to the log, so
    taking that lock first, always, gives every writer the same lock order (no
    deadlock between the chain and the row locks a change takes).
    """
    if not isinstance(session, RequestSession):
        raise TypeError("write transactions run on sessions of db.session.session_factory")
    await session.begin_anew(**{WRITE_OPTION: True})
    await advisory_xact_lock(session, LOG_CHAIN_LOCK_KEY)


@asynccontextmanager
async def write_transaction(session: AsyncSession) -> AsyncIterator[None]:
    """One whole write transaction that a query field runs beside its sibling fields, on
    the request's own session: committed when the block ends, rolled back if it fails.

    The siblings keep reading meanwhile (their statements queue on the session's lock and
    see the write in progress); the request's other such writers wait their turn, so each
    commits whole and none needs a connection of its own.
    """
    async with session.info.setdefault(WRITERS_TURN, asyncio.Lock()):
        await begin_write(session)
        try:
            yield
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
