"""Root fields for customers (Magento_Customer::manage)."""

from __future__ import annotations

import strawberry

from lac.resolvers.account import customers
from lac.resolvers.acl import resources
from lac.schema.context import Info, service
from lac.schema.ids import parse_id
from lac.schema.permissions import RequiresPermission, guard
from lac.schema.types.customers import Customer
from lac.schema.types.pagination import DEFAULT_PAGE_SIZE, Connection


@strawberry.input(description="All given conditions must hold.")
class CustomerFilter:
    email: str | None = strawberry.field(default=None, description="Exact, in any case.")
    name: str | None = strawberry.field(default=None, description="Part of 'first last'.")
    website_code: str | None = None
    allow_remote_shopping_assistance: bool | None = None
    is_active: bool | None = None

    def to_filter(self) -> customers.CustomerFilter:
        return customers.CustomerFilter(
            email=self.email,
            name=self.name,
            website_code=self.website_code,
            allow_remote_shopping_assistance=self.allow_remote_shopping_assistance,
            is_active=self.is_active,
        )


@strawberry.type
class CustomersQuery:
    @strawberry.field(
        description="Customer accounts, oldest first; at most 200 per page.",
        extensions=guard(RequiresPermission(resources.CUSTOMERS)),
    )
    async def customers(
        self,
        info: Info,
        filter: CustomerFilter | None = None,
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Customer]:
        where = filter.to_filter() if filter else customers.CustomerFilter()
        page = await customers.list_customers(service(info), where=where, first=first, after=after)
        return Connection.from_page(page, [Customer.from_row(row) for row in page.rows])

    @strawberry.field(
        description="One customer account; NOT_FOUND when there is none with this id.",
        extensions=guard(RequiresPermission(resources.CUSTOMERS)),
    )
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        row = await customers.get_customer(service(info), parse_id(id, what="customer id"))
        return Customer.from_row(row)
