"""Reading the logs: `adminActionLog` (every filter, both sorts, keyset pages that hold still
while entries are added), `actionGroups` and `loginAsCustomerLog`, who may read them, and the
indexes behind the filters (DESIGN.md sections 8 and 13)."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.engine import begin_write
from lac.db.models import AdminActionLogEntry, AdminUser, Customer
from lac.resolvers.log.reading import (
    LOG_KEYSET,
    AdminActionLogFilter,
    LogSort,
    admin_action_log_statement,
)
from lac.resolvers.log.writer import ActionGroup
from lac.schema.app import create_app
from lac.schema.scalars import serialize_datetime
from tests.support import CLIENT_IP, TEST_START, Api, make_api

ENTRY = (
    "id time actionGroup action result username admin { id username firstname lastname } "
    "ipAddress userAgent fullActionName customer { id email name } loginAsCustomerSessionId "
    "details hash"
)
LOG = f"""
query Log($filter: AdminActionLogFilter, $sort: AdminActionLogSort, $first: Int, $after: String) {{
  adminActionLog(filter: $filter, sort: $sort, first: $first, after: $after) {{
    edges {{ cursor node {{ {ENTRY} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
LOG_COUNT = """
query Count($filter: AdminActionLogFilter) { adminActionLog(filter: $filter, first: 1) { totalCount } }
"""
SESSIONS = """
query Sessions($filter: LoginAsCustomerLogFilter, $first: Int, $after: String) {
  loginAsCustomerLog(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id state admin { username } customer { email } reason startedAt endedAt endCause actionCount } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
START = """
mutation Start($input: LoginAsCustomerInput!) {
  loginAsCustomer(input: $input) { secret session { id } }
}
"""
EXCHANGE = """
mutation Exchange($secret: String!) {
  exchangeLoginAsCustomerSecret(secret: $secret) { token session { id } }
}
"""
ADD_TO_CART = (
    "mutation AddToCart($sku: String!) { addToCart(sku: $sku, quantity: 2) { itemsCount } }"
)
END = "mutation { endLoginAsCustomer }"
CONSENT = "mutation Consent($allowed: Boolean!) { updateMyAccount(input: {allowRemoteShoppingAssistance: $allowed}) { id } }"
ADMIN_LOGIN = (
    "mutation($u: String!, $p: String!) { adminLogin(username: $u, password: $p) { token } }"
)
PASSWORDS = {
    "admin": "Admin123!",
    "support": "Support123!",
    "viewer": "Viewer123!",
    "auditor": "Auditor123!",
}
OTHER_IP = "198.51.100.9"


def at(**delta: float) -> str:
    """The wire form of TEST_START + delta."""
    return serialize_datetime(TEST_START + timedelta(**delta))


async def login(api: Api, username: str) -> str:
    return await api.admin_token(username, PASSWORDS[username])


async def customer_id(db: AsyncSession, email: str) -> str:
    customer = (await db.exec(select(Customer).where(Customer.email == email))).one()
    return str(customer.id)


async def admin_id(db: AsyncSession, username: str) -> str:
    admin = (await db.exec(select(AdminUser).where(AdminUser.username == username))).one()
    return str(admin.id)


async def impersonate(api: Api, admin_token: str, customer: str, **input_: Any) -> tuple[str, str]:
    """(impersonation token, session id) for the admin acting as the customer (an id)."""
    started = await api.data(
        START, {"input": {"customerId": customer, **input_}}, token=admin_token
    )
    exchanged = await api.data(EXCHANGE, {"secret": started["loginAsCustomer"]["secret"]})
    result = exchanged["exchangeLoginAsCustomerSecret"]
    return result["token"], result["session"]["id"]


async def log_page(api: Api, token: str, **variables: Any) -> dict[str, Any]:
    page: dict[str, Any] = (await api.data(LOG, variables, token=token))["adminActionLog"]
    return page


async def log_nodes(api: Api, token: str, **variables: Any) -> list[dict[str, Any]]:
    """The matching entries, all on one page of 200."""
    page = await log_page(api, token, first=200, **variables)
    assert page["pageInfo"]["hasNextPage"] is False
    return [edge["node"] for edge in page["edges"]]


async def session_nodes(api: Api, token: str, **variables: Any) -> list[dict[str, Any]]:
    data = await api.data(SESSIONS, variables, token=token)
    return [edge["node"] for edge in data["loginAsCustomerLog"]["edges"]]


@asynccontextmanager
async def api_from(
    ip: str, engine: AsyncEngine, settings: Settings, clock: ManualClock
) -> AsyncIterator[Api]:
    """The same service, called from another address."""
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app, client_ip=ip) as http:
        yield Api(http)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


# --- one session, start to end ---------------------------------------------------------


async def test_a_whole_session_in_time_order(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    auditor = await login(api, "auditor")
    support = await login(api, "support")
    jane = await customer_id(db_session, "jane.doe@example.com")
    clock.advance(seconds=5)
    started = await api.data(
        START, {"input": {"customerId": jane, "reason": "Ticket #7"}}, token=support
    )
    clock.advance(seconds=5)
    exchanged = await api.data(EXCHANGE, {"secret": started["loginAsCustomer"]["secret"]})
    token = exchanged["exchangeLoginAsCustomerSecret"]["token"]
    session_id = exchanged["exchangeLoginAsCustomerSecret"]["session"]["id"]
    clock.advance(seconds=5)
    await api.data(ADD_TO_CART, {"sku": "MH01"}, token=token)
    clock.advance(seconds=5)
    await api.data(END, token=token)

    oldest_first = await log_nodes(
        api, auditor, filter={"actionGroups": ["LOGIN_AS_CUSTOMER"]}, sort="TIME_ASC"
    )
    assert [(n["action"], n["time"], n["fullActionName"]) for n in oldest_first] == [
        ("login_as_customer.start", at(seconds=5), "mutation Start.loginAsCustomer"),
        (
            "login_as_customer.exchange",
            at(seconds=10),
            "mutation Exchange.exchangeLoginAsCustomerSecret",
        ),
        ("cart.add", at(seconds=15), "mutation AddToCart.addToCart"),
        ("login_as_customer.end", at(seconds=20), "mutation endLoginAsCustomer"),
    ]
    jane_summary = {"id": jane, "email": "jane.doe@example.com", "name": "Jane Doe"}
    support_summary = {
        "id": await admin_id(db_session, "support"),
        "username": "support",
        "firstname": "Sam",
        "lastname": "Support",
    }
    for node in oldest_first:
        assert node["actionGroup"] == "LOGIN_AS_CUSTOMER"
        assert node["result"] == "SUCCESS"
        assert node["username"] == "support"
        assert node["admin"] == support_summary
        assert node["customer"] == jane_summary
        assert node["loginAsCustomerSessionId"] == session_id
        assert node["ipAddress"] == CLIENT_IP
        assert node["userAgent"].startswith("python-httpx/")
        assert re.fullmatch("[0-9a-f]{64}|", node["hash"])
        assert token not in str(node["details"])
    assert oldest_first[0]["details"]["reason"] == "Ticket #7"
    assert oldest_first[2]["details"] == {"sku": "MH01", "quantity": 2}
    assert oldest_first[3]["details"] == {"cause": "LOGOUT"}

    newest_first = await log_nodes(api, auditor, filter={"actionGroups": ["LOGIN_AS_CUSTOMER"]})
    assert newest_first == oldest_first[::-1]


# --- every filter ----------------------------------------------------------------------


async def busy_log(
    api: Api, db: AsyncSession, clock: ManualClock, elsewhere: Api
) -> tuple[str, list[dict[str, Any]]]:
    """An auditor token and the whole log, oldest first, after a morning of activity:

    0 auditor signs in (12:00)        5 support starts acting as Jane (12:04)
    1 support signs in (12:01)        6 ... the storefront exchanges the secret (12:04)
    2 viewer fails to sign in (12:02) 7 ... adds to Jane's cart (12:04)
    3 admin signs in from elsewhere   8 ... leaves (12:05)
      (12:03)                         9 Marie withdraws her consent herself (12:06)
    4 support signs in again (12:04)
    """
    auditor = await login(api, "auditor")
    clock.advance(minutes=1)
    await login(api, "support")
    clock.advance(minutes=1)
    bad = await api.call(ADMIN_LOGIN, {"u": "viewer", "p": "Wrong1234!"})
    assert bad["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    clock.advance(minutes=1)
    await login(elsewhere, "admin")
    clock.advance(minutes=1)
    support = await login(api, "support")
    token, _ = await impersonate(
        api, support, await customer_id(db, "jane.doe@example.com"), reason="Call 99"
    )
    await api.data(ADD_TO_CART, {"sku": "WS12"}, token=token)
    clock.advance(minutes=1)
    await api.data(END, token=token)
    clock.advance(minutes=1)
    marie = await api.customer_token("marie.curie@example.com", "Customer123!", "outlet")
    await api.data(CONSENT, {"allowed": False}, token=marie)

    everything = await log_nodes(api, auditor, sort="TIME_ASC")
    assert [(n["action"], n["result"], n["username"]) for n in everything] == [
        ("admin.login", "SUCCESS", "auditor"),
        ("admin.login", "SUCCESS", "support"),
        ("admin.login_failed", "FAILURE", "viewer"),
        ("admin.login", "SUCCESS", "admin"),
        ("admin.login", "SUCCESS", "support"),
        ("login_as_customer.start", "SUCCESS", "support"),
        ("login_as_customer.exchange", "SUCCESS", "support"),
        ("cart.add", "SUCCESS", "support"),
        ("login_as_customer.end", "SUCCESS", "support"),
        ("consent.update", "SUCCESS", "marie.curie@example.com"),
    ]
    return auditor, everything


async def test_every_filter(
    api: Api,
    db_session: AsyncSession,
    clock: ManualClock,
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    async with api_from(OTHER_IP, engine, settings, clock) as elsewhere:
        auditor, everything = await busy_log(api, db_session, clock, elsewhere)
    position = {node["id"]: index for index, node in enumerate(everything)}
    jane = await customer_id(db_session, "jane.doe@example.com")
    marie = await customer_id(db_session, "marie.curie@example.com")
    cases: dict[str, tuple[dict[str, Any], list[int]]] = {
        "no filter": ({}, list(range(10))),
        "one group": ({"actionGroups": ["ADMIN_SESSIONS"]}, [0, 1, 2, 3, 4]),
        "two groups": ({"actionGroups": ["ADMIN_SESSIONS", "CUSTOMERS"]}, [0, 1, 2, 3, 4, 9]),
        "no groups": ({"actionGroups": []}, list(range(10))),
        "group without entries": ({"actionGroups": ["SALES"]}, []),
        "one action": ({"actions": ["admin.login_failed"]}, [2]),
        "two actions": (
            {"actions": ["login_as_customer.start", "login_as_customer.end"]},
            [5, 8],
        ),
        "one username": ({"usernames": ["viewer"]}, [2]),
        "two usernames": ({"usernames": ["admin", "support"]}, [1, 3, 4, 5, 6, 7, 8]),
        "a customer's email as username": ({"usernames": ["marie.curie@example.com"]}, [9]),
        "unknown username": ({"usernames": ["nobody"]}, []),
        "failures": ({"result": "FAILURE"}, [2]),
        "successes": ({"result": "SUCCESS"}, [0, 1, 3, 4, 5, 6, 7, 8, 9]),
        "customer Jane": ({"customerId": jane}, [5, 6, 7, 8]),
        "customer Marie": ({"customerId": marie}, [9]),
        "customer without entries": ({"customerId": "4242"}, []),
        "other address": ({"ipAddress": OTHER_IP}, [3]),
        "usual address": ({"ipAddress": CLIENT_IP}, [0, 1, 2, 4, 5, 6, 7, 8, 9]),
        "from (inclusive)": ({"from": at(minutes=4)}, [4, 5, 6, 7, 8, 9]),
        "to (inclusive)": ({"to": at(minutes=4)}, [0, 1, 2, 3, 4, 5, 6, 7]),
        "from and to": ({"from": at(minutes=1), "to": at(minutes=3)}, [1, 2, 3]),
        "one instant": ({"from": at(minutes=4), "to": at(minutes=4)}, [4, 5, 6, 7]),
        "between entries": (
            {"from": at(minutes=2, seconds=1), "to": at(minutes=2, seconds=59)},
            [],
        ),
        "from in another zone": ({"from": "2026-11-25T13:05:00+01:00"}, [8, 9]),
        "all together": (
            {
                "actionGroups": ["LOGIN_AS_CUSTOMER"],
                "actions": ["login_as_customer.start", "cart.add", "admin.login"],
                "usernames": ["support"],
                "result": "SUCCESS",
                "customerId": jane,
                "ipAddress": CLIENT_IP,
                "from": at(minutes=4),
                "to": at(minutes=4),
            },
            [5, 7],
        ),
    }
    got = {}
    for name, (where, _) in cases.items():
        nodes = await log_nodes(api, auditor, filter=where, sort="TIME_ASC")
        got[name] = [position[node["id"]] for node in nodes]
    assert got == {name: expected for name, (_, expected) in cases.items()}

    counts = {}
    for name, (where, _) in cases.items():
        data = await api.data(LOG_COUNT, {"filter": where}, token=auditor)
        counts[name] = data["adminActionLog"]["totalCount"]
    assert counts == {name: len(expected) for name, (_, expected) in cases.items()}


async def test_who_and_what_entries_name(
    api: Api,
    db_session: AsyncSession,
    clock: ManualClock,
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    async with api_from(OTHER_IP, engine, settings, clock) as elsewhere:
        _, everything = await busy_log(api, db_session, clock, elsewhere)
    auditor_login, _, failed, _, _, start, *_, consent = everything
    assert auditor_login["admin"] == {
        "id": await admin_id(db_session, "auditor"),
        "username": "auditor",
        "firstname": "Aud",
        "lastname": "Itor",
    }
    assert (auditor_login["customer"], auditor_login["loginAsCustomerSessionId"]) == (None, None)
    assert auditor_login["details"] == {}
    assert auditor_login["fullActionName"] == "mutation AdminLogin.adminLogin"
    assert (failed["result"], failed["details"]) == ("FAILURE", {"code": "UNAUTHENTICATED"})
    assert start["details"]["reason"] == "Call 99"
    assert consent["actionGroup"] == "CUSTOMERS"
    assert consent["admin"] is None
    assert consent["customer"] == {
        "id": await customer_id(db_session, "marie.curie@example.com"),
        "email": "marie.curie@example.com",
        "name": "Marie Curie",
    }
    assert consent["details"] == {
        "changes": {"allowRemoteShoppingAssistance": {"old": True, "new": False}}
    }


async def test_newest_first_by_default(
    api: Api,
    db_session: AsyncSession,
    clock: ManualClock,
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    async with api_from(OTHER_IP, engine, settings, clock) as elsewhere:
        auditor, everything = await busy_log(api, db_session, clock, elsewhere)
    newest_first = await log_nodes(api, auditor)
    assert newest_first == await log_nodes(api, auditor, sort="TIME_DESC")
    assert newest_first == await log_nodes(api, auditor, sort=None)
    assert newest_first == everything[::-1]
    # entries of one instant (12:04) keep their order by id, both ways
    assert [int(node["id"]) for node in everything] == sorted(int(n["id"]) for n in everything)


# --- keyset pages ----------------------------------------------------------------------


async def all_ids(api: Api, token: str) -> list[str]:
    return [node["id"] for node in await log_nodes(api, token, sort="TIME_ASC")]


@pytest.mark.parametrize("sort", ["TIME_ASC", "TIME_DESC"])
async def test_pages_hold_still_while_entries_are_added(
    api: Api, clock: ManualClock, sort: str
) -> None:
    auditor = await login(api, "auditor")
    for i in range(15):  # 16 entries over 4 instants: many share their time
        await login(api, ("support", "viewer", "admin")[i % 3])
        if i % 4 == 3:
            clock.advance(seconds=1)
    before = await all_ids(api, auditor)
    assert len(before) == 16

    seen: list[str] = []
    after = None
    while True:
        page = await log_page(api, auditor, sort=sort, first=7, after=after)
        assert len(page["edges"]) <= 7
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == (
            page["edges"][-1]["cursor"] if page["edges"] else None
        )
        await login(api, "support")  # a new entry, at the same instant, between pages
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(seen) == len(set(seen))
    if sort == "TIME_DESC":
        # newer entries sort before the cursor: the walk shows exactly what was there
        assert seen == before[::-1]
    else:
        # newer entries sort after everything: they show up at the end, in order; only
        # the one written after the last page is missing
        now = await all_ids(api, auditor)
        assert seen[: len(before)] == before
        assert seen == now[:-1]
        assert len(seen) > len(before)


async def test_page_size_and_malformed_input(api: Api) -> None:
    auditor = await login(api, "auditor")
    assert await api.error_code(LOG, {"first": 201}, token=auditor) == "BAD_USER_INPUT"
    assert await api.error_code(LOG, {"first": -1}, token=auditor) == "BAD_USER_INPUT"
    assert len((await log_page(api, auditor, first=200))["edges"]) == 1
    assert (await log_page(api, auditor, first=0))["pageInfo"] == {
        "hasNextPage": True,
        "endCursor": None,
    }
    admin = await login(api, "admin")
    customers_cursor = (
        await api.data("{ customers(first: 1) { pageInfo { endCursor } } }", token=admin)
    )["customers"]["pageInfo"]["endCursor"]
    forged = [
        "nope",
        customers_cursor,
        base64.urlsafe_b64encode(b"log:yesterday|1").decode(),
        base64.urlsafe_b64encode(b"log:2026-11-25T12:00:00|1").decode(),  # no zone
        base64.urlsafe_b64encode(b"log:2026-11-25T12:00:00+00:00|x").decode(),
        base64.urlsafe_b64encode(b"log:2026-11-25T12:00:00+00:00|" + b"9" * 30).decode(),
        base64.urlsafe_b64encode(b"session:2026-11-25T12:00:00+00:00|1").decode(),
    ]
    for cursor in forged:
        assert await api.error_code(LOG, {"after": cursor}, token=auditor) == "BAD_USER_INPUT", (
            cursor
        )
    bad_customer = {"filter": {"customerId": "jane"}}
    assert await api.error_code(LOG, bad_customer, token=auditor) == "BAD_USER_INPUT"
    bad_time = {"filter": {"from": "2026-11-25T12:00:00"}}
    assert await api.error_code(LOG, bad_time, token=auditor) == "BAD_USER_INPUT"

    assert await api.error_code(SESSIONS, {"first": 201}, token=auditor) == "BAD_USER_INPUT"
    assert await api.error_code(SESSIONS, bad_customer, token=auditor) == "BAD_USER_INPUT"
    log_cursor = (await log_page(api, auditor, first=1))["pageInfo"]["endCursor"]
    assert await api.error_code(SESSIONS, {"after": log_cursor}, token=auditor) == "BAD_USER_INPUT"


async def test_total_count_is_computed_only_when_asked(api: Api, engine: AsyncEngine) -> None:
    auditor = await login(api, "auditor")

    def counts(seen: list[str]) -> list[str]:
        # an exact COUNT of the log, or a sum of its counters (resolvers/log/counters.py)
        return [
            s
            for s in seen
            if ("count(" in s.lower() or "sum(" in s.lower()) and "admin_action_log" in s
        ]

    with statements(engine) as seen:
        await log_page(api, auditor)
    assert counts(seen) == []
    with statements(engine) as seen:
        data = await api.data(LOG_COUNT, token=auditor)
    assert data["adminActionLog"]["totalCount"] == 1
    assert len(counts(seen)) == 1


# --- who may read ----------------------------------------------------------------------

GROUPS = "{ actionGroups { code label } }"


@pytest.mark.parametrize(
    ("caller", "log", "sessions"),
    [
        ("auditor", None, None),
        ("admin", None, None),
        ("support", "FORBIDDEN", None),
        ("viewer", "FORBIDDEN", "FORBIDDEN"),
        ("customer", "FORBIDDEN", "FORBIDDEN"),
        ("nobody", "UNAUTHENTICATED", "UNAUTHENTICATED"),
    ],
)
async def test_who_may_read_the_logs(
    api: Api, caller: str, log: str | None, sessions: str | None
) -> None:
    if caller == "customer":
        token: str | None = await api.customer_token("jane.doe@example.com", "Customer123!")
    elif caller == "nobody":
        token = None
    else:
        token = await login(api, caller)
    for query, expected in ((LOG, log), (GROUPS, log), (SESSIONS, sessions)):
        body = await api.call(query, token=token)
        got = body["errors"][0]["extensions"]["code"] if "errors" in body else None
        assert got == expected, query


async def test_action_groups_and_their_labels(api: Api) -> None:
    auditor = await login(api, "auditor")
    assert (await api.data(GROUPS, token=auditor))["actionGroups"] == [
        {"code": "LOGIN_AS_CUSTOMER", "label": "Login As Customer"},
        {"code": "CUSTOMERS", "label": "Customers"},
        {"code": "SALES", "label": "Sales"},
        {"code": "STORES_CONFIG", "label": "Stores Configuration"},
        {"code": "ADMIN_USERS", "label": "Admin Users and Roles"},
        {"code": "ADMIN_SESSIONS", "label": "Admin Sessions"},
        {"code": "SECURITY", "label": "Security"},
    ]


# --- the Login-as-Customer log ---------------------------------------------------------


async def test_login_as_customer_log(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    """A: support for Jane, ended (12:00); C: admin for Jane, active (12:10);
    B: support for Marie, pending (12:10:10)."""
    auditor = await login(api, "auditor")
    support = await login(api, "support")
    admin = await login(api, "admin")
    jane = await customer_id(db_session, "jane.doe@example.com")
    marie = await customer_id(db_session, "marie.curie@example.com")
    token, a = await impersonate(api, support, jane, reason="Ticket A")
    await api.data(ADD_TO_CART, {"sku": "MH01"}, token=token)
    await api.data(END, token=token)
    clock.advance(minutes=10)
    _, c = await impersonate(api, admin, jane)
    clock.advance(seconds=10)
    started = await api.data(START, {"input": {"customerId": marie}}, token=support)
    b = started["loginAsCustomer"]["session"]["id"]

    def ids(nodes: list[dict[str, Any]]) -> list[str]:
        return [node["id"] for node in nodes]

    everything = await session_nodes(api, auditor)
    assert [
        (n["id"], n["state"], n["admin"]["username"], n["customer"]["email"]) for n in everything
    ] == [
        (b, "PENDING", "support", "marie.curie@example.com"),
        (c, "ACTIVE", "admin", "jane.doe@example.com"),
        (a, "ENDED", "support", "jane.doe@example.com"),
    ]
    assert [n["actionCount"] for n in everything] == [1, 2, 4]  # A: start exchange cart.add end
    assert (everything[2]["reason"], everything[2]["endCause"]) == ("Ticket A", "LOGOUT")
    assert [n["startedAt"] for n in everything] == [
        at(minutes=10, seconds=10),
        at(minutes=10),
        at(),
    ]

    cases: dict[str, tuple[dict[str, Any], list[str]]] = {
        "active only": ({"activeOnly": True}, [b, c]),
        "not only active": ({"activeOnly": False}, [b, c, a]),
        "admin": ({"adminUsername": "support"}, [b, a]),
        "unknown admin": ({"adminUsername": "nobody"}, []),
        "customer": ({"customerId": jane}, [c, a]),
        "from (inclusive)": ({"from": at(minutes=10)}, [b, c]),
        "to (inclusive)": ({"to": at(minutes=10)}, [c, a]),
        "together": ({"adminUsername": "admin", "customerId": jane, "activeOnly": True}, [c]),
    }
    got = {name: ids(await session_nodes(api, auditor, filter=f)) for name, (f, _) in cases.items()}
    assert got == {name: expected for name, (_, expected) in cases.items()}

    first = (await api.data(SESSIONS, {"first": 2}, token=auditor))["loginAsCustomerLog"]
    assert ids([e["node"] for e in first["edges"]]) == [b, c]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    rest = (
        await api.data(
            SESSIONS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=auditor
        )
    )["loginAsCustomerLog"]
    assert ids([e["node"] for e in rest["edges"]]) == [a]
    assert (rest["totalCount"], rest["pageInfo"]["hasNextPage"]) == (3, False)

    clock.advance(seconds=61)  # B's secret runs out: it is no longer live
    assert ids(await session_nodes(api, auditor, filter={"activeOnly": True})) == [c]
    expired = (await session_nodes(api, auditor))[0]
    assert (expired["id"], expired["state"], expired["endCause"]) == (b, "ENDED", "EXPIRED")
    assert expired["actionCount"] == 2  # start, end


# --- the indexes -----------------------------------------------------------------------


async def test_group_and_time_filter_uses_an_index_on_postgresql(
    engine: AsyncEngine, db_session: AsyncSession
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    # as in a real log, sign-ins dominate and Login-as-Customer entries are a few percent
    await begin_write(db_session)
    db_session.add_all(
        AdminActionLogEntry(
            time=TEST_START + timedelta(seconds=i),
            action_group=(
                ActionGroup.LOGIN_AS_CUSTOMER if i % 40 == 0 else ActionGroup.ADMIN_SESSIONS
            ).value,
            action="admin.login",
            result="SUCCESS",
            username=f"user{i % 50}",
            full_action_name="mutation adminLogin",
            details="{}",
        )
        for i in range(2000)
    )
    await db_session.commit()
    connection = await db_session.connection()
    await connection.execute(text("ANALYZE admin_action_log"))
    await connection.execute(text("SET LOCAL enable_seqscan = off"))
    where = AdminActionLogFilter(
        action_groups=(ActionGroup.LOGIN_AS_CUSTOMER,),
        time_from=TEST_START + timedelta(minutes=1),
        time_to=TEST_START + timedelta(minutes=30),
    )
    first_page = admin_action_log_statement(where, sort=LogSort.TIME_DESC, first=20, after=None)
    cursor = (await connection.execute(first_page)).all()[9]
    assert cursor.id is not None
    next_page = admin_action_log_statement(
        where, sort=LogSort.TIME_DESC, first=20, after=LOG_KEYSET.cursor(cursor.time, cursor.id)
    )
    for statement in (first_page, next_page):
        sql = statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in await connection.execute(text(f"EXPLAIN {sql}")))
        assert "ix_admin_action_log_group_time_id" in plan, plan
        assert "Index" in plan, plan
