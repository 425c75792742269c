"""The shape every ASGI piece of lac shares: it wraps the next app and acts on HTTP only."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from lac.schema.http.request_state import RequestState, request_state


class HttpPiece:
    """An ASGI piece with one job: `handle` runs for HTTP requests; anything else (the
    lifespan) passes straight through to the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request, calling `self.app` for the pieces inside."""
        raise NotImplementedError


class AfterAnswer(HttpPiece):
    """Base of the pieces that record each request once it is answered (or failed), the
    `skipped_paths` aside; the record runs even when the pieces inside raised."""

    skipped_paths: frozenset[str] = frozenset()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] in self.skipped_paths:
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.record(scope, request_state(scope))

    def record(self, scope: Scope, state: RequestState) -> None:
        """Record the answered request."""
        raise NotImplementedError
