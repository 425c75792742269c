"""Who is calling, resolved once per request before GraphQL: the principal and the client.

Resolvers read both from their context and never parse headers.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from lac.core.clock import Clock
from lac.core.settings import Settings
from lac.db.faults import database_fault
from lac.resolvers.auth.identity import resolve_identity
from lac.resolvers.auth.principals import (
    AdminPrincipal,
    CustomerPrincipal,
    ImpersonationPrincipal,
    Principal,
)
from lac.resolvers.context import Client, ServiceContext
from lac.schema.http.client import bearer_token, resolve_client_ip
from lac.schema.http.errors import internal_error
from lac.schema.http.piece import HttpPiece
from lac.schema.http.request_state import request_state, store

logger = logging.getLogger("lac.app")
MAX_USER_AGENT = 512


def principal_kind(principal: Principal) -> str:
    """The kind of caller, as the access log names it (never who it is)."""
    if isinstance(principal, ImpersonationPrincipal):
        return "impersonation"
    if isinstance(principal, CustomerPrincipal):
        return "customer"
    if isinstance(principal, AdminPrincipal):
        return "admin"
    return "anonymous"


class ResolveIdentity(HttpPiece):
    """ASGI piece: resolve the bearer token (one query, resolvers/auth/identity.py) and the
    client address, and settle the request's `ServiceContext`; an impersonation that failed
    its re-check is settled as the session to end (schema/http/failed_sessions.py)."""

    def __init__(self, app: ASGIApp, *, clock: Clock, settings: Settings) -> None:
        super().__init__(app)
        self.clock = clock
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = request_state(scope)
        headers = Headers(scope=scope)
        try:
            identity = await resolve_identity(
                state.db, token=bearer_token(headers.get("authorization")), now=self.clock.now()
            )
        except Exception as error:
            if database_fault(error) is not None:
                raise  # DatabaseFaultGuard answers 503
            logger.exception("resolving the caller failed")
            await internal_error()(scope, receive, send)
            return
        peer = scope.get("client")
        client = Client(
            ip_address=resolve_client_ip(
                peer[0] if peer else None,
                headers.get("x-forwarded-for"),
                self.settings.trusted_proxies,
            ),
            user_agent=(headers.get("user-agent") or "")[:MAX_USER_AGENT] or None,
        )
        service = ServiceContext(
            db=state.db,
            clock=self.clock,
            settings=self.settings,
            principal=identity.principal,
            client=client,
            full_action_name="session re-check",
        )
        state.outcome.principal_kind = principal_kind(identity.principal)
        store(scope, replace(state, resolved_service=service, ending=identity.ending))
        await self.app(scope, receive, send)
