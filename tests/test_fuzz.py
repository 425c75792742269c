"""Fuzzing: generated operations and malformed requests, sent as every kind of caller to the
real app. No answer may be a 5xx, non-JSON, carry a stack trace or a masked internal error,
and the action log must verify afterwards (tests/fuzz_checks.py has the rules).

LAC_FUZZ_CASES valid operations are generated from the live schema by hypothesis-graphql
(default 2,000; `make fuzz` sends 10,000), plus a tenth as many invalid operations and as many
malformed requests; the fixed list of classic malformed requests goes to every caller.
Batches of 100 each start from the seeded data with fresh tokens, so a generated
`adminLogout` or role change costs the rest of the run nothing. Generation is seeded: a
failing batch fails again on the next run.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.models import AdminActionLogEntry
from lac.db.seed import ADMINS, CUSTOMER_PASSWORD
from lac.resolvers.log.chain import verify
from lac.schema.app import create_app
from tests.fuzz_bodies import FIXED_REQUESTS, malformed_requests
from tests.fuzz_checks import FuzzTally, inspect_answer, tally_of
from tests.fuzz_documents import FuzzRequest, operations
from tests.sessions import JANE, start_live_session
from tests.support import Api, make_api

VALID_OPERATIONS = int(os.environ.get("LAC_FUZZ_CASES", "2000"))
EXTRAS = VALID_OPERATIONS // 10
CALLERS = (*(admin.username for admin in ADMINS), "customer", "impersonation", "nobody")
BATCH_SIZE = 100
PLAN_SIZE = VALID_OPERATIONS + 2 * EXTRAS + len(FIXED_REQUESTS) * len(CALLERS)
MAX_GENERATION_RUNS = 10
FUZZ_IP = "198.51.100.23"  # not the setup client's address, so fuzzed logins rate limit only it

Plan = list[tuple[str, FuzzRequest]]


def distinct_examples(strategy: st.SearchStrategy[FuzzRequest], count: int) -> list[FuzzRequest]:
    """`count` different requests drawn from `strategy`, the same ones on every run."""
    found: dict[FuzzRequest, None] = {}
    for run in range(MAX_GENERATION_RUNS):
        if len(found) >= count:
            break

        @seed(run)
        @settings(
            max_examples=(count - len(found)) * 11 // 10 + 10,  # for the duplicates
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def collect(request: FuzzRequest) -> None:
            found.setdefault(request)

        collect()
    assert len(found) >= count, f"only {len(found)} distinct requests of {count}"
    return list(found)[:count]


@pytest.fixture(scope="module")
def plan() -> Plan:
    """Who sends what, in order: generated requests to the callers in turn, and every fixed
    malformed request to each caller."""
    generated = (
        distinct_examples(operations(), VALID_OPERATIONS)
        + distinct_examples(operations(valid=False), EXTRAS)
        + distinct_examples(malformed_requests, EXTRAS)
    )
    cases = [(CALLERS[i % len(CALLERS)], request) for i, request in enumerate(generated)]
    cases += [(caller, request) for request in FIXED_REQUESTS for caller in CALLERS]
    random.Random(9).shuffle(cases)
    return cases


class EscapeRecorder:
    """The app, noting any exception it lets escape (the transport turns it into a 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.escaped: BaseException | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.escaped = None
        try:
            await self.app(scope, receive, send)
        except Exception as error:
            self.escaped = error
            raise


@dataclass
class FuzzTarget:
    setup: Api
    fuzz: httpx.AsyncClient
    recorder: EscapeRecorder


@pytest.fixture
async def target(
    engine: AsyncEngine, settings: Settings, clock: ManualClock
) -> AsyncIterator[FuzzTarget]:
    app = create_app(settings, clock, engine=engine)
    recorder = EscapeRecorder(app)
    async with (
        app.router.lifespan_context(app),
        make_api(app) as setup,
        make_api(recorder, FUZZ_IP, raise_app_exceptions=False) as fuzz,
    ):
        yield FuzzTarget(Api(setup), fuzz, recorder)


async def caller_tokens(
    setup: Api, db_session: AsyncSession, clock: ManualClock
) -> dict[str, str | None]:
    """A token for each caller: the four demo admins, Jane, support acting as Jane, nobody."""
    tokens: dict[str, str | None] = {
        admin.username: await setup.admin_token(admin.username, admin.password) for admin in ADMINS
    }
    tokens["customer"] = await setup.customer_token(JANE, CUSTOMER_PASSWORD)
    tokens["impersonation"] = (await start_live_session(db_session, clock)).token
    tokens["nobody"] = None
    return tokens


async def send(
    client: httpx.AsyncClient, request: FuzzRequest, token: str | None
) -> httpx.Response:
    headers = {"Accept": "application/json"}  # a GET without one would get GraphiQL
    if request.content_type is not None:
        headers["Content-Type"] = request.content_type
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await client.request(
        request.method, request.target, content=request.body or None, headers=headers
    )


async def describe_log_break(db_session: AsyncSession) -> str | None:
    """None when the action log verifies, else the first entry that breaks its chain."""
    verification = await verify(db_session)
    if verification.valid:
        return None
    entry = await db_session.get(AdminActionLogEntry, verification.first_broken_entry_id)
    assert entry is not None
    return (
        f"[action log] broken at entry {entry.id}: {entry.action} {entry.result}"
        f" by {entry.username!r:.80} details {entry.details!r:.120}"
    )


@pytest.mark.parametrize("batch", range(math.ceil(PLAN_SIZE / BATCH_SIZE)))
async def test_no_request_breaks_an_answer_or_the_log(
    batch: int,
    plan: Plan,
    target: FuzzTarget,
    db_session: AsyncSession,
    clock: ManualClock,
    pytestconfig: pytest.Config,
) -> None:
    tokens = await caller_tokens(target.setup, db_session, clock)
    run_tally, batch_tally = tally_of(pytestconfig), FuzzTally()
    for caller, request in plan[batch * BATCH_SIZE : (batch + 1) * BATCH_SIZE]:
        response = await send(target.fuzz, request, tokens[caller])
        found = inspect_answer(request, response, target.recorder.escaped)
        run_tally.record(caller, request, found)
        batch_tally.record(caller, request, found)

    log_break = await describe_log_break(db_session)
    run_tally.record_log(log_break)
    batch_tally.record_log(log_break)
    if batch_tally.failed:
        pytest.fail("\n".join(batch_tally.report()), pytrace=False)
