"""`/metrics` for Prometheus, and the piece that counts every request into it.

`/metrics` is off unless LAC_METRICS lists the addresses allowed to scrape it: with it
unset the path is not there (404), and a peer outside the list is refused (403). The
list is matched against the TCP peer, never X-Forwarded-For (a header anyone can send).
The number of active Login-as-Customer sessions is read from the database on each
scrape (one COUNT on an index), so it is exact whatever worker answers and however
sessions ended; a scrape while the database is unreachable leaves that one gauge out.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Scope

from lac.core.clock import Clock
from lac.core.metrics import REQUEST_SECONDS, REQUESTS, process_registry
from lac.core.settings import Settings
from lac.db.session import session_factory
from lac.resolvers.login_as_customer.session_end import count_active_sessions
from lac.schema.http.health import HEALTH_PATHS
from lac.schema.http.piece import AfterAnswer
from lac.schema.http.request_state import Outcome, RequestState

logger = logging.getLogger("lac.metrics")

METRICS_PATH = "/metrics"
POLLED_PATHS = HEALTH_PATHS | {METRICS_PATH}
SCRAPE_DB_TIMEOUT_SECONDS = 5.0
NO_OPERATION = "-"  # the request ran no GraphQL operation (refused before, or another path)
OTHER_OPERATIONS = "other"
MAX_OPERATION_LABELS = 500
REFUSED_STATUS = 400
FAILED_STATUS = 500


class OperationLabels:
    """The `operation` label of a request (schema/operation_label.py), at most
    MAX_OPERATION_LABELS distinct values per process: clients choose operation names, and
    Prometheus must not get unbounded series."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def label(self, operation: str | None) -> str:
        if operation is None:
            return NO_OPERATION
        if operation in self.seen:
            return operation
        if len(self.seen) >= MAX_OPERATION_LABELS:
            return OTHER_OPERATIONS
        self.seen.add(operation)
        return operation


def outcome_label(outcome: Outcome) -> str:
    """`ok`; `error` (GraphQL errors in a 200); `refused` (HTTP 4xx); `failed` (HTTP 5xx)."""
    status = outcome.answered_status
    if status >= FAILED_STATUS:
        return "failed"
    if status >= REFUSED_STATUS:
        return "refused"
    return "ok" if outcome.code is None else "error"


class RequestMetrics(AfterAnswer):
    """ASGI piece: count each request (not the polled paths) and time it, once answered."""

    skipped_paths = POLLED_PATHS

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.operations = OperationLabels()

    def record(self, scope: Scope, state: RequestState) -> None:
        outcome = state.outcome
        operation = self.operations.label(outcome.operation)
        REQUESTS.labels(operation, outcome_label(outcome), outcome.code or "").inc()
        REQUEST_SECONDS.labels(operation).observe(state.elapsed())


class ActiveSessions(Collector):
    """The gauge of active Login-as-Customer sessions, as counted for this scrape."""

    def __init__(self, active: int) -> None:
        self.active = active

    def collect(self) -> Iterable[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "lac_login_as_customer_active_sessions",
            "Login-as-Customer sessions active now (read from the database at each scrape).",
            value=self.active,
        )


def metrics_routes(engine: AsyncEngine, clock: Clock, settings: Settings) -> list[Route]:
    """`/metrics` when LAC_METRICS is set; no route (a 404) otherwise."""
    if not settings.metrics_enabled:
        return []
    sessions = session_factory(engine)

    async def metrics(request: Request) -> Response:
        peer = request.client.host if request.client else None
        if not _allowed(peer, settings):
            raise HTTPException(403, "This address may not read /metrics (see LAC_METRICS).")
        body = generate_latest(process_registry())
        try:
            async with asyncio.timeout(SCRAPE_DB_TIMEOUT_SECONDS), sessions() as db:
                active = await count_active_sessions(db, clock.now())
        except (SQLAlchemyError, OSError, TimeoutError):
            logger.warning("active sessions could not be counted for /metrics")
        else:
            registry = CollectorRegistry(auto_describe=False)
            registry.register(ActiveSessions(active))
            body += generate_latest(registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return [Route(METRICS_PATH, metrics, methods=["GET"])]


def _allowed(peer: str | None, settings: Settings) -> bool:
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    return any(address in network for network in settings.metrics_clients)
