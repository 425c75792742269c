"""Roles and admin users over HTTP: reads, CRUD rules, the last-superuser rule, token
revocation, action-log entries and who may call what (DESIGN.md sections 3, 4, 5, 8, 13)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import AdminActionLogEntry, AdminUser, AuthToken, Role
from tests.support import Api

ALL = "Magento_Backend::all"
ACL_ROLES = "Magento_User::acl_roles"
ACL_USERS = "Magento_User::acl_users"

ROLES = "query Roles { roles { id name resources } }"
ROLE = "query Role($id: ID!) { role(id: $id) { id name resources } }"
ADMIN_USERS = """
query AdminUsers {
  adminUsers { id username email firstname lastname isActive lockedUntil role { id name } }
}
"""
ADMIN_ME = "query Me { adminMe { username role { name resources } } }"
CREATE_ROLE = """
mutation CreateRole($input: CreateRoleInput!) { createRole(input: $input) { id name resources } }
"""
UPDATE_ROLE = """
mutation UpdateRole($id: ID!, $input: UpdateRoleInput!) {
  updateRole(id: $id, input: $input) { id name resources }
}
"""
DELETE_ROLE = "mutation DeleteRole($id: ID!) { deleteRole(id: $id) }"
CREATE_ADMIN_USER = """
mutation CreateAdminUser($input: CreateAdminUserInput!) {
  createAdminUser(input: $input) { id username email firstname lastname isActive role { name } }
}
"""
UPDATE_ADMIN_USER = """
mutation UpdateAdminUser($id: ID!, $input: UpdateAdminUserInput!) {
  updateAdminUser(id: $id, input: $input) {
    id username email firstname lastname isActive role { name resources }
  }
}
"""
TWO_ROLE_UPDATES = """
mutation Twice($id: ID!) {
  first: updateRole(id: $id, input: {resources: ["Magento_Sales::sales_order"]}) { resources }
  second: updateRole(id: $id, input: {resources: ["Magento_Sales::shipment"]}) { resources }
}
"""

NEW_ADMIN = {
    "username": "clerk",
    "email": "clerk@example.com",
    "firstname": "Cleo",
    "lastname": "Clerk",
    "password": "Clerk1234",
}


async def admin(api: Api) -> str:
    return await api.admin_token("admin", "Admin123!")


async def error_of(
    api: Api, query: str, variables: dict[str, Any] | None = None, *, token: str | None
) -> tuple[str, str]:
    """(code, message) of the one error of a call that must fail."""
    body = await api.call(query, variables, token=token)
    assert body["data"] is None or set(body["data"].values()) == {None}, body
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"]


async def roles_by_name(api: Api, token: str) -> dict[str, dict[str, Any]]:
    return {role["name"]: role for role in (await api.data(ROLES, token=token))["roles"]}


async def users_by_name(api: Api, token: str) -> dict[str, dict[str, Any]]:
    users = (await api.data(ADMIN_USERS, token=token))["adminUsers"]
    return {user["username"]: user for user in users}


async def role_id(api: Api, token: str, name: str) -> str:
    id_: str = (await roles_by_name(api, token))[name]["id"]
    return id_


async def user_id(api: Api, token: str, username: str) -> str:
    id_: str = (await users_by_name(api, token))[username]["id"]
    return id_


async def log(db_session: AsyncSession, action: str) -> list[tuple[str, dict[str, Any]]]:
    """(result, details) of every entry of `action`, oldest first."""
    await db_session.rollback()
    rows = (
        await db_session.exec(
            select(AdminActionLogEntry)
            .where(AdminActionLogEntry.action == action)
            .order_by(col(AdminActionLogEntry.id))
        )
    ).all()
    return [(row.result, json.loads(row.details)) for row in rows]


async def create_admin(api: Api, token: str, role: str, **fields: str) -> dict[str, Any]:
    input_ = {**NEW_ADMIN, **fields, "roleId": await role_id(api, token, role)}
    created: dict[str, Any] = (await api.data(CREATE_ADMIN_USER, {"input": input_}, token=token))[
        "createAdminUser"
    ]
    return created


# --- reads -------------------------------------------------------------------------------


async def test_roles_lists_the_seeded_roles_with_their_resources(api: Api) -> None:
    roles = await roles_by_name(api, await admin(api))
    assert list(roles) == ["Administrators", "Support", "Viewer", "Auditor"]
    assert roles["Administrators"]["resources"] == [ALL]
    assert roles["Viewer"]["resources"] == [
        "Magento_Customer::manage",
        "Magento_Sales::sales_order",
    ]


async def test_role_by_id_and_unknown_ids_are_not_found(api: Api) -> None:
    token = await admin(api)
    support = await role_id(api, token, "Support")
    role = (await api.data(ROLE, {"id": support}, token=token))["role"]
    assert role["name"] == "Support"
    assert "Magento_LoginAsCustomer::login" in role["resources"]
    for unknown in ("9999", "0"):
        assert await error_of(api, ROLE, {"id": unknown}, token=token) == (
            "NOT_FOUND",
            "This role no longer exists.",
        ), unknown
    for malformed in ("abc", "-1", "99999999999999999999"):
        code, message = await error_of(api, ROLE, {"id": malformed}, token=token)
        assert (code, message) == ("BAD_USER_INPUT", f"Invalid role id: {malformed!r}."), malformed


async def test_admin_users_lists_every_admin_with_their_role(api: Api) -> None:
    users = await users_by_name(api, await admin(api))
    assert list(users) == ["admin", "support", "viewer", "auditor"]
    assert users["admin"]["role"]["name"] == "Administrators"
    assert users["support"] == {
        "id": users["support"]["id"],
        "username": "support",
        "email": users["support"]["email"],
        "firstname": "Sam",
        "lastname": "Support",
        "isActive": True,
        "lockedUntil": None,
        "role": {"id": users["support"]["role"]["id"], "name": "Support"},
    }


# --- roles -------------------------------------------------------------------------------


async def test_create_role_grants_the_distinct_resources_and_is_logged(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    created = (
        await api.data(
            CREATE_ROLE,
            {
                "input": {
                    "name": "  Shipping  ",
                    "resources": [
                        "Magento_Sales::shipment",
                        "Magento_Sales::sales",
                        ACL_ROLES,
                        "Magento_Sales::shipment",
                    ],
                }
            },
            token=token,
        )
    )["createRole"]
    assert created["name"] == "Shipping"
    assert created["resources"] == ["Magento_Sales::sales", "Magento_Sales::shipment", ACL_ROLES]
    again = (await api.data(ROLE, {"id": created["id"]}, token=token))["role"]
    assert again == created

    [(result, details)] = await log(db_session, "role.create")
    assert result == "SUCCESS"
    assert details == {
        "roleId": created["id"],
        "role": "Shipping",
        "resources": created["resources"],
    }


@pytest.mark.parametrize(
    ("name", "resources", "message_part"),
    [
        ("", [], "empty"),
        ("   ", [], "empty"),
        ("x" * 256, [], "255"),
        ("Support", [], "already exists"),
        ("administrators", [], "already exists"),
        ("Broken", ["Magento_Nope::x", ACL_ROLES, "Magento_Bogus::y"], "Magento_Bogus::y"),
    ],
    ids=["empty", "blank", "too long", "taken", "taken in other case", "unknown resources"],
)
async def test_create_role_refuses_bad_input_and_changes_nothing(
    api: Api, db_session: AsyncSession, name: str, resources: list[str], message_part: str
) -> None:
    token = await admin(api)
    code, message = await error_of(
        api, CREATE_ROLE, {"input": {"name": name, "resources": resources}}, token=token
    )
    assert code == "BAD_USER_INPUT"
    assert message_part in message
    if message_part == "Magento_Bogus::y":
        assert "Magento_Nope::x" in message
        assert ACL_ROLES not in message
    assert len(await roles_by_name(api, token)) == 4
    [(result, details)] = await log(db_session, "role.create")
    assert result == "FAILURE"
    assert details["code"] == "BAD_USER_INPUT"
    assert details["role"] == name


async def test_update_role_renames_and_replaces_resources_and_logs_the_changes(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    viewer = await role_id(api, token, "Viewer")
    renamed = (
        await api.data(UPDATE_ROLE, {"id": viewer, "input": {"name": "Readers"}}, token=token)
    )["updateRole"]
    assert renamed == {
        "id": viewer,
        "name": "Readers",
        "resources": ["Magento_Customer::manage", "Magento_Sales::sales_order"],
    }
    regranted = (
        await api.data(
            UPDATE_ROLE,
            {
                "id": viewer,
                "input": {"resources": ["Magento_Sales::sales_order", "Magento_Sales::shipment"]},
            },
            token=token,
        )
    )["updateRole"]
    assert regranted["name"] == "Readers"
    assert regranted["resources"] == ["Magento_Sales::sales_order", "Magento_Sales::shipment"]
    viewer_me = (await api.data(ADMIN_ME, token=await api.admin_token("viewer", "Viewer123!")))[
        "adminMe"
    ]
    assert viewer_me["role"] == {"name": "Readers", "resources": regranted["resources"]}

    [(first_result, first), (second_result, second)] = await log(db_session, "role.update")
    assert first_result == second_result == "SUCCESS"
    assert first["roleId"] == viewer
    assert first["role"] == "Viewer"
    assert first["changes"] == {"name": {"old": "Viewer", "new": "Readers"}}
    assert second["changes"] == {
        "resources": {
            "old": ["Magento_Customer::manage", "Magento_Sales::sales_order"],
            "new": ["Magento_Sales::sales_order", "Magento_Sales::shipment"],
        }
    }


async def test_a_granted_resource_works_on_the_holders_next_request(api: Api) -> None:
    token = await admin(api)
    support_token = await api.admin_token("support", "Support123!")
    assert (await error_of(api, ROLES, token=support_token))[0] == "FORBIDDEN"
    support = await role_id(api, token, "Support")
    await api.data(
        UPDATE_ROLE,
        {"id": support, "input": {"resources": [ACL_ROLES, "Magento_Customer::manage"]}},
        token=token,
    )
    assert len((await api.data(ROLES, token=support_token))["roles"]) == 4
    assert (await error_of(api, ADMIN_USERS, token=support_token))[0] == "FORBIDDEN"


async def test_update_role_refusals(api: Api, db_session: AsyncSession) -> None:
    token = await admin(api)
    support = await role_id(api, token, "Support")
    before = await roles_by_name(api, token)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("9999", {"name": "Ghost"}, "NOT_FOUND"),
        (support, {"name": " "}, "BAD_USER_INPUT"),
        (support, {"name": "VIEWER"}, "BAD_USER_INPUT"),
        (support, {"name": "Helpdesk", "resources": ["Magento_Nope::x"]}, "BAD_USER_INPUT"),
    ]
    for id_, input_, expected in cases:
        code, _ = await error_of(api, UPDATE_ROLE, {"id": id_, "input": input_}, token=token)
        assert code == expected, (id_, input_)
    assert await roles_by_name(api, token) == before
    entries = await log(db_session, "role.update")
    assert [details["code"] for _, details in entries] == [expected for *_, expected in cases]
    assert {result for result, _ in entries} == {"FAILURE"}
    malformed = {"id": "abc", "input": {"name": "Ghost"}}
    assert (await error_of(api, UPDATE_ROLE, malformed, token=token))[0] == "BAD_USER_INPUT"


async def test_two_updates_in_one_request_each_answer_what_they_stored(api: Api) -> None:
    token = await admin(api)
    data = await api.data(
        TWO_ROLE_UPDATES, {"id": await role_id(api, token, "Viewer")}, token=token
    )
    assert data == {
        "first": {"resources": ["Magento_Sales::sales_order"]},
        "second": {"resources": ["Magento_Sales::shipment"]},
    }


async def test_delete_role(api: Api, db_session: AsyncSession) -> None:
    token = await admin(api)
    spare = (
        await api.data(
            CREATE_ROLE, {"input": {"name": "Spare", "resources": [ACL_USERS]}}, token=token
        )
    )["createRole"]
    assert (await api.data(DELETE_ROLE, {"id": spare["id"]}, token=token)) == {"deleteRole": True}
    assert await error_of(api, ROLE, {"id": spare["id"]}, token=token) == (
        "NOT_FOUND",
        "This role no longer exists.",
    )
    assert (await error_of(api, DELETE_ROLE, {"id": spare["id"]}, token=token))[0] == "NOT_FOUND"

    held = await error_of(
        api, DELETE_ROLE, {"id": await role_id(api, token, "Support")}, token=token
    )
    assert held[0] == "BAD_USER_INPUT"
    assert "assigned to 1 admin user" in held[1]
    own = await error_of(
        api, DELETE_ROLE, {"id": await role_id(api, token, "Administrators")}, token=token
    )
    assert own == ("BAD_USER_INPUT", "You cannot delete self-assigned roles.")
    assert list(await roles_by_name(api, token)) == [
        "Administrators",
        "Support",
        "Viewer",
        "Auditor",
    ]

    entries = await log(db_session, "role.delete")
    assert [(result, details.get("code")) for result, details in entries] == [
        ("SUCCESS", None),
        ("FAILURE", "NOT_FOUND"),
        ("FAILURE", "BAD_USER_INPUT"),
        ("FAILURE", "BAD_USER_INPUT"),
    ]
    assert entries[0][1] == {"roleId": spare["id"], "role": "Spare", "resources": [ACL_USERS]}
    assert entries[2][1]["role"] == "Support"


# --- admin users -------------------------------------------------------------------------


async def test_created_admin_signs_in_with_the_role_given(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    created = await create_admin(api, token, "Viewer")
    assert created == {
        "id": created["id"],
        "username": "clerk",
        "email": "clerk@example.com",
        "firstname": "Cleo",
        "lastname": "Clerk",
        "isActive": True,
        "role": {"name": "Viewer"},
    }
    clerk = await api.admin_token("clerk", "Clerk1234")
    me = (await api.data(ADMIN_ME, token=clerk))["adminMe"]
    assert me["username"] == "clerk"
    assert me["role"]["name"] == "Viewer"
    assert (await error_of(api, ROLES, token=clerk))[0] == "FORBIDDEN"

    [(result, details)] = await log(db_session, "admin_user.create")
    assert result == "SUCCESS"
    assert details == {"adminUserId": created["id"], "username": "clerk", "role": "Viewer"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"username": "ADMIN"}, ("BAD_USER_INPUT", "already exists")),
        ({"email": "SUPPORT@example.com"}, ("BAD_USER_INPUT", "already exists")),
        ({"password": "short1"}, ("BAD_USER_INPUT", "password")),
        ({"password": "lettersonly"}, ("BAD_USER_INPUT", "password")),
        ({"firstname": "  "}, ("BAD_USER_INPUT", "first name")),
        ({"username": ""}, ("BAD_USER_INPUT", "user name")),
        ({"email": "not-an-email"}, ("BAD_USER_INPUT", "email")),
        # one email rule for every account kind (resolvers/account_fields.py)
        ({"email": "clerk@localhost"}, ("BAD_USER_INPUT", "Please enter a valid email address.")),
        ({"roleId": "9999"}, ("NOT_FOUND", "This role no longer exists.")),
    ],
    ids=[
        "taken username",
        "taken email",
        "short password",
        "password without digits",
        "blank first name",
        "empty username",
        "invalid email",
        "email without a domain the customer rule refuses",
        "unknown role",
    ],
)
async def test_create_admin_user_refusals_change_nothing(
    api: Api, db_session: AsyncSession, fields: dict[str, str], expected: tuple[str, str]
) -> None:
    token = await admin(api)
    input_ = {**NEW_ADMIN, "roleId": await role_id(api, token, "Viewer"), **fields}
    code, message = await error_of(api, CREATE_ADMIN_USER, {"input": input_}, token=token)
    assert code == expected[0]
    assert expected[1] in message
    assert len(await users_by_name(api, token)) == 4
    [(result, details)] = await log(db_session, "admin_user.create")
    assert result == "FAILURE"
    assert details["code"] == code
    assert details["username"] == input_["username"]


async def test_update_admin_user_changes_only_given_fields_and_logs_old_and_new(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    viewer = await user_id(api, token, "viewer")
    updated = (
        await api.data(
            UPDATE_ADMIN_USER,
            {
                "id": viewer,
                "input": {
                    "firstname": "Veronica",
                    "email": "veronica@example.com",
                    "roleId": await role_id(api, token, "Auditor"),
                },
            },
            token=token,
        )
    )["updateAdminUser"]
    assert updated["firstname"] == "Veronica"
    assert updated["lastname"] == "Viewer"
    assert updated["email"] == "veronica@example.com"
    assert updated["isActive"] is True
    assert updated["role"]["name"] == "Auditor"
    viewer_token = await api.admin_token("viewer", "Viewer123!")
    assert (await api.data(ADMIN_ME, token=viewer_token))["adminMe"]["role"]["name"] == "Auditor"

    [(result, details)] = await log(db_session, "admin_user.update")
    assert result == "SUCCESS"
    assert details["adminUserId"] == viewer
    assert details["username"] == "viewer"
    changes = details["changes"]
    assert changes["firstname"] == {"old": "Vera", "new": "Veronica"}
    assert changes["email"]["new"] == "veronica@example.com"
    assert changes["role"] == {"old": "Viewer", "new": "Auditor"}
    assert set(changes) == {"firstname", "email", "roleId", "role"}


async def test_update_admin_user_refusals_change_nothing(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    users = await users_by_name(api, token)
    viewer = users["viewer"]["id"]
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("9999", {"firstname": "Ghost"}, "NOT_FOUND"),
        (viewer, {"roleId": "9999"}, "NOT_FOUND"),
        (viewer, {"email": users["support"]["email"]}, "BAD_USER_INPUT"),
        (viewer, {"email": "nope"}, "BAD_USER_INPUT"),
        (viewer, {"lastname": ""}, "BAD_USER_INPUT"),
        (viewer, {"firstname": "Changed", "password": "weak"}, "BAD_USER_INPUT"),
    ]
    for id_, input_, expected in cases:
        code, _ = await error_of(api, UPDATE_ADMIN_USER, {"id": id_, "input": input_}, token=token)
        assert code == expected, (id_, input_)
    assert await users_by_name(api, token) == users
    assert await api.admin_token("viewer", "Viewer123!")
    entries = await log(db_session, "admin_user.update")
    assert [details["code"] for _, details in entries] == [expected for *_, expected in cases]
    assert {result for result, _ in entries} == {"FAILURE"}
    assert await error_of(api, UPDATE_ADMIN_USER, {"id": "9999", "input": {}}, token=token) == (
        "NOT_FOUND",
        "This user no longer exists.",
    )
    malformed = {"id": "x1", "input": {"roleId": "r2"}}
    assert (await error_of(api, UPDATE_ADMIN_USER, malformed, token=token))[0] == "BAD_USER_INPUT"


async def live_tokens(db_session: AsyncSession, username: str) -> int:
    await db_session.rollback()
    rows = (
        await db_session.exec(
            select(AuthToken)
            .join(AdminUser, col(AdminUser.id) == col(AuthToken.admin_user_id))
            .where(AdminUser.username == username, col(AuthToken.revoked_at).is_(None))
        )
    ).all()
    return len(rows)


async def test_deactivating_an_admin_revokes_their_tokens_at_once(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    first = await api.admin_token("support", "Support123!")
    second = await api.admin_token("support", "Support123!")
    assert await live_tokens(db_session, "support") == 2
    support = await user_id(api, token, "support")

    data = await api.data(
        UPDATE_ADMIN_USER, {"id": support, "input": {"isActive": False}}, token=token
    )
    assert data["updateAdminUser"]["isActive"] is False
    assert await live_tokens(db_session, "support") == 0
    for revoked in (first, second):
        assert (await error_of(api, ADMIN_ME, token=revoked))[0] == "UNAUTHENTICATED"
    assert (await api.call(ADMIN_ME, token=token))["data"]["adminMe"]["username"] == "admin"
    login = await api.call(
        'mutation { adminLogin(username: "support", password: "Support123!") { token } }'
    )
    assert login["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    await api.data(UPDATE_ADMIN_USER, {"id": support, "input": {"isActive": True}}, token=token)
    assert await api.admin_token("support", "Support123!")
    [(_, deactivated), (_, reactivated)] = await log(db_session, "admin_user.update")
    assert deactivated["changes"] == {"isActive": {"old": True, "new": False}}
    assert deactivated["revokedTokens"] == 2
    assert reactivated["changes"] == {"isActive": {"old": False, "new": True}}


async def test_a_password_change_revokes_tokens_and_is_logged_without_the_password(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    old_token = await api.admin_token("viewer", "Viewer123!")
    viewer = await user_id(api, token, "viewer")
    await api.data(
        UPDATE_ADMIN_USER, {"id": viewer, "input": {"password": "NewSecret99"}}, token=token
    )
    assert (await error_of(api, ADMIN_ME, token=old_token))[0] == "UNAUTHENTICATED"
    assert await live_tokens(db_session, "viewer") == 0
    old_login = await api.call(
        'mutation { adminLogin(username: "viewer", password: "Viewer123!") { token } }'
    )
    assert old_login["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    new_token = await api.admin_token("viewer", "NewSecret99")
    assert (await api.data(ADMIN_ME, token=new_token))["adminMe"]["username"] == "viewer"

    [(result, details)] = await log(db_session, "admin_user.update")
    assert result == "SUCCESS"
    assert details["changes"] == {"password": {"old": "***", "new": "***"}}


async def test_no_password_or_hash_reaches_the_log(api: Api, db_session: AsyncSession) -> None:
    token = await admin(api)
    created = await create_admin(api, token, "Viewer", password="Clerk1234")
    await api.data(
        UPDATE_ADMIN_USER, {"id": created["id"], "input": {"password": "Clerk5678"}}, token=token
    )
    await error_of(
        api, UPDATE_ADMIN_USER, {"id": created["id"], "input": {"password": "weak"}}, token=token
    )
    await db_session.rollback()
    entries = (await db_session.exec(select(AdminActionLogEntry))).all()
    hashes = (await db_session.exec(select(AdminUser.password_hash))).all()
    assert any(entry.action == "admin_user.update" for entry in entries)
    for entry in entries:
        for secret in ("Clerk1234", "Clerk5678", "weak", "$argon2", *hashes):
            assert secret not in entry.details, entry


# --- the last active Magento_Backend::all admin ------------------------------------------


@pytest.mark.parametrize("attempt", ["deactivate self", "own role to Support", "strip all"])
async def test_the_last_superuser_cannot_be_removed(
    api: Api, db_session: AsyncSession, attempt: str
) -> None:
    token = await admin(api)
    roles = await roles_by_name(api, token)
    me = await user_id(api, token, "admin")
    if attempt == "deactivate self":
        query, variables = UPDATE_ADMIN_USER, {"id": me, "input": {"isActive": False}}
    elif attempt == "own role to Support":
        query = UPDATE_ADMIN_USER
        variables = {"id": me, "input": {"roleId": roles["Support"]["id"]}}
    else:
        query = UPDATE_ROLE
        variables = {
            "id": roles["Administrators"]["id"],
            "input": {"resources": [ACL_ROLES, ACL_USERS]},
        }
    code, message = await error_of(api, query, variables, token=token)
    assert code == "BAD_USER_INPUT"
    assert ALL in message
    assert "at least one active admin user must keep" in message

    assert await roles_by_name(api, token) == roles
    users = await users_by_name(api, token)
    assert users["admin"]["isActive"] is True
    assert users["admin"]["role"]["name"] == "Administrators"
    assert await live_tokens(db_session, "admin") == 1
    action = "role.update" if query == UPDATE_ROLE else "admin_user.update"
    [(result, details)] = await log(db_session, action)
    assert result == "FAILURE"
    assert details["code"] == "BAD_USER_INPUT"


async def test_with_a_second_superuser_the_first_may_step_down(api: Api) -> None:
    token = await admin(api)
    boss = await create_admin(
        api, token, "Administrators", username="boss", email="boss@example.com"
    )
    me = await user_id(api, token, "admin")
    await api.data(UPDATE_ADMIN_USER, {"id": me, "input": {"isActive": False}}, token=token)
    assert (await error_of(api, ADMIN_ME, token=token))[0] == "UNAUTHENTICATED"

    boss_token = await api.admin_token("boss", "Clerk1234")
    code, message = await error_of(
        api, UPDATE_ADMIN_USER, {"id": boss["id"], "input": {"isActive": False}}, token=boss_token
    )
    assert code == "BAD_USER_INPUT"
    assert message.startswith("You are the last active admin user")
    # Magento_Backend::all may move to another role, as long as someone keeps it.
    roles = await roles_by_name(api, boss_token)
    await api.data(
        UPDATE_ROLE,
        {"id": roles["Support"]["id"], "input": {"resources": [ALL]}},
        token=boss_token,
    )
    stripped = await api.data(
        UPDATE_ROLE,
        {"id": roles["Administrators"]["id"], "input": {"resources": [ACL_USERS]}},
        token=boss_token,
    )
    assert stripped["updateRole"]["resources"] == [ACL_USERS]


async def test_two_superusers_demoting_each_other_at_once_leave_one(api: Api) -> None:
    token = await admin(api)
    boss = await create_admin(
        api, token, "Administrators", username="boss", email="boss@example.com"
    )
    boss_token = await api.admin_token("boss", "Clerk1234")
    me = await user_id(api, token, "admin")
    results = await asyncio.gather(
        api.call(UPDATE_ADMIN_USER, {"id": boss["id"], "input": {"isActive": False}}, token=token),
        api.call(UPDATE_ADMIN_USER, {"id": me, "input": {"isActive": False}}, token=boss_token),
    )
    outcomes = sorted(
        body["errors"][0]["extensions"]["code"] if "errors" in body else "ok" for body in results
    )
    assert outcomes == ["BAD_USER_INPUT", "ok"]


# --- who may call ------------------------------------------------------------------------

OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "roles": (ROLES, {}),
    "role": (ROLE, {"id": "1"}),
    "adminUsers": (ADMIN_USERS, {}),
    "createRole": (CREATE_ROLE, {"input": {"name": "Sneaky", "resources": [ALL]}}),
    "updateRole": (UPDATE_ROLE, {"id": "2", "input": {"resources": [ALL]}}),
    "deleteRole": (DELETE_ROLE, {"id": "3"}),
    "createAdminUser": (CREATE_ADMIN_USER, {"input": {**NEW_ADMIN, "roleId": "1"}}),
    "updateAdminUser": (UPDATE_ADMIN_USER, {"id": "2", "input": {"roleId": "1"}}),
}
CALLERS = {
    "support": ("support", "Support123!"),
    "viewer": ("viewer", "Viewer123!"),
    "auditor": ("auditor", "Auditor123!"),
}


async def caller_token(api: Api, caller: str) -> str | None:
    if caller == "anonymous":
        return None
    if caller == "customer":
        return await api.customer_token("jane.doe@example.com", "Customer123!")
    return await api.admin_token(*CALLERS[caller])


@pytest.mark.parametrize("caller", ["anonymous", "customer", *CALLERS])
async def test_only_holders_of_the_acl_resources_may_call(
    api: Api, db_session: AsyncSession, caller: str
) -> None:
    token = await caller_token(api, caller)
    expected = "UNAUTHENTICATED" if caller == "anonymous" else "FORBIDDEN"
    for name, (query, variables) in OPERATIONS.items():
        assert (await error_of(api, query, variables, token=token))[0] == expected, name
    await db_session.rollback()
    assert len((await db_session.exec(select(Role))).all()) == 4
    assert len((await db_session.exec(select(AdminUser))).all()) == 4
    users = await users_by_name(api, await admin(api))
    assert users["support"]["role"]["name"] == "Support"


async def test_acl_roles_and_acl_users_are_separate_permissions(api: Api) -> None:
    token = await admin(api)
    roles_only = (
        await api.data(
            CREATE_ROLE, {"input": {"name": "Role Keeper", "resources": [ACL_ROLES]}}, token=token
        )
    )["createRole"]
    users_only = (
        await api.data(
            CREATE_ROLE, {"input": {"name": "User Keeper", "resources": [ACL_USERS]}}, token=token
        )
    )["createRole"]
    await create_admin(api, token, "Role Keeper", username="rk", email="rk@example.com")
    await create_admin(api, token, "User Keeper", username="uk", email="uk@example.com")
    rk = await api.admin_token("rk", "Clerk1234")
    uk = await api.admin_token("uk", "Clerk1234")

    assert len((await api.data(ROLES, token=rk))["roles"]) == 6
    assert (await api.data(ROLE, {"id": users_only["id"]}, token=rk))["role"]["name"]
    assert (await error_of(api, ADMIN_USERS, token=rk))[0] == "FORBIDDEN"
    assert (
        await error_of(api, CREATE_ADMIN_USER, {"input": NEW_ADMIN | {"roleId": "1"}}, token=rk)
    )[0] == "FORBIDDEN"

    # the user list, but no role behind it: a role is guarded by acl_roles wherever it is linked
    body = await api.call("{ adminUsers { username role { name resources } } }", token=uk)
    assert [user["role"] for user in body["data"]["adminUsers"]] == [None] * 6
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}
    assert {tuple(error["path"][::2]) for error in body["errors"]} == {("adminUsers", "role")}
    me = (await api.data("{ adminMe { role { name } } }", token=uk))["adminMe"]
    assert me == {"role": {"name": "User Keeper"}}  # your own role is yours to see
    assert (await error_of(api, ROLES, token=uk))[0] == "FORBIDDEN"
    assert (await error_of(api, DELETE_ROLE, {"id": roles_only["id"]}, token=uk))[0] == "FORBIDDEN"


async def test_managing_users_or_roles_does_not_make_you_a_superuser(
    api: Api, db_session: AsyncSession
) -> None:
    token = await admin(api)
    for name, resources in (("User Keeper", [ACL_USERS]), ("Role Keeper", [ACL_ROLES])):
        await api.data(CREATE_ROLE, {"input": {"name": name, "resources": resources}}, token=token)
    await create_admin(api, token, "User Keeper", username="uk", email="uk@example.com")
    await create_admin(api, token, "Role Keeper", username="rk", email="rk@example.com")
    uk = await api.admin_token("uk", "Clerk1234")
    rk = await api.admin_token("rk", "Clerk1234")
    administrators = await role_id(api, token, "Administrators")
    users = await users_by_name(api, token)

    # acl_users alone: no handing out, or taking over, roles beyond your own
    code, message = await error_of(
        api,
        UPDATE_ADMIN_USER,
        {"id": users["uk"]["id"], "input": {"roleId": administrators}},
        token=uk,
    )
    assert (code, "Magento_Backend::all" in message) == ("FORBIDDEN", True)
    assert (
        await error_of(
            api,
            UPDATE_ADMIN_USER,
            {"id": users["admin"]["id"], "input": {"password": "Taken0ver1"}},
            token=uk,
        )
    )[0] == "FORBIDDEN"
    assert (
        await error_of(
            api, CREATE_ADMIN_USER, {"input": NEW_ADMIN | {"roleId": administrators}}, token=uk
        )
    )[0] == "FORBIDDEN"
    assert await api.admin_token("admin", "Admin123!")  # the superuser's password still works

    # acl_roles alone: no granting what you lack, no editing or deleting stronger roles
    assert (
        await error_of(api, CREATE_ROLE, {"input": {"name": "Mine", "resources": [ALL]}}, token=rk)
    )[0] == "FORBIDDEN"
    rk_role = await role_id(api, token, "Role Keeper")
    assert (
        await error_of(
            api,
            UPDATE_ROLE,
            {"id": rk_role, "input": {"resources": [ACL_ROLES, ACL_USERS]}},
            token=rk,
        )
    )[0] == "FORBIDDEN"
    assert (
        await error_of(
            api, UPDATE_ROLE, {"id": administrators, "input": {"name": "Renamed"}}, token=rk
        )
    )[0] == "FORBIDDEN"
    assert (
        await error_of(api, DELETE_ROLE, {"id": await role_id(api, token, "Viewer")}, token=rk)
    )[0] == "FORBIDDEN"
    # within your own privileges it works
    assert (
        await api.data(
            CREATE_ROLE, {"input": {"name": "Deputy", "resources": [ACL_ROLES]}}, token=rk
        )
    )["createRole"]["resources"] == [ACL_ROLES]
    refused = [
        details
        for result, details in await log(db_session, "admin_user.update")
        if result == "FAILURE"
    ]
    assert {details["code"] for details in refused} == {"FORBIDDEN"}
