"""Every answer of the service carries `X-Content-Type-Options: nosniff` and
`Referrer-Policy: no-referrer`: 404s, refusals, GraphiQL, health probes and 500s too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lac.schema.http.piece import HttpPiece

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


class SecurityHeaders(HttpPiece):
    """ASGI middleware adding SECURITY_HEADERS to every HTTP response."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecureStarlette(Starlette):
    """Starlette with SecurityHeaders, then the `around` pieces (outermost first), outside
    its whole stack, so the answers of its outermost ServerErrorMiddleware (unexpected
    exceptions) carry the headers and pass through those pieces too."""

    def __init__(self, *, around: Sequence[Callable[[ASGIApp], ASGIApp]] = (), **kwargs: Any):
        self.around = tuple(around)
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        app = super().build_middleware_stack()
        for piece in reversed(self.around):
            app = piece(app)
        return SecurityHeaders(app)
