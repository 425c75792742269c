"""Per-request DataLoaders, made in `get_context` (each on first use), never shared between
requests."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property, partial

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


class Loaders:
    """A request's DataLoaders, each made when first used: a request uses few of them, and
    making all of them up front cost about a tenth of a banner request's CPU (issue 11)."""

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    @cached_property
    def website(self) -> DataLoader[int, Website | None]:
        return DataLoader(partial(rows_by_id, self.session, Website))

    @cached_property
    def store_view(self) -> DataLoader[int, StoreView | None]:
        return DataLoader(partial(rows_by_id, self.session, StoreView))

    @cached_property
    def store_views_of_website(self) -> DataLoader[int, list[StoreView]]:
        return DataLoader(partial(store_views_by_website, self.session))

    @cached_property
    def role(self) -> DataLoader[int, Role | None]:
        return DataLoader(partial(rows_by_id, self.session, Role))

    @cached_property
    def role_resources(self) -> DataLoader[int, list[str]]:
        return DataLoader(partial(resources_by_role, self.session))

    @cached_property
    def admin_locked_until(self) -> DataLoader[str, datetime | None]:
        return DataLoader(
            lambda usernames: admins_locked_until(self.session, usernames, now=self.clock.now())
        )

    @cached_property
    def customer(self) -> DataLoader[int, Customer | None]:
        return DataLoader(partial(rows_by_id, self.session, Customer))

    @cached_property
    def order(self) -> DataLoader[int, SalesOrder | None]:
        return DataLoader(partial(rows_by_id, self.session, SalesOrder))

    @cached_property
    def order_items(self) -> DataLoader[int, list[OrderItem]]:
        return DataLoader(partial(children_by_order, self.session, OrderItem))

    @cached_property
    def order_comments(self) -> DataLoader[int, list[OrderComment]]:
        return DataLoader(partial(children_by_order, self.session, OrderComment))

    @cached_property
    def invoices(self) -> DataLoader[int, list[Invoice]]:
        return DataLoader(partial(children_by_order, self.session, Invoice))

    @cached_property
    def shipments(self) -> DataLoader[int, list[Shipment]]:
        return DataLoader(partial(children_by_order, self.session, Shipment))

    @cached_property
    def credit_memos(self) -> DataLoader[int, list[CreditMemo]]:
        return DataLoader(partial(children_by_order, self.session, CreditMemo))

    @cached_property
    def availability(self) -> DataLoader[int | None, DocumentFacts]:
        return DataLoader(partial(document_facts, self.session))

    @cached_property
    def session_action_count(self) -> DataLoader[int, int]:
        return DataLoader(partial(action_counts, self.session))

    @cached_property
    def assistance_actions(self) -> DataLoader[int, list[AssistanceAction]]:
        return DataLoader(partial(session_actions, self.session))

    @cached_property
    def customer_orders(self) -> DataLoader[CustomerOrdersKey, Page[SalesOrder]]:
        return DataLoader(
            partial(
                customer_order_pages,
                self.session,
                count=DataLoader(partial(customer_order_counts, self.session)).load,
            )
        )
