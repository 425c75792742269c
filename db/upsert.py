"""Dialect-aware INSERT ... ON CONFLICT DO NOTHING (race-free on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_if_missing(session: AsyncSession, model: type[SQLModel], **values: Any) -> None:
    """Insert a row unless one with the same key exists; never fails on a concurrent twin."""
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(table).values(**values).on_conflict_do_nothing())


async def add_to_counter(
    session: AsyncSession, model: type[SQLModel], key: dict[str, Any], column: str, amount: int
) -> None:
    """Add `amount` to `column` of the row at `key`, creating it with `amount` if missing.

    One `INSERT ... ON CONFLICT DO UPDATE`: concurrent writers of the same key never fail
    on the primary key and never lose an increment (PostgreSQL takes the row lock in the
    conflict arm; SQLite's one writer already serializes).
    """
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = insert.values(**key, **{column: amount}).on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + insert.excluded[column]}
    )
    await session.exec(statement)
