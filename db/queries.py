"""Batch reads for DataLoaders: one statement per batch, results in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import BindParameter, Table, bindparam
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from lac.db.models import (
    CreditMemo,
    Invoice,
    OrderComment,
    OrderItem,
    RoleResource,
    Shipment,
    StoreView,
)

M = TypeVar("M", bound=SQLModel)


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def require_id(row: HasId) -> int:
    """The primary key of a row that has been flushed (SQLModel types it as optional)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """A model's table, for Core statements: they select plain columns, build no ORM
    objects, and skip the ORM's compile and loading steps (the hot reads use them)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


IDS: BindParameter[Any] = bindparam("ids", expanding=True)
"""The id list of a batch: statements are built once per model, the list bound per call."""


@cache
def _rows_by_id_statement(model: type[SQLModel]) -> SelectOfScalar[Any]:
    return select(model).where(table_of(model).c.id.in_(IDS))


async def rows_by_id(session: AsyncSession, model: type[M], ids: Sequence[int]) -> list[M | None]:
    statement: SelectOfScalar[M] = _rows_by_id_statement(model)
    rows = (await session.exec(statement, params={"ids": list(ids)})).all()
    by_id = {getattr(row, "id", None): row for row in rows}
    return [by_id.get(id_) for id_ in ids]


async def resources_by_role(session: AsyncSession, role_ids: Sequence[int]) -> list[list[str]]:
    rows = (
        await session.exec(
            select(RoleResource.role_id, RoleResource.resource_id)
            .where(col(RoleResource.role_id).in_(role_ids))
            .order_by(col(RoleResource.resource_id))
        )
    ).all()
    grouped: dict[int, list[str]] = defaultdict(list)
    for role_id, resource_id in rows:
        grouped[role_id].append(resource_id)
    return [grouped[role_id] for role_id in role_ids]


async def store_views_by_website(
    session: AsyncSession, website_ids: Sequence[int]
) -> list[list[StoreView]]:
    rows = (
        await session.exec(
            select(StoreView)
            .where(col(StoreView.website_id).in_(website_ids))
            .order_by(col(StoreView.id))
        )
    ).all()
    grouped: dict[int, list[StoreView]] = defaultdict(list)
    for row in rows:
        grouped[row.website_id].append(row)
    return [grouped[website_id] for website_id in website_ids]


Child = TypeVar("Child", Invoice, Shipment, CreditMemo, OrderItem, OrderComment)


@cache
def _children_statement(model: type[Child]) -> SelectOfScalar[Child]:
    return select(model).where(col(model.order_id).in_(IDS)).order_by(col(model.id))


async def children_by_order(
    session: AsyncSession, model: type[Child], order_ids: Sequence[int]
) -> list[list[Child]]:
    """Rows that belong to orders (items, comments, invoices, ...), grouped per order."""
    statement = _children_statement(model)
    rows = (await session.exec(statement, params={"ids": list(order_ids)})).all()
    grouped: dict[int, list[Child]] = defaultdict(list)
    for row in rows:
        grouped[row.order_id].append(row)
    return [grouped[order_id] for order_id in order_ids]
