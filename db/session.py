"""The request-scoped session: one AsyncSession that tolerates concurrent callers.

GraphQL resolves sibling fields concurrently (and DataLoaders dispatch their batches
concurrently), but an AsyncSession must not run two statements at once. Every method
that reaches the database takes the session's lock, so concurrent callers queue on
the request's one connection instead of corrupting it. (`scalars` goes through the
locked `execute`; savepoints are only opened inside serially executed mutations.)
A request never opens a second session: a field that must write while its siblings
read does so on this one (`db.engine.write_transaction`), so a request holds at most
one pooled connection.

A request's session reads outside any transaction (`request_session_factory`): no BEGIN
and no ROLLBACK round trip for a read-only request. Every write begins its own
transaction (`db.engine.begin_write`), so writes keep their unit of work and savepoints.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.reads import ReadRow, read_rows


class RequestSession(AsyncSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = asyncio.Lock()

    async def rows(self, statement: Select[Any], params: Mapping[str, Any]) -> list[ReadRow]:
        """The rows (named tuples) of a Core read built once, run with the driver's own
        call on the session's connection (db/reads.py): for the reads every request makes."""
        async with self._lock:
            return await read_rows(await super().connection(), statement, params)

    async def exec(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().exec(*args, **kwargs)

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().scalar(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().get(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        async with self._lock:
            await super().flush(*args, **kwargs)

    async def refresh(self, *args: Any, **kwargs: Any) -> None:
        async with self._lock:
            await super().refresh(*args, **kwargs)

    async def delete(self, instance: object) -> None:
        async with self._lock:
            await super().delete(instance)

    async def connection(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await super().connection(*args, **kwargs)

    async def begin_anew(self, **execution_options: Any) -> None:
        """Commit the current transaction and begin the next on a connection with these
        options, with no sibling's statement in between (it would begin the next one its
        own way, and the options would be ignored)."""
        async with self._lock:
            if self.in_transaction():
                await super().commit()
            await super().connection(execution_options=execution_options)

    async def commit(self) -> None:
        async with self._lock:
            await super().commit()

    async def rollback(self) -> None:
        async with self._lock:
            await super().rollback()

    async def close(self) -> None:
        async with self._lock:
            await super().close()


READ_OPTION = "lac_read"
"""Execution option: the connection reads in autocommit mode (SQLite: no BEGIN is sent)."""


def session_factory(engine: AsyncEngine) -> async_sessionmaker[RequestSession]:
    """Sessions whose statements run in a transaction (the CLI, the seed, tests)."""
    return async_sessionmaker(engine, class_=RequestSession, expire_on_commit=False)


def request_session_factory(engine: AsyncEngine) -> async_sessionmaker[RequestSession]:
    """Sessions for HTTP requests: reads autocommit, so a read-only request costs its
    statements and nothing else (no BEGIN, no ROLLBACK); every write of a request goes
    through `db.engine.begin_write`, which opens a real transaction first.

    PostgreSQL reads in the driver's autocommit mode; SQLite's connections already have
    the driver's own transaction handling off, and `db.engine` sends no BEGIN for them.
    """
    if engine.dialect.name == "sqlite":
        reads = engine.execution_options(**{READ_OPTION: True})
    else:
        reads = engine.execution_options(isolation_level="AUTOCOMMIT", **{READ_OPTION: True})
    return async_sessionmaker(reads, class_=RequestSession, expire_on_commit=False)
