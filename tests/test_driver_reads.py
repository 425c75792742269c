"""Hot reads on the driver itself (db/reads.py) give what SQLAlchemy's own execution gives,
are seen by statement listeners, and fail as SQLAlchemy errors do."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import Customer
from lac.db.queries import table_of
from lac.db.reads import compiled_read
from lac.db.session import request_session_factory
from lac.resolvers.auth.identity import PRINCIPAL_STATEMENT
from lac.resolvers.auth.tokens import token_digest
from tests.sessions import JANE, start_live_session

CUSTOMER = table_of(Customer)
# Every kind of column the hot reads return: integers, text, booleans, UTC times, nulls.
CUSTOMER_STATEMENT = (
    select(
        CUSTOMER.c.id,
        CUSTOMER.c.email,
        CUSTOMER.c.is_active,
        CUSTOMER.c.allow_remote_shopping_assistance,
        CUSTOMER.c.created_at,
        CUSTOMER.c.website_id,
    )
    .where(CUSTOMER.c.id >= bindparam("first"))
    .order_by(CUSTOMER.c.id)
)


async def test_rows_are_those_sqlalchemy_returns(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        expected = (await connection.execute(CUSTOMER_STATEMENT, {"first": 1})).all()
    async with request_session_factory(engine)() as session:
        rows = await session.rows(CUSTOMER_STATEMENT, {"first": 1})
    assert len(rows) >= 2
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    assert rows[0].created_at.tzinfo is not None  # UTC-aware, as the column type makes it
    assert isinstance(rows[0].is_active, bool)


async def test_the_identity_read_matches_sqlalchemy_for_a_live_session(
    engine: AsyncEngine, db_session: AsyncSession, clock: ManualClock
) -> None:
    digest = token_digest((await start_live_session(db_session, clock)).token)
    async with engine.connect() as connection:
        expected = (await connection.execute(PRINCIPAL_STATEMENT, {"digest": digest})).all()
    async with request_session_factory(engine)() as session:
        rows = await session.rows(PRINCIPAL_STATEMENT, {"digest": digest})
    assert len(rows) == 1
    assert rows[0]._asdict() == expected[0]._asdict()
    assert rows[0].email == JANE


async def test_listeners_see_each_statement_with_its_parameters(engine: AsyncEngine) -> None:
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", listen)
    try:
        async with request_session_factory(engine)() as session:
            await session.rows(CUSTOMER_STATEMENT, {"first": 2})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listen)
    assert len(seen) == 1
    statement, parameters = seen[0]
    assert statement.lstrip().upper().startswith("SELECT")
    assert 2 in (parameters.values() if isinstance(parameters, dict) else parameters)


async def test_a_failing_read_raises_sqlalchemys_error_and_the_session_goes_on(
    engine: AsyncEngine,
) -> None:
    broken = select(text("no_such_column")).where(bindparam("x") == 1)
    async with request_session_factory(engine)() as session:
        with pytest.raises(DBAPIError) as raised:
            await session.rows(broken, {"x": 1})
        assert "no_such_column" in str(raised.value.orig)
        assert raised.value.hide_parameters
        assert len(await session.rows(CUSTOMER_STATEMENT, {"first": 1})) >= 2


def test_an_expanding_in_list_is_refused_when_compiled(engine: AsyncEngine) -> None:
    expanding = select(CUSTOMER.c.id).where(CUSTOMER.c.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(TypeError, match="IN lists"):
        compiled_read(expanding, engine.dialect)
