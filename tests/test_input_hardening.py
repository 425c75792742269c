"""Every input decoded safely (issue 9): no value a caller sends reaches a column it does not
fit, ids and cursors are parsed strictly, names are unique the same way on both engines, and
the log seals exactly what it stores. Run on SQLite and on PostgreSQL.

Every String and ID argument of the schema is sent each crafted value (a test fails when an
argument is missing from the table). Each answer is one error with the expected code; a
refused call changes nothing but the log (a refused mutation writes its FAILURE entry); and
the hash chain still verifies afterwards.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings, parse_networks
from lac.db.models import AdminActionLogEntry, Role
from lac.schema.app import create_app
from tests.input_cases import ADMIN_LOGIN, CASES, NEW_ADMIN, Case, text_arguments
from tests.sessions import JANE, start_live_session
from tests.support import Api, make_api

VERIFY = "{ verifyAdminActionLog { valid firstBrokenEntryId } }"
LOGGED_ELSEWHERE = {  # may change
    "admin_action_log",
    "admin_action_log_counter",
    "auth_failure",
    "login_throttle",
}

TEXT_VARIANTS = {
    "NUL": "Ab\x00",
    "terminal escape": "Ab\x1b[2J",
    "50,000 characters": "a1" * 25_000,  # SQLite's longest LIKE pattern; letters and digits
}
MALFORMED_IDS = ["١٢", "²", "2147483648", "99999999999999999999", "-1", "1e3", "0x1f"]


def _encoded(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.urlsafe_b64encode(raw).decode()


def _cursor_at(kind: str, position: str) -> str:
    """A cursor of this kind naming `position`, as a crafting client would write it."""
    if kind == "id":
        return _encoded(f"id:{position}")
    return _encoded(f"{kind}:2026-11-25T12:00:00+00:00|{position}")


CRAFTED_CURSORS: dict[str, Callable[[str], str]] = {
    "not base64": lambda kind: "%%%not-a-cursor",
    "not UTF-8": lambda kind: _encoded(b"\xff\xfe\xfd"),
    "Unicode digits": lambda kind: _cursor_at(kind, "١٢"),
    "beyond INTEGER": lambda kind: _cursor_at(kind, "2147483648"),
    "5000 digits": lambda kind: _cursor_at(kind, "9" * 5000),
    "negative": lambda kind: _cursor_at(kind, "-1"),
    "no UTC instant": lambda kind: _encoded(
        "id:+1" if kind == "id" else f"{kind}:0001-01-01T00:00:00+14:00|1"
    ),
}


async def _callers(api: Api, db_session: AsyncSession, clock: ManualClock) -> dict[str, str | None]:
    return {
        "admin": await api.admin_token("admin", "Admin123!"),
        "customer": await api.customer_token(JANE, "Customer123!"),
        "impersonation": (await start_live_session(db_session, clock)).token,
        "anonymous": None,
    }


async def _post(
    api: Api, query: str, variables: dict[str, Any], token: str | None
) -> httpx.Response:
    """Post as a client would; JSON escapes carry lone surrogates ("\\ud800") intact."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables})
    return await api.http.post("/graphql", content=body, headers=headers)


async def _send(
    api: Api, query: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    response = await _post(api, query, variables, token)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def _state(db_session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the log and the failure counters."""
    await db_session.rollback()
    connection = await db_session.connection()
    state = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in LOGGED_ELSEWHERE:
            rows = (await connection.execute(table.select())).all()
            state[table.name] = sorted(map(tuple, rows), key=repr)
    return state


async def _failures(db_session: AsyncSession, action: str) -> list[AdminActionLogEntry]:
    await db_session.rollback()
    statement = select(AdminActionLogEntry).where(
        AdminActionLogEntry.action == action, AdminActionLogEntry.result == "FAILURE"
    )
    return list((await db_session.exec(statement.order_by(col(AdminActionLogEntry.id)))).all())


async def _entry_count(db_session: AsyncSession) -> int:
    await db_session.rollback()
    return len((await db_session.exec(select(AdminActionLogEntry.id))).all())


async def _assert_refused(
    api: Api, db_session: AsyncSession, case: Case, value: str, token: str | None
) -> None:
    """One error with the case's code, nothing changed, and the FAILURE entry if the call
    logs one."""
    before = await _state(db_session)
    entries = await _entry_count(db_session)
    failures = len(await _failures(db_session, case.logged)) if case.logged else 0
    body = await _send(api, case.query, case.with_value(value), token)
    errors = body.get("errors", [])
    assert [error["extensions"]["code"] for error in errors] == [case.code], (case.argument, body)
    assert await _state(db_session) == before, case.argument
    if case.logged is None:
        assert await _entry_count(db_session) == entries, case.argument
        return
    logged = await _failures(db_session, case.logged)
    assert len(logged) == failures + 1, case.argument
    assert json.loads(logged[-1].details)["code"] == case.code, case.argument


async def _assert_log_verifies(api: Api, token: str | None) -> None:
    assert (await api.data(VERIFY, token=token))["verifyAdminActionLog"] == {
        "valid": True,
        "firstBrokenEntryId": None,
    }


def test_every_string_and_id_argument_has_a_case() -> None:
    assert {case.argument for case in CASES} == text_arguments("String", "ID")


@pytest.mark.parametrize("variant", list(TEXT_VARIANTS))
async def test_text_no_column_can_hold_is_refused_everywhere(
    api: Api, db_session: AsyncSession, clock: ManualClock, variant: str
) -> None:
    tokens = await _callers(api, db_session, clock)
    value = TEXT_VARIANTS[variant]
    for case in CASES:
        if case.password and variant == "50,000 characters":
            continue
        await _assert_refused(api, db_session, case, value, tokens[case.caller])
    await _assert_log_verifies(api, tokens["admin"])


async def test_a_lone_surrogate_in_any_argument_is_refused_before_anything_runs(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    """A lone surrogate is not text: the HTTP layer refuses the request (400) whatever the
    argument, so nothing runs, nothing changes and nothing is logged."""
    tokens = await _callers(api, db_session, clock)
    before, entries = await _state(db_session), await _entry_count(db_session)
    for case in CASES:
        response = await _post(api, case.query, case.with_value("Ab\ud800"), tokens[case.caller])
        assert response.status_code == 400, (case.argument, response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _state(db_session) == before
    assert await _entry_count(db_session) == entries


ID_CASES = [case for case in CASES if case.argument in text_arguments("ID")]


@pytest.mark.parametrize("malformed", MALFORMED_IDS)
async def test_malformed_ids_are_bad_input(
    api: Api, db_session: AsyncSession, clock: ManualClock, malformed: str
) -> None:
    """Only ASCII digits within the INTEGER range name a row: not Arabic-Indic or
    superscript digits (str.isdigit accepts both), not 2**31 (PostgreSQL's INTEGER ends
    before it, SQLite's does not: both now answer the same)."""
    tokens = await _callers(api, db_session, clock)
    for case in ID_CASES:
        await _assert_refused(api, db_session, case, malformed, tokens[case.caller])
    await _assert_log_verifies(api, tokens["admin"])


@pytest.mark.parametrize(
    "query",
    [
        'query { role(id: "2147483647") { id } }',
        'query { customer(id: "2147483647") { id } }',
        'query { creditMemo(id: " 2147483647 ") { id } }',
        'mutation { deleteRole(id: "2147483647") }',
        'mutation { setRemoteShoppingAssistance(customerId: "2147483647", allowed: true) { id } }',
        'mutation { terminateLoginAsCustomerSession(id: "2147483647") { id } }',
    ],
)
async def test_the_largest_id_is_well_formed_and_not_found(api: Api, query: str) -> None:
    token = await api.admin_token("admin", "Admin123!")
    assert await api.error_code(query, token=token) == "NOT_FOUND"


@pytest.mark.parametrize("variant", list(CRAFTED_CURSORS))
async def test_crafted_cursors_are_bad_input(
    api: Api, db_session: AsyncSession, clock: ManualClock, variant: str
) -> None:
    tokens = await _callers(api, db_session, clock)
    for case in CASES:
        if case.cursor is not None:
            cursor = CRAFTED_CURSORS[variant](case.cursor)
            await _assert_refused(api, db_session, case, cursor, tokens[case.caller])


OVERLONG_USERNAMES = {
    "300 characters": "a" * 300,
    "trailing spaces PostgreSQL would cut": "b" * 255 + " " * 45,
    "longer than the lockout key": "c" * 600,
    "NUL": "adm\x00in",
}


@pytest.mark.parametrize("variant", list(OVERLONG_USERNAMES))
async def test_a_username_no_column_fits_is_logged_and_locked_out(
    api: Api, db_session: AsyncSession, variant: str
) -> None:
    """Six failed sign-ins under one such name lock it like any other; each failure is
    on record with the name as the log column keeps it, and the chain verifies."""
    username = OVERLONG_USERNAMES[variant]
    variables = {"u": username, "p": "Guess12345"}
    codes = [
        (await _send(api, ADMIN_LOGIN, variables, None))["errors"][0]["extensions"]["code"]
        for _ in range(7)
    ]
    assert codes == ["UNAUTHENTICATED"] * 6 + ["ACCOUNT_LOCKED"]
    logged = await _failures(db_session, "admin.login_failed")
    assert [json.loads(entry.details)["code"] for entry in logged] == codes
    assert {entry.username for entry in logged} == {_as_logged(username)}
    assert len(await _failures(db_session, "admin.locked")) == 1
    await _assert_log_verifies(api, await api.admin_token("auditor", "Auditor123!"))


def _as_logged(username: str) -> str:
    """What the log keeps of a username: at most 255 characters, the last one an ellipsis
    when it was cut; NUL and lone surrogates as U+FFFD."""
    kept = username.replace("\x00", "\ufffd").replace("\ud800", "\ufffd")
    return kept if len(kept) <= 255 else kept[:254] + "\u2026"


async def test_an_operation_name_longer_than_its_column_is_logged_cut(
    api: Api, db_session: AsyncSession
) -> None:
    name = "Probe" + "x" * 300
    query = f"mutation {name}($u: String!, $p: String!) {{ adminLogin(username: $u, password: $p) {{ token }} }}"
    body = await _send(api, query, {"u": "admin", "p": "Wrong12345"}, None)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    [entry] = await _failures(db_session, "admin.login_failed")
    assert entry.full_action_name == f"mutation {name}.adminLogin"[:254] + "\u2026"
    await _assert_log_verifies(api, await api.admin_token("auditor", "Auditor123!"))


CREATE_ROLE = "mutation M($n: String!) { createRole(input: {name: $n, resources: []}) { name } }"
CREATE_ADMIN = (
    "mutation M($value: CreateAdminUserInput!) { createAdminUser(input: $value) { username } }"
)
SAME_NAMES = {
    "the same non-ASCII name": ("Ärzte", "Ärzte"),
    "non-ASCII case": ("ÄRZTE", "ärzte"),
    "full case folding": ("Straße", "STRASSE"),
    "composed and decomposed": ("\u00c5ngstr\u00f6m", "A\u030angstro\u0308m"),
    "full-width letters": ("\uff30\uff4c\uff41\uff4e\uff4e\uff45\uff52", "planner"),
}


@pytest.mark.parametrize("variant", list(SAME_NAMES))
async def test_names_differing_only_in_case_or_form_are_taken_on_both_engines(
    api: Api, db_session: AsyncSession, variant: str
) -> None:
    first, second = SAME_NAMES[variant]
    token = await api.admin_token("admin", "Admin123!")
    assert (await api.data(CREATE_ROLE, {"n": first}, token=token))["createRole"]["name"] == first
    assert await api.error_code(CREATE_ROLE, {"n": second}, token=token) == "BAD_USER_INPUT"
    user = {**NEW_ADMIN, "username": first}
    assert (await api.data(CREATE_ADMIN, {"value": user}, token=token))["createAdminUser"]
    again = {**NEW_ADMIN, "username": second, "email": "other@example.com"}
    assert await api.error_code(CREATE_ADMIN, {"value": again}, token=token) == "BAD_USER_INPUT"
    await db_session.rollback()
    names = (await db_session.exec(select(Role.name))).all()
    assert sorted(names) == sorted(["Administrators", "Support", "Viewer", "Auditor", first])
    assert [json.loads(e.details)["code"] for e in await _failures(db_session, "role.create")] == [
        "BAD_USER_INPUT"
    ]
    await _assert_log_verifies(api, token)


async def test_ordinary_text_still_passes_as_given(api: Api, db_session: AsyncSession) -> None:
    """Line breaks where text may span lines, any script, and values exactly as long as
    their column are accepted and read back unchanged."""
    token = await api.admin_token("support", "Support123!")
    reason = "Anruf von Frau Müller\r\n\tTicket #7 — 東京"
    started = await api.data(
        'mutation M($r: String) { loginAsCustomer(input: {customerId: "1", reason: $r}) { session { reason } } }',
        {"r": reason},
        token=token,
    )
    assert started["loginAsCustomer"]["session"]["reason"] == reason
    admin = await api.admin_token("admin", "Admin123!")
    name = "Ж" * 255
    assert (await api.data(CREATE_ROLE, {"n": name}, token=admin))["createRole"]["name"] == name
    await _assert_log_verifies(api, admin)


async def test_a_forwarded_address_with_an_ipv6_zone_is_not_the_client(
    engine: AsyncEngine, clock: ManualClock, migrated_url: str, db_session: AsyncSession
) -> None:
    """A trusted proxy forwards what the client wrote: an IPv6 address with a 200-character
    zone parses, but no column holds it and no remote client has one. The peer is the
    client then, and the failed sign-in is counted and logged."""
    settings = Settings(database_url=migrated_url, trusted_proxies=parse_networks("10.0.0.0/8"))
    app = create_app(settings, clock, engine=engine)
    forged = {"X-Forwarded-For": "fe80::1%" + "z" * 200}
    async with app.router.lifespan_context(app), make_api(app, client_ip="10.0.0.2") as http:
        response = await Api(http).post(
            ADMIN_LOGIN, {"u": "admin", "p": "Wrong12345"}, headers=forged
        )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    [entry] = await _failures(db_session, "admin.login_failed")
    assert entry.ip_address == "10.0.0.2"
