"""One-time assistance codes (DESIGN.md section 15): a customer without standing consent
gives a 6-digit code; it lets staff start one session, is used up race-free, expires,
is replaced by a newer code, is voided by the fifth wrong guess, and is never kept, logged
or answered in clear."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import String
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import AdminActionLogEntry, AssistanceCode, Customer, LoginAsCustomerSession
from lac.resolvers.login_as_customer.policy import (
    AssistanceConsent,
    CustomerFacts,
    LacFacts,
    UnavailableReason,
    exchange_end_cause,
    request_end_cause,
    unavailable_reason,
)
from lac.resolvers.login_as_customer.session_end import EndCause
from tests.support import TEST_START, Api

JOHN = "john.smith@example.com"
JANE = "jane.doe@example.com"
CREATE_CODE = "mutation { createAssistanceCode { code expiresAt } }"
START = """
mutation Start($input: LoginAsCustomerInput!) {
  loginAsCustomer(input: $input) { secret session { id consent readOnly customer { email } } }
}
"""
EXCHANGE = """
mutation Exchange($secret: String!) {
  exchangeLoginAsCustomerSecret(secret: $secret) { token session { state consent } }
}
"""
NO_CONSENT = "Login as Customer assistance is disabled for this Customer."


async def customer_id(db: AsyncSession, email: str) -> str:
    customer = (await db.exec(select(Customer).where(Customer.email == email))).one()
    return str(customer.id)


async def new_code(api: Api, token: str) -> dict[str, Any]:
    issued: dict[str, Any] = (await api.data(CREATE_CODE, token=token))["createAssistanceCode"]
    return issued


async def start_body(api: Api, admin: str, john_id: str, code: str | None) -> dict[str, Any]:
    """The whole answer to a start for John, with `code` (None: no code at all)."""
    input_: dict[str, Any] = {"customerId": john_id}
    if code is not None:
        input_["consentCode"] = code
    return await api.call(START, {"input": input_}, token=admin)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


async def start_entries(db: AsyncSession) -> list[AdminActionLogEntry]:
    await db.rollback()
    statement = (
        select(AdminActionLogEntry)
        .where(AdminActionLogEntry.action == "login_as_customer.start")
        .order_by(col(AdminActionLogEntry.id))
    )
    return list((await db.exec(statement)).all())


@pytest.fixture
async def john(api: Api) -> str:
    return await api.customer_token(JOHN, "Customer123!")


@pytest.fixture
async def support(api: Api) -> str:
    return await api.admin_token("support", "Support123!")


async def test_john_is_helped_once_with_a_code_and_not_twice(
    api: Api, db_session: AsyncSession, clock: ManualClock, john: str, support: str
) -> None:
    john_id = await customer_id(db_session, JOHN)
    refused = await start_body(api, support, john_id, None)
    assert refused["errors"][0]["extensions"]["code"] == "CUSTOMER_CONSENT_REQUIRED"

    response = await api.post(CREATE_CODE, token=john)
    assert response.headers["cache-control"] == "no-store"
    issued = response.json()["data"]["createAssistanceCode"]
    assert re.fullmatch(r"\d{6}", issued["code"])
    assert datetime.fromisoformat(issued["expiresAt"]) == clock.now() + timedelta(seconds=600)
    started = (await start_body(api, support, john_id, issued["code"]))["data"]["loginAsCustomer"]
    assert started["session"]["consent"] == "CODE"
    assert started["session"]["readOnly"] is False
    exchanged = await api.data(EXCHANGE, {"secret": started["secret"]})
    token = exchanged["exchangeLoginAsCustomerSecret"]["token"]
    assert exchanged["exchangeLoginAsCustomerSecret"]["session"] == {
        "state": "ACTIVE",
        "consent": "CODE",
    }
    # the code stands in for consent for the whole session, request after request
    for _ in range(2):
        assert (await api.data("{ me { email } }", token=token))["me"]["email"] == JOHN

    again = await start_body(api, support, john_id, issued["code"])
    assert again == refused
    # standing consent is what availability and Magento's token mutation describe
    customer = await api.data(
        f'{{ customer(id: "{john_id}") {{ canLoginAsCustomer loginAsCustomerUnavailableReason }} }}',
        token=support,
    )
    assert customer["customer"] == {
        "canLoginAsCustomer": False,
        "loginAsCustomerUnavailableReason": "CUSTOMER_CONSENT_REQUIRED",
    }
    await new_code(api, john)  # a live code does not stand in for consent here
    magento = await api.call(
        f'mutation {{ generateCustomerTokenAsAdmin(input: {{customer_email: "{JOHN}"}}) '
        "{ customer_token } }",
        token=await api.admin_token("admin", "Admin123!"),
    )
    assert magento["errors"][0]["extensions"]["code"] == "CUSTOMER_CONSENT_REQUIRED"

    entries = [(e.result, json.loads(e.details)) for e in await start_entries(db_session)]
    assert entries[0][1]["code"] == "CUSTOMER_CONSENT_REQUIRED"
    assert entries[1] == (
        "SUCCESS",
        {"consent": "CODE", "readOnly": False, "storeView": "french"},
    )
    assert entries[2][1]["code"] == "CUSTOMER_CONSENT_REQUIRED"


async def test_a_standing_consent_start_records_standing(
    api: Api, db_session: AsyncSession
) -> None:
    support = await api.admin_token("support", "Support123!")
    started = await api.data(
        START, {"input": {"customerId": await customer_id(db_session, JANE)}}, token=support
    )
    assert started["loginAsCustomer"]["session"]["consent"] == "STANDING"
    [entry] = await start_entries(db_session)
    assert json.loads(entry.details) == {
        "consent": "STANDING",
        "readOnly": False,
        "storeView": "default",
    }


async def test_wrong_expired_and_used_codes_are_indistinguishable(
    api: Api, db_session: AsyncSession, clock: ManualClock, john: str, support: str
) -> None:
    john_id = await customer_id(db_session, JOHN)
    no_code = await start_body(api, support, john_id, None)
    assert no_code["errors"][0]["message"] == NO_CONSENT

    live = await new_code(api, john)
    assert await start_body(api, support, john_id, wrong(live["code"])) == no_code
    assert await start_body(api, support, john_id, " ") == no_code  # blank: no code
    for malformed in ("12345", "1234567", "12a456", "١٢٣٤٥٦"):  # a format, not a guess
        body = await start_body(api, support, john_id, malformed)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    used = await new_code(api, john)
    assert "errors" not in await start_body(api, support, john_id, used["code"])
    assert await start_body(api, support, john_id, used["code"]) == no_code

    expiring = await new_code(api, john)
    clock.advance(seconds=600)
    assert await start_body(api, support, john_id, expiring["code"]) == no_code

    failures = [
        json.loads(e.details)["code"]
        for e in await start_entries(db_session)
        if e.result == "FAILURE"
    ]
    assert sorted(failures) == ["BAD_USER_INPUT"] * 4 + ["CUSTOMER_CONSENT_REQUIRED"] * 5


async def test_the_fifth_wrong_code_voids_the_live_code(
    api: Api, db_session: AsyncSession, john: str, support: str
) -> None:
    john_id = await customer_id(db_session, JOHN)
    survives = await new_code(api, john)
    for _ in range(4):
        body = await start_body(api, support, john_id, wrong(survives["code"]))
        assert body["errors"][0]["extensions"]["code"] == "CUSTOMER_CONSENT_REQUIRED"
    # each refused start rolled back, but its wrong guess was counted
    await db_session.rollback()
    row = (await db_session.exec(select(AssistanceCode))).one()
    assert row.failed_attempts == 4
    assert "errors" not in await start_body(api, support, john_id, survives["code"])

    voided = await new_code(api, john)
    for _ in range(5):
        await start_body(api, support, john_id, wrong(voided["code"]))
    body = await start_body(api, support, john_id, voided["code"])
    assert body["errors"][0]["message"] == NO_CONSENT
    await db_session.rollback()
    assert (await db_session.exec(select(AssistanceCode))).all() == []


async def test_a_new_code_replaces_the_previous_one(
    api: Api, db_session: AsyncSession, john: str, support: str
) -> None:
    john_id = await customer_id(db_session, JOHN)
    old = await new_code(api, john)
    new = await new_code(api, john)
    while new["code"] == old["code"]:  # one chance in a million
        new = await new_code(api, john)
    body = await start_body(api, support, john_id, old["code"])
    assert body["errors"][0]["extensions"]["code"] == "CUSTOMER_CONSENT_REQUIRED"
    started = await start_body(api, support, john_id, new["code"])
    assert started["data"]["loginAsCustomer"]["session"]["consent"] == "CODE"


async def test_twenty_concurrent_starts_with_one_code_make_one_session(
    api: Api, db_session: AsyncSession, john: str
) -> None:
    john_id = await customer_id(db_session, JOHN)
    admins = await asyncio.gather(
        *[api.admin_token(name, password) for name, password in ADMINS_WITH_LOGIN]
    )
    issued = await new_code(api, john)
    bodies = await asyncio.gather(
        *[start_body(api, admins[i % len(admins)], john_id, issued["code"]) for i in range(20)]
    )
    started = [b for b in bodies if b.get("data")]
    codes = [b["errors"][0]["extensions"]["code"] for b in bodies if b.get("errors")]
    assert len(started) == 1
    assert codes == ["CUSTOMER_CONSENT_REQUIRED"] * 19
    await db_session.rollback()
    sessions = (
        await db_session.exec(
            select(LoginAsCustomerSession).where(
                col(LoginAsCustomerSession.customer_id) == int(john_id)
            )
        )
    ).all()
    assert [s.consent for s in sessions] == ["CODE"]


ADMINS_WITH_LOGIN = [("support", "Support123!"), ("admin", "Admin123!")]


async def test_codes_are_off_when_the_setting_or_the_feature_is(
    api: Api, db_session: AsyncSession, john: str, support: str
) -> None:
    admin = await api.admin_token("admin", "Admin123!")
    john_id = await customer_id(db_session, JOHN)
    issued = await new_code(api, john)
    await api.data(
        "mutation { updateLoginAsCustomerConfig(input: {allowAssistanceCodes: false}) "
        "{ allowAssistanceCodes } }",
        token=admin,
    )
    assert await api.error_code(CREATE_CODE, token=john) == "FEATURE_DISABLED"
    body = await start_body(api, support, john_id, issued["code"])
    assert body["errors"][0]["extensions"]["code"] == "CUSTOMER_CONSENT_REQUIRED"
    await api.data(
        "mutation { updateLoginAsCustomerConfig(input: {allowAssistanceCodes: true, "
        "enabled: false}) { enabled } }",
        token=admin,
    )
    assert await api.error_code(CREATE_CODE, token=john) == "FEATURE_DISABLED"
    await db_session.rollback()
    entries = (
        await db_session.exec(
            select(AdminActionLogEntry).where(
                AdminActionLogEntry.action == "login_as_customer.code_create"
            )
        )
    ).all()
    assert [(e.result, json.loads(e.details).get("code")) for e in entries] == [
        ("SUCCESS", None),
        ("FAILURE", "FEATURE_DISABLED"),
        ("FAILURE", "FEATURE_DISABLED"),
    ]
    assert {(e.username, e.admin_id, e.customer_email) for e in entries} == {(JOHN, None, JOHN)}


async def test_only_the_customer_creates_codes(api: Api, db_session: AsyncSession) -> None:
    support = await api.admin_token("support", "Support123!")
    started = await api.data(
        START, {"input": {"customerId": await customer_id(db_session, JANE)}}, token=support
    )
    exchanged = await api.data(EXCHANGE, {"secret": started["loginAsCustomer"]["secret"]})
    impersonation = exchanged["exchangeLoginAsCustomerSecret"]["token"]
    assert await api.error_code(CREATE_CODE, token=impersonation) == "FORBIDDEN"
    assert await api.error_code(CREATE_CODE, token=support) == "FORBIDDEN"
    assert await api.error_code(CREATE_CODE) == "UNAUTHENTICATED"
    await db_session.rollback()
    assert (await db_session.exec(select(AssistanceCode))).all() == []


async def test_code_lifetime_setting(
    api: Api, db_session: AsyncSession, clock: ManualClock, john: str, support: str
) -> None:
    admin = await api.admin_token("admin", "Admin123!")
    update = (
        "mutation($s: Int!) { updateLoginAsCustomerConfig(input: "
        "{assistanceCodeLifetimeSeconds: $s}) { assistanceCodeLifetimeSeconds } }"
    )
    for bad in (59, 3601):
        assert await api.error_code(update, {"s": bad}, token=admin) == "BAD_USER_INPUT"
    await api.data(update, {"s": 60}, token=admin)
    config = await api.data(
        "{ loginAsCustomerConfig { allowAssistanceCodes assistanceCodeLifetimeSeconds "
        "defaultReadOnly } }",
        token=admin,
    )
    assert config["loginAsCustomerConfig"] == {
        "allowAssistanceCodes": True,
        "assistanceCodeLifetimeSeconds": 60,
        "defaultReadOnly": False,
    }
    await db_session.rollback()
    [changed] = [
        json.loads(e.details)["changes"]
        for e in (
            await db_session.exec(
                select(AdminActionLogEntry).where(
                    AdminActionLogEntry.action == "config.update",
                    AdminActionLogEntry.result == "SUCCESS",
                )
            )
        ).all()
    ]
    assert changed == {"assistanceCodeLifetimeSeconds": {"old": 600, "new": 60}}
    john_id = await customer_id(db_session, JOHN)
    issued = await new_code(api, john)
    assert datetime.fromisoformat(issued["expiresAt"]) == clock.now() + timedelta(seconds=60)
    clock.advance(seconds=59)
    assert "errors" not in await start_body(api, support, john_id, issued["code"])
    late = await new_code(api, john)
    clock.advance(seconds=60)
    body = await start_body(api, support, john_id, late["code"])
    assert body["errors"][0]["extensions"]["code"] == "CUSTOMER_CONSENT_REQUIRED"


async def test_codes_are_never_kept_logged_or_answered_in_clear(
    api: Api, db_session: AsyncSession, john: str, support: str
) -> None:
    """Every answer but createAssistanceCode's, every log entry and every text column of
    every table, after codes were created, guessed wrong, used and replaced."""
    john_id = await customer_id(db_session, JOHN)
    codes: list[str] = []
    answers: list[dict[str, Any]] = []
    for _ in range(3):
        codes.append((await new_code(api, john))["code"])
        answers.append(await start_body(api, support, john_id, wrong(codes[-1])))
    answers.append(await start_body(api, support, john_id, codes[-1]))
    secret = answers[-1]["data"]["loginAsCustomer"]["secret"]
    answers.append(await api.call(EXCHANGE, {"secret": secret}))
    answers.append(await start_body(api, support, john_id, codes[-1]))
    answers.append(
        await api.call(
            "{ adminActionLog(first: 200) { edges { node { details username } } } "
            "loginAsCustomerLog { edges { node { reason consent } } } }",
            token=await api.admin_token("admin", "Admin123!"),
        )
    )
    guesses = {wrong(code) for code in codes}
    pattern = re.compile("|".join(rf"(?<!\d){c}(?!\d)" for c in {*codes, *guesses}))
    for answer in answers:
        assert not pattern.search(json.dumps(answer)), answer
    await db_session.rollback()
    connection = await db_session.connection()
    scanned = 0
    for table in SQLModel.metadata.sorted_tables:
        texts = [c for c in table.columns if isinstance(getattr(c.type, "impl", c.type), String)]
        for row in (await connection.execute(select(*texts))).all() if texts else []:
            for value in row:
                scanned += 1
                assert value is None or not pattern.search(value), (table.name, value)
    assert scanned > 100


def test_a_code_stands_in_for_standing_consent_only() -> None:
    """On plain facts: a session resting on a code survives the exchange and the per-request
    re-check without standing consent; every other rule still ends it."""
    no_consent = CustomerFacts(is_active=True, consents=False, has_active_store_view=True)
    coded = LacFacts(
        feature_enabled=True,
        admin_may_login=True,
        customer=no_consent,
        assistance_expires_at=TEST_START + timedelta(minutes=5),
        consent=AssistanceConsent.CODE,
    )
    assert unavailable_reason(coded) is None
    assert exchange_end_cause(coded) is None
    assert request_end_cause(coded, now=TEST_START) is None
    standing = replace(coded, consent=AssistanceConsent.STANDING)
    assert unavailable_reason(standing) is UnavailableReason.CUSTOMER_CONSENT_REQUIRED
    assert exchange_end_cause(standing) is EndCause.CONSENT_REVOKED
    inactive = replace(coded, customer=replace(no_consent, is_active=False))
    assert exchange_end_cause(inactive) is EndCause.CUSTOMER_DEACTIVATED
    assert unavailable_reason(replace(coded, feature_enabled=False)) is (
        UnavailableReason.FEATURE_DISABLED
    )
