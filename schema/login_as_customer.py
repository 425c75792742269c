"""Root fields of Login as Customer: start, exchange, end, oversight, the storefront session."""

from __future__ import annotations

import strawberry

from lac.resolvers.acl import resources
from lac.resolvers.login_as_customer import secret_exchange, sessions
from lac.resolvers.login_as_customer.storefront import storefront_session
from lac.schema.context import Info, service
from lac.schema.credentials import CarriesCredential
from lac.schema.permissions import Public, RequiresImpersonation, RequiresPermission, guard
from lac.schema.types.auth import CustomerToken
from lac.schema.types.customers import Customer
from lac.schema.types.login_as_customer import (
    CustomerSession,
    GenerateCustomerTokenAsAdminInput,
    GenerateCustomerTokenAsAdminOutput,
    LoginAsCustomerInput,
    LoginAsCustomerSession,
    LoginAsCustomerStart,
)
from lac.schema.types.stores import StoreView


@strawberry.type
class LoginAsCustomerQuery:
    @strawberry.field(
        description="Who the storefront serves and the Login-as-Customer banner. Works with "
        "no token, a customer token or an impersonation token; one query per call.",
        extensions=guard(Public()),
    )
    def customer_session(self, info: Info) -> CustomerSession:
        return CustomerSession.from_state(storefront_session(info.context.service.principal))

    @strawberry.field(
        description="Sessions that are pending or active, newest first.",
        extensions=guard(RequiresPermission(resources.LOGIN_AS_CUSTOMER_LOG)),
    )
    async def active_login_as_customer_sessions(self, info: Info) -> list[LoginAsCustomerSession]:
        rows = await sessions.active_sessions(service(info))
        return [LoginAsCustomerSession.from_row(row) for row in rows]


@strawberry.type
class LoginAsCustomerMutation:
    @strawberry.mutation(
        description="Start acting as a customer. Needs the feature on, the customer's consent "
        "(or a one-time assistance code from them) and an active customer; returns a "
        "single-use secret for the storefront. Ends your previous session (REPLACED). "
        "Logged, failures included.",
        extensions=[*guard(RequiresPermission(resources.LOGIN_AS_CUSTOMER)), CarriesCredential()],
    )
    async def login_as_customer(
        self, info: Info, input: LoginAsCustomerInput
    ) -> LoginAsCustomerStart:
        started = await sessions.start_session(
            service(info),
            customer_id=input.customer_id,
            store_view_id=input.store_view_id,
            reason=input.reason,
            consent_code=input.consent_code,
            read_only=input.read_only,
        )
        return LoginAsCustomerStart(
            secret=started.secret,
            expires_at=started.session.secret_expires_at,
            store_view=StoreView.from_row(started.store_view),
            customer=Customer.from_row(started.customer),
            session=LoginAsCustomerSession.from_row(started.session),
        )

    @strawberry.mutation(
        description="Trade a `loginAsCustomer` secret for an impersonation token (called by the "
        "storefront). Single use; any failure is SECRET_INVALID_OR_EXPIRED.",
        extensions=[*guard(Public()), CarriesCredential()],
    )
    async def exchange_login_as_customer_secret(self, info: Info, secret: str) -> CustomerToken:
        exchanged = await secret_exchange.exchange_secret(service(info), secret=secret)
        return CustomerToken(
            token=exchanged.token.token,
            expires_at=exchanged.token.expires_at,
            customer=Customer.from_row(exchanged.customer),
            session=LoginAsCustomerSession.from_row(exchanged.session),
        )

    @strawberry.mutation(
        description="Leave the customer's account (ends the session with cause LOGOUT).",
        extensions=guard(RequiresImpersonation()),
    )
    async def end_login_as_customer(self, info: Info) -> bool:
        return await sessions.end_own_session(service(info))

    @strawberry.mutation(
        description="End anybody's live session (cause TERMINATED).",
        extensions=guard(RequiresPermission(resources.LOGIN_AS_CUSTOMER)),
    )
    async def terminate_login_as_customer_session(
        self, info: Info, id: strawberry.ID
    ) -> LoginAsCustomerSession:
        row = await sessions.terminate_session(service(info), id)
        return LoginAsCustomerSession.from_row(row)

    @strawberry.mutation(
        description="Magento LoginAsCustomerGraphQl compatible: a customer token for an admin. "
        "Unlike Magento it enforces consent and every rule, and the token is a full session.",
        extensions=[
            *guard(
                RequiresPermission(
                    resources.LOGIN_AS_CUSTOMER,
                    resources.ALLOW_SHOPPING_ASSISTANCE,
                    resources.CUSTOMER_TOKEN_API,
                )
            ),
            CarriesCredential(),
        ],
    )
    async def generate_customer_token_as_admin(
        self, info: Info, input: GenerateCustomerTokenAsAdminInput
    ) -> GenerateCustomerTokenAsAdminOutput | None:
        exchanged = await secret_exchange.generate_customer_token(
            service(info),
            customer_email=input.customer_email,
            website_code=input.website_code,
            store_view_code=input.store_view_code,
            reason=input.reason,
        )
        return GenerateCustomerTokenAsAdminOutput(customer_token=exchanged.token.token)
