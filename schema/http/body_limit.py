"""Request bodies over 1 MiB (DESIGN.md section 11) are refused with 413 while they are read.

A declared Content-Length over the limit is refused before anything is read; a body
without one (chunked) is counted as it arrives and refused at the first chunk past the
limit, so no layer above ever buffers more than the limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lac.schema.http.errors import refusal_response
from lac.schema.http.piece import HttpPiece

MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {max_bytes} bytes.")


class BodyLimit(HttpPiece):
    """ASGI middleware: `receive` that raises `BodyTooLarge` past `max_bytes` (the app's
    exception handler answers it as JSON, like every refusal)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _content_length(Headers(scope=scope))
        if declared is not None and declared > self.max_bytes:
            await refusal_response(BodyTooLarge(self.max_bytes))(scope, receive, send)
            return
        await self.app(scope, self._limited(receive), send)

    def _limited(self, receive: Receive) -> Receive:
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        return receive_within_limit


def _content_length(headers: Headers) -> int | None:
    try:
        return int(headers.get("content-length", ""))
    except ValueError:
        return None
