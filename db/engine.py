"""The async engine, request sessions and write transactions.

SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` for write transactions (the
SQLAlchemy recipe that takes over BEGIN from the driver), so concurrent writers queue
instead of failing with "database is locked"; reads still begin deferred.

Every wait on the database is bounded (`DatabaseTimeouts`): a database that is down or
stuck makes a request fail within the timeouts (HTTP 503), never hang. PostgreSQL
connections are pinged when taken from the pool, so after the database comes back (or
restarts) the service uses fresh connections by itself, without a failed request.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.settings import DatabaseTimeouts, async_database_url
from lac.db.locks import LOG_CHAIN_LOCK_KEY, advisory_xact_lock
from lac.db.session import READ_OPTION, RequestSession

POOL_SIZE = 20
"""Connections a worker keeps open. A request holds one from its first statement to its
answer; with SQLAlchemy's default of 5, every request beyond the fifth at once opened a
connection and closed it after (on SQLite a thread and four PRAGMAs, on PostgreSQL a
server process): 16 clients doubled the banner's CPU per request (`make bench`)."""
POOL_OVERFLOW = 10
"""Connections opened beyond POOL_SIZE in a burst, closed when returned."""
WRITE_OPTION = "lac_write"
WRITERS_TURN = "lac_writers_turn"  # session.info key: the lock a query's writers queue on


def create_engine(
    database_url: str, timeouts: DatabaseTimeouts | None = None, **kwargs: Any
) -> AsyncEngine:
    """Create the async engine for a plain or driver-qualified database URL, every wait on
    the database bounded by `timeouts` (the settings' defaults when not given).

    Statement parameters stay out of error messages and logs: they hold what callers sent
    (sign-in names, digests), which the server log must not repeat."""
    timeouts = timeouts or DatabaseTimeouts()
    kwargs.setdefault("hide_parameters", True)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    url = make_url(async_database_url(database_url))
    if url.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("connect_args", _postgresql_connect_args(url, timeouts))
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms=_milliseconds(timeouts.statement))
    return engine


def _postgresql_connect_args(url: URL, timeouts: DatabaseTimeouts) -> dict[str, Any]:
    """psycopg's connect timeout, and the statement timeout as a server option (kept next
    to any `options` the URL already has)."""
    given = url.query.get("options")
    options = [given] if isinstance(given, str) else list(given or ())
    options.append(f"-c statement_timeout={_milliseconds(timeouts.statement)}")
    return {"connect_timeout": math.ceil(timeouts.connect), "options": " ".join(options)}


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _configure_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Stop the driver from emitting its own BEGIN; `on_begin` emits ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get(WRITE_OPTION, False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif not options.get(READ_OPTION, False):
            connection.exec_driver_sql("BEGIN")

    _skip_idle_transaction_ends(engine)


def _skip_idle_transaction_ends(engine: AsyncEngine) -> None:
    """Skip the driver's COMMIT and ROLLBACK when no transaction is open (an autocommit
    read): SQLite would do nothing, but aiosqlite would still hop to its thread and back."""
    dialect = engine.sync_engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def in_transaction(dbapi_connection: Any) -> bool:
        return bool(dbapi_connection.driver_connection.in_transaction)

    def do_commit(dbapi_connection: Any) -> None:
        if in_transaction(dbapi_connection):
            commit(dbapi_connection)

    def do_rollback(dbapi_connection: Any) -> None:
        if in_transaction(dbapi_connection):
            rollback(dbapi_connection)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]


async def begin_write(session: AsyncSession, *, chain: bool = True) -> None:
    """Start the session's next transaction as a write transaction.

    Ends whatever read transaction is open (nothing is pending in it), then opens a
    new one that takes the writers' lock up front: `BEGIN IMMEDIATE` on SQLite, the
    action log's chain lock on PostgreSQL. Almost every write appends to the log, so
    taking that lock first, always, gives every writer the same lock order (no
    deadlock between the chain and the row locks a change takes).

    `chain=False` leaves the chain lock to the writers, for a transaction that never
    appends to the log and so never waits for that lock (a prune's batch deletes).
    """
    if not isinstance(session, RequestSession):
        raise TypeError("write transactions run on sessions of db.session.session_factory")
    await session.begin_anew(**write_options(session))
    if chain:
        await advisory_xact_lock(session, LOG_CHAIN_LOCK_KEY)


def write_options(session: AsyncSession) -> dict[str, Any]:
    """Execution options of a write transaction, whatever the session reads with: not in
    autocommit (`db.session.request_session_factory`), and SQLite's `BEGIN IMMEDIATE`."""
    options: dict[str, Any] = {WRITE_OPTION: True, READ_OPTION: False}
    bind = session.sync_session.get_bind()
    if bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        # The server's default, known once connected (PostgreSQL's own default before).
        dialect = bind.dialect
        options["isolation_level"] = getattr(dialect, "default_isolation_level", None) or (
            "READ COMMITTED"
        )
    return options


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
