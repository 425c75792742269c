"""Customers."""

from __future__ import annotations

from datetime import datetime

import strawberry

from lac.db import models
from lac.resolvers.acl import resources
from lac.resolvers.auth.principals import full_name
from lac.schema.context import Info
from lac.schema.permissions import RequiresPermissionOrOwn, guard
from lac.schema.types.availability import LoginAsCustomerTarget
from lac.schema.types.pagination import DEFAULT_PAGE_SIZE, Connection
from lac.schema.types.sales import Order
from lac.schema.types.stores import StoreView, Website, load_store_view, load_website


@strawberry.type(description="A storefront customer account.")
class Customer(LoginAsCustomerTarget):
    id: strawberry.ID
    email: str
    firstname: str
    lastname: str
    name: str
    is_active: bool
    allow_remote_shopping_assistance: bool = strawberry.field(
        description="Consent to Login as Customer: 'Allow remote shopping assistance'."
    )
    created_at: datetime
    website_id: strawberry.Private[int]
    created_in_id: strawberry.Private[int]

    @strawberry.field(description="The website the account belongs to.")
    async def website(self, info: Info) -> Website:
        return await load_website(info, self.website_id)

    @strawberry.field(description="The store view the account was created in.")
    async def created_in(self, info: Info) -> StoreView:
        return await load_store_view(info, self.created_in_id)

    async def login_customer_id(self, info: Info) -> int | None:
        return int(self.id)

    @strawberry.field(
        description="The customer's orders, oldest first; at most 200 per page.",
        extensions=guard(RequiresPermissionOrOwn(resources.ORDERS)),
    )
    async def orders(
        self, info: Info, first: int | None = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> Connection[Order] | None:
        page = await info.context.loaders.customer_orders.load((int(self.id), first, after))
        return Connection.from_page(page, [Order.from_row(row) for row in page.rows])

    @classmethod
    def from_row(cls, row: models.Customer) -> Customer:
        return cls(
            id=strawberry.ID(str(row.id)),
            email=row.email,
            firstname=row.firstname,
            lastname=row.lastname,
            name=full_name(row.firstname, row.lastname),
            is_active=row.is_active,
            allow_remote_shopping_assistance=row.allow_remote_shopping_assistance,
            created_at=row.created_at,
            website_id=row.website_id,
            created_in_id=row.created_in_store_view_id,
        )
