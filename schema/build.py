"""Assemble the one strawberry Schema from the per-domain root types."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError, specified_rules
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext

from lac.schema.account import AccountMutation
from lac.schema.admin import AdminMutation, AdminQuery
from lac.schema.assistance_history import AssistanceHistoryMutation, AssistanceHistoryQuery
from lac.schema.audit import AuditQuery
from lac.schema.auth import AuthMutation, AuthQuery
from lac.schema.config import ConfigMutation, ConfigQuery
from lac.schema.customers import CustomersQuery
from lac.schema.documents import DocumentCache
from lac.schema.errors import log_unexpected_errors
from lac.schema.execution import StepwiseSchema
from lac.schema.limits import limits_rule
from lac.schema.log_integrity import LogIntegrityQuery
from lac.schema.login_as_customer import LoginAsCustomerMutation, LoginAsCustomerQuery
from lac.schema.persisted import PersistedQueries, load_trusted
from lac.schema.sales import SalesQuery
from lac.schema.scalars import DateTime
from lac.schema.storefront import StorefrontMutation, StorefrontQuery
from lac.schema.stores import StoresQuery


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
    AssistanceHistoryQuery,
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
    AssistanceHistoryMutation,
):
    pass


class LacSchema(StepwiseSchema):
    persisted: PersistedQueries
    """The operations a request may name by hash (`schema/persisted.py`)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_unexpected_errors(errors, execution_context)


class SuggestionFreeExecutor(StrawberryGraphQLCoreExecutionContext):
    """Executes without "Did you mean ...?" in variable errors (graphql-core's own switch)."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        return super().build(*args, **{**kwargs, "hide_suggestions": True})


def build_schema(*, production: bool = False) -> strawberry.Schema:
    """The schema, with query limits, the document cache, the persisted operations (the
    trusted documents parsed and validated now) and lac's error presentation.

    Production hides introspection and every name suggestion in errors.
    """
    documents = DocumentCache(hide_suggestions=production)
    schema = LacSchema(
        query=Query,
        mutation=Mutation,
        execution_context_class=SuggestionFreeExecutor if production else None,
        config=StrawberryConfig(
            disable_field_suggestions=production, scalar_map={datetime: DateTime}
        ),
    )
    schema.documents = documents
    schema.production = production
    trusted = load_trusted()
    documents.trust(schema._schema, trusted.values(), (limits_rule(()), *specified_rules))
    schema.persisted = PersistedQueries(trusted)
    return schema


schema = build_schema()
