"""Keyset pagination for Relay connections: pages by ascending id, opaque cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from lac.db.queries import HasId, require_id
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import parse_row_id, shown

T = TypeVar("T", bound=HasId)
MAX_PAGE_SIZE = 200
CURSOR_PREFIX = "id:"


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{row_id}".encode()).decode()


def cursor_text(cursor: str) -> str:
    """What an opaque cursor says; anything that is not base64 of UTF-8 text (garbage, a
    lone surrogate) is BAD_USER_INPUT."""
    try:
        return base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True).decode()
    except (ValueError, binascii.Error):
        raise invalid_cursor(cursor) from None


def invalid_cursor(cursor: str) -> LacError:
    return LacError.bad_input(f"Invalid cursor: {shown(cursor)}.")


def decode_cursor(cursor: str) -> int:
    """The id a cursor of `encode_cursor` names; a crafted one (another shape, a number
    beyond any row id) is BAD_USER_INPUT."""
    text = cursor_text(cursor)
    id_text = text.removeprefix(CURSOR_PREFIX)
    row_id = parse_row_id(id_text) if id_text != text else None
    if row_id is None:
        raise invalid_cursor(cursor)
    return row_id


DEFAULT_PAGE_SIZE = 20


def page_size(first: int | None) -> int:
    """`first` as asked (null means the default of 20); more than 200 is BAD_USER_INPUT."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise LacError.bad_input(f"first must be between 0 and {MAX_PAGE_SIZE}.")
    return first


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows; `count` computes the total only if somebody asks for it."""

    rows: Sequence[T]
    cursors: Sequence[str]
    has_next_page: bool
    count: Callable[[], Awaitable[int]]

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


async def paginate(
    session: AsyncSession,
    statement: SelectOfScalar[T],
    id_column: Any,
    *,
    first: int | None,
    after: str | None,
) -> Page[T]:
    """Run `statement` (already filtered) as one page of `first` rows after `after`."""
    first = page_size(first)
    page = statement
    if after is not None:
        page = page.where(col(id_column) > decode_cursor(after))
    rows = (await session.exec(page.order_by(col(id_column)).limit(first + 1))).all()

    async def count() -> int:
        total = select(func.count()).select_from(statement.subquery())
        return (await session.exec(total)).one()

    return page_of(rows, first=first, count=count)


def page_of(rows: Sequence[T], *, first: int, count: Callable[[], Awaitable[int]]) -> Page[T]:
    """The page for up to `first + 1` rows in order (one more than shown tells that more follow)."""
    shown = rows[:first]
    return Page(
        rows=shown,
        cursors=[encode_cursor(require_id(row)) for row in shown],
        has_next_page=len(rows) > first,
        count=count,
    )
