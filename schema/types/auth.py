"""Tokens handed out by sign-in."""

from __future__ import annotations

from datetime import datetime

import strawberry

from lac.schema.permissions import GrantedByParent, guard
from lac.schema.types.admin import AdminUser
from lac.schema.types.customers import Customer
from lac.schema.types.login_as_customer import LoginAsCustomerSession


@strawberry.type(description="An admin bearer token (valid 4 hours unless revoked).")
class AdminToken:
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    expires_at: datetime
    admin: AdminUser = strawberry.field(
        description="The signed-in admin.", extensions=guard(GrantedByParent())
    )


@strawberry.type(description="A customer bearer token (valid 1 hour unless revoked).")
class CustomerToken:
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    expires_at: datetime
    customer: Customer = strawberry.field(
        description="The customer the token acts as.", extensions=guard(GrantedByParent())
    )
    session: LoginAsCustomerSession | None = strawberry.field(
        default=None, description="The Login-as-Customer session; null for the customer's own."
    )
