"""The customer's assistance history (DESIGN.md section 15): which staff acted in their
account, when, and what they did, for the customer's own eyes only."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import AdminActionLogEntry
from tests.sessions import (
    JANE,
    MY_SESSIONS,
    assisted_walkthrough,
    exchanged_token,
    my_sessions,
    start_live_session,
)
from tests.support import Api
from tests.test_query_counts import counting_statements

PASSWORD = "Customer123!"
MARIE = "marie.curie@example.com"


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


async def test_janes_history_after_the_walkthrough(api: Api, clock: ManualClock) -> None:
    started_at = clock.now().isoformat(timespec="microseconds").replace("+00:00", "Z")
    session_id, _ = await assisted_walkthrough(api, reason="Ticket 1234: cart will not check out")
    jane = await api.customer_token(JANE, PASSWORD)
    history = await my_sessions(api, jane)
    assert history["totalCount"] == 1
    assert history["pageInfo"] == {"hasNextPage": False, "endCursor": history["edges"][0]["cursor"]}
    [session] = nodes(history)
    at = started_at
    assert session == {
        "id": session_id,
        "staffName": "Sam S.",
        "storeView": {"code": "default"},
        "reason": "Ticket 1234: cart will not check out",
        "startedAt": at,
        "endedAt": at,
        "endCause": "LOGOUT",
        "readOnly": False,
        "consent": "STANDING",
        "isLive": False,
        "actions": [
            {"time": at, "action": "cart.add", "summary": "Added 1 x MH01 to the cart"},
            {"time": at, "action": "order.place", "summary": "Placed order 000000005"},
        ],
    }


async def test_every_change_staff_made_in_a_sentence_and_nothing_else(api: Api) -> None:
    support = await api.admin_token("support", "Support123!")
    started = await api.data(
        'mutation { loginAsCustomer(input: {customerId: "1"}) { secret } }', token=support
    )
    token = await exchanged_token(api, started["loginAsCustomer"]["secret"])
    cart = await api.data(
        'mutation { addToCart(sku: "MH01", quantity: 2) { items { id } } }', token=token
    )
    line = cart["addToCart"]["items"][0]["id"]
    await api.data(f'mutation {{ removeCartItem(itemId: "{line}") {{ itemsCount }} }}', token=token)
    await api.data(
        'mutation { updateMyAccount(input: {firstname: "Janet", lastname: "Dough"}) { id } }',
        token=token,
    )
    # refused or failed calls changed nothing: not in the history
    refused = (
        'mutation { changeMyPassword(currentPassword: "Customer123!", newPassword: "Other1234") }'
    )
    assert await api.error_code(refused, token=token) == "FORBIDDEN"
    assert await api.error_code('mutation { addToCart(sku: "NOPE") { id } }', token=token) == (
        "BAD_USER_INPUT"
    )
    assert await api.error_code("{ myAssistanceSessions { totalCount } }", token=token) == (
        "FORBIDDEN"
    )
    jane = await api.customer_token(JANE, PASSWORD)
    [session] = nodes(await my_sessions(api, jane))
    assert session["isLive"] is True
    assert (session["endedAt"], session["endCause"], session["reason"]) == (None, None, None)
    assert [(a["action"], a["summary"]) for a in session["actions"]] == [
        ("cart.add", "Added 2 x MH01 to the cart"),
        ("cart.remove", "Removed MH01 from the cart"),
        ("account.update", "Updated the account (firstname, lastname)"),
    ]


async def test_only_sessions_that_reached_active_are_listed(api: Api, clock: ManualClock) -> None:
    support = await api.admin_token("support", "Support123!")
    start = 'mutation { loginAsCustomer(input: {customerId: "1"}) { secret } }'
    await api.data(start, token=support)  # pending, then its secret expires
    clock.advance(minutes=5)
    await api.data(start, token=support)  # pending, then replaced
    admin = await api.admin_token("admin", "Admin123!")
    await api.data(start, token=admin)  # pending, still live
    jane = await api.customer_token(JANE, PASSWORD)
    assert await my_sessions(api, jane) == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }
    session_id, _ = await assisted_walkthrough(api)
    assert [node["id"] for node in nodes(await my_sessions(api, jane))] == [session_id]


async def test_newest_first_paged_with_after(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    ids = []
    for admin in ("support", "admin", "support"):
        ids.append((await start_live_session(db_session, clock, admin_username=admin)).id)
        clock.advance(minutes=1)
    jane = await api.customer_token(JANE, PASSWORD)
    first = await my_sessions(api, jane, first=2)
    assert [node["id"] for node in nodes(first)] == [str(ids[2]), str(ids[1])]
    assert [node["staffName"] for node in nodes(first)] == ["Sam S.", "Store O."]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await my_sessions(api, jane, first=2, after=first["pageInfo"]["endCursor"])
    assert [node["id"] for node in nodes(rest)] == [str(ids[0])]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["totalCount"] == 3
    # the time runs out on all three: no longer live
    assert [node["isLive"] for node in nodes(first)] == [True, True]
    clock.advance(hours=1)
    jane = await api.customer_token(JANE, PASSWORD)
    assert [node["isLive"] for node in nodes(await my_sessions(api, jane))] == [False] * 3
    assert await api.error_code(MY_SESSIONS, {"after": "bogus"}, token=jane) == "BAD_USER_INPUT"


async def test_staff_admins_and_strangers_cannot_read_it(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    live = await start_live_session(db_session, clock)
    query = "{ myAssistanceSessions { totalCount } }"
    assert await api.error_code(query, token=live.token) == "FORBIDDEN"
    admin = await api.admin_token("admin", "Admin123!")
    assert await api.error_code(query, token=admin) == "FORBIDDEN"
    assert await api.error_code(query) == "UNAUTHENTICATED"
    # staff reaching for the trail is on record
    await db_session.rollback()
    denied = (
        await db_session.exec(
            select(AdminActionLogEntry)
            .where(AdminActionLogEntry.action == "access.denied")
            .order_by(col(AdminActionLogEntry.id))
        )
    ).all()
    assert [(d.username, d.login_as_customer_session_id) for d in denied] == [
        ("support", live.id),
        ("admin", None),
    ]
    assert json.loads(denied[0].details) == {"code": "FORBIDDEN", "field": "myAssistanceSessions"}


async def test_another_customers_sessions_are_never_visible(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    marie_session = await start_live_session(db_session, clock, customer_email=MARIE)
    jane_session = await start_live_session(db_session, clock)
    jane = await api.customer_token(JANE, PASSWORD)
    marie = await api.customer_token(MARIE, PASSWORD, "outlet")
    assert [node["id"] for node in nodes(await my_sessions(api, jane))] == [str(jane_session.id)]
    assert [node["id"] for node in nodes(await my_sessions(api, marie))] == [str(marie_session.id)]
    john = await api.customer_token("john.smith@example.com", PASSWORD)
    assert (await my_sessions(api, john))["totalCount"] == 0


async def test_a_page_costs_the_same_statements_whatever_its_size(
    api: Api, engine: AsyncEngine, db_session: AsyncSession, clock: ManualClock
) -> None:
    jane = await api.customer_token(JANE, PASSWORD)

    async def statements_for_a_page() -> int:
        with counting_statements(engine) as statements:
            page = await my_sessions(api, jane, first=20)
        assert all(node["actions"] for node in nodes(page))
        return len(statements)

    async def assisted_session() -> None:
        live = await start_live_session(db_session, clock)
        await api.data('mutation { addToCart(sku: "WS12") { itemsCount } }', token=live.token)
        clock.advance(seconds=1)

    await assisted_session()
    one = await statements_for_a_page()
    for _ in range(24):
        await assisted_session()
    twenty = await statements_for_a_page()
    assert twenty == one
    # the caller, the page of sessions, its total, their store views, all their actions
    assert one == 5
