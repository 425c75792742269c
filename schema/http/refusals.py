"""A signed-in caller's refusal is written to the action log once the request is answered."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from lac.resolvers.log.refusals import log_refusal
from lac.schema.http.piece import HttpPiece
from lac.schema.http.request_state import request_state


class RecordRefusals(HttpPiece):
    """ASGI piece: after the pieces inside answered, write the `access.denied` entry of the
    request's first refusal (resolvers/log/refusals.py), in a transaction of its own."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        state = request_state(scope)
        await log_refusal(state.service, state.notes)
