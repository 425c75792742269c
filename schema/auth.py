"""Root fields for signing in and out, and for who the caller is."""

from __future__ import annotations

import strawberry

from lac.resolvers.auth import sign_in
from lac.schema.context import Info, service
from lac.schema.credentials import CarriesCredential
from lac.schema.permissions import Public, RequiresAdmin, RequiresCustomer, guard
from lac.schema.types.admin import AdminUser
from lac.schema.types.auth import AdminToken, CustomerToken
from lac.schema.types.customers import Customer


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in admin.", extensions=guard(RequiresAdmin()))
    async def admin_me(self, info: Info) -> AdminUser:
        return AdminUser.from_row(await sign_in.current_admin(service(info)), is_caller=True)

    @strawberry.field(
        description="The signed-in customer (also while an admin acts for them).",
        extensions=guard(RequiresCustomer()),
    )
    async def me(self, info: Info) -> Customer:
        return Customer.from_row(await sign_in.current_customer(service(info)))


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description=(
            "Sign in as an admin. Unknown user and wrong password get the same "
            "UNAUTHENTICATED answer; the 6th consecutive failure within 30 minutes locks "
            "the username for 30 minutes (ACCOUNT_LOCKED)."
        ),
        extensions=[*guard(Public()), CarriesCredential()],
    )
    async def admin_login(self, info: Info, username: str, password: str) -> AdminToken:
        signed_in = await sign_in.admin_login(service(info), username=username, password=password)
        return AdminToken(
            token=signed_in.token.token,
            expires_at=signed_in.token.expires_at,
            admin=AdminUser.from_row(signed_in.admin, is_caller=True),
        )

    @strawberry.mutation(
        description="Revoke the admin token this request carries.",
        extensions=guard(RequiresAdmin()),
    )
    async def admin_logout(self, info: Info) -> bool:
        return await sign_in.admin_logout(service(info))

    @strawberry.mutation(
        description=(
            "Sign in as a customer of one website. Wrong credentials get the same "
            "UNAUTHENTICATED answer; repeated failures lock the email on that website."
        ),
        extensions=[*guard(Public()), CarriesCredential()],
    )
    async def customer_login(
        self, info: Info, email: str, password: str, website_code: str
    ) -> CustomerToken:
        signed_in = await sign_in.customer_login(
            service(info), email=email, password=password, website_code=website_code
        )
        return CustomerToken(
            token=signed_in.token.token,
            expires_at=signed_in.token.expires_at,
            customer=Customer.from_row(signed_in.customer),
        )

    @strawberry.mutation(
        description="Revoke the customer token this request carries.",
        extensions=guard(RequiresCustomer()),
    )
    async def customer_logout(self, info: Info) -> bool:
        return await sign_in.customer_logout(service(info))
