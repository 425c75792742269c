"""How errors reach clients: every error carries a stable `extensions.code`.

`LacError` keeps its code and message (the query limits use it too); graphql-core giving
up validating a document (too many errors or comparisons) is QUERY_TOO_COMPLEX; other
GraphQL syntax, validation and variable coercion errors become BAD_USER_INPUT (custom
scalars reject input with `LacError`); anything unexpected is masked as
INTERNAL_SERVER_ERROR with no stack trace or internal message in the response (the server
log has the details).
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from graphql.validation.validate import ValidationAbortedError
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionContext, ExecutionResult

from lac.db.faults import database_fault
from lac.resolvers.errors import ErrorCode, LacError

logger = logging.getLogger("lac.errors")

INTERNAL_MESSAGE = "Internal server error."
UNREADABLE_VALUE_MESSAGE = "A value in the query cannot be read as its type."


def present_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, LacError):
        extensions = {**original.extensions, "code": original.code.value}
        message = original.message
    elif isinstance(error, ValidationAbortedError):  # graphql-core gave up: too costly to check
        extensions = {"code": ErrorCode.QUERY_TOO_COMPLEX.value}
        message = error.message
    elif original is None or isinstance(original, GraphQLError):
        code = (error.extensions or {}).get("code", ErrorCode.BAD_USER_INPUT.value)
        extensions = {**(error.extensions or {}), "code": code}
        message = error.message
    elif isinstance(original, ValueError) and error.path is None:  # graphql-core read a literal
        extensions = {"code": ErrorCode.BAD_USER_INPUT.value}
        message = UNREADABLE_VALUE_MESSAGE
    else:
        extensions = {"code": ErrorCode.INTERNAL_SERVER_ERROR.value}
        message = INTERNAL_MESSAGE
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def log_unexpected_errors(errors: list[GraphQLError], context: ExecutionContext | None) -> None:
    """Log what a client cannot see: unexpected exceptions, with their stack traces.

    Database faults are not unexpected: the request answers 503 and
    schema/db_unavailable.py logs them, one line each.
    """
    for error in errors:
        original = error.original_error
        if (
            original is not None
            and not isinstance(original, LacError | GraphQLError)
            and database_fault(original) is None
        ):
            logger.error("unexpected error at %s", error.path, exc_info=original)


def retry_after(result: ExecutionResult) -> int | None:
    """The longest `retryAfter` of the result's RATE_LIMITED errors (for the HTTP header)."""
    waits = [
        int(error.original_error.extensions["retryAfter"])
        for error in result.errors or []
        if isinstance(error.original_error, LacError)
        and error.original_error.code is ErrorCode.RATE_LIMITED
    ]
    return max(waits, default=None)


def present_result(result: ExecutionResult) -> GraphQLHTTPResponse:
    """The HTTP response body of a result, every error presented with its code.

    Done in the HTTP view rather than in a schema extension, because parse errors
    skip the end of extensions' `on_operation`.
    """
    if result.errors:
        result.errors = [present_error(error) for error in result.errors]
    return process_result(result)
