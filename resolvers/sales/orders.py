"""Orders and their invoices, shipments and credit memos, as admins and customers see them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

from sqlalchemy.orm import aliased
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import CreditMemo, Invoice, OrderComment, SalesOrder, Shipment, StoreView
from lac.resolvers.auth.principals import AdminPrincipal, AdminSummary, Principal, copied_admin
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.inputs import TextInput
from lac.resolvers.pagination import Page, decode_cursor, page_of, page_size, paginate

Document = TypeVar("Document", SalesOrder, Invoice, Shipment, CreditMemo)

DOCUMENT_NAMES = {
    SalesOrder: "order",
    Invoice: "invoice",
    Shipment: "shipment",
    CreditMemo: "credit memo",
}


ORDER_ID_OF = {
    SalesOrder: SalesOrder.id,
    Invoice: Invoice.order_id,
    Shipment: Shipment.order_id,
    CreditMemo: CreditMemo.order_id,
}


INCREMENT_ID_FILTER = TextInput.of(SalesOrder, "increment_id", "The increment id filter")
STORE_VIEW_FILTER = TextInput.of(StoreView, "code", "The store view code filter")


@dataclass(frozen=True, slots=True)
class SalesDocumentFilter:
    """All given conditions must hold; customer and store view are the order's.

    Each text is checked against the column it is compared with: BAD_USER_INPUT
    otherwise.
    """

    increment_id: str | None = None
    customer_id: int | None = None
    store_view_code: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def __post_init__(self) -> None:
        INCREMENT_ID_FILTER.check_optional(self.increment_id)
        STORE_VIEW_FILTER.check_optional(self.store_view_code)


async def list_documents(
    ctx: ServiceContext,
    model: type[Document],
    *,
    where: SalesDocumentFilter,
    first: int | None,
    after: str | None,
) -> Page[Document]:
    statement = select(model)
    if where.increment_id is not None:
        statement = statement.where(col(model.increment_id) == where.increment_id)
    if where.created_from is not None:
        statement = statement.where(col(model.created_at) >= where.created_from)
    if where.created_to is not None:
        statement = statement.where(col(model.created_at) <= where.created_to)
    order_conditions = []
    if where.customer_id is not None:
        order_conditions.append(col(SalesOrder.customer_id) == where.customer_id)
    if where.store_view_code is not None:
        order_conditions.append(
            col(SalesOrder.store_view_id).in_(
                select(StoreView.id).where(StoreView.code == where.store_view_code)
            )
        )
    if order_conditions:
        orders = select(SalesOrder.id).where(*order_conditions)
        statement = statement.where(col(ORDER_ID_OF[model]).in_(orders))
    return await paginate(ctx.db, statement, model.id, first=first, after=after)


CustomerOrdersKey = tuple[int, int | None, str | None]  # customer id, first, after


async def customer_order_pages(
    session: AsyncSession,
    keys: Sequence[CustomerOrdersKey],
    *,
    count: Callable[[int], Awaitable[int]],
) -> list[Page[SalesOrder]]:
    """Pages of orders for many customers at once (a DataLoader batch): one statement per
    distinct (first, after), ranking each customer's orders with a window function."""
    by_window: dict[tuple[int | None, str | None], list[int]] = defaultdict(list)
    for customer_id, first, after in keys:
        by_window[first, after].append(customer_id)
    rows_by_key: dict[CustomerOrdersKey, list[SalesOrder]] = defaultdict(list)
    for (first, after), customer_ids in by_window.items():
        size = page_size(first)
        rank = (
            func.row_number()
            .over(partition_by=col(SalesOrder.customer_id), order_by=col(SalesOrder.id))
            .label("rank")
        )
        ranked = select(SalesOrder, rank).where(col(SalesOrder.customer_id).in_(customer_ids))
        if after is not None:
            ranked = ranked.where(col(SalesOrder.id) > decode_cursor(after))
        ranked_orders = ranked.subquery()
        order = aliased(SalesOrder, ranked_orders)
        rows = await session.exec(
            select(order)
            .where(ranked_orders.c.rank <= size + 1)
            .order_by(ranked_orders.c.customer_id, ranked_orders.c.id)
        )
        for row in rows.all():
            assert row.customer_id is not None
            rows_by_key[row.customer_id, first, after].append(row)
    return [
        page_of(rows_by_key[key], first=page_size(key[1]), count=partial(count, key[0]))
        for key in keys
    ]


async def customer_order_counts(session: AsyncSession, customer_ids: Sequence[int]) -> list[int]:
    """How many orders each customer has (a DataLoader batch)."""
    rows = await session.exec(
        select(SalesOrder.customer_id, func.count())
        .where(col(SalesOrder.customer_id).in_(customer_ids))
        .group_by(col(SalesOrder.customer_id))
    )
    counts = {customer_id: total for customer_id, total in rows.all()}
    return [counts.get(customer_id, 0) for customer_id in customer_ids]


async def get_document(ctx: ServiceContext, model: type[Document], document_id: int) -> Document:
    row = await ctx.db.get(model, document_id)
    if row is None:
        raise LacError.not_found(f"This {DOCUMENT_NAMES[model]} no longer exists.")
    return row


def sees_back_office(principal: Principal) -> bool:
    """Admins see internal comments and who placed an order; customers (and admins acting
    as a customer) see the order as the customer does."""
    return isinstance(principal, AdminPrincipal)


def visible_comments(principal: Principal, comments: Sequence[OrderComment]) -> list[OrderComment]:
    if sees_back_office(principal):
        return list(comments)
    return [comment for comment in comments if comment.is_visible_to_customer]


def placed_by_admin(principal: Principal, order: SalesOrder) -> AdminSummary | None:
    if not sees_back_office(principal) or order.placed_by_admin_id is None:
        return None
    return copied_admin(
        order.placed_by_admin_id,
        order.placed_by_admin_username,
        order.placed_by_admin_firstname,
        order.placed_by_admin_lastname,
    )
