"""Errors reach clients with a stable code and nothing internal; failed changes leave no trace
but their FAILURE entry."""

from __future__ import annotations

import json

import pytest
from graphql import GraphQLError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.models import AdminActionLogEntry, Website
from lac.resolvers.auth.principals import Anonymous
from lac.resolvers.context import Client, ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.log.writer import Action, ActionRecord, run_logged
from lac.schema.errors import INTERNAL_MESSAGE, present_error
from tests.support import Api


@pytest.mark.parametrize(
    "query",
    [
        "{ adminMe { nope } }",
        "{ adminMe { username }",
        'mutation { adminLogin(username: 1, password: "x") { token } }',
        "mutation { adminLogin { token } }",
        # graphql-core's int() fails on literals past Python's 4,300-digit limit
        "{ products { sku } orders(first: %s) { totalCount } }" % ("9" * 5000),
        "{ customers(first: 1e400) { totalCount } }",
    ],
)
async def test_invalid_documents_are_bad_user_input(api: Api, query: str) -> None:
    body = await api.call(query)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "sys." not in body["errors"][0]["message"]


async def test_wrong_variable_type_is_bad_user_input(api: Api) -> None:
    body = await api.call(
        "mutation L($u: String!) { adminLogin(username: $u, password: $u) { token } }",
        {"u": 5},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unexpected_failure_is_masked(api: Api, engine: AsyncEngine) -> None:
    token = await api.admin_token("support", "Support123!")
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE sales_order RENAME TO sales_order_gone"))
    try:
        response = await api.post("{ orders { totalCount } }", token=token)
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE sales_order_gone RENAME TO sales_order"))
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == INTERNAL_MESSAGE
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "sales_order" not in response.text
    assert "Traceback" not in response.text


async def test_failure_before_graphql_is_a_graphql_shaped_error(
    api: Api, engine: AsyncEngine
) -> None:
    token = await api.admin_token("support", "Support123!")
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE auth_token RENAME TO auth_token_gone"))
    try:
        response = await api.post("{ adminMe { username } }", token=token)
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE auth_token_gone RENAME TO auth_token"))
    assert response.status_code == 500
    assert response.json() == {
        "data": None,
        "errors": [{"message": INTERNAL_MESSAGE, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}],
    }


def test_present_error_keeps_codes_and_hides_internals() -> None:
    lac_error = GraphQLError("x", original_error=LacError.bad_input("Quantity must be 1 or more."))
    assert present_error(lac_error).formatted["extensions"] == {"code": "BAD_USER_INPUT"}
    assert present_error(lac_error).message == "Quantity must be 1 or more."
    crash = GraphQLError("boom", original_error=RuntimeError("password=hunter2 in /srv/x.py"))
    presented = present_error(crash)
    assert presented.message == INTERNAL_MESSAGE
    assert "hunter2" not in json.dumps(presented.formatted)


def service_context(
    session: AsyncSession, clock: ManualClock, settings: Settings
) -> ServiceContext:
    return ServiceContext(
        db=session,
        clock=clock,
        settings=settings,
        principal=Anonymous(),
        client=Client(ip_address="198.51.100.1", user_agent="pytest"),
        full_action_name="test",
    )


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (LacError.bad_input("no"), "BAD_USER_INPUT"),
        (RuntimeError("crash"), "INTERNAL_SERVER_ERROR"),
    ],
)
async def test_failed_change_rolls_back_and_still_logs_its_failure(
    db_session: AsyncSession,
    clock: ManualClock,
    settings: Settings,
    failure: Exception,
    code: str,
) -> None:
    ctx = service_context(db_session, clock, settings)

    async def half_done(record: ActionRecord) -> None:
        record.details["sku"] = "MH01"
        db_session.add(Website(code="half", name="Half written"))
        await db_session.flush()
        raise failure

    with pytest.raises(type(failure)):
        await run_logged(ctx, Action.ROLE_CREATE, half_done)

    assert (await db_session.exec(select(Website).where(Website.code == "half"))).first() is None
    [entry] = (await db_session.exec(select(AdminActionLogEntry))).all()
    assert (entry.action, entry.result, entry.action_group) == (
        "role.create",
        "FAILURE",
        "ADMIN_USERS",
    )
    assert json.loads(entry.details) == {"sku": "MH01", "code": code}
    assert entry.ip_address == "198.51.100.1"


async def test_successful_change_commits_with_its_entry(
    db_session: AsyncSession, clock: ManualClock, settings: Settings
) -> None:
    ctx = service_context(db_session, clock, settings)

    async def create(record: ActionRecord) -> str:
        db_session.add(Website(code="new", name="New Website"))
        record.details["changes"] = {"code": {"old": None, "new": "new"}}
        return "done"

    assert await run_logged(ctx, Action.ROLE_CREATE, create) == "done"
    await db_session.rollback()  # nothing is left pending: both were committed
    assert (await db_session.exec(select(Website).where(Website.code == "new"))).one()
    [entry] = (await db_session.exec(select(AdminActionLogEntry))).all()
    assert entry.result == "SUCCESS"
    assert entry.time == clock.now()


ORDERS_IN = "query O($f: SalesDocumentFilter) { orders(filter: $f) { totalCount } }"


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
async def test_instant_outside_the_calendar_in_utc_is_bad_user_input(
    api: Api, instant: str
) -> None:
    """Valid ISO 8601, but before year 1 or after 9999 once moved to UTC: refused as bad
    input, inline or as a variable, while the calendar's own edges still work."""
    token = await api.admin_token("support", "Support123!")
    inline = f'{{ orders(filter: {{createdFrom: "{instant}"}}) {{ totalCount }} }}'
    for body in (
        await api.call(inline, token=token),
        await api.call(ORDERS_IN, {"f": {"createdFrom": instant}}, token=token),
    ):
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "between the years 1 and 9999 in UTC" in error["message"]
    edges = {"createdFrom": "0001-01-01T00:00:00Z", "createdTo": "9999-12-31T23:59:59.999999Z"}
    assert (await api.data(ORDERS_IN, {"f": edges}, token=token))["orders"]["totalCount"] == 4
