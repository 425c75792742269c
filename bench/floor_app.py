"""The hand-written floor: a bare Starlette app that runs exactly the SQL a lac request runs
and answers byte-identical JSON, with no GraphQL, no ORM and no middleware.

`bench.record` captures, through the real app, the statements (with their parameters) one
request of a scenario runs and its answer; this app replays them on a small pool of raw
driver connections (psycopg in autocommit, or sqlite3 through aiosqlite), fetches every
row, and encodes the answer with the encoder that reproduces lac's bytes. `POST /graphql`
is the bare floor of `{ __typename }` (no SQL). Served by uvicorn like `lac serve`.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

POOL_SIZE = 8
TYPENAME_BODY = json.dumps({"data": {"__typename": "Query"}}).encode()


@dataclass(frozen=True)
class FloorPlan:
    """One scenario's request as the floor replays it."""

    statements: list[tuple[str, Any]]
    data: Any  # the parsed answer
    encoder: str  # a key of ENCODERS


def _orjson(data: Any) -> bytes:
    import orjson  # type: ignore[import-not-found,unused-ignore]  # only if lac answers with it

    encoded: bytes = orjson.dumps(data)
    return encoded


ENCODERS: dict[str, Callable[[Any], bytes]] = {
    "json": lambda data: json.dumps(data).encode(),
    "compact": lambda data: json.dumps(data, separators=(",", ":")).encode(),
    "orjson": _orjson,
}


class Pool:
    """A fixed set of raw connections handed out one request at a time."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.idle: asyncio.Queue[Any] = asyncio.Queue()
        self.all: list[Any] = []

    async def open(self) -> None:
        for _ in range(POOL_SIZE):
            if self.database.startswith("postgresql"):
                import psycopg

                connection: Any = await psycopg.AsyncConnection.connect(
                    self.database, autocommit=True
                )
            else:
                import aiosqlite

                connection = await aiosqlite.connect(self.database, isolation_level=None)
            self.all.append(connection)
            self.idle.put_nowait(connection)

    async def close(self) -> None:
        for connection in self.all:
            await connection.close()

    async def run(self, statements: list[tuple[str, Any]]) -> None:
        connection = await self.idle.get()
        try:
            for sql, parameters in statements:
                cursor = await connection.execute(sql, parameters)
                await cursor.fetchall()
        finally:
            self.idle.put_nowait(connection)


def _plans() -> dict[str, FloorPlan]:
    path = os.environ.get("BENCH_FLOOR_PLAN")
    plans: dict[str, FloorPlan] = pickle.loads(Path(path).read_bytes()) if path else {}  # noqa: S301 (our own file)
    return plans


PLANS = _plans()
POOL = Pool(os.environ.get("BENCH_FLOOR_DATABASE", ""))


async def typename(request: Request) -> Response:
    await request.body()
    return Response(TYPENAME_BODY, media_type="application/json")


async def floor(request: Request) -> Response:
    """Read the body, run the scenario's SQL, encode its answer."""
    await request.body()
    plan = PLANS[request.path_params["name"]]
    await POOL.run(plan.statements)
    return Response(ENCODERS[plan.encoder](plan.data), media_type="application/json")


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    if POOL.database:
        await POOL.open()
    try:
        yield
    finally:
        await POOL.close()


app = Starlette(
    routes=[
        Route("/graphql", typename, methods=["POST"]),
        Route("/floor/{name}", floor, methods=["POST"]),
    ],
    lifespan=lifespan,
)
