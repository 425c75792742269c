"""A customer's own account and consent, and admins changing consent, over HTTP: the rules,
what an impersonating admin may not do, session ends on revoked consent, and the log
(DESIGN.md sections 5, 7, 8, 13)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import (
    AuthToken,
    Customer,
)
from lac.resolvers.account import my_account
from tests.sessions import (
    ME,
    assert_ended,
    details,
    error_of,
    log,
    session_row,
    start_live_session,
)
from tests.support import Api

JANE = "jane.doe@example.com"
JOHN = "john.smith@example.com"
MARIE = "marie.curie@example.com"
PASSWORD = "Customer123!"
CONSENT = "allowRemoteShoppingAssistance"

UPDATE_MY_ACCOUNT = """
mutation UpdateMyAccount($input: UpdateMyAccountInput!) {
  updateMyAccount(input: $input) { id email firstname lastname name allowRemoteShoppingAssistance }
}
"""
CHANGE_MY_PASSWORD = """
mutation ChangeMyPassword($current: String!, $new: String!) {
  changeMyPassword(currentPassword: $current, newPassword: $new)
}
"""
SET_CONSENT = """
mutation SetConsent($customerId: ID!, $allowed: Boolean!) {
  setRemoteShoppingAssistance(customerId: $customerId, allowed: $allowed) {
    id email allowRemoteShoppingAssistance canLoginAsCustomer loginAsCustomerUnavailableReason
  }
}
"""


# --- helpers -------------------------------------------------------------------------------


async def customer_row(db_session: AsyncSession, email: str) -> Customer:
    await db_session.rollback()
    statement = select(Customer).where(Customer.email == email)
    return (await db_session.exec(statement.execution_options(populate_existing=True))).one()


async def jane(api: Api) -> str:
    return await api.customer_token(JANE, PASSWORD)


async def customer_id(db_session: AsyncSession, email: str) -> str:
    return str((await customer_row(db_session, email)).id)


# --- updateMyAccount with the customer's own token --------------------------------------


async def test_customer_changes_names_and_email_unlogged(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    token = await jane(api)
    clock.advance(minutes=5)
    updated = (
        await api.data(
            UPDATE_MY_ACCOUNT,
            {
                "input": {
                    "firstname": " Janet ",
                    "lastname": "Dough",
                    "email": " Janet@Example.COM ",
                }
            },
            token=token,
        )
    )["updateMyAccount"]
    assert updated == {
        "id": updated["id"],
        "email": "janet@example.com",
        "firstname": "Janet",
        "lastname": "Dough",
        "name": "Janet Dough",
        CONSENT: True,
    }
    row = await customer_row(db_session, "janet@example.com")
    assert (row.firstname, row.lastname, row.updated_at) == ("Janet", "Dough", clock.now())
    assert await log(db_session, "account.update") == []
    assert await log(db_session, "consent.update") == []
    assert await api.customer_token("JANET@example.com", PASSWORD)
    assert (
        await api.error_code(
            'mutation { customerLogin(email: "jane.doe@example.com", password: "Customer123!",'
            ' websiteCode: "base") { token } }'
        )
        == "UNAUTHENTICATED"
    )


async def test_omitted_fields_keep_their_value(api: Api, db_session: AsyncSession) -> None:
    updated_at = (await customer_row(db_session, JANE)).updated_at
    updated = (await api.data(UPDATE_MY_ACCOUNT, {"input": {}}, token=await jane(api)))[
        "updateMyAccount"
    ]
    assert (updated["email"], updated["firstname"], updated["lastname"], updated[CONSENT]) == (
        JANE,
        "Jane",
        "Doe",
        True,
    )
    assert (await customer_row(db_session, JANE)).updated_at == updated_at


@pytest.mark.parametrize(
    ("input_", "message"),
    [
        ({"firstname": ""}, '"First Name" is a required value.'),
        ({"firstname": "   "}, '"First Name" is a required value.'),
        ({"lastname": ""}, '"Last Name" is a required value.'),
        ({"lastname": "x" * 256}, '"Last Name" can have at most 255 characters.'),
        ({"email": ""}, "Please enter a valid email address."),
        ({"email": "jane"}, "Please enter a valid email address."),
        ({"email": "jane@localhost"}, "Please enter a valid email address."),
        ({"email": "@example.com"}, "Please enter a valid email address."),
        ({"email": "ja ne@example.com"}, "Please enter a valid email address."),
        ({"email": "jane@@example.com"}, "Please enter a valid email address."),
        (
            {"email": JOHN},
            "A customer with the same email address already exists in an associated website.",
        ),
        (
            {"email": "John.Smith@EXAMPLE.com"},
            "A customer with the same email address already exists in an associated website.",
        ),
    ],
)
async def test_bad_input_changes_nothing(
    api: Api, db_session: AsyncSession, input_: dict[str, str], message: str
) -> None:
    token = await jane(api)
    with_valid_changes = {"firstname": "Janet", CONSENT: False, **input_}
    assert await error_of(api, UPDATE_MY_ACCOUNT, {"input": with_valid_changes}, token=token) == (
        "BAD_USER_INPUT",
        message,
    )
    row = await customer_row(db_session, JANE)
    assert (row.firstname, row.lastname, row.allow_remote_shopping_assistance) == (
        "Jane",
        "Doe",
        True,
    )
    assert await log(db_session, "consent.update") == []


async def test_an_email_of_another_website_is_free(api: Api, db_session: AsyncSession) -> None:
    updated = (
        await api.data(UPDATE_MY_ACCOUNT, {"input": {"email": MARIE}}, token=await jane(api))
    )["updateMyAccount"]
    assert updated["email"] == MARIE
    await db_session.rollback()
    rows = (await db_session.exec(select(Customer).where(Customer.email == MARIE))).all()
    assert len(rows) == 2


async def test_keeping_ones_own_email_is_fine(api: Api) -> None:
    updated = (
        await api.data(
            UPDATE_MY_ACCOUNT, {"input": {"email": "JANE.DOE@example.com"}}, token=await jane(api)
        )
    )["updateMyAccount"]
    assert updated["email"] == JANE


async def test_losing_an_email_race_is_still_bad_input(
    api: Api, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another customer may take the email between the check and the write; the unique
    constraint then answers, as BAD_USER_INPUT, and nothing changes."""

    async def too_late(*_: object) -> None:
        return None

    monkeypatch.setattr(my_account, "_refuse_taken_email", too_late)
    token = await jane(api)
    assert await error_of(
        api, UPDATE_MY_ACCOUNT, {"input": {"email": JOHN, CONSENT: False}}, token=token
    ) == (
        "BAD_USER_INPUT",
        "A customer with the same email address already exists in an associated website.",
    )
    row = await customer_row(db_session, JANE)
    assert row.allow_remote_shopping_assistance
    assert await log(db_session, "consent.update") == []
    assert (await api.data("{ me { email } }", token=token)) == {"me": {"email": JANE}}


# --- consent by the customer ------------------------------------------------------------


async def test_customer_revoking_consent_is_logged_and_ends_live_sessions(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    session = await start_live_session(db_session, clock)
    other = await start_live_session(db_session, clock, customer_email=MARIE)
    token = await jane(api)
    clock.advance(minutes=1)
    updated = (await api.data(UPDATE_MY_ACCOUNT, {"input": {CONSENT: False}}, token=token))[
        "updateMyAccount"
    ]
    assert updated[CONSENT] is False
    assert not (await customer_row(db_session, JANE)).allow_remote_shopping_assistance

    [entry] = await log(db_session, "consent.update")
    assert (entry.result, entry.action_group, entry.username) == ("SUCCESS", "CUSTOMERS", JANE)
    assert (entry.admin_id, entry.admin_username) == (None, None)
    assert (entry.customer_id, entry.customer_email, entry.customer_name) == (
        int(updated["id"]),
        JANE,
        "Jane Doe",
    )
    assert entry.login_as_customer_session_id is None
    assert entry.full_action_name == "mutation UpdateMyAccount.updateMyAccount"
    assert details(entry) == {"changes": {CONSENT: {"old": True, "new": False}}}
    await assert_ended(api, db_session, session, "CONSENT_REVOKED", clock.now())
    assert (await session_row(db_session, other.id)).state == "ACTIVE"
    assert await api.data(ME, token=other.token)
    assert await api.data(ME, token=token)  # the customer's own token is untouched


async def test_customer_giving_consent_is_logged(api: Api, db_session: AsyncSession) -> None:
    token = await api.customer_token(JOHN, PASSWORD)
    updated = (
        await api.data(
            UPDATE_MY_ACCOUNT, {"input": {CONSENT: True, "firstname": "Jon"}}, token=token
        )
    )["updateMyAccount"]
    assert (updated[CONSENT], updated["firstname"]) == (True, "Jon")
    [entry] = await log(db_session, "consent.update")
    assert (entry.username, entry.admin_id, entry.customer_email) == (JOHN, None, JOHN)
    assert details(entry) == {"changes": {CONSENT: {"old": False, "new": True}}}
    assert await log(db_session, "account.update") == []


async def test_unchanged_consent_is_not_logged(api: Api, db_session: AsyncSession) -> None:
    await api.data(UPDATE_MY_ACCOUNT, {"input": {CONSENT: True}}, token=await jane(api))
    assert await log(db_session, "consent.update") == []


# --- while an admin acts for the customer ---------------------------------------------------


@pytest.mark.parametrize(
    "input_",
    [{"email": "janet@example.com"}, {CONSENT: False}, {"firstname": "Janet", CONSENT: True}],
    ids=["email", "revoke consent", "names with consent"],
)
async def test_impersonation_may_not_change_email_or_consent(
    api: Api, db_session: AsyncSession, clock: ManualClock, input_: dict[str, Any]
) -> None:
    session = await start_live_session(db_session, clock)
    code, message = await error_of(api, UPDATE_MY_ACCOUNT, {"input": input_}, token=session.token)
    assert code == "FORBIDDEN"
    assert "only the customer" in message
    row = await customer_row(db_session, JANE)
    assert (row.email, row.firstname, row.allow_remote_shopping_assistance) == (JANE, "Jane", True)
    assert (await session_row(db_session, session.id)).state == "ACTIVE"
    assert await api.data(ME, token=session.token)
    [entry] = await log(db_session, "account.update")
    assert (entry.result, entry.username, entry.login_as_customer_session_id) == (
        "FAILURE",
        "support",
        session.id,
    )
    assert details(entry) == {"code": "FORBIDDEN"}
    assert await log(db_session, "consent.update") == []


async def test_impersonation_changes_names_logged_as_account_update(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    session = await start_live_session(db_session, clock)
    clock.advance(minutes=2)
    updated = (
        await api.data(
            UPDATE_MY_ACCOUNT,
            {"input": {"firstname": "Janet", "lastname": "Doe"}},
            token=session.token,
        )
    )["updateMyAccount"]
    assert (updated["firstname"], updated["lastname"], updated["email"]) == ("Janet", "Doe", JANE)
    assert (await customer_row(db_session, JANE)).updated_at == clock.now()
    [entry] = await log(db_session, "account.update")
    assert (entry.result, entry.action_group, entry.username) == (
        "SUCCESS",
        "LOGIN_AS_CUSTOMER",
        "support",
    )
    assert (entry.admin_username, entry.customer_email, entry.login_as_customer_session_id) == (
        "support",
        JANE,
        session.id,
    )
    assert details(entry) == {"changes": {"firstname": {"old": "Jane", "new": "Janet"}}}
    assert await log(db_session, "consent.update") == []


async def test_impersonation_may_not_change_the_password(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    session = await start_live_session(db_session, clock)
    code, _ = await error_of(
        api, CHANGE_MY_PASSWORD, {"current": PASSWORD, "new": "Changed123"}, token=session.token
    )
    assert code == "FORBIDDEN"
    assert await jane(api)  # the old password still works
    [entry] = await log(db_session, "account.update")
    assert (entry.result, details(entry), entry.login_as_customer_session_id) == (
        "FAILURE",
        {"code": "FORBIDDEN"},
        session.id,
    )


# --- changeMyPassword -----------------------------------------------------------------------


async def test_change_password_revokes_the_other_own_tokens_only(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    token = await jane(api)
    other = await jane(api)
    session = await start_live_session(db_session, clock)
    old_hash = (await customer_row(db_session, JANE)).password_hash
    clock.advance(minutes=3)
    assert (
        await api.data(CHANGE_MY_PASSWORD, {"current": PASSWORD, "new": "Changed123"}, token=token)
    ) == {"changeMyPassword": True}
    row = await customer_row(db_session, JANE)
    assert row.password_hash != old_hash
    assert "Changed123" not in row.password_hash
    assert row.updated_at == clock.now()
    assert await api.data(ME, token=token)
    assert await api.error_code(ME, token=other) == "UNAUTHENTICATED"
    assert await api.data(ME, token=session.token)  # the admin's session is not the customer's
    assert await api.customer_token(JANE, "Changed123")
    assert (
        await api.error_code(
            'mutation { customerLogin(email: "jane.doe@example.com", password: "Customer123!",'
            ' websiteCode: "base") { token } }'
        )
        == "UNAUTHENTICATED"
    )
    revoked = (
        await db_session.exec(select(AuthToken).where(col(AuthToken.revoked_at).is_not(None)))
    ).all()
    assert [(t.kind, t.revoked_at) for t in revoked] == [("customer", clock.now())]
    for action in ("account.update", "consent.update"):
        assert await log(db_session, action) == []


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("Wrong123!", "Changed123", "The password doesn't match this account."),
        ("", "Changed123", "The password doesn't match this account."),
        (PASSWORD, "short1", "at least 8 characters"),
        (PASSWORD, "lettersonly", "letters and digits"),
        (PASSWORD, "1234567890", "letters and digits"),
    ],
)
async def test_change_password_refusals(
    api: Api, db_session: AsyncSession, current: str, new: str, message: str
) -> None:
    token = await jane(api)
    other = await jane(api)
    old_hash = (await customer_row(db_session, JANE)).password_hash
    code, got = await error_of(
        api, CHANGE_MY_PASSWORD, {"current": current, "new": new}, token=token
    )
    assert code == "BAD_USER_INPUT"
    assert message in got
    assert (await customer_row(db_session, JANE)).password_hash == old_hash
    assert await api.data(ME, token=other)


# --- setRemoteShoppingAssistance ------------------------------------------------------------


async def test_admin_gives_consent_and_it_is_logged(api: Api, db_session: AsyncSession) -> None:
    token = await api.admin_token("admin", "Admin123!")
    john = await customer_id(db_session, JOHN)
    updated = (await api.data(SET_CONSENT, {"customerId": john, "allowed": True}, token=token))[
        "setRemoteShoppingAssistance"
    ]
    assert updated == {
        "id": john,
        "email": JOHN,
        CONSENT: True,
        "canLoginAsCustomer": True,
        "loginAsCustomerUnavailableReason": None,
    }
    assert (await customer_row(db_session, JOHN)).allow_remote_shopping_assistance
    [entry] = await log(db_session, "consent.update")
    assert (entry.result, entry.action_group, entry.username, entry.admin_username) == (
        "SUCCESS",
        "CUSTOMERS",
        "admin",
        "admin",
    )
    assert (entry.customer_id, entry.customer_email, entry.customer_name) == (
        int(john),
        JOHN,
        "John Smith",
    )
    assert details(entry) == {"changes": {CONSENT: {"old": False, "new": True}}}


async def test_admin_revoking_consent_ends_live_sessions(
    api: Api, db_session: AsyncSession, clock: ManualClock
) -> None:
    session = await start_live_session(db_session, clock)
    token = await api.admin_token("admin", "Admin123!")
    clock.advance(seconds=30)
    updated = (
        await api.data(
            SET_CONSENT,
            {"customerId": await customer_id(db_session, JANE), "allowed": False},
            token=token,
        )
    )["setRemoteShoppingAssistance"]
    assert (updated[CONSENT], updated["loginAsCustomerUnavailableReason"]) == (
        False,
        "CUSTOMER_CONSENT_REQUIRED",
    )
    await assert_ended(api, db_session, session, "CONSENT_REVOKED", clock.now())
    [entry] = await log(db_session, "consent.update")
    assert (entry.username, details(entry)) == (
        "admin",
        {"changes": {CONSENT: {"old": True, "new": False}}},
    )


async def test_unchanged_consent_by_an_admin_is_logged_without_changes(
    api: Api, db_session: AsyncSession
) -> None:
    token = await api.admin_token("admin", "Admin123!")
    jane_id = await customer_id(db_session, JANE)
    await api.data(SET_CONSENT, {"customerId": jane_id, "allowed": True}, token=token)
    [entry] = await log(db_session, "consent.update")
    assert (entry.result, entry.customer_email, details(entry)) == (
        "SUCCESS",
        JANE,
        {"changes": {}},
    )


async def test_two_consent_changes_in_one_request_read_fresh_values(
    api: Api, db_session: AsyncSession
) -> None:
    token = await api.admin_token("admin", "Admin123!")
    john = await customer_id(db_session, JOHN)
    data = await api.data(
        f"""mutation {{
          give: setRemoteShoppingAssistance(customerId: "{john}", allowed: true) {{
            allowRemoteShoppingAssistance canLoginAsCustomer }}
          take: setRemoteShoppingAssistance(customerId: "{john}", allowed: false) {{
            allowRemoteShoppingAssistance canLoginAsCustomer }}
        }}""",
        token=token,
    )
    assert data == {
        "give": {CONSENT: True, "canLoginAsCustomer": True},
        "take": {CONSENT: False, "canLoginAsCustomer": False},
    }


async def test_unknown_and_malformed_customer_ids(api: Api, db_session: AsyncSession) -> None:
    token = await api.admin_token("admin", "Admin123!")
    assert await error_of(
        api, SET_CONSENT, {"customerId": "4242", "allowed": True}, token=token
    ) == (
        "NOT_FOUND",
        "Customer with this ID no longer exists.",
    )
    [entry] = await log(db_session, "consent.update")
    assert (entry.result, entry.customer_id, details(entry)) == (
        "FAILURE",
        None,
        {"code": "NOT_FOUND", "customerId": "4242"},
    )
    for malformed in ("abc", "-1", ""):
        code, _ = await error_of(
            api, SET_CONSENT, {"customerId": malformed, "allowed": True}, token=token
        )
        assert code == "BAD_USER_INPUT", malformed


@pytest.mark.parametrize(
    ("username", "password"),
    [("viewer", "Viewer123!"), ("support", "Support123!"), ("auditor", "Auditor123!")],
)
async def test_admins_without_both_resources_are_forbidden(
    api: Api, db_session: AsyncSession, username: str, password: str
) -> None:
    # viewer holds Magento_Customer::manage alone: Magento let that through, lac does not
    token = await api.admin_token(username, password)
    john = await customer_id(db_session, JOHN)
    code, _ = await error_of(api, SET_CONSENT, {"customerId": john, "allowed": True}, token=token)
    assert code == "FORBIDDEN"
    assert not (await customer_row(db_session, JOHN)).allow_remote_shopping_assistance
    assert await log(db_session, "consent.update") == []


async def test_customers_and_strangers_may_not_set_consent(
    api: Api, db_session: AsyncSession
) -> None:
    john = await customer_id(db_session, JOHN)
    variables = {"customerId": john, "allowed": True}
    assert (await error_of(api, SET_CONSENT, variables, token=None))[0] == "UNAUTHENTICATED"
    token = await api.customer_token(JOHN, PASSWORD)
    assert (await error_of(api, SET_CONSENT, variables, token=token))[0] == "FORBIDDEN"
    assert not (await customer_row(db_session, JOHN)).allow_remote_shopping_assistance


async def test_own_account_fields_need_a_customer_token(api: Api) -> None:
    admin = await api.admin_token("admin", "Admin123!")
    update = {"input": {"firstname": "X"}}
    password = {"current": PASSWORD, "new": "Changed123"}
    for query, variables in ((UPDATE_MY_ACCOUNT, update), (CHANGE_MY_PASSWORD, password)):
        assert (await error_of(api, query, variables, token=admin))[0] == "FORBIDDEN"
        assert (await error_of(api, query, variables, token=None))[0] == "UNAUTHENTICATED"
