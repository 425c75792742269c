"""What a page of orders links to, fetched for the whole page in a fixed number of statements.

A connection resolver knows which links its selection asks for; it fetches each of them
for every order of the page at once (one `IN` batch per link, whatever the page size), so
the nested fields read plain values instead of each awaiting a DataLoader. A link not
asked for is not fetched (its field, if reached another way, still uses the DataLoaders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import (
    CreditMemo,
    Customer,
    Invoice,
    OrderComment,
    OrderItem,
    SalesOrder,
    Shipment,
    StoreView,
)
from lac.db.queries import children_by_order, require_id, rows_by_id
from lac.resolvers.login_as_customer.policy import DocumentFacts, facts_of_customers


@dataclass(frozen=True, slots=True)
class WantedLinks:
    """The links of an order that a page's selection reaches."""

    customer: bool = False
    store_view: bool = False
    availability: bool = False
    items: bool = False
    comments: bool = False
    invoices: bool = False
    shipments: bool = False
    credit_memos: bool = False


@dataclass(frozen=True, slots=True)
class PageLinks:
    """The links fetched for one page, by id; None where a link was not asked for."""

    customers: dict[int, Customer | None] | None = None
    store_views: dict[int, StoreView | None] | None = None
    facts: dict[int | None, DocumentFacts] | None = None
    items: dict[int, list[OrderItem]] | None = None
    comments: dict[int, list[OrderComment]] | None = None
    invoices: dict[int, list[Invoice]] | None = None
    shipments: dict[int, list[Shipment]] | None = None
    credit_memos: dict[int, list[CreditMemo]] | None = None


Row = TypeVar("Row")
Child = TypeVar("Child", Invoice, Shipment, CreditMemo, OrderItem, OrderComment)


async def page_links(
    session: AsyncSession, orders: Sequence[SalesOrder], wanted: WantedLinks
) -> PageLinks:
    """Every wanted link of every order of the page: one statement per wanted link."""
    order_ids = [require_id(order) for order in orders]
    customer_ids = sorted({o.customer_id for o in orders if o.customer_id is not None})
    view_ids = sorted({order.store_view_id for order in orders})
    customers = facts = None
    if wanted.customer or wanted.availability:
        # One statement serves both: the customers' rows carry their availability facts.
        known = await facts_of_customers(session, customer_ids)
        if wanted.customer:
            customers = {
                id_: known.customers[id_][0] if id_ in known.customers else None
                for id_ in customer_ids
            }
        if wanted.availability:
            facts = {id_: known.of(id_) for id_ in [None, *customer_ids]}
    store_views = (
        _by_id(view_ids, await rows_by_id(session, StoreView, view_ids))
        if wanted.store_view and view_ids
        else ({} if wanted.store_view else None)
    )

    async def children(asked: bool, model: type[Child]) -> dict[int, list[Child]] | None:
        if not asked:
            return None
        if not order_ids:
            return {}
        rows = await children_by_order(session, model, order_ids)
        return dict(zip(order_ids, rows, strict=True))

    return PageLinks(
        customers=customers,
        store_views=store_views,
        facts=facts,
        items=await children(wanted.items, OrderItem),
        comments=await children(wanted.comments, OrderComment),
        invoices=await children(wanted.invoices, Invoice),
        shipments=await children(wanted.shipments, Shipment),
        credit_memos=await children(wanted.credit_memos, CreditMemo),
    )


def _by_id(ids: Sequence[int], rows: Sequence[Row | None]) -> dict[int, Row | None]:
    return dict(zip(ids, rows, strict=True))
