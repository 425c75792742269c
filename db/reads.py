"""Hot reads on the driver itself: one driver call per statement.

SQLAlchemy's async adapters cost about 400 us of CPU per statement on aiosqlite (opening,
executing, fetching and closing a cursor are four hops to the driver's thread and back)
and about 130 us on psycopg, where the driver's own call costs about 100 us
(measured in issue 11). The reads every request makes are Core statements built once;
here each is compiled once per dialect and run with the driver's own call on the
connection the request's session already holds (in its autocommit read or in its write
transaction), and its rows are converted by the column types exactly as SQLAlchemy would.

What stays the same: statement listeners (`before_cursor_execute`, which the statement
counts of the tests and of `make bench` use) see every statement with its parameters, and
a driver error is raised as SQLAlchemy's `DBAPIError` (parameters hidden), the connection
invalidated when it is lost, so database faults are handled as for any other statement.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

DRIVERS = ("aiosqlite", "psycopg")
Processor = Callable[[Any], Any] | None
ReadRow = Any
"""A row of a driver read: a named tuple of the statement's selected columns."""


@dataclass(frozen=True, slots=True)
class CompiledRead:
    """A statement compiled for one dialect, with its parameters' and columns' processors."""

    statement: Select[Any]  # held so that the cache key (its id) is never reused
    sql: str
    positions: tuple[str, ...] | None  # parameter names in order, for positional drivers
    defaults: Mapping[str, Any]  # the values bound when the statement was built
    bind_processors: Mapping[str, Callable[[Any], Any]]
    result_processors: tuple[Processor, ...]
    row: Callable[..., Any]  # a named tuple of the selected columns

    def parameters(self, given: Mapping[str, Any]) -> Any:
        """The driver's parameters: positional (SQLite) or by name (psycopg)."""
        values = {**self.defaults, **given}
        for name, process in self.bind_processors.items():
            values[name] = process(values[name])
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)

    def rows(self, fetched: Sequence[Sequence[Any]]) -> list[ReadRow]:
        return [
            self.row(
                *(
                    value if process is None else process(value)
                    for process, value in zip(self.result_processors, each, strict=True)
                )
            )
            for each in fetched
        ]


_compiled: dict[tuple[int, str], CompiledRead] = {}


def compiled_read(statement: Select[Any], dialect: Dialect) -> CompiledRead:
    """The statement compiled for the dialect, once: hot reads are module-level constants."""
    key = (id(statement), dialect.name)
    read = _compiled.get(key)
    if read is None or read.statement is not statement:
        read = _compiled[key] = _compile(statement, dialect)
    return read


def _compile(statement: Select[Any], dialect: Dialect) -> CompiledRead:
    if dialect.driver not in DRIVERS:
        raise TypeError(f"driver reads run on {', '.join(DRIVERS)}, not {dialect.driver}")
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise TypeError("a driver read cannot expand parameters (IN lists) at run time")
    columns = list(statement.selected_columns)
    binds = compiled.binds
    bind_processors = {
        name: process
        for name, bind in binds.items()
        if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    positions = compiled.positiontup
    return CompiledRead(
        statement=statement,
        sql=compiled.string,
        positions=tuple(positions) if positions is not None else None,
        defaults={name: bind.effective_value for name, bind in binds.items() if not bind.required},
        bind_processors=bind_processors,
        result_processors=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ),
        row=namedtuple("Row", [column.key for column in columns]),  # type: ignore[misc]
    )


async def read_rows(
    connection: AsyncConnection, statement: Select[Any], params: Mapping[str, Any]
) -> list[ReadRow]:
    """The statement's rows, each a named tuple of its selected columns."""
    dialect = connection.dialect
    read = compiled_read(statement, dialect)
    parameters = read.parameters(params)
    sync = connection.sync_connection
    assert sync is not None
    if sync.dispatch.before_cursor_execute:
        sync.dispatch.before_cursor_execute(sync, None, read.sql, parameters, None, False)
    driver = sync.connection.driver_connection
    try:
        if dialect.driver == "aiosqlite":  # one hop to its thread
            fetched = await driver.execute_fetchall(read.sql, parameters)  # type: ignore[union-attr]
        else:  # psycopg: one round trip; the rows are read with it
            cursor = await driver.execute(read.sql, parameters)  # type: ignore[union-attr]
            fetched = await cursor.fetchall()
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, sync.connection.dbapi_connection, None)
        if lost:
            await connection.invalidate(error)
        raise DBAPIError.instance(
            read.sql,
            parameters,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,
            dialect=dialect,
            connection_invalidated=lost,
        ) from error
    return read.rows(fetched)
