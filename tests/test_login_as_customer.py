"""Login as Customer: start, secret exchange, the impersonated session, its every end cause,
the banner and page-cache rules, and the Magento-compatible token mutation (DESIGN.md
section 7)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.engine import begin_write
from lac.db.models import (
    AdminActionLogEntry,
    AdminUser,
    ConfigValue,
    Customer,
    LoginAsCustomerSession,
    RoleResource,
    StoreView,
    Website,
)
from lac.db.upsert import insert_if_missing
from lac.resolvers.login_as_customer.config import (
    DISABLE_PAGE_CACHE_PATH,
    ENABLED_PATH,
    REQUIRE_REASON_PATH,
    STORE_VIEW_MANUAL_CHOICE_PATH,
)
from tests.support import Api

START = """
mutation Start($input: LoginAsCustomerInput!) {
  loginAsCustomer(input: $input) {
    secret expiresAt storeView { code } customer { email }
    session { id state admin { username } customer { id email name } reason startedAt expiresAt ipAddress }
  }
}
"""
EXCHANGE = """
mutation Exchange($secret: String!) {
  exchangeLoginAsCustomerSecret(secret: $secret) {
    token expiresAt customer { email }
    session { id state storeView { code } admin { username } startedAt expiresAt reason }
  }
}
"""
SESSION = "{ customerSession { isLoggedIn isLoginAsCustomer pageCacheDisabled expiresAt customer { name } banner { text customerName websiteName storeViewName } } }"
ME = "{ me { email } }"


async def customer_id(db: AsyncSession, email: str) -> str:
    customer = (await db.exec(select(Customer).where(Customer.email == email))).one()
    return str(customer.id)


async def change(db: AsyncSession, *statements: Any) -> None:
    """Write through db/ as another process would: a fresh write transaction, committed."""
    await begin_write(db)
    for statement in statements:
        await db.exec(statement)
    await db.commit()


async def set_config(db: AsyncSession, path: str, value: str) -> None:
    await begin_write(db)
    await insert_if_missing(db, ConfigValue, path=path, value=value)
    await db.exec(update(ConfigValue).where(col(ConfigValue.path) == path).values(value=value))
    await db.commit()


async def start(api: Api, token: str, **input_: Any) -> dict[str, Any]:
    data = await api.data(START, {"input": input_}, token=token)
    started: dict[str, Any] = data["loginAsCustomer"]
    return started


async def exchange(api: Api, secret: str) -> dict[str, Any]:
    data = await api.data(EXCHANGE, {"secret": secret})
    exchanged: dict[str, Any] = data["exchangeLoginAsCustomerSecret"]
    return exchanged


async def impersonate(
    api: Api, db: AsyncSession, email: str = "jane.doe@example.com"
) -> tuple[str, str, str]:
    """(admin token, impersonation token, session id) for support acting as `email`."""
    admin = await api.admin_token("support", "Support123!")
    started = await start(api, admin, customerId=await customer_id(db, email))
    exchanged = await exchange(api, started["secret"])
    return admin, exchanged["token"], exchanged["session"]["id"]


async def session_row(db: AsyncSession, session_id: str) -> LoginAsCustomerSession:
    await db.rollback()
    return (
        await db.exec(
            select(LoginAsCustomerSession).where(LoginAsCustomerSession.id == int(session_id))
        )
    ).one()


async def log(db: AsyncSession) -> list[AdminActionLogEntry]:
    await db.rollback()
    return list(
        (await db.exec(select(AdminActionLogEntry).order_by(col(AdminActionLogEntry.id)))).all()
    )


async def test_start_and_exchange(api: Api, db_session: AsyncSession, clock: ManualClock) -> None:
    admin = await api.admin_token("support", "Support123!")
    jane = await customer_id(db_session, "jane.doe@example.com")
    started = await start(api, admin, customerId=jane, reason="Ticket #42: cart problem")
    assert len(started["secret"]) >= 43
    assert started["expiresAt"] == "2026-11-25T12:01:00.000000Z"
    assert started["storeView"] == {"code": "default"}
    assert started["session"] == {
        "id": started["session"]["id"],
        "state": "PENDING",
        "admin": {"username": "support"},
        "customer": {"id": jane, "email": "jane.doe@example.com", "name": "Jane Doe"},
        "reason": "Ticket #42: cart problem",
        "startedAt": "2026-11-25T12:00:00.000000Z",
        "expiresAt": None,
        "ipAddress": "203.0.113.7",
    }
    row = await session_row(db_session, started["session"]["id"])
    assert row.secret_hash != started["secret"]
    assert started["secret"] not in row.secret_hash

    clock.advance(seconds=59)
    exchanged = await exchange(api, started["secret"])
    assert exchanged["token"].startswith("lac_c_")
    assert exchanged["customer"] == {"email": "jane.doe@example.com"}
    assert exchanged["session"]["state"] == "ACTIVE"
    assert (
        exchanged["session"]["expiresAt"] == exchanged["expiresAt"] == "2026-11-25T13:00:59.000000Z"
    )
    assert exchanged["session"]["storeView"] == {"code": "default"}
    assert (await api.data(ME, token=exchanged["token"]))["me"]["email"] == "jane.doe@example.com"
    assert (
        await api.error_code(EXCHANGE, {"secret": started["secret"]}) == "SECRET_INVALID_OR_EXPIRED"
    )


async def test_secret_expires_after_sixty_seconds(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    admin = await api.admin_token("support", "Support123!")
    started = await start(
        api, admin, customerId=await customer_id(db_session, "jane.doe@example.com")
    )
    clock.advance(seconds=61)
    body = await api.call(EXCHANGE, {"secret": started["secret"]})
    assert body["errors"][0]["extensions"]["code"] == "SECRET_INVALID_OR_EXPIRED"
    assert body["errors"][0]["message"] == "Secret key is not found or was expired."
    row = await session_row(db_session, started["session"]["id"])
    assert (row.state, row.end_cause) == ("ENDED", "EXPIRED")


async def test_unknown_secret(api: Api) -> None:
    assert await api.error_code(EXCHANGE, {"secret": "made-up"}) == "SECRET_INVALID_OR_EXPIRED"


async def test_parallel_exchanges_of_one_secret_yield_one_token(
    api: Api, db_session: AsyncSession
) -> None:
    admin = await api.admin_token("support", "Support123!")
    started = await start(
        api, admin, customerId=await customer_id(db_session, "jane.doe@example.com")
    )
    bodies = await asyncio.gather(
        *[api.call(EXCHANGE, {"secret": started["secret"]}) for _ in range(20)]
    )
    tokens = [b["data"]["exchangeLoginAsCustomerSecret"]["token"] for b in bodies if b.get("data")]
    codes = [b["errors"][0]["extensions"]["code"] for b in bodies if b.get("errors")]
    assert len(tokens) == 1
    assert codes == ["SECRET_INVALID_OR_EXPIRED"] * 19
    assert (await api.data(ME, token=tokens[0]))["me"]["email"] == "jane.doe@example.com"
    row = await session_row(db_session, started["session"]["id"])
    assert row.state == "ACTIVE"


@pytest.mark.parametrize(
    ("email", "code", "message"),
    [
        (
            "john.smith@example.com",
            "CUSTOMER_CONSENT_REQUIRED",
            "Login as Customer assistance is disabled for this Customer.",
        ),
        ("inactive@example.com", "CUSTOMER_INACTIVE", None),
    ],
)
async def test_start_refused_by_customer_rules(
    api: Api, db_session: AsyncSession, email: str, code: str, message: str | None
) -> None:
    admin = await api.admin_token("support", "Support123!")
    body = await api.call(
        START, {"input": {"customerId": await customer_id(db_session, email)}}, token=admin
    )
    assert body["errors"][0]["extensions"]["code"] == code
    if message:
        assert body["errors"][0]["message"] == message
    await db_session.rollback()
    assert (await db_session.exec(select(LoginAsCustomerSession))).all() == []
    [entry] = [e for e in await log(db_session) if e.action_group == "LOGIN_AS_CUSTOMER"]
    assert (entry.action, entry.result, entry.username, entry.customer_email) == (
        "login_as_customer.start",
        "FAILURE",
        "support",
        email,
    )
    assert json.loads(entry.details) == {"code": code}


async def test_start_refusals_in_precedence_order(api: Api, db_session: AsyncSession) -> None:
    admin = await api.admin_token("support", "Support123!")
    body = await api.call(START, {"input": {"customerId": "999"}}, token=admin)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["message"] == "Customer with this ID no longer exists."
    await set_config(db_session, ENABLED_PATH, "0")
    john = await customer_id(db_session, "john.smith@example.com")
    body = await api.call(START, {"input": {"customerId": john}}, token=admin)
    assert (body["errors"][0]["extensions"]["code"], body["errors"][0]["message"]) == (
        "FEATURE_DISABLED",
        "Login as Customer is disabled.",
    )
    assert await api.error_code(START, {"input": {"customerId": "999"}}, token=admin) == "NOT_FOUND"


async def test_no_active_store_view(api: Api, db_session: AsyncSession) -> None:
    outlet = (await db_session.exec(select(Website).where(Website.code == "outlet"))).one()
    await change(
        db_session,
        update(StoreView).where(col(StoreView.website_id) == outlet.id).values(is_active=False),
    )
    admin = await api.admin_token("support", "Support123!")
    marie = await customer_id(db_session, "marie.curie@example.com")
    assert (
        await api.error_code(START, {"input": {"customerId": marie}}, token=admin)
        == "NO_STORE_VIEW"
    )


async def test_store_view_selection(api: Api, db_session: AsyncSession) -> None:
    admin = await api.admin_token("support", "Support123!")
    john = await customer_id(db_session, "john.smith@example.com")
    jane = await customer_id(db_session, "jane.doe@example.com")
    views = {v.code: str(v.id) for v in (await db_session.exec(select(StoreView))).all()}
    # auto-detection: the store view the customer was created in, whatever is asked ...
    started = await start(api, admin, customerId=jane, storeViewId=views["french"])
    assert started["storeView"] == {"code": "default"}
    # ... else the website's default store view
    await change(
        db_session,
        update(StoreView).where(col(StoreView.code) == "default").values(is_default=False),
        update(StoreView).where(col(StoreView.code) == "french").values(is_default=True),
        update(StoreView).where(col(StoreView.code) == "default").values(is_active=False),
    )
    assert (await start(api, admin, customerId=jane))["storeView"] == {"code": "french"}
    await change(
        db_session, update(StoreView).where(col(StoreView.code) == "default").values(is_active=True)
    )
    # manual selection: required, and must be an active store view of the customer's website
    await set_config(db_session, STORE_VIEW_MANUAL_CHOICE_PATH, "1")
    body = await api.call(START, {"input": {"customerId": jane}}, token=admin)
    assert (body["errors"][0]["extensions"]["code"], body["errors"][0]["message"]) == (
        "STORE_VIEW_REQUIRED",
        "Please select a Store View to login in.",
    )
    assert (
        await api.error_code(
            START, {"input": {"customerId": jane, "storeViewId": views["outlet_en"]}}, token=admin
        )
        == "BAD_USER_INPUT"
    )
    assert (await start(api, admin, customerId=jane, storeViewId=views["french"]))["storeView"] == {
        "code": "french"
    }
    # consent comes before the store view
    assert (
        await api.error_code(START, {"input": {"customerId": john}}, token=admin)
        == "CUSTOMER_CONSENT_REQUIRED"
    )


async def test_reason_required_when_configured(api: Api, db_session: AsyncSession) -> None:
    await set_config(db_session, REQUIRE_REASON_PATH, "1")
    admin = await api.admin_token("support", "Support123!")
    jane = await customer_id(db_session, "jane.doe@example.com")
    assert (
        await api.error_code(START, {"input": {"customerId": jane, "reason": "  "}}, token=admin)
        == "BAD_USER_INPUT"
    )
    assert (
        await api.error_code(
            START, {"input": {"customerId": jane, "reason": "x" * 1001}}, token=admin
        )
        == "BAD_USER_INPUT"
    )
    assert (await start(api, admin, customerId=jane, reason="Phone call"))["session"][
        "reason"
    ] == "Phone call"


@pytest.mark.parametrize(
    ("caller", "code"),
    [
        ("viewer", "FORBIDDEN"),
        ("auditor", "FORBIDDEN"),
        ("customer", "FORBIDDEN"),
        ("nobody", "UNAUTHENTICATED"),
        ("impersonation", "FORBIDDEN"),
    ],
)
async def test_who_may_not_start(
    api: Api, db_session: AsyncSession, caller: str, code: str
) -> None:
    passwords = {"viewer": "Viewer123!", "auditor": "Auditor123!"}
    token: str | None = None
    if caller in passwords:
        token = await api.admin_token(caller, passwords[caller])
    elif caller == "customer":
        token = await api.customer_token("jane.doe@example.com", "Customer123!")
    elif caller == "impersonation":
        _, token, _ = await impersonate(api, db_session)
    jane = await customer_id(db_session, "jane.doe@example.com")
    assert await api.error_code(START, {"input": {"customerId": jane}}, token=token) == code
    if caller == "impersonation":
        assert await api.error_code("{ adminMe { id } }", token=token) == "FORBIDDEN"


async def test_banner_and_page_cache(api: Api, db_session: AsyncSession) -> None:
    anonymous = await api.post(SESSION)
    assert anonymous.json()["data"]["customerSession"] == {
        "isLoggedIn": False,
        "isLoginAsCustomer": False,
        "pageCacheDisabled": False,
        "expiresAt": None,
        "customer": None,
        "banner": None,
    }
    assert "cache-control" not in anonymous.headers
    own = await api.customer_token("jane.doe@example.com", "Customer123!")
    response = await api.post(SESSION, token=own)
    assert response.json()["data"]["customerSession"]["banner"] is None
    assert response.json()["data"]["customerSession"]["isLoggedIn"] is True
    assert response.headers["cache-control"] == "private"
    admin, impersonation, _ = await impersonate(api, db_session)
    response = await api.post(SESSION, token=impersonation)
    state = response.json()["data"]["customerSession"]
    assert state["banner"] == {
        "text": "You are connected as Jane Doe on Main Website",
        "customerName": "Jane Doe",
        "websiteName": "Main Website",
        "storeViewName": "Default Store View",
    }
    assert (state["isLoggedIn"], state["isLoginAsCustomer"], state["pageCacheDisabled"]) == (
        True,
        True,
        True,
    )
    assert response.headers["cache-control"] == "no-store"
    await set_config(db_session, DISABLE_PAGE_CACHE_PATH, "0")
    response = await api.post(SESSION, token=impersonation)
    assert response.json()["data"]["customerSession"]["pageCacheDisabled"] is False
    assert response.headers["cache-control"] == "private"
    assert (await api.post("{ adminMe { id } }", token=admin)).headers[
        "cache-control"
    ] == "no-store"


async def test_a_new_start_replaces_the_previous_session(
    api: Api, db_session: AsyncSession
) -> None:
    admin, first_token, first_id = await impersonate(api, db_session)
    marie = await customer_id(db_session, "marie.curie@example.com")
    second = await exchange(api, (await start(api, admin, customerId=marie))["secret"])
    assert await api.error_code(ME, token=first_token) == "UNAUTHENTICATED"
    assert (await api.data(ME, token=second["token"]))["me"]["email"] == "marie.curie@example.com"
    row = await session_row(db_session, first_id)
    assert (row.state, row.end_cause) == ("ENDED", "REPLACED")


async def ended_with(db: AsyncSession, session_id: str, cause: str, *, by: str = "support") -> None:
    row = await session_row(db, session_id)
    assert (row.state, row.end_cause) == ("ENDED", cause)
    ends = [
        e
        for e in await log(db)
        if e.action == "login_as_customer.end" and e.login_as_customer_session_id == int(session_id)
    ]
    assert len(ends) == 1
    assert json.loads(ends[0].details) == {"cause": cause}
    assert ends[0].username == by


async def test_end_by_the_impersonating_admin(api: Api, db_session: AsyncSession) -> None:
    own = await api.customer_token("jane.doe@example.com", "Customer123!")
    _, token, session_id = await impersonate(api, db_session)
    assert await api.data("mutation { endLoginAsCustomer }", token=token) == {
        "endLoginAsCustomer": True
    }
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    await ended_with(db_session, session_id, "LOGOUT")
    assert (await api.data(ME, token=own))["me"]["email"] == "jane.doe@example.com"
    assert await api.error_code("mutation { endLoginAsCustomer }", token=own) == "FORBIDDEN"


async def test_session_expires(api: Api, db_session: AsyncSession, clock: ManualClock) -> None:
    _, token, session_id = await impersonate(api, db_session)
    clock.advance(minutes=59)
    assert (await api.data(ME, token=token))["me"]["email"] == "jane.doe@example.com"
    clock.advance(minutes=1)
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    await ended_with(db_session, session_id, "EXPIRED")


async def test_pending_session_expires_with_its_secret(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    admin = await api.admin_token("support", "Support123!")
    started = await start(
        api, admin, customerId=await customer_id(db_session, "jane.doe@example.com")
    )
    active = "{ activeLoginAsCustomerSessions { id state } }"
    assert (await api.data(active, token=admin))["activeLoginAsCustomerSessions"] == [
        {"id": started["session"]["id"], "state": "PENDING"}
    ]
    clock.advance(seconds=61)
    assert (await api.data(active, token=admin))["activeLoginAsCustomerSessions"] == []
    await ended_with(db_session, started["session"]["id"], "EXPIRED")


async def test_terminated_by_another_admin(api: Api, db_session: AsyncSession) -> None:
    _, token, session_id = await impersonate(api, db_session)
    admin = await api.admin_token("admin", "Admin123!")
    terminate = (
        "mutation($id: ID!) { terminateLoginAsCustomerSession(id: $id) { state endCause endedAt } }"
    )
    ended = (await api.data(terminate, {"id": session_id}, token=admin))[
        "terminateLoginAsCustomerSession"
    ]
    assert (ended["state"], ended["endCause"]) == ("ENDED", "TERMINATED")
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    await ended_with(db_session, session_id, "TERMINATED", by="admin")
    assert await api.error_code(terminate, {"id": session_id}, token=admin) == "BAD_USER_INPUT"
    assert await api.error_code(terminate, {"id": "4242"}, token=admin) == "NOT_FOUND"
    viewer = await api.admin_token("viewer", "Viewer123!")
    assert await api.error_code(terminate, {"id": session_id}, token=viewer) == "FORBIDDEN"


async def test_admin_logout_ends_the_session(api: Api, db_session: AsyncSession) -> None:
    admin, token, session_id = await impersonate(api, db_session)
    await api.data("mutation { adminLogout }", token=admin)
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    await ended_with(db_session, session_id, "ADMIN_LOGOUT")


async def test_admin_token_expiry_does_not_end_the_session(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    _, token, _ = await impersonate(api, db_session)
    clock.advance(minutes=50)
    assert (await api.data(ME, token=token))["me"]["email"] == "jane.doe@example.com"


async def test_losing_the_login_resource_ends_the_session(
    api: Api, db_session: AsyncSession
) -> None:
    _, token, session_id = await impersonate(api, db_session)
    await change(
        db_session,
        delete(RoleResource).where(
            col(RoleResource.resource_id) == "Magento_LoginAsCustomer::login"
        ),
    )
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    await ended_with(db_session, session_id, "ADMIN_REVOKED")


async def test_disabled_admin_ends_the_session(api: Api, db_session: AsyncSession) -> None:
    _, token, session_id = await impersonate(api, db_session)
    await change(
        db_session,
        update(AdminUser).where(col(AdminUser.username) == "support").values(is_active=False),
    )
    assert (await api.data("{ customerSession { isLoginAsCustomer } }", token=token))[
        "customerSession"
    ] == {"isLoginAsCustomer": False}
    await ended_with(db_session, session_id, "ADMIN_REVOKED")


async def test_withdrawn_consent_ends_the_session(api: Api, db_session: AsyncSession) -> None:
    _, token, session_id = await impersonate(api, db_session)
    await change(
        db_session,
        update(Customer)
        .where(col(Customer.email) == "jane.doe@example.com")
        .values(allow_remote_shopping_assistance=False),
    )
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    await ended_with(db_session, session_id, "CONSENT_REVOKED")


async def test_feature_switched_off_ends_the_session(api: Api, db_session: AsyncSession) -> None:
    _, token, session_id = await impersonate(api, db_session)
    await set_config(db_session, ENABLED_PATH, "0")
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    await ended_with(db_session, session_id, "FEATURE_DISABLED")


@pytest.mark.parametrize(
    ("rule", "cause"),
    [("consent", "CONSENT_REVOKED"), ("feature", "FEATURE_DISABLED"), ("admin", "ADMIN_REVOKED")],
)
async def test_exchange_rechecks_the_rules(
    api: Api, db_session: AsyncSession, rule: str, cause: str
) -> None:
    admin = await api.admin_token("support", "Support123!")
    started = await start(
        api, admin, customerId=await customer_id(db_session, "jane.doe@example.com")
    )
    if rule == "consent":
        await change(
            db_session,
            update(Customer)
            .where(col(Customer.email) == "jane.doe@example.com")
            .values(allow_remote_shopping_assistance=False),
        )
    elif rule == "feature":
        await set_config(db_session, ENABLED_PATH, "0")
    else:
        await change(
            db_session,
            update(AdminUser).where(col(AdminUser.username) == "support").values(is_active=False),
        )
    assert (
        await api.error_code(EXCHANGE, {"secret": started["secret"]}) == "SECRET_INVALID_OR_EXPIRED"
    )
    await ended_with(db_session, started["session"]["id"], cause)
    exchanges = [e for e in await log(db_session) if e.action == "login_as_customer.exchange"]
    assert [(e.result, json.loads(e.details)) for e in exchanges] == [
        ("FAILURE", {"code": "SECRET_INVALID_OR_EXPIRED", "cause": cause})
    ]


async def test_log_of_a_whole_session(api: Api, db_session: AsyncSession) -> None:
    _, token, session_id = await impersonate(api, db_session)
    await api.data("mutation { endLoginAsCustomer }", token=token)
    entries = [e for e in await log(db_session) if e.action_group == "LOGIN_AS_CUSTOMER"]
    assert [
        (e.action, e.result, e.username, e.customer_email, e.login_as_customer_session_id)
        for e in entries
    ] == [
        ("login_as_customer.start", "SUCCESS", "support", "jane.doe@example.com", int(session_id)),
        (
            "login_as_customer.exchange",
            "SUCCESS",
            "support",
            "jane.doe@example.com",
            int(session_id),
        ),
        ("login_as_customer.end", "SUCCESS", "support", "jane.doe@example.com", int(session_id)),
    ]
    assert all(token not in e.details for e in entries)


GENERATE = "mutation($input: GenerateCustomerTokenAsAdminInput!) { generateCustomerTokenAsAdmin(input: $input) { customer_token } }"


async def test_magento_compatible_token(api: Api, db_session: AsyncSession) -> None:
    admin = await api.admin_token("admin", "Admin123!")
    data = await api.data(
        GENERATE,
        {"input": {"customer_email": "jane.doe@example.com", "reason": "PWA"}},
        token=admin,
    )
    token = data["generateCustomerTokenAsAdmin"]["customer_token"]
    state = (await api.data(SESSION, token=token))["customerSession"]
    assert state["banner"]["text"] == "You are connected as Jane Doe on Main Website"
    actions = [
        (e.action, e.result) for e in await log(db_session) if e.action_group == "LOGIN_AS_CUSTOMER"
    ]
    assert actions == [
        ("login_as_customer.start", "SUCCESS"),
        ("login_as_customer.exchange", "SUCCESS"),
    ]
    assert (
        await api.error_code(
            GENERATE, {"input": {"customer_email": "john.smith@example.com"}}, token=admin
        )
        == "CUSTOMER_CONSENT_REQUIRED"
    )
    assert (
        await api.error_code(
            GENERATE, {"input": {"customer_email": "nobody@example.com"}}, token=admin
        )
        == "NOT_FOUND"
    )
    support = await api.admin_token("support", "Support123!")
    assert (
        await api.error_code(
            GENERATE, {"input": {"customer_email": "jane.doe@example.com"}}, token=support
        )
        == "FORBIDDEN"
    )


async def test_magento_compatible_token_needs_the_website_for_shared_emails(
    api: Api, db_session: AsyncSession
) -> None:
    jane = (
        await db_session.exec(select(Customer).where(Customer.email == "jane.doe@example.com"))
    ).one()
    outlet = (await db_session.exec(select(Website).where(Website.code == "outlet"))).one()
    outlet_view = (
        await db_session.exec(select(StoreView).where(StoreView.code == "outlet_en"))
    ).one()
    await begin_write(db_session)
    db_session.add(
        Customer(
            website_id=outlet.id or 0,
            email=jane.email,
            firstname="Jane",
            lastname="Outlet",
            password_hash=jane.password_hash,
            created_in_store_view_id=outlet_view.id or 0,
            allow_remote_shopping_assistance=True,
            created_at=jane.created_at,
            updated_at=jane.updated_at,
        )
    )
    await db_session.commit()
    admin = await api.admin_token("admin", "Admin123!")
    assert (
        await api.error_code(
            GENERATE, {"input": {"customer_email": "jane.doe@example.com"}}, token=admin
        )
        == "BAD_USER_INPUT"
    )
    data = await api.data(
        GENERATE,
        {"input": {"customer_email": "jane.doe@example.com", "website_code": "outlet"}},
        token=admin,
    )
    token = data["generateCustomerTokenAsAdmin"]["customer_token"]
    assert (await api.data(SESSION, token=token))["customerSession"]["banner"][
        "text"
    ] == "You are connected as Jane Outlet on Outlet Website"


async def test_a_session_ended_elsewhere_never_acts_again(
    api: Api, db_session: AsyncSession
) -> None:
    _, token, session_id = await impersonate(api, db_session)
    # ended without its tokens being revoked (as a crashed writer or a manual fix might leave it)
    await change(
        db_session,
        update(LoginAsCustomerSession)
        .where(col(LoginAsCustomerSession.id) == int(session_id))
        .values(state="ENDED", end_cause="TERMINATED"),
    )
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    assert (await api.data("{ customerSession { isLoginAsCustomer } }", token=token))[
        "customerSession"
    ] == {"isLoginAsCustomer": False}


async def test_customer_logout_with_an_impersonation_token_ends_the_session(
    api: Api, db_session: AsyncSession
) -> None:
    _, token, session_id = await impersonate(api, db_session)
    assert await api.data("mutation { customerLogout }", token=token) == {"customerLogout": True}
    await ended_with(db_session, session_id, "LOGOUT")


async def test_deactivated_customer_ends_the_session(api: Api, db_session: AsyncSession) -> None:
    _, token, session_id = await impersonate(api, db_session)
    await change(
        db_session,
        update(Customer)
        .where(col(Customer.email) == "jane.doe@example.com")
        .values(is_active=False),
    )
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    await ended_with(db_session, session_id, "CUSTOMER_DEACTIVATED")


async def test_dashboard_query_with_two_sweeping_fields(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    admin = await api.admin_token("admin", "Admin123!")
    started = await start(
        api, admin, customerId=await customer_id(db_session, "jane.doe@example.com")
    )
    clock.advance(seconds=61)
    data = await api.data(
        "{ activeLoginAsCustomerSessions { id } loginAsCustomerLog { edges { node { state endCause } } } }",
        token=admin,
    )
    assert data["activeLoginAsCustomerSessions"] == []
    assert data["loginAsCustomerLog"]["edges"][0]["node"] == {
        "state": "ENDED",
        "endCause": "EXPIRED",
    }
    await ended_with(db_session, started["session"]["id"], "EXPIRED", by="admin")


async def test_magento_token_checks_consent_before_the_store_view(
    api: Api, db_session: AsyncSession
) -> None:
    admin = await api.admin_token("admin", "Admin123!")
    body = await api.call(
        GENERATE,
        {"input": {"customer_email": "john.smith@example.com", "store_view_code": "nowhere"}},
        token=admin,
    )
    assert body["errors"][0]["extensions"]["code"] == "CUSTOMER_CONSENT_REQUIRED"
    unknown = await api.call(
        GENERATE, {"input": {"customer_email": "nobody@example.com"}}, token=admin
    )
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    starts = [e for e in await log(db_session) if e.action == "login_as_customer.start"]
    assert [(e.result, json.loads(e.details)["code"]) for e in starts] == [
        ("FAILURE", "CUSTOMER_CONSENT_REQUIRED"),
        ("FAILURE", "NOT_FOUND"),
    ]
