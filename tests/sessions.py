"""A live Login-as-Customer session made through db/ directly, for tests of what happens
during or to a session that should not depend on the loginAsCustomer flow itself."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.engine import begin_write
from lac.db.models import (
    AdminActionLogEntry,
    AdminUser,
    Customer,
    LoginAsCustomerSession,
    StoreView,
)
from lac.resolvers.auth.principals import full_name
from lac.resolvers.auth.tokens import TokenKind, issue_token
from tests.support import CLIENT_IP, Api

ME = "{ me { id } }"
JANE = "jane.doe@example.com"


@dataclass(frozen=True)
class LiveSession:
    id: int
    token: str
    admin_id: int
    customer_id: int


async def start_live_session(
    db_session: AsyncSession,
    clock: ManualClock,
    *,
    customer_email: str = JANE,
    admin_username: str = "support",
) -> LiveSession:
    """An ACTIVE session of `admin_username` acting as the customer in store view `default`,
    and its impersonation token."""
    await begin_write(db_session)
    admin = (
        await db_session.exec(select(AdminUser).where(AdminUser.username == admin_username))
    ).one()
    customer = (
        await db_session.exec(select(Customer).where(Customer.email == customer_email))
    ).one()
    view = (await db_session.exec(select(StoreView).where(StoreView.code == "default"))).one()
    assert admin.id is not None
    assert customer.id is not None
    assert view.id is not None
    now = clock.now()
    row = LoginAsCustomerSession(
        admin_user_id=admin.id,
        admin_username=admin.username,
        admin_firstname=admin.firstname,
        admin_lastname=admin.lastname,
        customer_id=customer.id,
        customer_email=customer.email,
        customer_name=full_name(customer.firstname, customer.lastname),
        store_view_id=view.id,
        state="ACTIVE",
        started_at=now,
        expires_at=now + timedelta(hours=1),
        ip_address=CLIENT_IP,
        secret_hash=secrets.token_hex(32),
        secret_expires_at=now + timedelta(seconds=60),
        secret_used_at=now,
    )
    db_session.add(row)
    await db_session.flush()
    assert row.id is not None
    issued = await issue_token(
        db_session,
        kind=TokenKind.IMPERSONATION,
        now=now,
        lifetime=timedelta(hours=1),
        customer_id=customer.id,
        login_as_customer_session_id=row.id,
    )
    await db_session.commit()
    return LiveSession(id=row.id, token=issued.token, admin_id=admin.id, customer_id=customer.id)


async def session_row(db_session: AsyncSession, session_id: int) -> LoginAsCustomerSession:
    await db_session.rollback()
    statement = select(LoginAsCustomerSession).where(col(LoginAsCustomerSession.id) == session_id)
    return (await db_session.exec(statement.execution_options(populate_existing=True))).one()


async def log(db_session: AsyncSession, action: str) -> list[AdminActionLogEntry]:
    """Every entry of `action`, oldest first."""
    await db_session.rollback()
    statement = (
        select(AdminActionLogEntry)
        .where(AdminActionLogEntry.action == action)
        .order_by(col(AdminActionLogEntry.id))
    )
    return list((await db_session.exec(statement)).all())


def details(entry: AdminActionLogEntry) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(entry.details)
    return loaded


async def error_of(
    api: Api, query: str, variables: dict[str, Any] | None = None, *, token: str | None
) -> tuple[str, str]:
    """(code, message) of the one error of a call that must fail."""
    body = await api.call(query, variables, token=token)
    assert body["data"] is None, body
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"]


async def assert_ended(
    api: Api, db_session: AsyncSession, session: LiveSession, cause: str, ended_at: Any
) -> None:
    """The session is ENDED with `cause`, logged as such, and its token no longer works."""
    row = await session_row(db_session, session.id)
    assert (row.state, row.end_cause, row.ended_at) == ("ENDED", cause, ended_at)
    ends = [
        e
        for e in await log(db_session, "login_as_customer.end")
        if e.login_as_customer_session_id == session.id
    ]
    assert [(e.result, details(e), e.admin_username, e.customer_email) for e in ends] == [
        ("SUCCESS", {"cause": cause}, "support", JANE)
    ]
    assert await api.error_code(ME, token=session.token) == "UNAUTHENTICATED"


MY_SESSIONS = """
query Mine($first: Int, $after: String) {
  myAssistanceSessions(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id staffName storeView { code } reason startedAt endedAt endCause readOnly consent isLive
      actions { time action summary }
    } }
  }
}
"""


async def assisted_walkthrough(api: Api, *, reason: str = "Ticket 1234") -> tuple[str, str]:
    """The README's walk-through through the API: support starts acting as Jane, the
    storefront exchanges the secret, one MH01 goes in the cart, the order is placed, support
    leaves. Returns (session id, the now dead impersonation token)."""
    support = await api.admin_token("support", "Support123!")
    started = await api.data(
        "mutation Start($reason: String) { loginAsCustomer(input: "
        '{customerId: "1", reason: $reason}) { secret session { id } } }',
        {"reason": reason},
        token=support,
    )
    token = await exchanged_token(api, started["loginAsCustomer"]["secret"])
    await api.data('mutation { addToCart(sku: "MH01", quantity: 1) { itemsCount } }', token=token)
    await api.data("mutation { placeOrder { incrementId } }", token=token)
    await api.data("mutation { endLoginAsCustomer }", token=token)
    return started["loginAsCustomer"]["session"]["id"], token


async def exchanged_token(api: Api, secret: str) -> str:
    data = await api.data(
        "mutation X($secret: String!) { exchangeLoginAsCustomerSecret(secret: $secret) { token } }",
        {"secret": secret},
    )
    token: str = data["exchangeLoginAsCustomerSecret"]["token"]
    return token


async def my_sessions(
    api: Api, token: str | None, *, first: int | None = None, after: str | None = None
) -> dict[str, Any]:
    """The `myAssistanceSessions` connection the caller of `token` gets."""
    data = await api.data(MY_SESSIONS, {"first": first, "after": after}, token=token)
    connection: dict[str, Any] = data["myAssistanceSessions"]
    return connection
