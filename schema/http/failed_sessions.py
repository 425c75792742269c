"""An impersonation that failed its per-request re-check ends before anything else runs."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from lac.resolvers.login_as_customer.session_end import end_failed_recheck
from lac.schema.http.piece import HttpPiece
from lac.schema.http.request_state import request_state


class EndFailedSessions(HttpPiece):
    """ASGI piece: end the Login-as-Customer session the caller's re-check failed (its own
    write transaction and log entry); the request itself then runs as anonymous."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = request_state(scope)
        if state.ending is not None:
            await end_failed_recheck(state.service, state.ending.session_id, state.ending.cause)
        await self.app(scope, receive, send)
