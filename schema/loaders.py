"""Per-request DataLoaders, created in `get_context`, never shared between requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from lac.core.clock import Clock
from lac.db.models import (
    CreditMemo,
    Customer,
    Invoice,
    OrderComment,
    OrderItem,
    Role,
    SalesOrder,
    Shipment,
    StoreView,
    Website,
)
from lac.db.queries import children_by_order, resources_by_role, rows_by_id, store_views_by_website
from lac.resolvers.auth.lockout import admins_locked_until
from lac.resolvers.login_as_customer.history import AssistanceAction, session_actions
from lac.resolvers.login_as_customer.policy import DocumentFacts, document_facts
from lac.resolvers.login_as_customer.sessions import action_counts
from lac.resolvers.pagination import Page
from lac.resolvers.sales.orders import (
    CustomerOrdersKey,
    customer_order_counts,
    customer_order_pages,
)


@dataclass(frozen=True, slots=True)
class Loaders:
    website: DataLoader[int, Website | None]
    store_view: DataLoader[int, StoreView | None]
    store_views_of_website: DataLoader[int, list[StoreView]]
    role: DataLoader[int, Role | None]
    role_resources: DataLoader[int, list[str]]
    admin_locked_until: DataLoader[str, datetime | None]
    customer: DataLoader[int, Customer | None]
    order: DataLoader[int, SalesOrder | None]
    order_items: DataLoader[int, list[OrderItem]]
    order_comments: DataLoader[int, list[OrderComment]]
    invoices: DataLoader[int, list[Invoice]]
    shipments: DataLoader[int, list[Shipment]]
    credit_memos: DataLoader[int, list[CreditMemo]]
    availability: DataLoader[int | None, DocumentFacts]
    session_action_count: DataLoader[int, int]
    assistance_actions: DataLoader[int, list[AssistanceAction]]
    customer_orders: DataLoader[CustomerOrdersKey, Page[SalesOrder]]


def create_loaders(session: AsyncSession, clock: Clock) -> Loaders:
    return Loaders(
        website=DataLoader(partial(rows_by_id, session, Website)),
        store_view=DataLoader(partial(rows_by_id, session, StoreView)),
        store_views_of_website=DataLoader(partial(store_views_by_website, session)),
        role=DataLoader(partial(rows_by_id, session, Role)),
        role_resources=DataLoader(partial(resources_by_role, session)),
        admin_locked_until=DataLoader(
            lambda usernames: admins_locked_until(session, usernames, now=clock.now())
        ),
        customer=DataLoader(partial(rows_by_id, session, Customer)),
        order=DataLoader(partial(rows_by_id, session, SalesOrder)),
        order_items=DataLoader(partial(children_by_order, session, OrderItem)),
        order_comments=DataLoader(partial(children_by_order, session, OrderComment)),
        invoices=DataLoader(partial(children_by_order, session, Invoice)),
        shipments=DataLoader(partial(children_by_order, session, Shipment)),
        credit_memos=DataLoader(partial(children_by_order, session, CreditMemo)),
        availability=DataLoader(partial(document_facts, session)),
        session_action_count=DataLoader(partial(action_counts, session)),
        assistance_actions=DataLoader(partial(session_actions, session)),
        customer_orders=DataLoader(
            partial(
                customer_order_pages,
                session,
                count=DataLoader(partial(customer_order_counts, session)).load,
            )
        ),
    )
