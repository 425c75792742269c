"""Each GraphQL request works in one unit of work: one session, closed after the answer."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from lac.db.session import RequestSession, request_session_factory
from lac.schema.http.piece import HttpPiece
from lac.schema.http.request_state import request_state, store


class OpenUnitOfWork(HttpPiece):
    """ASGI piece: open the request's session (db/session.py) and close it once the pieces
    inside are done, rolling back anything they left uncommitted."""

    def __init__(self, app: ASGIApp, *, engine: AsyncEngine) -> None:
        super().__init__(app)
        self.sessions = request_session_factory(engine)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        session: RequestSession = self.sessions()
        try:
            store(scope, replace(request_state(scope), opened_db=session))
            await self.app(scope, receive, send)
        finally:
            await session.close()
