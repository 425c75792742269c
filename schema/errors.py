"""How errors reach clients: every error carries a stable `extensions.code`.

`LacError` keeps its code and message; GraphQL syntax and validation errors become
BAD_USER_INPUT; anything unexpected is masked as INTERNAL_SERVER_ERROR with no stack
trace or internal message in the response (the server log has the details).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.errors import ErrorCode, LacError

logger = logging.getLogger("lac.errors")

INTERNAL_MESSAGE = "Internal server error."


def present_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, LacError):
        extensions = {**original.extensions, "code": original.code.value}
        message = original.message
    elif original is None:
        code = (error.extensions or {}).get("code", ErrorCode.BAD_USER_INPUT.value)
        extensions = {**(error.extensions or {}), "code": code}
        message = error.message
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
    """Log what a client cannot see: unexpected exceptions, with their stack traces."""
    for error in errors:
        original = error.original_error
        if original is not None and not isinstance(original, LacError):
            logger.error("unexpected error at %s", error.path, exc_info=original)


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [present_error(error) for error in result.errors]
