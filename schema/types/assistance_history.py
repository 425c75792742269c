"""The customer's view of assistance sessions: who of the staff acted, when, and what
they did (DESIGN.md section 15)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from lac.db import models
from lac.resolvers.login_as_customer.history import staff_name
from lac.resolvers.login_as_customer.policy import AssistanceConsent, assistance_is_live
from lac.resolvers.login_as_customer.session_end import EndCause
from lac.schema.context import Info
from lac.schema.types.stores import StoreView, load_store_view


@strawberry.type(description="One thing staff did in your account during a session.")
class AssistanceAction:
    time: datetime
    action: str = strawberry.field(description='The action log\'s name, e.g. "cart.add".')
    summary: str = strawberry.field(description='A sentence, e.g. "Added 2 x MH01 to the cart".')


@strawberry.type(description="A session in which staff acted in your account (Login as Customer).")
class AssistanceSession:
    id: strawberry.ID
    staff_name: str = strawberry.field(
        description='Who of the staff: first name and last initial, e.g. "Sam S.".'
    )
    reason: str | None = strawberry.field(description="The reason staff gave at start.")
    started_at: datetime
    ended_at: datetime | None
    end_cause: EndCause | None
    read_only: bool = strawberry.field(description="Whether staff could only look.")
    consent: AssistanceConsent = strawberry.field(
        description="Your standing consent, or a one-time code you gave."
    )
    is_live: bool = strawberry.field(
        description="True while staff can still act; `endMyAssistanceSessions` ends it."
    )
    store_view_id: strawberry.Private[int]

    @strawberry.field(description="The store view staff acted in.")
    async def store_view(self, info: Info) -> StoreView:
        return await load_store_view(info, self.store_view_id)

    @strawberry.field(
        description="What staff changed in your account, oldest first (cart, orders, account)."
    )
    async def actions(self, info: Info) -> list[AssistanceAction]:
        done = await info.context.loaders.assistance_actions.load(int(self.id))
        return [AssistanceAction(time=a.time, action=a.action, summary=a.summary) for a in done]

    @classmethod
    def from_row(cls, row: models.LoginAsCustomerSession, *, now: datetime) -> AssistanceSession:
        return cls(
            id=strawberry.ID(str(row.id)),
            staff_name=staff_name(row),
            reason=row.reason,
            started_at=row.started_at,
            ended_at=row.ended_at,
            end_cause=EndCause(row.end_cause) if row.end_cause else None,
            read_only=row.read_only,
            consent=AssistanceConsent(row.consent),
            is_live=assistance_is_live(row.state, row.expires_at, now=now),
            store_view_id=row.store_view_id,
        )
