"""Regression guards for the hot paths (issue 11): counts, never times.

Each hot read runs a fixed number of SQL statements, none of them transaction control (a
read-only request sends no BEGIN), and an orders page completes its nested fields without
awaiting them one by one (they read what the page fetched ahead).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.schema.app import create_app
from lac.schema.build import build_schema
from tests.sessions import JANE, start_live_session
from tests.support import Api, make_api
from tests.test_query_counts import add_orders

BANNER = "{ customerSession { isLoginAsCustomer pageCacheDisabled banner { text } } }"
ORDERS_PAGE = """
{ orders(first: 50) { edges { node {
  incrementId grandTotal { value currency } customer { email } storeView { code }
  invoices { incrementId } canLoginAsCustomer
} } } }
"""
CUSTOMERS_GRID = """
{ customers(first: 50) { totalCount edges { node {
  email name isActive allowRemoteShoppingAssistance website { name } canLoginAsCustomer
} } } }
"""


@contextmanager
def all_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine sends meanwhile, transaction control included."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def statements_of(api: Api, engine: AsyncEngine, query: str, token: str | None) -> list[str]:
    with all_statements(engine) as statements:
        await api.data(query, token=token)
    return statements


async def test_the_banner_is_one_select_and_anonymous_pages_none(
    api: Api, engine: AsyncEngine, db_session: AsyncSession, clock: ManualClock
) -> None:
    impersonation = (await start_live_session(db_session, clock)).token
    customer = await api.customer_token(JANE, "Customer123!")
    assert await statements_of(api, engine, BANNER, impersonation) == ["SELECT"]
    assert await statements_of(api, engine, BANNER, customer) == ["SELECT"]
    assert await statements_of(api, engine, BANNER, None) == []
    assert await statements_of(api, engine, "{ __typename }", None) == []


async def test_admin_grids_run_a_fixed_number_of_selects(
    api: Api, engine: AsyncEngine, db_session: AsyncSession
) -> None:
    await add_orders(db_session, 60)
    admin = await api.admin_token("support", "Support123!")
    orders = await statements_of(api, engine, ORDERS_PAGE, admin)
    # identity, the page, customers with their availability facts, store views, invoices
    assert orders == ["SELECT"] * 5, orders
    customers = await statements_of(api, engine, CUSTOMERS_GRID, admin)
    # identity, the page, the count, websites, availability facts
    assert customers == ["SELECT"] * 5, customers


def counting_awaited_resolvers(counted: list[str]) -> Callable[..., strawberry.Schema]:
    """`build_schema`, each field's resolver wrapped to note the fields that hand back an
    awaitable (test instrumentation)."""

    def counting(resolve: Callable[..., Any], name: str) -> Callable[..., Any]:
        def resolve_noting(*args: Any, **kwargs: Any) -> Any:
            result = resolve(*args, **kwargs)
            if inspect.isawaitable(result):
                counted.append(name)
            return result

        return resolve_noting

    def build(**options: Any) -> strawberry.Schema:
        schema = build_schema(**options)
        for type_ in schema._schema.type_map.values():
            if isinstance(type_, GraphQLObjectType):
                for name, field in type_.fields.items():
                    if field.resolve is not None:
                        field.resolve = counting(field.resolve, name)
        return schema

    return build


async def test_an_orders_page_awaits_a_bounded_number_of_resolvers(
    engine: AsyncEngine,
    settings: Settings,
    clock: ManualClock,
    db_session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await add_orders(db_session, 60)
    counted: list[str] = []
    monkeypatch.setattr("lac.schema.app.build_schema", counting_awaited_resolvers(counted))
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app) as http:
        api = Api(http)
        admin = await api.admin_token("support", "Support123!")
        counted.clear()
        data = await api.data(ORDERS_PAGE, token=admin)
    assert len(data["orders"]["edges"]) == 50
    # Only the root field awaits; 50 orders x 4 links awaited one by one before issue 11.
    assert counted == ["orders"], counted
