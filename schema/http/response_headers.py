"""Headers that depend on who called and what the answer holds: Cache-Control, Retry-After."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from lac.resolvers.auth.principals import (
    AdminPrincipal,
    CustomerPrincipal,
    ImpersonationPrincipal,
    Principal,
)
from lac.schema.http.piece import HttpPiece
from lac.schema.http.request_state import request_state


def cache_control(principal: Principal, *, carries_credential: bool) -> str | None:
    """The Cache-Control header a response to this caller must carry, if any.

    An answer carrying a token or a secret is never stored. Impersonated pages are
    never stored when `disablePageCacheForAdminUser` is on, and are private otherwise;
    every customer-authenticated response is at least private; admin responses are
    never stored; anonymous public responses may be cached.
    """
    if carries_credential:
        return "no-store"
    if isinstance(principal, ImpersonationPrincipal):
        return "no-store" if principal.page_cache_disabled else "private"
    if isinstance(principal, CustomerPrincipal):
        return "private"
    if isinstance(principal, AdminPrincipal):
        return "no-store"
    return None


class ResponseHeaders(HttpPiece):
    """ASGI piece: add the Cache-Control header the caller's responses must carry, and
    Retry-After when the request was rate limited (both known once GraphQL has run)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = request_state(scope)
        principal, notes = state.service.principal, state.notes

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                caching = cache_control(principal, carries_credential=notes.carries_credential)
                if caching is not None:
                    headers["Cache-Control"] = caching
                if notes.retry_after is not None:
                    headers["Retry-After"] = str(notes.retry_after)
            await send(message)

        await self.app(scope, receive, send_with_headers)
