"""Every request gets an id, echoed in `X-Request-Id` and written on its access-log line.

A caller's (or a proxy's) own `X-Request-Id` is kept when it is short and plain, so one id
follows a request through every hop; anything else is replaced by a random one. This
piece runs outermost (around Starlette's own error handling), so even an unexpected 500
carries the id, and it begins the request's typed state (schema/http/request_state.py).
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from lac.schema.http.piece import HttpPiece
from lac.schema.http.request_state import RequestState, store

REQUEST_ID_HEADER = "X-Request-Id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id(incoming: str | None) -> str:
    """The caller's id when it is 1-128 letters, digits or `._:-`; else a new random one."""
    if incoming is not None and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestId(HttpPiece):
    """ASGI piece: begin the request's state with its id; echo the id and note the status."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = RequestState(
            request_id=request_id(Headers(scope=scope).get(REQUEST_ID_HEADER)),
            started=time.perf_counter(),
        )
        store(scope, state)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.outcome.status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = state.request_id
            await send(message)

        await self.app(scope, receive, send_with_id)
