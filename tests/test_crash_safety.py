"""Crash safety: a real `lac serve` killed (SIGKILL) during a burst of concurrent writes.

Jane shops with her own token while support shops for Marie through an impersonation
session (two workers each, racing on their cart), and an admin keeps starting and
exchanging Login-as-Customer sessions for Jane. Once a fixed number of writes of every
kind were acknowledged, the server is killed mid-burst (the other workers' writes in
flight) and started again on the same database. Then: no half-written order
(every order has its items, its total and its comments), no cart line without its
cart, every acknowledged write (HTTP 200, no error) is there, the log's hash chain
verifies, and the service carries on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.engine import create_engine
from lac.db.models import (
    AdminActionLogEntry,
    Cart,
    CartItem,
    LoginAsCustomerSession,
    OrderComment,
    OrderItem,
    SalesOrder,
)
from lac.db.session import session_factory
from tests.server import LacDb, graphql, lac_serve
from tests.support import ADMIN_LOGIN, CUSTOMER_LOGIN

KILL_AFTER = 40  # acknowledged writes (at least) before the SIGKILL
MAX_ROUNDS = 60  # per worker: the burst is bounded even if the kill never came
WORKERS_PER_SHOPPER = 2
HTTP_TIMEOUT = 60.0
JANE = {"email": "jane.doe@example.com", "password": "Customer123!", "websiteCode": "base"}
MARIE = "marie.curie@example.com"

ADD_TO_CART = "mutation($sku: String!) { addToCart(sku: $sku) { itemsCount } }"
PLACE_ORDER = "mutation { placeOrder { incrementId } }"
LOGIN_AS_CUSTOMER = """
mutation($id: ID!) { loginAsCustomer(input: {customerId: $id}) { secret session { id } } }
"""
EXCHANGE = """
mutation($secret: String!) {
  exchangeLoginAsCustomerSecret(secret: $secret) { token session { id } }
}
"""
CUSTOMER_ID = (
    "query($email: String!) { customers(filter: {email: $email}) { edges { node { id } } } }"
)
CART = "{ cart { itemsCount } }"


@dataclass
class Burst:
    """What the server acknowledged before it was killed, what it refused (and why), and
    what the kill interrupted."""

    kill: Any  # () -> None: SIGKILL the server
    acknowledged: int = 0
    interrupted: int = 0
    killed: bool = False
    order_ids: dict[str, list[str]] = field(default_factory=dict)  # shopper -> incrementIds
    adds: dict[str, int] = field(default_factory=dict)  # shopper -> acknowledged adds
    started_sessions: list[int] = field(default_factory=list)
    exchanged_sessions: list[int] = field(default_factory=list)
    refused: list[tuple[str | None, str]] = field(default_factory=list)  # (field, code)

    def ready_to_kill(self) -> bool:
        """Enough acknowledged writes, among them an order of each shopper and a session."""
        return (
            self.acknowledged >= KILL_AFTER
            and all(self.order_ids.values())
            and bool(self.exchanged_sessions)
        )

    async def write(
        self, client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str
    ) -> dict[str, Any] | None:
        """Send one write (unless the server is killed now, while the other workers' writes
        are in flight); its data if acknowledged, None if refused or interrupted."""
        if not self.killed and self.ready_to_kill():
            self.killed = True
            self.kill()
        if self.killed:
            return None
        try:
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.TransportError:
            assert self.killed, "only the kill may break a connection"
            self.interrupted += 1
            return None
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or body.get("errors"):
            [error] = body["errors"]
            self.refused.append(((error.get("path") or [None])[0], error["extensions"]["code"]))
            return None
        self.acknowledged += 1
        data: dict[str, Any] = body["data"]
        return data


async def shop(burst: Burst, client: httpx.AsyncClient, shopper: str, token: str) -> None:
    burst.order_ids.setdefault(shopper, [])
    burst.adds.setdefault(shopper, 0)
    for _ in range(MAX_ROUNDS):
        if await burst.write(client, ADD_TO_CART, {"sku": "WS12"}, token):
            burst.adds[shopper] += 1
        placed = await burst.write(client, PLACE_ORDER, {}, token)
        if placed:  # a racing worker may have ordered the cart already: refused, not counted
            burst.order_ids[shopper].append(placed["placeOrder"]["incrementId"])
        if burst.killed:
            return


async def assist(burst: Burst, client: httpx.AsyncClient, token: str, customer_id: str) -> None:
    for _ in range(MAX_ROUNDS):
        start = await burst.write(client, LOGIN_AS_CUSTOMER, {"id": customer_id}, token)
        if start:
            session_id = int(start["loginAsCustomer"]["session"]["id"])
            burst.started_sessions.append(session_id)
            secret = start["loginAsCustomer"]["secret"]
            if await burst.write(client, EXCHANGE, {"secret": secret}, token):
                burst.exchanged_sessions.append(session_id)
        if burst.killed:
            return


def tokens(client: httpx.Client) -> dict[str, str]:
    """Jane's own token, support's impersonation token for Marie, and admin's token."""
    jane = graphql(client, CUSTOMER_LOGIN, JANE)["customerLogin"]["token"]
    support = graphql(client, ADMIN_LOGIN, {"username": "support", "password": "Support123!"})
    support_token = support["adminLogin"]["token"]
    marie = customer_id(client, support_token, MARIE)
    start = graphql(client, LOGIN_AS_CUSTOMER, {"id": marie}, token=support_token)
    exchanged = graphql(client, EXCHANGE, {"secret": start["loginAsCustomer"]["secret"]})
    admin = graphql(client, ADMIN_LOGIN, {"username": "admin", "password": "Admin123!"})
    return {
        "jane": jane,
        "impersonation": exchanged["exchangeLoginAsCustomerSecret"]["token"],
        "admin": admin["adminLogin"]["token"],
    }


def customer_id(client: httpx.Client, token: str, email: str) -> str:
    edges = graphql(client, CUSTOMER_ID, {"email": email}, token=token)["customers"]["edges"]
    found: str = edges[0]["node"]["id"]
    return found


async def test_a_killed_server_leaves_every_acknowledged_write_and_nothing_half_written(
    live_db: LacDb,
) -> None:
    with lac_serve(live_db.env, live_db.workdir) as server:
        with httpx.Client(base_url=server.base_url, timeout=HTTP_TIMEOUT) as setup:
            caller = tokens(setup)
            jane = customer_id(setup, caller["admin"], JANE["email"])
        burst = Burst(kill=server.process.kill)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=HTTP_TIMEOUT) as client:
            await asyncio.gather(
                *(
                    shop(burst, client, shopper, caller[shopper])
                    for shopper in ("jane", "impersonation")
                    for _ in range(WORKERS_PER_SHOPPER)
                ),
                assist(burst, client, caller["admin"], jane),
            )
        assert burst.killed, "the burst ended before the kill"
        assert burst.interrupted >= 1, "the kill interrupted no write"
        # the one refusal expected: the other worker of the same shopper ordered the cart
        assert set(burst.refused) <= {("placeOrder", "BAD_USER_INPUT")}
        server.process.wait()

    verified = live_db.run_ok("log", "verify")
    assert '"valid": true' in verified.stdout, verified.stdout
    engine = create_engine(live_db.url)
    try:
        async with session_factory(engine)() as db:
            await assert_nothing_half_written(db)
            await assert_acknowledged_writes_present(db, burst)
    finally:
        await engine.dispose()

    with (
        lac_serve(live_db.env, live_db.workdir) as server,
        httpx.Client(base_url=server.base_url, timeout=HTTP_TIMEOUT) as client,
    ):
        for shopper in ("jane", "impersonation"):
            graphql(client, ADD_TO_CART, {"sku": "MH01"}, token=caller[shopper])
            placed = graphql(client, PLACE_ORDER, token=caller[shopper])["placeOrder"]
            assert placed["incrementId"] not in burst.order_ids[shopper]
            assert graphql(client, CART, token=caller[shopper]) == {"cart": {"itemsCount": 0}}


async def assert_nothing_half_written(db: AsyncSession) -> None:
    items = (
        select(OrderItem.order_id, func.sum(OrderItem.row_total_cents).label("total"))
        .group_by(col(OrderItem.order_id))
        .subquery()
    )
    orders = (
        await db.exec(
            select(SalesOrder.increment_id, SalesOrder.grand_total_cents, items.c.total).outerjoin(
                items, items.c.order_id == SalesOrder.id
            )
        )
    ).all()
    assert orders
    assert [number for number, grand_total, total in orders if total != grand_total] == []

    comments = (
        select(OrderComment.order_id, func.count().label("count"))
        .group_by(col(OrderComment.order_id))
        .subquery()
    )
    by_admin = (
        await db.exec(
            select(SalesOrder.increment_id, func.coalesce(comments.c.count, 0))
            .outerjoin(comments, comments.c.order_id == SalesOrder.id)
            .where(col(SalesOrder.placed_by_admin_id).is_not(None))
        )
    ).all()
    assert by_admin
    assert [number for number, count in by_admin if count != 2] == []  # Magento's two comments

    orphans = (
        await db.exec(
            select(CartItem.id)
            .outerjoin(Cart, col(Cart.id) == CartItem.cart_id)
            .where(col(Cart.id).is_(None))
        )
    ).all()
    assert orphans == []


async def assert_acknowledged_writes_present(db: AsyncSession, burst: Burst) -> None:
    stored = set((await db.exec(select(SalesOrder.increment_id))).all())
    for shopper, increment_ids in burst.order_ids.items():
        assert set(increment_ids) <= stored, shopper

    sessions = dict(
        (
            await db.exec(
                select(LoginAsCustomerSession.id, LoginAsCustomerSession.state).where(
                    col(LoginAsCustomerSession.id).in_(burst.started_sessions)
                )
            )
        ).all()
    )
    assert set(burst.started_sessions) <= set(sessions)
    assert [s for s in burst.exchanged_sessions if sessions[s] == "PENDING"] == []

    # Writes through the impersonation session are logged one entry each: at least every
    # acknowledged one, at most those plus the ones the kill interrupted.
    logged = dict(
        (
            await db.exec(
                select(AdminActionLogEntry.action, func.count())
                .where(
                    col(AdminActionLogEntry.result) == "SUCCESS",
                    col(AdminActionLogEntry.action).in_(["cart.add", "order.place"]),
                )
                .group_by(col(AdminActionLogEntry.action))
            )
        ).all()
    )
    adds, orders = burst.adds["impersonation"], len(burst.order_ids["impersonation"])
    assert adds <= logged.get("cart.add", 0) <= adds + burst.interrupted
    assert orders <= logged.get("order.place", 0) <= orders + burst.interrupted
