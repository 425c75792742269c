"""The ASGI application: Starlette, the pieces a GraphQL request passes, strawberry's view."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.ides import GraphQL_IDE
from strawberry.types import ExecutionResult

from lac.core.clock import Clock, SystemClock
from lac.core.passwords import warm_up
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.db.migrate import ensure_migrated
from lac.schema.build import build_schema
from lac.schema.context import Context
from lac.schema.db_unavailable import DatabaseFaultGuard, raise_database_fault
from lac.schema.errors import present_result, retry_after
from lac.schema.http.access_log import AccessLog
from lac.schema.http.body_limit import BodyLimit
from lac.schema.http.caller import ResolveIdentity
from lac.schema.http.clients import client_routes
from lac.schema.http.cors import Cors
from lac.schema.http.errors import EXCEPTION_HANDLERS
from lac.schema.http.failed_sessions import EndFailedSessions
from lac.schema.http.health import health_routes
from lac.schema.http.metrics import RequestMetrics, metrics_routes
from lac.schema.http.refusals import RecordRefusals
from lac.schema.http.request_id import REQUEST_ID_HEADER, RequestId
from lac.schema.http.request_state import request_state
from lac.schema.http.response_headers import ResponseHeaders
from lac.schema.http.security_headers import SecureStarlette
from lac.schema.http.unit_of_work import OpenUnitOfWork
from lac.schema.http.view import JsonGraphQL
from lac.schema.loaders import Loaders

GRAPHQL_PATH = "/graphql"


class LacGraphQL(JsonGraphQL[Context, None]):
    """The GraphQL view: its context from the request's typed state; its result presented
    with codes, the first code noted for the access log and the metrics."""

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        state = request_state(request.scope)
        service = state.service
        return Context(
            request=request,
            response=response,
            service=service,
            loaders=Loaders(service.db, service.clock),
            notes=state.notes,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        raise_database_fault(result)
        state = request_state(request.scope)
        state.notes.retry_after = retry_after(result)
        presented = present_result(result)
        first = result.errors[0] if result.errors else None  # presented: each has its code
        if first is not None and first.extensions:
            state.outcome.error_code = str(first.extensions.get("code"))
        return presented


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    *,
    freeze_after_start: bool = False,
) -> Starlette:
    """Build the service. Refuses to start (at lifespan start-up) on an un-migrated database.

    With `freeze_after_start` (a served process: `served_app`), start-up ends by moving every
    object alive then (modules, the schema, the models) out of the cyclic collector's reach
    (`gc.freeze`), so its full collections scan only what requests make: with the hundreds
    of thousands of start-up objects scanned, they were the tail of the latency (`make bench`:
    p95 of `{ __typename }` 91 -> 23 ms, CPU per request -20%). Not for apps built and
    dropped in one process (tests): what is frozen is only freed by reference counting.
    """
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
        if freeze_after_start:
            gc.collect()
            gc.freeze()
        yield
        if owns_engine:
            await engine.dispose()

    # one job each, outermost first; each hands the next the request's typed state
    graphql_request = DatabaseFaultGuard(
        OpenUnitOfWork(
            ResolveIdentity(
                EndFailedSessions(RecordRefusals(ResponseHeaders(graphql))),
                clock=clock,
                settings=settings,
            ),
            engine=engine,
        )
    )
    return SecureStarlette(
        around=[RequestId, AccessLog, RequestMetrics],
        routes=[
            Route(GRAPHQL_PATH, graphql_request, methods=["GET", "POST"]),
            *health_routes(engine),
            *metrics_routes(engine, clock, settings),
            *client_routes(production=settings.is_production),
        ],
        middleware=[
            Middleware(
                Cors,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
                expose_headers=[REQUEST_ID_HEADER, "Retry-After"],
            ),
            Middleware(BodyLimit),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )


def served_app() -> Starlette:
    """The app `lac serve` runs in each worker: settings from the environment, start-up
    objects frozen (`create_app`)."""
    return create_app(freeze_after_start=True)
