"""Root fields for orders, invoices, shipments and credit memos, each with its own resource."""

# No `from __future__ import annotations`: the resolvers below are built per document type
# and strawberry reads their annotations, which must be real types, not strings.

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

import strawberry

from lac.db import models
from lac.resolvers.acl import resources
from lac.resolvers.sales import orders
from lac.schema.context import Info, service
from lac.schema.ids import parse_id
from lac.schema.permissions import RequiresPermission, guard
from lac.schema.types.pagination import DEFAULT_PAGE_SIZE, Connection
from lac.schema.types.sales import CreditMemo, Invoice, Order, Shipment


@strawberry.input(
    description="All given conditions must hold; customer and store view are the order's."
)
class SalesDocumentFilter:
    increment_id: str | None = None
    customer_id: strawberry.ID | None = None
    store_view_code: str | None = None
    created_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    created_to: datetime | None = strawberry.field(default=None, description="Inclusive.")

    def to_filter(self) -> orders.SalesDocumentFilter:
        return orders.SalesDocumentFilter(
            increment_id=self.increment_id,
            customer_id=parse_id(self.customer_id, what="customer id")
            if self.customer_id is not None
            else None,
            store_view_code=self.store_view_code,
            created_from=self.created_from,
            created_to=self.created_to,
        )


Row = TypeVar("Row", models.SalesOrder, models.Invoice, models.Shipment, models.CreditMemo)


class FromRow(Protocol):
    @classmethod
    def from_row(cls, row: Any) -> Any: ...


def document_fields(
    model: type[Row],
    node: type[FromRow],
    *,
    resource: str,
    noun: str,
    plural: str,
    page_nodes: Callable[[Info, Sequence[Any]], Awaitable[list[Any]]] | None = None,
) -> tuple[Any, Any]:
    """The list and the single-item root fields of one kind of sales document; `page_nodes`
    makes a page's nodes when they fetch their links ahead (orders)."""

    async def resolve_list(
        info: Info,
        filter: SalesDocumentFilter | None = None,
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[node]:  # type: ignore[valid-type]
        where = filter.to_filter() if filter else orders.SalesDocumentFilter()
        page = await orders.list_documents(
            service(info), model, where=where, first=first, after=after
        )
        if page_nodes is not None:
            return Connection.from_page(page, await page_nodes(info, page.rows))
        return Connection.from_page(page, [node.from_row(row) for row in page.rows])

    async def resolve_one(info: Info, id: strawberry.ID) -> node | None:  # type: ignore[valid-type]
        document_id = parse_id(id, what=f"{noun} id")
        return node.from_row(await orders.get_document(service(info), model, document_id))  # type: ignore[no-any-return]

    permission: Callable[[], list[Any]] = lambda: guard(RequiresPermission(resource))  # noqa: E731
    return (
        strawberry.field(
            resolver=resolve_list,
            description=f"{plural}, oldest first; at most 200 per page.",
            extensions=permission(),
        ),
        strawberry.field(
            resolver=resolve_one,
            description=f"One {noun}; NOT_FOUND when there is none with this id.",
            extensions=permission(),
        ),
    )


@strawberry.type
class SalesQuery:
    orders, order = document_fields(
        models.SalesOrder,
        Order,
        resource=resources.ORDERS,
        noun="order",
        plural="Orders",
        page_nodes=Order.page_nodes,
    )
    invoices, invoice = document_fields(
        models.Invoice, Invoice, resource=resources.INVOICES, noun="invoice", plural="Invoices"
    )
    shipments, shipment = document_fields(
        models.Shipment, Shipment, resource=resources.SHIPMENTS, noun="shipment", plural="Shipments"
    )
    credit_memos, credit_memo = document_fields(
        models.CreditMemo,
        CreditMemo,
        resource=resources.CREDIT_MEMOS,
        noun="credit memo",
        plural="Credit memos",
    )
