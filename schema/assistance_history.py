"""Root fields of the customer's side of assistance: the history and ending it."""

from __future__ import annotations

import strawberry

from lac.resolvers.auth.principals import own_customer
from lac.resolvers.errors import LacError
from lac.resolvers.login_as_customer import history
from lac.schema.audit import After, First
from lac.schema.context import Info, service
from lac.schema.permissions import RequiresCustomer, guard, record_refusal
from lac.schema.types.assistance_history import AssistanceSession
from lac.schema.types.pagination import DEFAULT_PAGE_SIZE, Connection

CUSTOMER_ONLY = "Your own customer token only: staff acting for you get FORBIDDEN."


@strawberry.type
class AssistanceHistoryQuery:
    @strawberry.field(
        description="The sessions in which staff acted in your account (those that got "
        "as far as acting), newest first, with what they did; at most 200 per page. "
        + CUSTOMER_ONLY,
        extensions=guard(RequiresCustomer()),
    )
    async def my_assistance_sessions(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[AssistanceSession]:
        ctx = service(info)
        try:
            customer = own_customer(ctx.principal)
        except LacError as refused:
            record_refusal(info, refused)  # staff reaching for the trail: access.denied
            raise
        page = await history.my_assistance_sessions(ctx, customer, first=first, after=after)
        now = ctx.clock.now()
        return Connection.from_page(
            page, [AssistanceSession.from_row(row, now=now) for row in page.rows]
        )


@strawberry.type
class AssistanceHistoryMutation:
    @strawberry.mutation(
        description="End every live assistance session on your account (cause "
        "CUSTOMER_ENDED); staff's access stops with their next request. Returns how many "
        "ended (0 when none was live). " + CUSTOMER_ONLY,
        extensions=guard(RequiresCustomer()),
    )
    async def end_my_assistance_sessions(self, info: Info) -> int:
        return await history.end_my_assistance_sessions(service(info))
