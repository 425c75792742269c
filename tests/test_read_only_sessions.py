"""Read-only assistance sessions (DESIGN.md section 15): staff look, never touch. Every
storefront write is refused with one message and changes nothing; the banner says so; the
`defaultReadOnly` setting applies when the start does not say."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.types.base import StrawberryObjectDefinition

from lac.db.models import AdminActionLogEntry, Customer
from lac.schema.build import schema
from tests.support import Api

JANE = "jane.doe@example.com"
READ_ONLY = "This assistance session is read-only."
START = """
mutation Start($input: LoginAsCustomerInput!) {
  loginAsCustomer(input: $input) { secret session { id readOnly consent } }
}
"""
EXCHANGE = """
mutation Exchange($secret: String!) {
  exchangeLoginAsCustomerSecret(secret: $secret) { token session { id readOnly } }
}
"""
SESSION = "{ customerSession { isLoginAsCustomer isReadOnly banner { text } } }"
WRITES = {
    "addToCart": 'mutation { addToCart(sku: "WS12", quantity: 2) { itemsCount } }',
    "removeCartItem": "mutation($item: ID!) { removeCartItem(itemId: $item) { itemsCount } }",
    "updateMyAccount": 'mutation { updateMyAccount(input: {firstname: "Janet"}) { id } }',
    "updateMyAccount(email)": (
        'mutation { updateMyAccount(input: {email: "janet@example.com"}) { id } }'
    ),
    "placeOrder": "mutation { placeOrder { incrementId } }",
    "changeMyPassword": (
        'mutation { changeMyPassword(currentPassword: "Customer123!", newPassword: "Better1234") }'
    ),
}
LOGGED_AS = {
    "addToCart": "cart.add",
    "removeCartItem": "cart.remove",
    "updateMyAccount": "account.update",
    "updateMyAccount(email)": "account.update",
    "placeOrder": "order.place",
    "changeMyPassword": "account.update",
}
# customer mutations that are no storefront write: leaving the account, and one refused to
# any impersonation token
NOT_WRITES = {"customerLogout", "createAssistanceCode", "endMyAssistanceSessions"}
NOT_STATE = {
    "admin_action_log",
    "admin_action_log_counter",
}  # gain the FAILURE entry, checked apart


async def jane_id(db: AsyncSession) -> str:
    return str((await db.exec(select(Customer).where(Customer.email == JANE))).one().id)


async def start(
    api: Api, db: AsyncSession, admin: str, **input_: Any
) -> tuple[dict[str, Any], str]:
    """(the started session, its impersonation token) for `admin` acting as Jane."""
    started = await api.data(
        START, {"input": {"customerId": await jane_id(db), **input_}}, token=admin
    )
    exchanged = await api.data(EXCHANGE, {"secret": started["loginAsCustomer"]["secret"]})
    token: str = exchanged["exchangeLoginAsCustomerSecret"]["token"]
    session: dict[str, Any] = started["loginAsCustomer"]["session"]
    return session, token


async def state(db: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the log: cart, account, orders, tokens, sessions."""
    await db.rollback()
    connection = await db.connection()
    rows = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in NOT_STATE:
            found = (await connection.execute(table.select())).all()
            rows[table.name] = sorted(map(tuple, found), key=repr)
    return rows


async def failures(db: AsyncSession, action: str) -> list[AdminActionLogEntry]:
    await db.rollback()
    statement = select(AdminActionLogEntry).where(
        AdminActionLogEntry.action == action, AdminActionLogEntry.result == "FAILURE"
    )
    return list((await db.exec(statement.order_by(col(AdminActionLogEntry.id)))).all())


def test_every_customer_mutation_is_classified() -> None:
    """A new mutation an impersonation token can call must join WRITES (and be refused in
    a read-only session) or NOT_WRITES, deliberately."""
    definition = schema.get_type_by_name("Mutation")
    assert isinstance(definition, StrawberryObjectDefinition)
    customer_fields = {
        schema.config.name_converter.from_field(field)
        for field in definition.fields
        if any(
            type(directive).__strawberry_directive__.graphql_name  # type: ignore[attr-defined]
            in {"requiresCustomer", "requiresImpersonation"}
            for directive in field.directives
        )
    }
    named = {name.split("(")[0] for name in WRITES} | NOT_WRITES | {"endLoginAsCustomer"}
    assert customer_fields == named


@pytest.mark.parametrize("write", list(WRITES))
async def test_a_read_only_session_changes_nothing(
    api: Api, db_session: AsyncSession, write: str
) -> None:
    own = await api.customer_token(JANE, "Customer123!")
    cart = await api.data('mutation { addToCart(sku: "MH01") { items { id } } }', token=own)
    item = cart["addToCart"]["items"][0]["id"]
    support = await api.admin_token("support", "Support123!")
    session, token = await start(api, db_session, support, readOnly=True)
    assert session["readOnly"] is True
    before = await state(db_session)

    variables = {"item": item} if write == "removeCartItem" else None
    body = await api.call(WRITES[write], variables, token=token)
    assert body["data"] is None
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["message"]) == ("FORBIDDEN", READ_ONLY)
    assert await state(db_session) == before
    [entry] = await failures(db_session, LOGGED_AS[write])
    assert json.loads(entry.details)["code"] == "FORBIDDEN"
    assert (entry.login_as_customer_session_id, entry.admin_username) == (
        int(session["id"]),
        "support",
    )
    # reading still works, and so does leaving
    me = await api.data("{ me { firstname } cart { itemsCount } }", token=token)
    assert me == {"me": {"firstname": "Jane"}, "cart": {"itemsCount": 1}}
    assert await api.data("mutation { endLoginAsCustomer }", token=token)


async def test_banner_and_is_read_only(api: Api, db_session: AsyncSession) -> None:
    own = await api.customer_token(JANE, "Customer123!")
    assert (await api.data(SESSION, token=own))["customerSession"] == {
        "isLoginAsCustomer": False,
        "isReadOnly": False,
        "banner": None,
    }
    support = await api.admin_token("support", "Support123!")
    _, read_only = await start(api, db_session, support, readOnly=True)
    assert (await api.data(SESSION, token=read_only))["customerSession"] == {
        "isLoginAsCustomer": True,
        "isReadOnly": True,
        "banner": {"text": "You are connected as Jane Doe on Main Website (read-only)"},
    }
    _, writable = await start(api, db_session, support)
    assert (await api.data(SESSION, token=writable))["customerSession"] == {
        "isLoginAsCustomer": True,
        "isReadOnly": False,
        "banner": {"text": "You are connected as Jane Doe on Main Website"},
    }
    added = await api.data('mutation { addToCart(sku: "WS12") { itemsCount } }', token=writable)
    assert added == {"addToCart": {"itemsCount": 1}}


async def test_default_read_only_applies_when_the_start_does_not_say(
    api: Api, db_session: AsyncSession
) -> None:
    admin = await api.admin_token("admin", "Admin123!")
    support = await api.admin_token("support", "Support123!")
    assert (await start(api, db_session, support))[0]["readOnly"] is False
    await api.data(
        "mutation { updateLoginAsCustomerConfig(input: {defaultReadOnly: true}) "
        "{ defaultReadOnly } }",
        token=admin,
    )
    defaulted, token = await start(api, db_session, support)
    assert defaulted["readOnly"] is True
    code = await api.error_code('mutation { addToCart(sku: "WS12") { itemsCount } }', token=token)
    assert code == "FORBIDDEN"
    overridden, _ = await start(api, db_session, support, readOnly=False)
    assert overridden["readOnly"] is False
    sessions = await api.data(
        "{ activeLoginAsCustomerSessions { id readOnly consent } }", token=support
    )
    assert sessions["activeLoginAsCustomerSessions"] == [
        {"id": overridden["id"], "readOnly": False, "consent": "STANDING"}
    ]
    await db_session.rollback()
    starts = (
        await db_session.exec(
            select(AdminActionLogEntry)
            .where(AdminActionLogEntry.action == "login_as_customer.start")
            .order_by(col(AdminActionLogEntry.id))
        )
    ).all()
    assert [
        (json.loads(e.details)["readOnly"], json.loads(e.details)["consent"]) for e in starts
    ] == [(False, "STANDING"), (True, "STANDING"), (False, "STANDING")]
    changes = (
        await db_session.exec(
            select(AdminActionLogEntry.details).where(AdminActionLogEntry.action == "config.update")
        )
    ).one()
    assert json.loads(changes)["changes"] == {"defaultReadOnly": {"old": False, "new": True}}
