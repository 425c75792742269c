"""Root fields for a customer's own account and consent, and an admin changing consent."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated

import strawberry

from lac.resolvers.account import my_account
from lac.resolvers.acl import resources
from lac.resolvers.login_as_customer import assistance_codes
from lac.schema.context import Info, service
from lac.schema.credentials import CarriesCredential
from lac.schema.permissions import RequiresCustomer, RequiresPermission, guard
from lac.schema.types.customers import Customer
from lac.schema.types.login_as_customer import AssistanceCode


@strawberry.input(
    description="Changes to the caller's own account; omitted (or null) fields keep their value."
)
class UpdateMyAccountInput:
    firstname: str | None = strawberry.field(
        default=None, description="First name, trimmed; empty is BAD_USER_INPUT."
    )
    lastname: str | None = strawberry.field(
        default=None, description="Last name, trimmed; empty is BAD_USER_INPUT."
    )
    email: str | None = strawberry.field(
        default=None,
        description="New email, stored lower-case; invalid or used by another customer of "
        "the website is BAD_USER_INPUT. FORBIDDEN while an admin acts for the customer.",
    )
    allow_remote_shopping_assistance: bool | None = strawberry.field(
        default=None,
        description="Consent to Login as Customer; false ends live sessions. FORBIDDEN "
        "while an admin acts for the customer.",
    )


def forget_customer(info: Info, customer_id: int) -> None:
    """Drop a changed customer from this request's loaders, so later fields read it anew."""
    # strawberry's `DataLoader.clear` raises KeyError for a key it never loaded
    with suppress(KeyError):
        info.context.loaders.customer.clear(customer_id)
    with suppress(KeyError):
        info.context.loaders.availability.clear(customer_id)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description=(
            "Change your own account (own or impersonation token). Empty names, an "
            "invalid email or one another customer of your website has: BAD_USER_INPUT. "
            "While an admin acts for you (Login as Customer) only the names may change "
            "(logged as account.update); email or consent is FORBIDDEN. Your own consent "
            "change is logged as consent.update; revoking it ends the live Login as "
            "Customer sessions (CONSENT_REVOKED)."
        ),
        extensions=guard(RequiresCustomer()),
    )
    async def update_my_account(
        self,
        info: Info,
        input: Annotated[
            UpdateMyAccountInput,
            strawberry.argument(description="The fields to change; the rest keep their value."),
        ],
    ) -> Customer:
        row = await my_account.update_my_account(
            service(info),
            firstname=input.firstname,
            lastname=input.lastname,
            email=input.email,
            allow_remote_shopping_assistance=input.allow_remote_shopping_assistance,
        )
        customer = Customer.from_row(row)
        forget_customer(info, int(customer.id))
        return customer

    @strawberry.mutation(
        description=(
            "Change your own password (own token only; FORBIDDEN while an admin acts for "
            "you). A wrong current password or a new one shorter than 8 characters or "
            "without both letters and digits: BAD_USER_INPUT. Your other own tokens are "
            "revoked; this one stays valid."
        ),
        extensions=guard(RequiresCustomer()),
    )
    async def change_my_password(
        self,
        info: Info,
        current_password: Annotated[
            str, strawberry.argument(description="The password in use now.")
        ],
        new_password: Annotated[
            str,
            strawberry.argument(
                description="The new password: at least 8 characters, letters and digits."
            ),
        ],
    ) -> bool:
        return await my_account.change_my_password(
            service(info), current_password=current_password, new_password=new_password
        )

    @strawberry.mutation(
        description=(
            "Get a one-time assistance code to read to staff: it lets them start one "
            "Login as Customer session without your standing consent. Own token only "
            "(FORBIDDEN while an admin acts for you). Replaces your previous code; valid "
            "`assistanceCodeLifetimeSeconds`. FEATURE_DISABLED while Login as Customer or "
            "assistance codes are off. Logged as login_as_customer.code_create (never the "
            "code)."
        ),
        extensions=[*guard(RequiresCustomer()), CarriesCredential()],
    )
    async def create_assistance_code(self, info: Info) -> AssistanceCode:
        issued = await assistance_codes.create_code(service(info))
        return AssistanceCode(code=issued.code, expires_at=issued.expires_at)

    @strawberry.mutation(
        description=(
            "Give or withdraw a customer's consent to Login as Customer ('Allow remote "
            "shopping assistance'). Unknown customer: "
            "NOT_FOUND. Withdrawing ends the customer's live sessions (CONSENT_REVOKED). "
            "Logged as consent.update."
        ),
        extensions=guard(
            RequiresPermission(resources.CUSTOMERS, resources.ALLOW_SHOPPING_ASSISTANCE)
        ),
    )
    async def set_remote_shopping_assistance(
        self,
        info: Info,
        customer_id: Annotated[
            strawberry.ID, strawberry.argument(description="The customer's id.")
        ],
        allowed: Annotated[
            bool, strawberry.argument(description="True gives consent, false withdraws it.")
        ],
    ) -> Customer:
        row = await my_account.set_remote_shopping_assistance(
            service(info), customer_id, allowed=allowed
        )
        customer = Customer.from_row(row)
        forget_customer(info, int(customer.id))
        return customer
