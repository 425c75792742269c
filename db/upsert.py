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
