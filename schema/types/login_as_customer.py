"""Login-as-Customer sessions, the start hand-off, and the storefront's session state."""

from __future__ import annotations

from datetime import datetime

import strawberry

from lac.db import models
from lac.resolvers.login_as_customer.policy import AssistanceConsent
from lac.resolvers.login_as_customer.session_end import (
    EndCause,
    SessionState,
    session_admin,
    session_customer,
)
from lac.resolvers.login_as_customer.storefront import StorefrontSession
from lac.schema.context import Info
from lac.schema.permissions import GrantedByParent, guard
from lac.schema.types.customers import Customer
from lac.schema.types.people import AdminSummary, CustomerSummary
from lac.schema.types.stores import StoreView, load_store_view

strawberry.enum(SessionState, name="LoginAsCustomerSessionState")
strawberry.enum(EndCause, name="LoginAsCustomerEndCause", description="Why a session ended.")
strawberry.enum(
    AssistanceConsent,
    name="AssistanceConsent",
    description="What a session's consent rests on: STANDING (the customer's 'Allow remote "
    "shopping assistance' setting) or CODE (a one-time assistance code, for that session).",
)


@strawberry.type(description="An admin acting as a customer, from start to end.")
class LoginAsCustomerSession:
    id: strawberry.ID
    state: SessionState
    admin: AdminSummary
    customer: CustomerSummary
    reason: str | None
    started_at: datetime
    expires_at: datetime | None = strawberry.field(
        description="When an active session ends by itself (null until the exchange)."
    )
    ended_at: datetime | None
    end_cause: EndCause | None
    ip_address: str | None = strawberry.field(description="The admin's address at start.")
    read_only: bool = strawberry.field(
        description="Whether every storefront write is refused in this session."
    )
    consent: AssistanceConsent
    store_view_id: strawberry.Private[int]

    @strawberry.field(description="The store view the admin acts in.")
    async def store_view(self, info: Info) -> StoreView:
        return await load_store_view(info, self.store_view_id)

    @strawberry.field(description="How many admin action log entries the session has.")
    async def action_count(self, info: Info) -> int:
        return await info.context.loaders.session_action_count.load(int(self.id))

    @classmethod
    def from_row(cls, row: models.LoginAsCustomerSession) -> LoginAsCustomerSession:
        return cls(
            id=strawberry.ID(str(row.id)),
            state=SessionState(row.state),
            admin=AdminSummary.from_summary(session_admin(row)),
            customer=CustomerSummary.from_summary(session_customer(row)),
            reason=row.reason,
            started_at=row.started_at,
            expires_at=row.expires_at,
            ended_at=row.ended_at,
            end_cause=EndCause(row.end_cause) if row.end_cause else None,
            ip_address=row.ip_address,
            read_only=row.read_only,
            consent=AssistanceConsent(row.consent),
            store_view_id=row.store_view_id,
        )


@strawberry.type(description="What `loginAsCustomer` hands over to open the storefront.")
class LoginAsCustomerStart:
    secret: str = strawberry.field(
        description="Single use; exchange it with `exchangeLoginAsCustomerSecret` before "
        "`expiresAt`. Never log or store it."
    )
    expires_at: datetime
    store_view: StoreView
    customer: Customer = strawberry.field(
        description="The customer to act as.", extensions=guard(GrantedByParent())
    )
    session: LoginAsCustomerSession


@strawberry.type(description="The storefront banner shown while an admin acts as the customer.")
class LoginAsCustomerBanner:
    text: str = strawberry.field(
        description='"You are connected as {customer} on {website}", plus " (read-only)" in a '
        "read-only session."
    )
    customer_name: str
    website_name: str
    store_view_name: str


@strawberry.type(description="Who the storefront is serving, for the banner and page caching.")
class CustomerSession:
    is_logged_in: bool
    is_login_as_customer: bool
    is_read_only: bool = strawberry.field(
        description="True while an admin acts as the customer in a read-only session."
    )
    page_cache_disabled: bool = strawberry.field(
        description="True while an admin acts as the customer and page caching is off for them."
    )
    expires_at: datetime | None
    customer: CustomerSummary | None
    banner: LoginAsCustomerBanner | None

    @classmethod
    def from_state(cls, state: StorefrontSession) -> CustomerSession:
        banner = state.banner
        return cls(
            is_logged_in=state.is_logged_in,
            is_login_as_customer=state.is_login_as_customer,
            is_read_only=state.is_read_only,
            page_cache_disabled=state.page_cache_disabled,
            expires_at=state.expires_at,
            customer=CustomerSummary.from_summary(state.customer) if state.customer else None,
            banner=LoginAsCustomerBanner(
                text=banner.text,
                customer_name=banner.customer_name,
                website_name=banner.website_name,
                store_view_name=banner.store_view_name,
            )
            if banner
            else None,
        )


@strawberry.input(description="Whom to act as, where, and why.")
class LoginAsCustomerInput:
    customer_id: strawberry.ID
    store_view_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required in MANUAL_SELECTION; ignored in AUTO_DETECTION."
    )
    reason: str | None = strawberry.field(
        default=None, description="Required when `requireReason` is on; at most 1000 characters."
    )
    consent_code: str | None = strawberry.field(
        default=None,
        description="A one-time assistance code the customer gave (`createAssistanceCode`), "
        "standing in for their consent when it is off; used up by this start. Absent, "
        "wrong, used or expired: CUSTOMER_CONSENT_REQUIRED, as without a code; not 6 "
        "digits: BAD_USER_INPUT.",
    )
    read_only: bool | None = strawberry.field(
        default=None,
        description="Whether every storefront write is refused in the session; omitted "
        "(or null): the `defaultReadOnly` setting (false unless changed).",
    )


@strawberry.type(description="A one-time assistance code, shown once to the customer.")
class AssistanceCode:
    code: str = strawberry.field(
        description="6 digits to read to staff; single use. Never stored in clear."
    )
    expires_at: datetime


@strawberry.input(description="Magento's LoginAsCustomerGraphQl input, plus optional lac fields.")
class GenerateCustomerTokenAsAdminInput:
    customer_email: str = strawberry.field(name="customer_email")
    website_code: str | None = strawberry.field(
        default=None,
        name="website_code",
        description="Needed when customers of several websites share the email.",
    )
    store_view_code: str | None = strawberry.field(
        default=None, name="store_view_code", description="Needed in MANUAL_SELECTION."
    )
    reason: str | None = None


@strawberry.type(description="Magento's LoginAsCustomerGraphQl output.")
class GenerateCustomerTokenAsAdminOutput:
    customer_token: str = strawberry.field(
        name="customer_token", description="An impersonation token: a full, logged session."
    )
