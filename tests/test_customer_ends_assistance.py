"""The customer ends assistance (DESIGN.md section 15): `endMyAssistanceSessions` ends
every live session on their account (CUSTOMER_ENDED), the staff's tokens stop working at
once, and each end is on record; a customer made inactive ends theirs as
CUSTOMER_DEACTIVATED."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.engine import begin_write
from lac.db.models import Customer
from tests.sessions import (
    JANE,
    ME,
    details,
    log,
    my_sessions,
    session_row,
    start_live_session,
)
from tests.support import Api

END = "mutation { endMyAssistanceSessions }"
PASSWORD = "Customer123!"
MARIE = "marie.curie@example.com"
SESSION_LOG = """
query Sessions($customerId: ID) {
  loginAsCustomerLog(filter: {customerId: $customerId}) {
    edges { node { id state endCause endedAt admin { username } } }
  }
}
"""
CUSTOMER_ENDS = """
{ adminActionLog(filter: {actions: ["login_as_customer.customer_end"]}, sort: TIME_ASC) {
    edges { node { actionGroup action result username admin { username }
                   customer { email } loginAsCustomerSessionId details } } } }
"""


async def end_mine(api: Api, token: str | None) -> Any:
    return (await api.data(END, token=token))["endMyAssistanceSessions"]


async def test_the_customer_ends_every_live_session(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    by_support = await start_live_session(db_session, clock)
    by_admin = await start_live_session(db_session, clock, admin_username="admin")
    maries = await start_live_session(db_session, clock, customer_email=MARIE)
    jane = await api.customer_token(JANE, PASSWORD)
    clock.advance(minutes=1)

    assert await end_mine(api, jane) == 2
    for session in (by_support, by_admin):
        row = await session_row(db_session, session.id)
        assert (row.state, row.end_cause, row.ended_at) == ("ENDED", "CUSTOMER_ENDED", clock.now())
        assert await api.error_code(ME, token=session.token) == "UNAUTHENTICATED"
    # another customer's session and the customer's own token are untouched
    assert (await session_row(db_session, maries.id)).state == "ACTIVE"
    assert await api.data(ME, token=maries.token)
    assert await api.data(ME, token=jane)
    history = (await my_sessions(api, jane))["edges"]
    assert [(e["node"]["endCause"], e["node"]["isLive"]) for e in history] == [
        ("CUSTOMER_ENDED", False)
    ] * 2

    # one entry per ended session, the customer's own act, and nothing else at the end
    entries = await log(db_session, "login_as_customer.customer_end")
    assert [
        (e.action_group, e.result, e.username, e.admin_id, e.customer_email, details(e))
        for e in entries
    ] == [("LOGIN_AS_CUSTOMER", "SUCCESS", JANE, None, JANE, {"cause": "CUSTOMER_ENDED"})] * 2
    assert sorted(e.login_as_customer_session_id or 0 for e in entries) == [
        by_support.id,
        by_admin.id,
    ]
    assert await log(db_session, "login_as_customer.end") == []

    # the second time there is nothing left to end
    assert await end_mine(api, jane) == 0
    assert len(await log(db_session, "login_as_customer.customer_end")) == 2


async def test_the_end_is_visible_in_both_logs(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    live = await start_live_session(db_session, clock)
    assert await end_mine(api, await api.customer_token(JANE, PASSWORD)) == 1
    auditor = await api.admin_token("auditor", "Auditor123!")
    sessions = await api.data(SESSION_LOG, {"customerId": str(live.customer_id)}, token=auditor)
    [node] = [edge["node"] for edge in sessions["loginAsCustomerLog"]["edges"]]
    assert (node["id"], node["state"], node["endCause"], node["admin"]) == (
        str(live.id),
        "ENDED",
        "CUSTOMER_ENDED",
        {"username": "support"},
    )
    entries = await api.data(CUSTOMER_ENDS, token=auditor)
    assert [edge["node"] for edge in entries["adminActionLog"]["edges"]] == [
        {
            "actionGroup": "LOGIN_AS_CUSTOMER",
            "action": "login_as_customer.customer_end",
            "result": "SUCCESS",
            "username": JANE,
            "admin": None,
            "customer": {"email": JANE},
            "loginAsCustomerSessionId": str(live.id),
            "details": {"cause": "CUSTOMER_ENDED"},
        }
    ]


async def test_a_pending_start_ends_too_and_an_overdue_session_expires(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    overdue = await start_live_session(db_session, clock)  # its hour runs out below
    clock.advance(hours=1)
    support = await api.admin_token("admin", "Admin123!")
    started = await api.data(
        'mutation { loginAsCustomer(input: {customerId: "1"}) { secret session { id } } }',
        token=support,
    )
    pending_id = int(started["loginAsCustomer"]["session"]["id"])
    assert await end_mine(api, await api.customer_token(JANE, PASSWORD)) == 1
    assert (await session_row(db_session, overdue.id)).end_cause == "EXPIRED"
    assert (await session_row(db_session, pending_id)).end_cause == "CUSTOMER_ENDED"
    secret = started["loginAsCustomer"]["secret"]
    exchange = f'mutation {{ exchangeLoginAsCustomerSecret(secret: "{secret}") {{ token }} }}'
    assert await api.error_code(exchange) == "SECRET_INVALID_OR_EXPIRED"


async def test_staff_cannot_end_it_for_the_customer(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    live = await start_live_session(db_session, clock)
    assert await api.error_code(END, token=live.token) == "FORBIDDEN"
    assert (await session_row(db_session, live.id)).state == "ACTIVE"
    assert await api.data(ME, token=live.token)
    [refused] = await log(db_session, "login_as_customer.customer_end")
    assert (refused.result, refused.username, refused.login_as_customer_session_id) == (
        "FAILURE",
        "support",
        live.id,
    )
    assert details(refused) == {"code": "FORBIDDEN"}
    admin = await api.admin_token("admin", "Admin123!")
    assert await api.error_code(END, token=admin) == "FORBIDDEN"
    assert await api.error_code(END) == "UNAUTHENTICATED"
    assert (await session_row(db_session, live.id)).state == "ACTIVE"


async def test_a_customer_made_inactive_ends_the_session_as_deactivated(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    live = await start_live_session(db_session, clock)
    await begin_write(db_session)
    await db_session.exec(
        update(Customer).where(col(Customer.email) == JANE).values(is_active=False)
    )
    await db_session.commit()
    assert await api.error_code(ME, token=live.token) == "UNAUTHENTICATED"
    row = await session_row(db_session, live.id)
    assert (row.state, row.end_cause) == ("ENDED", "CUSTOMER_DEACTIVATED")
    [entry] = await log(db_session, "login_as_customer.end")
    assert (entry.username, details(entry)) == ("support", {"cause": "CUSTOMER_DEACTIVATED"})
