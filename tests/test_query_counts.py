"""SQL statements per request do not grow with the page size (DataLoaders batch the links)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import Customer, Invoice, SalesOrder, StoreView
from lac.db.seed import SEED_TIME
from tests.support import Api

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")
ORDERS_PAGE = """
query Orders($first: Int) {
  orders(first: $first) {
    edges { node {
      incrementId
      customer { email }
      storeView { code }
      invoices { incrementId }
      canLoginAsCustomer
      loginAsCustomerUnavailableReason
    } }
  }
}
"""


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Collect the SQL statements (not transaction control) the engine runs meanwhile."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def add_orders(session: AsyncSession, count: int) -> None:
    customers = (await session.exec(select(Customer))).all()
    views = (await session.exec(select(StoreView))).all()
    for n in range(count):
        customer = customers[n % len(customers)] if n % 5 else None
        order = SalesOrder(
            increment_id=f"1{n:08d}",
            customer_id=customer.id if customer else None,
            customer_email=customer.email if customer else f"guest{n}@example.com",
            customer_firstname="Bulk",
            customer_lastname="Buyer",
            store_view_id=views[n % len(views)].id or 0,
            status="pending",
            grand_total_cents=1000 + n,
            created_at=SEED_TIME,
        )
        session.add(order)
        await session.flush()
        if n % 2:
            session.add(
                Invoice(
                    increment_id=f"1{n:08d}",
                    order_id=order.id or 0,
                    grand_total_cents=order.grand_total_cents,
                    created_at=SEED_TIME,
                )
            )
    await session.commit()


async def test_statements_do_not_depend_on_page_size(
    api: Api, engine: AsyncEngine, db_session: AsyncSession
) -> None:
    await add_orders(db_session, 60)
    token = await api.admin_token("support", "Support123!")
    counts = {}
    for first in (5, 50):
        with counting_statements(engine) as statements:
            data = await api.data(ORDERS_PAGE, {"first": first}, token=token)
        assert len(data["orders"]["edges"]) == first
        counts[first] = len(statements)
    assert counts[5] == counts[50], counts
    assert counts[50] <= 6, counts


CUSTOMERS_WITH_ORDERS = """
query Customers($first: Int) {
  customers(first: $first) {
    edges { node { email orders(first: 2) { totalCount pageInfo { hasNextPage } edges { node { incrementId } } } } }
  }
}
"""


async def test_nested_order_connections_are_batched(
    api: Api, engine: AsyncEngine, db_session: AsyncSession
) -> None:
    await add_orders(db_session, 60)
    token = await api.admin_token("support", "Support123!")
    counts = {}
    for first in (2, 4):
        with counting_statements(engine) as statements:
            data = await api.data(CUSTOMERS_WITH_ORDERS, {"first": first}, token=token)
        counts[first] = len(statements)
        nodes = [edge["node"] for edge in data["customers"]["edges"]]
        assert len(nodes) == first
    assert counts[2] == counts[4], counts
    jane = nodes[0]["orders"]
    assert jane["totalCount"] == 13  # her seeded order and every fifth-but-not-guest bulk one
    assert len(jane["edges"]) == 2
    assert jane["pageInfo"]["hasNextPage"] is True
