"""Batch reads for DataLoaders: one statement per batch, results in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol, TypeVar

from sqlalchemy import Table
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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


async def rows_by_id(session: AsyncSession, model: type[M], ids: Sequence[int]) -> list[M | None]:
    primary_key = table_of(model).c.id
    rows = (await session.exec(select(model).where(primary_key.in_(ids)))).all()
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


async def children_by_order(
    session: AsyncSession, model: type[Child], order_ids: Sequence[int]
) -> list[list[Child]]:
    """Rows that belong to orders (items, comments, invoices, ...), grouped per order."""
    rows = (
        await session.exec(
            select(model).where(col(model.order_id).in_(order_ids)).order_by(col(model.id))
        )
    ).all()
    grouped: dict[int, list[Child]] = defaultdict(list)
    for row in rows:
        grouped[row.order_id].append(row)
    return [grouped[order_id] for order_id in order_ids]
