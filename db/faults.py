"""Which database errors are faults of the environment rather than of lac or the request.

An unreachable or lost database, or one that did not answer in time, is something an
operator fixes and a client retries: the CLI prints it as one line, the service answers
HTTP 503. Everything else (a constraint violation, a bug) stays an unexpected error.
The drivers' own codes decide, never message texts.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from enum import StrEnum

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


class DatabaseFault(StrEnum):
    UNREACHABLE = "unreachable"  # cannot connect, or the connection was lost
    TIMED_OUT = "timed out"  # a statement or a lock wait ran out of time; no pooled connection


# PostgreSQL SQLSTATE classes: connection exception, insufficient resources (e.g. too many
# connections), operator intervention (shutdown, cancel), system error (I/O).
_PG_UNREACHABLE_CLASSES = frozenset({"08", "53", "57", "58"})
_PG_QUERY_CANCELED = "57014"  # statement_timeout ran out (lock waits included)
_SQLITE_UNREACHABLE = frozenset(
    {
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_NOTADB,
        sqlite3.SQLITE_CORRUPT,
    }
)
_SQLITE_TIMED_OUT = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def database_fault(error: BaseException) -> DatabaseFault | None:
    """The fault behind `error` (or any error it was raised from or while handling), if any.

    The chain is followed because a failure often surfaces second-hand: a lost connection
    inside a mutation makes writing its FAILURE entry fail too, with `PendingRollbackError`.
    """
    for cause in _chain(error):
        fault = _fault_of(cause)
        if fault is not None:
            return fault
    return None


def driver_message(error: BaseException) -> str:
    """The driver's own account of the fault, on one line (for logs and the CLI)."""
    for cause in _chain(error):
        if _fault_of(cause) is not None:
            innermost = cause.orig if isinstance(cause, DBAPIError) and cause.orig else cause
            return re.sub(r"\s+", " ", str(innermost)).strip()
    return re.sub(r"\s+", " ", str(error)).strip()


def _fault_of(error: BaseException) -> DatabaseFault | None:
    if isinstance(error, PoolTimeoutError):
        return DatabaseFault.TIMED_OUT
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return DatabaseFault.UNREACHABLE
    if isinstance(error, psycopg.OperationalError):
        state = error.sqlstate
        if state == _PG_QUERY_CANCELED:
            return DatabaseFault.TIMED_OUT
        if state is None or state[:2] in _PG_UNREACHABLE_CLASSES:
            return DatabaseFault.UNREACHABLE
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, sqlite3.DatabaseError) and isinstance(code, int):
        primary = code & 0xFF
        if primary in _SQLITE_TIMED_OUT:
            return DatabaseFault.TIMED_OUT
        if primary in _SQLITE_UNREACHABLE:
            return DatabaseFault.UNREACHABLE
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what it was raised from or during (SQLAlchemy raises its wrappers
    `from` the driver's error), each once."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
