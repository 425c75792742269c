"""Every action name of DESIGN.md section 13 is produced by the product, in its group,
with the `details` keys of section 8, and a refused call is itself on record."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.models import AdminActionLogEntry
from lac.resolvers.auth.principals import Anonymous
from lac.resolvers.context import Client, ServiceContext
from lac.resolvers.log.upkeep import prune_log
from lac.resolvers.log.writer import ACTION_GROUP_OF, Action
from tests.support import Api

# DESIGN.md section 13, written out: renaming an action breaks clients and must fail here
DESIGN_ACTION_NAMES = {
    "admin.login",
    "admin.logout",
    "admin.login_failed",
    "admin.locked",
    "access.denied",
    "log.checkpoint",
    "login_as_customer.start",
    "login_as_customer.exchange",
    "login_as_customer.end",
    "login_as_customer.customer_end",
    "login_as_customer.code_create",
    "cart.add",
    "cart.remove",
    "account.update",
    "order.place",
    "consent.update",
    "config.update",
    "role.create",
    "role.update",
    "role.delete",
    "admin_user.create",
    "admin_user.update",
}
EXPECTED_DETAIL_KEYS = {
    "login_as_customer.start": {"reason", "storeView", "consent", "readOnly"},
    "login_as_customer.end": {"cause"},
    "login_as_customer.customer_end": {"cause"},
    "cart.add": {"sku", "quantity"},
    "cart.remove": {"sku", "quantity"},
    "order.place": {"incrementId"},
    "config.update": {"changes"},
    "account.update": {"changes"},
}


async def test_every_action_is_produced(
    api: Api, db_session: AsyncSession, clock: ManualClock, settings: Settings
) -> None:
    for _ in range(6):
        await api.call('mutation { adminLogin(username: "ghost", password: "Nope1234") { token } }')
    admin = await api.admin_token("admin", "Admin123!")
    support = await api.admin_token("support", "Support123!")
    viewer = await api.admin_token("viewer", "Viewer123!")
    assert await api.error_code("{ adminActionLog { totalCount } }", token=viewer) == "FORBIDDEN"

    role = await api.data(
        'mutation { createRole(input: {name: "Temp", resources: ["Magento_Sales::sales_order"]}) { id } }',
        token=admin,
    )
    role_id = role["createRole"]["id"]
    await api.data(
        f'mutation {{ updateRole(id: "{role_id}", input: {{name: "Temp 2"}}) {{ id }} }}',
        token=admin,
    )
    await api.data(f'mutation {{ deleteRole(id: "{role_id}") }}', token=admin)
    created = await api.data(
        'mutation { createAdminUser(input: {username: "temp", email: "temp@example.com", firstname: "T", lastname: "Emp", password: "Temp12345", roleId: "2"}) { id } }',
        token=admin,
    )
    await api.data(
        f'mutation {{ updateAdminUser(id: "{created["createAdminUser"]["id"]}", input: {{lastname: "Emporary"}}) {{ id }} }}',
        token=admin,
    )
    await api.data(
        "mutation { updateLoginAsCustomerConfig(input: {requireReason: true}) { requireReason } }",
        token=admin,
    )
    await api.data(
        'mutation { setRemoteShoppingAssistance(customerId: "3", allowed: true) { id } }',
        token=admin,
    )

    john = await api.customer_token("john.smith@example.com", "Customer123!")
    await api.data("mutation { createAssistanceCode { expiresAt } }", token=john)

    started = await api.data(
        'mutation { loginAsCustomer(input: {customerId: "1", reason: "Coverage"}) { secret } }',
        token=support,
    )
    exchanged = await api.data(
        f'mutation {{ exchangeLoginAsCustomerSecret(secret: "{started["loginAsCustomer"]["secret"]}") {{ token }} }}'
    )
    jane = exchanged["exchangeLoginAsCustomerSecret"]["token"]
    cart = await api.data(
        'mutation { addToCart(sku: "WS12", quantity: 2) { items { id } } }', token=jane
    )
    await api.data(
        f'mutation {{ removeCartItem(itemId: "{cart["addToCart"]["items"][0]["id"]}") {{ itemsCount }} }}',
        token=jane,
    )
    await api.data('mutation { addToCart(sku: "MH01") { itemsCount } }', token=jane)
    await api.data("mutation { placeOrder { incrementId } }", token=jane)
    await api.data('mutation { updateMyAccount(input: {firstname: "Janet"}) { id } }', token=jane)
    await api.data("mutation { endLoginAsCustomer }", token=jane)
    await api.data(
        'mutation { loginAsCustomer(input: {customerId: "1", reason: "Again"}) { secret } }',
        token=support,
    )
    own = await api.customer_token("jane.doe@example.com", "Customer123!")
    assert await api.data("mutation { endMyAssistanceSessions }", token=own) == {
        "endMyAssistanceSessions": 1
    }
    await api.data("mutation { adminLogout }", token=support)

    ctx = ServiceContext(
        db=db_session,
        clock=clock,
        settings=settings,
        principal=Anonymous(),
        client=Client(ip_address=None, user_agent="test"),
        full_action_name="cli log prune",
    )
    await prune_log(ctx, before=clock.now() - timedelta(days=1))

    await db_session.rollback()
    entries = (
        await db_session.exec(select(AdminActionLogEntry).order_by(col(AdminActionLogEntry.id)))
    ).all()
    produced = {entry.action for entry in entries}
    assert produced == DESIGN_ACTION_NAMES
    assert {action.value for action in Action} == DESIGN_ACTION_NAMES
    for entry in entries:
        assert entry.action_group == ACTION_GROUP_OF[Action(entry.action)].value
        keys = set(json.loads(entry.details))
        if entry.result == "FAILURE":
            assert "code" in keys, entry.action
        elif entry.action in EXPECTED_DETAIL_KEYS:
            assert EXPECTED_DETAIL_KEYS[entry.action] <= keys, (entry.action, keys)
    denied = [entry for entry in entries if entry.action == "access.denied"]
    assert [(d.username, json.loads(d.details)["code"]) for d in denied] == [
        ("viewer", "FORBIDDEN")
    ]
