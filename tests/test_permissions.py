"""The caller x directive table of DESIGN.md section 5, over HTTP and for every directive."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import AdminActionLogEntry, RoleResource
from lac.resolvers.auth.principals import (
    AdminPrincipal,
    AdminSummary,
    Anonymous,
    CustomerPrincipal,
    CustomerSummary,
    ImpersonationPrincipal,
    Principal,
)
from lac.resolvers.errors import ErrorCode, LacError
from lac.schema.permissions import (
    LacPermission,
    Public,
    RequiresAdmin,
    RequiresCustomer,
    RequiresImpersonation,
    RequiresPermission,
)
from tests.support import ADMIN_LOGIN, TEST_START, Api

OK = "ok"
ADMIN_ME = "{ adminMe { username } }"
ME = "{ me { email } }"
ADMIN_LOGOUT = "mutation { adminLogout }"
CUSTOMER_LOGOUT = "mutation { customerLogout }"
ACL_RESOURCES = "{ aclResources { id } }"
WEBSITES = "{ websites { code } }"

QUERIES = (ADMIN_ME, ME, ADMIN_LOGOUT, CUSTOMER_LOGOUT, WEBSITES, ACL_RESOURCES)
# caller -> field -> expected outcome
TABLE: dict[str, dict[str, str]] = {
    "none": dict.fromkeys(QUERIES, "UNAUTHENTICATED"),
    "bad": dict.fromkeys(QUERIES, "UNAUTHENTICATED"),
    "support": {
        ADMIN_ME: OK,
        ME: "FORBIDDEN",
        CUSTOMER_LOGOUT: "FORBIDDEN",
        WEBSITES: OK,
        ACL_RESOURCES: "FORBIDDEN",  # Support's role lacks Magento_User::acl_roles
        ADMIN_LOGOUT: OK,
    },
    "admin": {WEBSITES: OK, ACL_RESOURCES: OK, ME: "FORBIDDEN"},
    "customer": {
        ADMIN_ME: "FORBIDDEN",
        ME: OK,
        ADMIN_LOGOUT: "FORBIDDEN",
        WEBSITES: "FORBIDDEN",
        ACL_RESOURCES: "FORBIDDEN",
        CUSTOMER_LOGOUT: OK,
    },
}


async def token_for(api: Api, caller: str) -> str | None:
    if caller == "none":
        return None
    if caller == "bad":
        return "lac_a_not-a-real-token"
    if caller == "customer":
        return await api.customer_token("jane.doe@example.com", "Customer123!")
    passwords = {"support": "Support123!", "admin": "Admin123!"}
    return await api.admin_token(caller, passwords[caller])


async def outcome(api: Api, query: str, token: str | None) -> str:
    body = await api.call(query, token=token)
    if "errors" not in body:
        assert body["data"], body
        return OK
    [error] = body["errors"]
    code: str = error["extensions"]["code"]
    return code


@pytest.mark.parametrize("caller", list(TABLE))
async def test_directive_table_over_http(api: Api, caller: str) -> None:
    token = await token_for(api, caller)
    # logouts last: they revoke the token the other rows use
    for query, expected in TABLE[caller].items():
        assert await outcome(api, query, token) == expected, (caller, query)


async def test_public_field_works_with_any_token(api: Api) -> None:
    for token in (
        None,
        "lac_c_garbage",
        await api.customer_token("jane.doe@example.com", "Customer123!"),
    ):
        body = await api.call(
            ADMIN_LOGIN, {"username": "support", "password": "Support123!"}, token=token
        )
        assert body["data"]["adminLogin"]["token"]


async def test_expired_and_revoked_tokens_are_unauthenticated(api: Api, clock: ManualClock) -> None:
    revoked = await api.admin_token("support", "Support123!")
    await api.data(ADMIN_LOGOUT, token=revoked)
    assert await outcome(api, ADMIN_ME, revoked) == "UNAUTHENTICATED"
    customer = await api.customer_token("jane.doe@example.com", "Customer123!")
    admin = await api.admin_token("support", "Support123!")
    clock.advance(hours=4)
    assert await outcome(api, ME, customer) == "UNAUTHENTICATED"
    assert await outcome(api, ADMIN_ME, admin) == "UNAUTHENTICATED"
    assert await outcome(api, CUSTOMER_LOGOUT, customer) == "UNAUTHENTICATED"


async def test_role_change_takes_effect_on_the_next_request(
    api: Api, db_session: AsyncSession
) -> None:
    token = await api.admin_token("admin", "Admin123!")
    assert await outcome(api, ACL_RESOURCES, token) == OK
    await db_session.exec(
        delete(RoleResource).where(col(RoleResource.resource_id) == "Magento_Backend::all")
    )
    await db_session.commit()
    assert await outcome(api, ACL_RESOURCES, token) == "FORBIDDEN"
    assert await outcome(api, ADMIN_ME, token) == OK


ADMIN = AdminPrincipal(
    token_id=1,
    admin=AdminSummary(id=1, username="a", firstname="A", lastname="Dmin"),
    role_id=1,
    resources=frozenset({"Magento_User::acl_roles"}),
)
CUSTOMER = CustomerPrincipal(
    token_id=2,
    customer=CustomerSummary(id=1, email="c@example.com", name="C"),
    website_id=1,
    store_view_id=1,
    expires_at=TEST_START,
)
IMPERSONATION = ImpersonationPrincipal(
    token_id=3,
    customer=CustomerSummary(id=1, email="c@example.com", name="C"),
    website_id=1,
    store_view_id=1,
    expires_at=TEST_START,
    session_id=7,
    acting_admin=ADMIN.admin,
    website_name="Main Website",
    store_view_name="Default Store View",
    page_cache_disabled=True,
)
PRINCIPALS: dict[str, Principal] = {
    "anonymous": Anonymous(),
    "admin": ADMIN,
    "customer": CUSTOMER,
    "impersonation": IMPERSONATION,
}
# DESIGN.md section 5, column by column; the admin holds acl_roles but not acl_users.
DIRECTIVES: dict[str, tuple[LacPermission, dict[str, str]]] = {
    "public": (Public(), {"anonymous": OK, "admin": OK, "customer": OK, "impersonation": OK}),
    "admin": (
        RequiresAdmin(),
        {
            "anonymous": "UNAUTHENTICATED",
            "admin": OK,
            "customer": "FORBIDDEN",
            "impersonation": "FORBIDDEN",
        },
    ),
    "held resource": (
        RequiresPermission("Magento_User::acl_roles"),
        {
            "anonymous": "UNAUTHENTICATED",
            "admin": OK,
            "customer": "FORBIDDEN",
            "impersonation": "FORBIDDEN",
        },
    ),
    "missing resource": (
        RequiresPermission("Magento_User::acl_roles", "Magento_User::acl_users"),
        {
            "anonymous": "UNAUTHENTICATED",
            "admin": "FORBIDDEN",
            "customer": "FORBIDDEN",
            "impersonation": "FORBIDDEN",
        },
    ),
    "customer": (
        RequiresCustomer(),
        {"anonymous": "UNAUTHENTICATED", "admin": "FORBIDDEN", "customer": OK, "impersonation": OK},
    ),
    "impersonation": (
        RequiresImpersonation(),
        {
            "anonymous": "UNAUTHENTICATED",
            "admin": "FORBIDDEN",
            "customer": "FORBIDDEN",
            "impersonation": OK,
        },
    ),
}


@pytest.mark.parametrize("directive", list(DIRECTIVES))
def test_every_directive_answers_per_the_table(directive: str) -> None:
    permission, expected = DIRECTIVES[directive]
    for caller, principal in PRINCIPALS.items():
        try:
            permission.check(principal)
            got = OK
        except LacError as error:
            got = error.code.value
        assert got == expected[caller], (directive, caller)


def test_backend_all_grants_every_resource() -> None:
    everything = AdminPrincipal(
        token_id=1, admin=ADMIN.admin, role_id=1, resources=frozenset({"Magento_Backend::all"})
    )
    RequiresPermission("Magento_User::acl_users", "Magento_Sales::sales_order").check(everything)
    parent_only = AdminPrincipal(
        token_id=1, admin=ADMIN.admin, role_id=1, resources=frozenset({"Magento_Sales::sales"})
    )
    with pytest.raises(LacError) as refused:
        RequiresPermission("Magento_Sales::sales_order").check(parent_only)
    assert refused.value.code is ErrorCode.FORBIDDEN


async def denied_entries(db_session: AsyncSession) -> list[tuple[str | None, str]]:
    await db_session.rollback()
    rows = (
        await db_session.exec(
            select(AdminActionLogEntry)
            .where(AdminActionLogEntry.action == "access.denied")
            .order_by(col(AdminActionLogEntry.id))
        )
    ).all()
    for row in rows:
        assert (row.action_group, row.result) == ("SECURITY", "FAILURE")
    return [(row.username, row.details) for row in rows]


async def test_refused_calls_by_known_callers_are_logged_once_per_request(
    api: Api, db_session: AsyncSession
) -> None:
    viewer = await api.admin_token("viewer", "Viewer123!")
    assert await outcome(api, ACL_RESOURCES, viewer) == "FORBIDDEN"
    [(username, details)] = await denied_entries(db_session)
    assert username == "viewer"
    assert json.loads(details) == {"code": "FORBIDDEN", "field": "aclResources"}
    body = await api.call("{ a: aclResources { id } b: roles { id } c: me { id } }", token=viewer)
    assert body["data"] is None
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}
    assert len(await denied_entries(db_session)) == 2
    # a nested link the caller may not follow counts too
    await api.call('{ order(id: "1") { invoices { id } shipments { id } } }', token=viewer)
    assert len(await denied_entries(db_session)) == 3
    customer = await api.customer_token("jane.doe@example.com", "Customer123!")
    await api.call(ADMIN_ME, token=customer)
    assert (await denied_entries(db_session))[-1][0] == "jane.doe@example.com"


async def test_anonymous_refusals_are_not_logged(api: Api, db_session: AsyncSession) -> None:
    for query in (ADMIN_ME, ME, ACL_RESOURCES):
        assert await outcome(api, query, None) == "UNAUTHENTICATED"
        assert await outcome(api, query, "lac_a_forged") == "UNAUTHENTICATED"
    assert await denied_entries(db_session) == []
