"""What one request of a scenario does, recorded through the real app in-process (httpx's
ASGI transport): its SQL statements with their parameters, and its answer.

The statements are counted without a clock (a `before_cursor_execute` listener) and become
the floor's plan (`bench.floor_app`), so the floor runs exactly lac's SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import event

from bench.floor_app import ENCODERS, FloorPlan
from bench.processes import GRAPHQL_PATH, HOST
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.schema.app import create_app

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


@dataclass(frozen=True)
class Recording:
    statements: list[tuple[str, Any]]
    answer: bytes

    @property
    def sql_count(self) -> int:
        """Statements that are not transaction control."""
        return sum(
            1
            for sql, _ in self.statements
            if not sql.lstrip().upper().startswith(TRANSACTION_CONTROL)
        )

    def floor_plan(self) -> FloorPlan:
        """The floor's replay: the same statements (transaction control left out: the floor
        runs in autocommit), and the encoder that gives lac's bytes exactly."""
        data = json.loads(self.answer)
        for name, encode in ENCODERS.items():
            try:
                if encode(data) == self.answer:
                    statements = [
                        (sql, parameters)
                        for sql, parameters in self.statements
                        if not sql.lstrip().upper().startswith(TRANSACTION_CONTROL)
                    ]
                    return FloorPlan(statements=statements, data=data, encoder=name)
            except ImportError:
                continue
        raise RuntimeError(f"no floor encoder reproduces lac's answer: {self.answer[:200]!r}")


Request = Callable[[httpx.AsyncClient], Any]


async def record(database_url: str, requests: dict[str, Request]) -> dict[str, Recording]:
    """Each named request run twice through the real app (a warm-up, then recorded)."""
    engine = create_engine(Settings(database_url=database_url).database_url)
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    recordings: dict[str, Recording] = {}
    try:
        app = create_app(Settings(database_url=database_url), engine=engine)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{HOST}"
            ) as client,
        ):
            for name, send in requests.items():
                await send(client)
                seen.clear()
                event.listen(engine.sync_engine, "before_cursor_execute", listen)
                try:
                    response: httpx.Response = await send(client)
                finally:
                    event.remove(engine.sync_engine, "before_cursor_execute", listen)
                if response.status_code != 200 or b'"errors"' in response.content:
                    raise RuntimeError(f"{name}: unexpected answer {response.content[:300]!r}")
                recordings[name] = Recording(list(seen), response.content)
    finally:
        await engine.dispose()
    return recordings


def post(body: bytes, headers: dict[str, str]) -> Request:
    async def send(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(GRAPHQL_PATH, content=body, headers=headers)

    return send
