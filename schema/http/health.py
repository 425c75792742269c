"""Probes for orchestrators and load balancers, JSON, without auth: `/healthz` answers
while the process serves; `/readyz` only while the database answers and is migrated
(503 otherwise). They run outside the request scope (no identity, no session) and the
access log leaves them out (schema/http/access_log.py)."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lac.db.migrate import DatabaseNotMigratedError, ensure_migrated
from lac.resolvers.errors import ErrorCode
from lac.schema.http.errors import error_response

HEALTHZ_PATH = "/healthz"
READYZ_PATH = "/readyz"
HEALTH_PATHS = frozenset({HEALTHZ_PATH, READYZ_PATH})
READY_TIMEOUT_SECONDS = 5.0


def health_routes(engine: AsyncEngine) -> list[Route]:
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                await ensure_migrated(engine)
        except DatabaseNotMigratedError:
            return not_ready("The database is not migrated: run `lac db upgrade`.")
        except (SQLAlchemyError, OSError):
            return not_ready("The database is unreachable.")
        return JSONResponse({"status": "ready"})

    return [
        Route(HEALTHZ_PATH, healthz, methods=["GET"]),
        Route(READYZ_PATH, readyz, methods=["GET"]),
    ]


def not_ready(message: str) -> Response:
    return error_response(503, message, ErrorCode.INTERNAL_SERVER_ERROR)
