"""One request must not undo a security count, lose a refusal's log entry, slip past a limit
by racing, or leave traces of a refused call (issue 9; one connection per request is
tests/test_one_connection_per_request.py)."""

from __future__ import annotations

import asyncio
import http.client
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.engine import begin_write
from lac.db.models import (
    AdminActionLogEntry,
    AuthFailure,
    ConfigValue,
    LoginAsCustomerSession,
    LoginThrottle,
)
from lac.db.upsert import insert_if_missing
from lac.resolvers.login_as_customer.config import (
    ENABLED_PATH,
    REQUIRE_REASON_PATH,
    STORE_VIEW_MANUAL_CHOICE_PATH,
)
from tests.server import LacDb, lac_env, running_server
from tests.sessions import JANE, start_live_session
from tests.support import ADMIN_LOGIN, CUSTOMER_LOGIN, Api

EXCHANGE = 'mutation { exchangeLoginAsCustomerSecret(secret: "guess") { token } }'
GENERATE = (
    "mutation($input: GenerateCustomerTokenAsAdminInput!) "
    "{ generateCustomerTokenAsAdmin(input: $input) { customer_token } }"
)
START = "mutation($input: LoginAsCustomerInput!) { loginAsCustomer(input: $input) { secret } }"
TRIGGER = "lac_test_refuse_log_entry"


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def entries(db_session: AsyncSession, action: str | None = None) -> list[AdminActionLogEntry]:
    await db_session.rollback()  # a fresh read: see what the app committed
    statement = select(AdminActionLogEntry).order_by(col(AdminActionLogEntry.id))
    if action is not None:
        statement = statement.where(AdminActionLogEntry.action == action)
    return list((await db_session.exec(statement)).all())


@asynccontextmanager
async def log_refusing(engine: AsyncEngine, condition: str) -> AsyncIterator[None]:
    """The database refuses to store log entries matching `condition` (on `NEW`), as a full
    disk, a broken column or a value the database cannot hold would."""
    if engine.dialect.name == "postgresql":
        create = [
            f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'log entry refused'; END $$",
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON admin_action_log FOR EACH ROW "
            f"WHEN ({condition}) EXECUTE FUNCTION {TRIGGER}()",
        ]
        drop = [f"DROP TRIGGER {TRIGGER} ON admin_action_log", f"DROP FUNCTION {TRIGGER}()"]
    else:
        create = [
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON admin_action_log "
            f"WHEN {condition} BEGIN SELECT RAISE(ABORT, 'log entry refused'); END"
        ]
        drop = [f"DROP TRIGGER {TRIGGER}"]
    await run_ddl(engine, create)
    try:
        yield
    finally:
        await run_ddl(engine, drop)


async def run_ddl(engine: AsyncEngine, statements: list[str]) -> None:
    async with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            # a pooled connection parses DDL against the schema it read last: read it anew
            await connection.execute(text("SELECT count(*) FROM sqlite_master"))
        for statement in statements:
            await connection.execute(text(statement))


async def count(db_session: AsyncSession, model: Any) -> int:
    await db_session.rollback()
    return (await db_session.exec(select(func.count()).select_from(model))).one()


# 1. Security counts that nothing later in the request can undo


async def test_failed_sign_ins_lock_the_name_even_when_their_log_entries_cannot_be_written(
    api: Api, engine: AsyncEngine, db_session: AsyncSession
) -> None:
    async with log_refusing(engine, "NEW.username = 'support' AND NEW.result = 'FAILURE'"):
        for n in range(6):
            body = await api.call(ADMIN_LOGIN, {"username": "support", "password": f"Wrong{n}1"})
            assert codes(body) == ["UNAUTHENTICATED"]
        body = await api.call(ADMIN_LOGIN, {"username": "support", "password": "Support123!"})
        assert codes(body) == ["ACCOUNT_LOCKED"]
    await db_session.rollback()
    throttle = (await db_session.exec(select(LoginThrottle))).one()
    assert (throttle.login_name, throttle.failure_count) == ("admin:support", 6)
    assert throttle.locked_until is not None
    assert await count(db_session, AuthFailure) == 7  # the locked attempt counts too
    assert await entries(db_session) == []  # the database refused each entry


@pytest.mark.parametrize(
    ("failing_action", "attempt", "refusal"),
    [
        ("admin.login_failed", "sign-in", "UNAUTHENTICATED"),
        ("login_as_customer.exchange", "exchange", "SECRET_INVALID_OR_EXPIRED"),
    ],
)
async def test_the_rate_limit_counts_failures_whose_log_entries_cannot_be_written(
    api: Api, engine: AsyncEngine, failing_action: str, attempt: str, refusal: str
) -> None:
    async def attempt_once(n: int) -> list[str]:
        if attempt == "exchange":
            return codes(await api.call(EXCHANGE))
        return codes(await api.call(ADMIN_LOGIN, {"username": f"x{n}", "password": "Wrong1"}))

    async with log_refusing(engine, f"NEW.action = '{failing_action}'"):
        assert [await attempt_once(n) for n in range(30)] == [[refusal]] * 30
        assert await attempt_once(30) == ["RATE_LIMITED"]


# 2. Refusals always reach the log, once per request, and never break the response

REFUSED_QUERIES = [
    "{ roles { id } websites { name } }",
    "{ websites { name storeViews { code } } roles { id } }",
    "{ customers { edges { node { email } } } adminUsers { username } aclResources { id } }",
    "{ orders { totalCount } customer(id: 1) { email } roles { name } role(id: 1) { name } }",
]


@pytest.mark.parametrize("query", REFUSED_QUERIES)
async def test_a_refused_query_is_logged_once_whatever_its_siblings_were_doing(
    api: Api, db_session: AsyncSession, query: str
) -> None:
    token = await api.admin_token("viewer", "Viewer123!")
    response = await api.post(query, token=token)
    assert response.status_code == 200
    assert "FORBIDDEN" in codes(response.json())
    [denied] = await entries(db_session, "access.denied")
    assert (denied.admin_username, denied.result) == ("viewer", "FAILURE")
    assert await api.data("{ adminMe { username } }", token=token)


async def test_a_refused_sweeping_query_is_logged_and_changes_nothing_half_way(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    live = await start_live_session(db_session, clock)
    clock.advance(hours=2)  # the session is due to be swept as EXPIRED
    token = await api.admin_token("support", "Support123!")
    body = await api.call(
        "{ activeLoginAsCustomerSessions { id } loginAsCustomerLog { totalCount }"
        " websites { name } roles { id } }",
        token=token,
    )
    assert "FORBIDDEN" in codes(body)
    assert len(await entries(db_session, "access.denied")) == 1
    ends = await entries(db_session, "login_as_customer.end")
    await db_session.rollback()
    row = await db_session.get(LoginAsCustomerSession, live.id)
    assert row is not None
    assert (row.state, len(ends)) in {("ACTIVE", 0), ("ENDED", 1)}  # swept whole or not at all


async def test_a_refusal_inside_a_mutation_is_logged_when_a_sibling_fails_to_log(
    api: Api, engine: AsyncEngine, db_session: AsyncSession
) -> None:
    token = await api.admin_token("viewer", "Viewer123!")
    mutation = """
    mutation {
      generateCustomerTokenAsAdmin(input: {customer_email: "jane.doe@example.com"}) { customer_token }
      again: generateCustomerTokenAsAdmin(input: {customer_email: "jane.doe@example.com"}) { customer_token }
      adminLogin(username: "support", password: "Wrong1234") { token }
    }
    """
    async with log_refusing(engine, "NEW.username = 'support'"):
        body = await api.call(mutation, token=token)
    assert codes(body) == ["FORBIDDEN", "FORBIDDEN", "UNAUTHENTICATED"]
    [denied] = await entries(db_session, "access.denied")
    assert (denied.admin_username, denied.details) == (
        "viewer",
        '{"code": "FORBIDDEN", "field": "generateCustomerTokenAsAdmin"}',
    )
    await db_session.rollback()
    assert (await db_session.exec(select(LoginThrottle.failure_count))).one() == 1


def serving(tmp_path: Path, database_url: str) -> LacDb:
    return LacDb(url=database_url, env=lac_env(database_url), workdir=tmp_path)


def post(connection: http.client.HTTPConnection, query: str, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request("POST", "/graphql", body=json.dumps({"query": query}), headers=headers)
    response = connection.getresponse()
    assert response.status == 200
    return json.loads(response.read())


async def test_a_refusal_keeps_the_connection_alive_on_a_real_server(
    engine: AsyncEngine, migrated_url: str, tmp_path: Path, db_session: AsyncSession
) -> None:
    with running_server(serving(tmp_path, migrated_url)) as client:
        port = int(str(client.base_url).rsplit(":", 1)[1].rstrip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        login = 'mutation { adminLogin(username: "viewer", password: "Viewer123!") { token } }'
        token = post(connection, login)["data"]["adminLogin"]["token"]
        sock = connection.sock
        refused = post(connection, REFUSED_QUERIES[-1], token)
        assert "FORBIDDEN" in codes(refused)
        assert post(connection, "{ adminMe { username } }", token)["data"] == {
            "adminMe": {"username": "viewer"}
        }
        assert connection.sock is sock  # the same keep-alive connection answered both
        connection.close()
    assert len(await entries(db_session, "access.denied")) == 1


# 3. Limits that concurrent attempts cannot race past

ATTEMPTS = {
    "adminLogin": (ADMIN_LOGIN, "UNAUTHENTICATED"),
    "customerLogin": (CUSTOMER_LOGIN, "UNAUTHENTICATED"),
    "exchangeLoginAsCustomerSecret": (EXCHANGE, "SECRET_INVALID_OR_EXPIRED"),
}


def failing_variables(field: str, n: int) -> dict[str, str]:
    if field == "adminLogin":
        return {"username": f"guess{n}", "password": "Wrong1234"}
    if field == "customerLogin":
        return {"email": f"guess{n}@example.com", "password": "Wrong1234", "websiteCode": "base"}
    return {}


@pytest.mark.parametrize("field", ATTEMPTS)
async def test_a_hundred_concurrent_failures_get_exactly_thirty_checks(
    api: Api, db_session: AsyncSession, field: str
) -> None:
    query, failure = ATTEMPTS[field]
    bodies = await asyncio.gather(
        *(api.call(query, failing_variables(field, n)) for n in range(100))
    )
    answers = Counter(code for body in bodies for code in codes(body))
    assert answers == {failure: 30, "RATE_LIMITED": 70}
    if field == "adminLogin":
        assert len(await entries(db_session, "admin.login_failed")) == 30
    assert await count(db_session, AuthFailure) == 30


# 4. A refused call changes nothing but its FAILURE entry


async def set_config(db_session: AsyncSession, path: str, value: str) -> None:
    await begin_write(db_session)
    await insert_if_missing(db_session, ConfigValue, path=path, value=value)
    await db_session.exec(
        update(ConfigValue).where(col(ConfigValue.path) == path).values(value=value)
    )
    await db_session.commit()


# (config changes, mutation, its input, the refusal): every way a start can be refused
REFUSED_STARTS: list[tuple[dict[str, str], str, dict[str, Any], str]] = [
    ({}, GENERATE, {"customer_email": "john.smith@example.com"}, "CUSTOMER_CONSENT_REQUIRED"),
    ({}, GENERATE, {"customer_email": "nobody@example.com"}, "NOT_FOUND"),
    ({}, GENERATE, {"customer_email": JANE, "website_code": "outlet"}, "NOT_FOUND"),
    ({}, GENERATE, {"customer_email": "inactive@example.com"}, "CUSTOMER_INACTIVE"),
    ({REQUIRE_REASON_PATH: "1"}, GENERATE, {"customer_email": JANE}, "BAD_USER_INPUT"),
    (
        {STORE_VIEW_MANUAL_CHOICE_PATH: "1"},
        GENERATE,
        {"customer_email": JANE},
        "STORE_VIEW_REQUIRED",
    ),
    (
        {STORE_VIEW_MANUAL_CHOICE_PATH: "1"},
        GENERATE,
        {"customer_email": JANE, "store_view_code": "outlet_en"},
        "BAD_USER_INPUT",
    ),
    ({ENABLED_PATH: "0"}, GENERATE, {"customer_email": JANE}, "FEATURE_DISABLED"),
    ({}, START, {"customerId": "4242"}, "NOT_FOUND"),
    ({REQUIRE_REASON_PATH: "1"}, START, {"customerId": "{jane}", "reason": " "}, "BAD_USER_INPUT"),
    ({STORE_VIEW_MANUAL_CHOICE_PATH: "1"}, START, {"customerId": "{jane}"}, "STORE_VIEW_REQUIRED"),
    ({ENABLED_PATH: "0"}, START, {"customerId": "{jane}"}, "FEATURE_DISABLED"),
]
DEFAULTS = {REQUIRE_REASON_PATH: "0", STORE_VIEW_MANUAL_CHOICE_PATH: "0", ENABLED_PATH: "1"}


async def footprint(db_session: AsyncSession) -> tuple[list[tuple[Any, ...]], int]:
    """Every session's (id, state, end cause) and the number of log entries."""
    await db_session.rollback()
    sessions = await db_session.exec(
        select(
            LoginAsCustomerSession.id,
            LoginAsCustomerSession.state,
            LoginAsCustomerSession.end_cause,
        ).order_by(col(LoginAsCustomerSession.id))
    )
    return [tuple(row) for row in sessions.all()], await count(db_session, AdminActionLogEntry)


async def test_a_refused_start_changes_nothing_but_its_failure_entry(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    live = await start_live_session(db_session, clock, admin_username="admin")
    jane = str(live.customer_id)
    admin = await api.admin_token("admin", "Admin123!")
    # the last way: the address is rate limited for secret exchanges
    refusals = [*REFUSED_STARTS, ({}, GENERATE, {"customer_email": JANE}, "RATE_LIMITED")]
    for n, (config, mutation, input_, refusal) in enumerate(refusals):
        if refusal == "RATE_LIMITED":
            for _ in range(30):
                await api.call(EXCHANGE)
        for path, value in config.items():
            await set_config(db_session, path, value)
        sessions, logged = await footprint(db_session)
        variables = {"input": {k: v.replace("{jane}", jane) for k, v in input_.items()}}
        assert codes(await api.call(mutation, variables, token=admin)) == [refusal], n
        assert await footprint(db_session) == (sessions, logged + 1), n
        [entry] = (await entries(db_session))[logged:]
        assert (entry.action, entry.result, json.loads(entry.details)["code"]) == (
            "login_as_customer.start",
            "FAILURE",
            refusal,
        ), n
        for path in config:
            await set_config(db_session, path, DEFAULTS[path])
    assert (await footprint(db_session))[0] == [(live.id, "ACTIVE", None)]
