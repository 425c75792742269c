"""`canLoginAsCustomer` and its reason, shared by customers and sales documents."""

from __future__ import annotations

import strawberry

from lac.resolvers.acl.resources import is_own_customer
from lac.resolvers.login_as_customer.policy import DocumentFacts, UnavailableReason, availability
from lac.schema.context import Info
from lac.schema.types.prefetch import eventually

strawberry.enum(
    UnavailableReason,
    name="LoginAsCustomerUnavailableReason",
    description="Why the calling admin may not log in as this customer (first failing rule).",
)


@strawberry.interface(
    description="Something whose customer an admin may log in as (Login as Customer)."
)
class LoginAsCustomerTarget:
    async def login_customer_id(self, info: Info) -> int | None:
        """The customer an admin would log in as; None for a guest document."""
        raise NotImplementedError

    async def is_callers_own(self, info: Info) -> bool:
        """Whether it is the calling customer's (their account, an order of theirs)."""
        principal = info.context.service.principal
        return is_own_customer(principal, await self.login_customer_id(info))

    def page_facts(self) -> DocumentFacts | None:
        """The availability facts fetched with this object's page, if it was."""
        return None

    async def _reason(self, info: Info) -> UnavailableReason | None:
        customer_id = await self.login_customer_id(info)
        facts = await info.context.loaders.availability.load(customer_id)
        return availability(info.context.service.principal, facts)

    async def _available(self, info: Info) -> bool:
        return await self._reason(info) is None

    @strawberry.field(description="Whether the calling admin may log in as this customer now.")
    def can_login_as_customer(self, info: Info) -> bool:
        facts = self.page_facts()
        if facts is None:
            return eventually(self._available(info))
        return availability(info.context.service.principal, facts) is None

    @strawberry.field(description="Why not, when `canLoginAsCustomer` is false; else null.")
    def login_as_customer_unavailable_reason(self, info: Info) -> UnavailableReason | None:
        facts = self.page_facts()
        if facts is None:
            return eventually(self._reason(info))
        return availability(info.context.service.principal, facts)
