"""A lost or stuck database answers HTTP 503 with a JSON GraphQL error, never a hang or a 500.

A database fault (db/faults.py) can surface before GraphQL (resolving the caller), in a
resolver (where graphql-core would catch it and the client would see a masked error in
an HTTP 200), or after the response. The GraphQL view hands resolver faults back with
`raise_database_fault`; `DatabaseFaultGuard`, the ASGI layer around the GraphQL route,
turns every fault that reaches it into the 503 answer. The driver's message goes to the
server log, one line, never to the client.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send
from strawberry.types import ExecutionResult

from lac.db.faults import database_fault, driver_message
from lac.schema.http.piece import HttpPiece

logger = logging.getLogger("lac.database")

UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Try again shortly."
UNAVAILABLE_STATUS = 503


def unavailable_response() -> JSONResponse:
    return JSONResponse(
        {
            "data": None,
            "errors": [
                {
                    "message": UNAVAILABLE_MESSAGE,
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                }
            ],
        },
        status_code=UNAVAILABLE_STATUS,
    )


def raise_database_fault(result: ExecutionResult) -> None:
    """Re-raise a database fault that graphql-core caught in a resolver, so that the
    request answers 503 instead of a masked error in a 200."""
    for error in result.errors or ():
        original = error.original_error
        if original is not None and database_fault(original) is not None:
            raise original


class DatabaseFaultGuard(HttpPiece):
    """ASGI middleware: a database fault raised by the app becomes the 503 answer.

    Raised after the response started (e.g. while writing a refusal's log entry), it
    is only logged: the client already has its answer.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception as error:
            fault = database_fault(error)
            if fault is None:
                raise
            logger.warning("database %s: %s", fault, driver_message(error))
            if not started:
                await unavailable_response()(scope, receive, send)
