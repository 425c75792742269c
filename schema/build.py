"""Assemble the one strawberry Schema from the per-domain root types."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.account import AccountMutation
from schema.admin import AdminMutation, AdminQuery
from schema.audit import AuditQuery
from schema.auth import AuthMutation, AuthQuery
from schema.config import ConfigMutation, ConfigQuery
from schema.customers import CustomersQuery
from schema.errors import log_unexpected_errors
from schema.log_integrity import LogIntegrityQuery
from schema.login_as_customer import LoginAsCustomerMutation, LoginAsCustomerQuery
from schema.sales import SalesQuery
from schema.scalars import DateTime
from schema.storefront import StorefrontMutation, StorefrontQuery
from schema.stores import StoresQuery


@strawberry.type(description="Read operations.")
class Query(
    AuthQuery,
    StoresQuery,
    AdminQuery,
    CustomersQuery,
    SalesQuery,
    ConfigQuery,
    StorefrontQuery,
    LoginAsCustomerQuery,
    AuditQuery,
    LogIntegrityQuery,
):
    pass


@strawberry.type(description="Write operations; each runs as its own logged transaction.")
class Mutation(
    AuthMutation,
    AdminMutation,
    ConfigMutation,
    AccountMutation,
    StorefrontMutation,
    LoginAsCustomerMutation,
):
    pass


class LacSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_unexpected_errors(errors, execution_context)


def build_schema(*, production: bool = False) -> strawberry.Schema:
    """The schema, with parse/validation caches and lac's error presentation."""
    return LacSchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
            *([DisableIntrospection] if production else []),
        ],
        config=StrawberryConfig(
            disable_field_suggestions=production, scalar_map={datetime: DateTime}
        ),
    )


schema = build_schema()
