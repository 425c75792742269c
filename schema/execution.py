"""One GraphQL operation, start to end, as plain steps in one function.

strawberry runs a schema's extensions around each step of an operation (the operation,
parsing, validation, execution) through context managers it builds per request and per
extension. lac's steps around graphql-core's own are four: the token limit, the query
limits, the document cache and the operation's label for the access log. Run as
extensions they cost about a quarter of a storefront banner request's CPU (issue 11's
profile); here they are calls, in this order:

1. no query text: strawberry's `MissingQueryError` (the view answers 400);
2. parse through the document cache (`schema/documents.py`) with the token limit;
3. the operation's type: `CannotGetOperationTypeError`, or `InvalidOperationTypeError`
   when the HTTP method does not allow it (a mutation over GET: the view answers 405);
4. validate, the limits rule first (`schema/limits.py`), introspection refused in
   production; cached with the document;
5. note the operation's label (`schema/operation_label.py`);
6. execute with graphql-core and strawberry's execution context class.

Errors of any step are handed to `process_errors` (logging) and returned in the result,
as strawberry does; only the three refusals above reach the view as exceptions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, execute, specified_rules
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.exceptions import MissingQueryError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from lac.schema.context import Context
from lac.schema.documents import DocumentCache, Rules
from lac.schema.http.request_state import request_state
from lac.schema.limits import MAX_TOKENS, limits_rule, page_size_variables
from lac.schema.operation_label import operation_label


class StepwiseSchema(strawberry.Schema):
    """A schema whose `execute` runs lac's steps in order (module docstring)."""

    documents: DocumentCache
    production: bool

    def validation_rules(self, variables: dict[str, Any] | None) -> Rules:
        """The limits rule for these page sizes first, then graphql-core's standard rules,
        then (in production) the refusal of introspection."""
        rules: Rules = (limits_rule(page_size_variables(variables)), *specified_rules)
        return (*rules, NoSchemaIntrospectionCustomRule) if self.production else rules

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        execution = ExecutionContext(
            query=query,
            schema=self,
            allowed_operations=(
                DEFAULT_ALLOWED_OPERATION_TYPES
                if allowed_operation_types is None
                else allowed_operation_types
            ),
            context=context_value,
            root_value=root_value,
            variables=variable_values,
            provided_operation_name=operation_name,
            operation_extensions=operation_extensions,
        )
        try:
            return await self._run(execution)
        except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError):
            raise  # the view answers these with their own HTTP status
        except Exception as error:  # as strawberry does: any other failure is a result error
            return self._failed(execution, [_as_graphql_error(error)])

    async def _run(self, execution: ExecutionContext) -> ExecutionResult:
        if not execution.query:
            raise MissingQueryError
        parsed = self.documents.parse(execution.query, {"max_tokens": MAX_TOKENS})
        execution.graphql_document = parsed.document
        try:
            operation_type = execution.operation_type
        except RuntimeError as error:
            raise CannotGetOperationTypeError(execution.operation_name) from error
        if operation_type not in execution.allowed_operations:
            raise InvalidOperationTypeError(operation_type)
        errors = self.documents.validate(
            self._schema, parsed, self.validation_rules(execution.variables)
        )
        if errors:
            return self._failed(execution, errors)
        if isinstance(execution.context, Context):
            request_state(execution.context.request.scope).outcome.operation = operation_label(
                execution
            )
        result = execute(
            self._schema,
            parsed.document,
            root_value=execution.root_value,
            variable_values=execution.variables,
            operation_name=execution.operation_name,
            context_value=execution.context,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            executor_class=self.execution_context_class,
            operation_extensions=execution.operation_extensions,
        )
        if isinstance(result, Awaitable):
            result = await result
        assert isinstance(result, GraphQLExecutionResult)
        if result.errors:
            self._process_errors(result.errors, execution)
        return ExecutionResult(data=result.data, errors=result.errors, extensions={})

    def _failed(self, execution: ExecutionContext, errors: list[GraphQLError]) -> ExecutionResult:
        execution.pre_execution_errors = errors
        self._process_errors(errors, execution)
        return ExecutionResult(data=None, errors=errors, extensions={})


def _as_graphql_error(error: Exception) -> GraphQLError:
    if isinstance(error, GraphQLError):
        return error
    return GraphQLError(str(error), original_error=error)
