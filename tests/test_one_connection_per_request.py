"""One pooled connection per request: no root field, whoever calls it, holds a second one
(fields that write while their siblings read do so on the request's own session), so
concurrent requests never starve the pool (issue 9)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.schema.app import create_app
from tests.access_matrix import CALLERS, caller_token, own_logout_last
from tests.sessions import JANE
from tests.support import Api, make_api


@contextmanager
def most_connections_held(engine: AsyncEngine) -> Iterator[list[int]]:
    """[the most pooled connections held at once while the block runs]."""
    held, most = [0], [0]

    def checkout(*_: object) -> None:
        held[0] += 1
        most[0] = max(most[0], held[0])

    def checkin(*_: object) -> None:
        held[0] -= 1

    event.listen(engine.sync_engine.pool, "checkout", checkout)
    event.listen(engine.sync_engine.pool, "checkin", checkin)
    try:
        yield most
    finally:
        event.remove(engine.sync_engine.pool, "checkout", checkout)
        event.remove(engine.sync_engine.pool, "checkin", checkin)


@asynccontextmanager
async def app_on(engine: AsyncEngine, settings: Settings, clock: ManualClock) -> AsyncIterator[Api]:
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app) as http:
        yield Api(http)


async def test_no_root_field_holds_two_pooled_connections(
    engine: AsyncEngine, migrated_url: str, settings: Settings, clock: ManualClock
) -> None:
    own_engine = create_engine(migrated_url)
    over_one = []
    try:
        async with app_on(own_engine, settings, clock) as api:
            for caller in CALLERS:
                token = await caller_token(api, caller)
                for name, (query, *_) in own_logout_last(caller):
                    with most_connections_held(own_engine) as most:
                        await api.call(query, token=token)
                    if most[0] > 1:
                        over_one.append((caller, name, most[0]))
    finally:
        await own_engine.dispose()
    assert over_one == []


async def test_concurrent_calls_never_starve_a_one_connection_pool(
    engine: AsyncEngine, migrated_url: str, settings: Settings, clock: ManualClock
) -> None:
    tiny = create_engine(migrated_url, pool_size=1, max_overflow=0, pool_timeout=10)
    try:
        async with app_on(tiny, settings, clock) as api:
            admin = await api.admin_token("admin", "Admin123!")
            customers = [await api.customer_token(JANE, "Customer123!") for _ in range(2)]
            calls = [
                *(
                    api.call("{ activeLoginAsCustomerSessions { id } }", token=admin)
                    for _ in range(16)
                ),
                *(
                    api.call("{ cart { id itemsCount } me { email } }", token=customers[n % 2])
                    for n in range(16)
                ),
            ]
            bodies = await asyncio.gather(*calls)
    finally:
        await tiny.dispose()
    assert [body.get("errors") for body in bodies] == [None] * 32
