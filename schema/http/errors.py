"""Every error answer of the service is GraphQL-shaped JSON with a stable `extensions.code`.

Refusals made before GraphQL runs (400, 404, 405, 413, 415) are Starlette
`HTTPException`s, answered here; anything unexpected that escapes the ASGI stack gets
the masked INTERNAL_SERVER_ERROR answer (the server log keeps the traceback).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from lac.resolvers.errors import ErrorCode
from lac.schema.errors import INTERNAL_MESSAGE


def error_response(
    status_code: int, message: str, code: ErrorCode, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A new answer carrying one GraphQL error (new each time: middleware edit its headers)."""
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code.value}}]},
        status_code=status_code,
        headers=headers,
    )


def internal_error() -> JSONResponse:
    return error_response(500, INTERNAL_MESSAGE, ErrorCode.INTERNAL_SERVER_ERROR)


def status_code_error(status_code: int) -> ErrorCode:
    """The code of an HTTP-level refusal: 404 is NOT_FOUND, 403 FORBIDDEN, 5xx
    INTERNAL_SERVER_ERROR, any other status the caller's BAD_USER_INPUT."""
    if status_code == 404:
        return ErrorCode.NOT_FOUND
    if status_code == 403:
        return ErrorCode.FORBIDDEN
    if status_code >= 500:
        return ErrorCode.INTERNAL_SERVER_ERROR
    return ErrorCode.BAD_USER_INPUT


def refusal_response(refusal: HTTPException) -> JSONResponse:
    """The answer to an HTTP-level refusal, with the code of its status."""
    return error_response(
        refusal.status_code,
        refusal.detail,
        status_code_error(refusal.status_code),
        refusal.headers,
    )


async def answer_refusal(_: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return refusal_response(error)


async def answer_unexpected(_: Request, error: Exception) -> Response:
    return internal_error()


EXCEPTION_HANDLERS = {HTTPException: answer_refusal, Exception: answer_unexpected}
