"""Orders, invoices, shipments and credit memos."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from lac.db import models
from lac.resolvers.acl import resources
from lac.resolvers.login_as_customer.policy import DocumentFacts
from lac.resolvers.sales.order_links import PageLinks, WantedLinks, page_links
from lac.resolvers.sales.orders import placed_by_admin, visible_comments
from lac.schema.context import Info
from lac.schema.permissions import RequiresPermission, RequiresPermissionOrOwn, guard
from lac.schema.selection import selected_below
from lac.schema.types.availability import LoginAsCustomerTarget
from lac.schema.types.people import AdminSummary
from lac.schema.types.prefetch import known_or_loaded
from lac.schema.types.stores import StoreView

if TYPE_CHECKING:
    from lac.schema.types.customers import Customer

CustomerRef = Annotated["Customer", strawberry.lazy("lac.schema.types.customers")]


@strawberry.type(description="An amount of money.")
class Money:
    value: float = strawberry.field(description="Rounded to 2 decimals.")
    currency: str

    @classmethod
    def from_cents(cls, cents: int, currency: str) -> Money:
        return cls(value=round(cents / 100, 2), currency=currency)


@strawberry.enum(description="Where an order stands.")
class OrderStatus(Enum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETE = "complete"
    CLOSED = "closed"
    CANCELED = "canceled"


@strawberry.type(description="A line of an order.")
class OrderItem:
    sku: str
    name: str
    quantity: int
    price: Money
    row_total: Money


@strawberry.type(description="A comment in an order's history.")
class OrderComment:
    text: str
    is_visible_to_customer: bool
    created_at: datetime


async def load_customer(info: Info, customer_id: int | None) -> Customer | None:
    """A document's customer; None for a guest."""
    if customer_id is None:
        return None
    return customer_node(await info.context.loaders.customer.load(customer_id))


def customer_node(row: models.Customer | None) -> Customer | None:
    from lac.schema.types.customers import Customer

    return Customer.from_row(row) if row else None


def store_view_node(row: models.StoreView | None) -> StoreView:
    assert row is not None
    return StoreView.from_row(row)


def wanted_links(info: Info) -> WantedLinks:
    """The links of the orders of a connection that its selection reaches."""
    names = selected_below(info, "edges", "node")
    return WantedLinks(
        customer="customer" in names,
        store_view="storeView" in names,
        availability=bool(names & {"canLoginAsCustomer", "loginAsCustomerUnavailableReason"}),
        items="items" in names,
        comments="comments" in names,
        invoices="invoices" in names,
        shipments="shipments" in names,
        credit_memos="creditMemos" in names,
    )


@strawberry.type(description="A sales order.")
class Order(LoginAsCustomerTarget):
    id: strawberry.ID
    increment_id: str
    customer_email: str
    status: OrderStatus
    grand_total: Money
    created_at: datetime
    row: strawberry.Private[models.SalesOrder]
    links: strawberry.Private[PageLinks | None] = None

    async def login_customer_id(self, info: Info) -> int | None:
        return self.row.customer_id

    def page_facts(self) -> DocumentFacts | None:
        facts = self.links.facts if self.links else None
        return facts.get(self.row.customer_id) if facts is not None else None

    @strawberry.field(
        description="The customer; null for a guest order.",
        extensions=guard(RequiresPermissionOrOwn(resources.CUSTOMERS)),
    )
    def customer(self, info: Info) -> CustomerRef | None:
        if self.row.customer_id is None:
            return None
        known = self.links.customers if self.links else None
        load = info.context.loaders.customer.load
        return known_or_loaded(known, self.row.customer_id, load, customer_node)

    @strawberry.field(description="The store view the order was placed in.")
    def store_view(self, info: Info) -> StoreView:
        known = self.links.store_views if self.links else None
        load = info.context.loaders.store_view.load
        return known_or_loaded(known, self.row.store_view_id, load, store_view_node)

    @strawberry.field(description="The ordered lines.")
    def items(self, info: Info) -> list[OrderItem]:
        known = self.links.items if self.links else None
        load = info.context.loaders.order_items.load
        return known_or_loaded(known, int(self.id), load, self._items)

    def _items(self, rows: Sequence[models.OrderItem]) -> list[OrderItem]:
        currency = self.row.currency
        return [
            OrderItem(
                sku=row.sku,
                name=row.name,
                quantity=row.quantity,
                price=Money.from_cents(row.price_cents, currency),
                row_total=Money.from_cents(row.row_total_cents, currency),
            )
            for row in rows
        ]

    @strawberry.field(description="The history; customers see only the comments meant for them.")
    def comments(self, info: Info) -> list[OrderComment]:
        known = self.links.comments if self.links else None
        load = info.context.loaders.order_comments.load
        principal = info.context.service.principal

        def visible(rows: Sequence[models.OrderComment]) -> list[OrderComment]:
            return [
                OrderComment(
                    text=row.text,
                    is_visible_to_customer=row.is_visible_to_customer,
                    created_at=row.created_at,
                )
                for row in visible_comments(principal, rows)
            ]

        return known_or_loaded(known, int(self.id), load, visible)

    @strawberry.field(
        description="The order's invoices.",
        extensions=guard(RequiresPermission(resources.INVOICES)),
    )
    def invoices(self, info: Info) -> list[Invoice] | None:
        known = self.links.invoices if self.links else None
        load = info.context.loaders.invoices.load
        return known_or_loaded(
            known, int(self.id), load, lambda rows: [Invoice.from_row(r) for r in rows]
        )

    @strawberry.field(
        description="The order's shipments.",
        extensions=guard(RequiresPermission(resources.SHIPMENTS)),
    )
    def shipments(self, info: Info) -> list[Shipment] | None:
        known = self.links.shipments if self.links else None
        load = info.context.loaders.shipments.load
        return known_or_loaded(
            known, int(self.id), load, lambda rows: [Shipment.from_row(r) for r in rows]
        )

    @strawberry.field(
        description="The order's credit memos.",
        extensions=guard(RequiresPermission(resources.CREDIT_MEMOS)),
    )
    def credit_memos(self, info: Info) -> list[CreditMemo] | None:
        known = self.links.credit_memos if self.links else None
        load = info.context.loaders.credit_memos.load
        return known_or_loaded(
            known, int(self.id), load, lambda rows: [CreditMemo.from_row(r) for r in rows]
        )

    @strawberry.field(
        description="The admin who placed it through Login as Customer; null for customers."
    )
    def placed_by_admin(self, info: Info) -> AdminSummary | None:
        summary = placed_by_admin(info.context.service.principal, self.row)
        return AdminSummary.from_summary(summary) if summary else None

    @classmethod
    def from_row(cls, row: models.SalesOrder, links: PageLinks | None = None) -> Order:
        return cls(
            id=strawberry.ID(str(row.id)),
            increment_id=row.increment_id,
            customer_email=row.customer_email,
            status=OrderStatus(row.status),
            grand_total=Money.from_cents(row.grand_total_cents, row.currency),
            created_at=row.created_at,
            row=row,
            links=links,
        )

    @classmethod
    async def page_nodes(cls, info: Info, rows: Sequence[models.SalesOrder]) -> list[Order]:
        """A page of orders with every link its selection reaches fetched for all of them."""
        links = await page_links(info.context.service.db, rows, wanted_links(info))
        return [cls.from_row(row, links) for row in rows]


@strawberry.interface(description="An invoice, shipment or credit memo: it belongs to an order.")
class OrderDocument(LoginAsCustomerTarget):
    order_id: strawberry.Private[int]

    async def _order(self, info: Info) -> models.SalesOrder:
        order = await info.context.loaders.order.load(self.order_id)
        assert order is not None
        return order

    async def login_customer_id(self, info: Info) -> int | None:
        return (await self._order(info)).customer_id

    @strawberry.field(
        description="The order.", extensions=guard(RequiresPermission(resources.ORDERS))
    )
    async def order(self, info: Info) -> Order | None:
        return Order.from_row(await self._order(info))

    @strawberry.field(
        description="The order's customer; null for guests.",
        extensions=guard(RequiresPermissionOrOwn(resources.CUSTOMERS)),
    )
    async def customer(self, info: Info) -> CustomerRef | None:
        return await load_customer(info, (await self._order(info)).customer_id)

    @strawberry.field(description="The store view of the order.")
    async def store_view(self, info: Info) -> StoreView:
        order = await self._order(info)
        return store_view_node(await info.context.loaders.store_view.load(order.store_view_id))


@strawberry.type(description="An invoice of an order.")
class Invoice(OrderDocument):
    id: strawberry.ID
    increment_id: str
    grand_total: Money
    created_at: datetime

    @classmethod
    def from_row(cls, row: models.Invoice) -> Invoice:
        return cls(
            id=strawberry.ID(str(row.id)),
            increment_id=row.increment_id,
            grand_total=Money.from_cents(row.grand_total_cents, row.currency),
            created_at=row.created_at,
            order_id=row.order_id,
        )


@strawberry.type(description="A shipment of an order.")
class Shipment(OrderDocument):
    id: strawberry.ID
    increment_id: str
    total_quantity: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: models.Shipment) -> Shipment:
        return cls(
            id=strawberry.ID(str(row.id)),
            increment_id=row.increment_id,
            total_quantity=row.total_quantity,
            created_at=row.created_at,
            order_id=row.order_id,
        )


@strawberry.type(description="A credit memo (refund) of an order.")
class CreditMemo(OrderDocument):
    id: strawberry.ID
    increment_id: str
    grand_total: Money
    created_at: datetime

    @classmethod
    def from_row(cls, row: models.CreditMemo) -> CreditMemo:
        return cls(
            id=strawberry.ID(str(row.id)),
            increment_id=row.increment_id,
            grand_total=Money.from_cents(row.grand_total_cents, row.currency),
            created_at=row.created_at,
            order_id=row.order_id,
        )
