"""The ASGI application: Starlette, the request scope, and strawberry's GraphQL view."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.ides import GraphQL_IDE
from strawberry.types import ExecutionResult

from lac.core.clock import Clock, SystemClock
from lac.core.passwords import warm_up
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.db.faults import database_fault
from lac.db.migrate import ensure_migrated
from lac.db.session import RequestSession, session_factory
from lac.resolvers.auth.identity import resolve_identity
from lac.resolvers.context import Client, ServiceContext
from lac.resolvers.log.refusals import RequestNotes, log_refusal
from lac.resolvers.login_as_customer.session_end import end_failed_recheck
from lac.schema.build import build_schema
from lac.schema.context import Context
from lac.schema.db_unavailable import DatabaseFaultGuard, raise_database_fault
from lac.schema.errors import present_result, retry_after
from lac.schema.http.body_limit import BodyLimit
from lac.schema.http.client import bearer_token, resolve_client_ip
from lac.schema.http.clients import client_routes
from lac.schema.http.cors import Cors
from lac.schema.http.errors import EXCEPTION_HANDLERS, internal_error
from lac.schema.http.health import health_routes
from lac.schema.http.response_headers import with_headers
from lac.schema.http.security_headers import SecureStarlette
from lac.schema.http.view import JsonGraphQL
from lac.schema.loaders import create_loaders

logger = logging.getLogger("lac.app")
GRAPHQL_PATH = "/graphql"
MAX_USER_AGENT = 512


class RequestScope:
    """Per HTTP request: open the unit of work and resolve who is calling, before GraphQL.

    The principal and the client address are resolved once here; resolvers read
    them from the context and never parse headers. The session closes after the
    response, rolling back anything left uncommitted.
    """

    def __init__(
        self, app: ASGIApp, *, engine: AsyncEngine, clock: Clock, settings: Settings
    ) -> None:
        self.app = app
        self.sessions = session_factory(engine)
        self.clock = clock
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        peer = scope.get("client")
        session: RequestSession = self.sessions()
        try:
            try:
                identity = await resolve_identity(
                    session, token=bearer_token(headers.get("authorization")), now=self.clock.now()
                )
            except Exception as error:
                if database_fault(error) is not None:
                    raise  # DatabaseFaultGuard answers 503
                logger.exception("resolving the caller failed")
                await internal_error()(scope, receive, send)
                return
            client = Client(
                ip_address=resolve_client_ip(
                    peer[0] if peer else None,
                    headers.get("x-forwarded-for"),
                    self.settings.trusted_proxies,
                ),
                user_agent=(headers.get("user-agent") or "")[:MAX_USER_AGENT] or None,
            )
            service_context = ServiceContext(
                db=session,
                clock=self.clock,
                settings=self.settings,
                principal=identity.principal,
                client=client,
                full_action_name="session re-check",
            )
            if identity.ending is not None:
                ending = identity.ending
                await end_failed_recheck(service_context, ending.session, ending.cause)
            notes = RequestNotes()
            scope.setdefault("state", {}).update(lac=service_context, lac_notes=notes)
            await self.app(scope, receive, with_headers(send, identity.principal, notes))
            await log_refusal(service_context, notes)
        finally:
            await session.close()


class LacGraphQL(JsonGraphQL[Context, None]):
    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        service_context: ServiceContext = request.state.lac
        return Context(
            request=request,
            response=response,
            service=service_context,
            loaders=create_loaders(service_context.db, service_context.clock),
            notes=request.state.lac_notes,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        raise_database_fault(result)
        request.state.lac_notes.retry_after = retry_after(result)
        return present_result(result)


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
) -> Starlette:
    """Build the service. Refuses to start (at lifespan start-up) on an un-migrated database."""
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    owns_engine = engine is None
    engine = engine or create_engine(settings.database_url, settings.database_timeouts)
    ide: GraphQL_IDE | None = None if settings.is_production else "graphiql"
    graphql = LacGraphQL(
        build_schema(production=settings.is_production),
        graphql_ide=ide,
        allow_queries_via_get=True,
        subscription_protocols=(),
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await ensure_migrated(engine)
        await warm_up()
        yield
        if owns_engine:
            await engine.dispose()

    scoped = RequestScope(graphql, engine=engine, clock=clock, settings=settings)
    return SecureStarlette(
        routes=[
            Route(GRAPHQL_PATH, DatabaseFaultGuard(scoped), methods=["GET", "POST"]),
            *health_routes(engine),
            *client_routes(production=settings.is_production),
        ],
        middleware=[
            Middleware(
                Cors,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            ),
            Middleware(BodyLimit),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
