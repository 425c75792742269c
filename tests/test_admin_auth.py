"""Admin sign-in, lockout, expiry, sign-out and their action-log entries (DESIGN.md section 9)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import AdminActionLogEntry, AdminUser, AuthToken, LoginThrottle
from lac.resolvers.errors import SIGN_IN_INCORRECT
from tests.support import ADMIN_LOGIN, CLIENT_IP, Api

ADMIN_ME = "query Me { adminMe { username firstname role { name resources } lockedUntil } }"
ADMIN_LOGOUT = "mutation Logout { adminLogout }"


async def login_error(api: Api, username: str, password: str) -> tuple[str, str]:
    body = await api.call(ADMIN_LOGIN, {"username": username, "password": password})
    assert body["data"] is None
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"]


async def log_entries(db_session: AsyncSession) -> list[AdminActionLogEntry]:
    statement = select(AdminActionLogEntry).order_by(col(AdminActionLogEntry.id))
    return list((await db_session.exec(statement)).all())


async def test_support_signs_in_and_sees_own_account(api: Api, clock: ManualClock) -> None:
    data = await api.data(ADMIN_LOGIN, {"username": "support", "password": "Support123!"})
    login = data["adminLogin"]
    assert login["token"].startswith("lac_a_")
    assert login["admin"] == {
        "id": login["admin"]["id"],
        "username": "support",
        "role": {"name": "Support"},
    }
    assert login["expiresAt"] == "2026-11-25T16:00:00.000000Z"  # 4 hours from the test clock

    me = (await api.data(ADMIN_ME, token=login["token"]))["adminMe"]
    assert me["username"] == "support"
    assert me["role"]["name"] == "Support"
    assert "Magento_LoginAsCustomer::login" in me["role"]["resources"]
    assert me["lockedUntil"] is None


async def test_wrong_password_and_unknown_user_get_the_same_answer(api: Api) -> None:
    wrong = await login_error(api, "support", "Wrong123!")
    unknown = await login_error(api, "nobody", "Wrong123!")
    assert wrong == unknown == ("UNAUTHENTICATED", SIGN_IN_INCORRECT)


@pytest.mark.parametrize("username", ["support", "ghost-user"])
async def test_sixth_failure_locks_the_name_for_thirty_minutes(
    api: Api, clock: ManualClock, username: str
) -> None:
    for _ in range(6):
        assert await login_error(api, username, "Wrong123!") == (
            "UNAUTHENTICATED",
            SIGN_IN_INCORRECT,
        )
    right_password = "Support123!"
    code, message = await login_error(api, username, right_password)
    assert code == "ACCOUNT_LOCKED"
    assert "locked" in message
    clock.advance(minutes=29, seconds=59)
    assert (await login_error(api, username, right_password))[0] == "ACCOUNT_LOCKED"
    clock.advance(seconds=2)
    if username == "support":
        assert await api.admin_token("support", right_password)
    else:
        assert await login_error(api, username, right_password) == (
            "UNAUTHENTICATED",
            SIGN_IN_INCORRECT,
        )


async def test_failures_spread_over_more_than_thirty_minutes_do_not_lock(
    api: Api, clock: ManualClock
) -> None:
    for _ in range(5):
        await login_error(api, "support", "Wrong123!")
    clock.advance(minutes=31)
    await login_error(api, "support", "Wrong123!")
    assert await api.admin_token("support", "Support123!")


async def test_success_resets_the_failure_count(api: Api) -> None:
    for _ in range(5):
        await login_error(api, "support", "Wrong123!")
    assert await api.admin_token("support", "Support123!")
    for _ in range(5):
        await login_error(api, "support", "Wrong123!")
    assert await api.admin_token("support", "Support123!")


async def test_locked_until_shows_on_the_locked_admin(api: Api, clock: ManualClock) -> None:
    viewer = await api.admin_token("viewer", "Viewer123!")
    for _ in range(6):
        await login_error(api, "viewer", "Wrong123!")
    me = (await api.data(ADMIN_ME, token=viewer))["adminMe"]
    assert me["lockedUntil"] == "2026-11-25T12:30:00.000000Z"
    clock.advance(minutes=30)
    assert (await api.data(ADMIN_ME, token=viewer))["adminMe"]["lockedUntil"] is None


async def test_inactive_admin_cannot_sign_in(api: Api, db_session: AsyncSession) -> None:
    viewer = (await db_session.exec(select(AdminUser).where(AdminUser.username == "viewer"))).one()
    assert viewer is not None
    viewer.is_active = False
    await db_session.commit()
    assert await login_error(api, "viewer", "Viewer123!") == ("UNAUTHENTICATED", SIGN_IN_INCORRECT)


async def test_disabling_an_admin_ends_their_token_at_once(
    api: Api, db_session: AsyncSession
) -> None:
    token = await api.admin_token("viewer", "Viewer123!")
    viewer = (await db_session.exec(select(AdminUser).where(AdminUser.username == "viewer"))).one()
    assert viewer is not None
    viewer.is_active = False
    await db_session.commit()
    assert await api.error_code(ADMIN_ME, token=token) == "UNAUTHENTICATED"


async def test_token_expires_after_four_hours(api: Api, clock: ManualClock) -> None:
    token = await api.admin_token("support", "Support123!")
    clock.advance(hours=3, minutes=59)
    assert (await api.data(ADMIN_ME, token=token))["adminMe"]["username"] == "support"
    clock.advance(minutes=1)
    assert await api.error_code(ADMIN_ME, token=token) == "UNAUTHENTICATED"


async def test_logout_revokes_the_token(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    other = await api.admin_token("support", "Support123!")
    assert (await api.data(ADMIN_LOGOUT, token=token)) == {"adminLogout": True}
    assert await api.error_code(ADMIN_ME, token=token) == "UNAUTHENTICATED"
    assert await api.error_code(ADMIN_LOGOUT, token=token) == "UNAUTHENTICATED"
    assert (await api.data(ADMIN_ME, token=other))["adminMe"]["username"] == "support"


async def test_sign_in_entries_are_logged_with_the_client_ip(
    api: Api, db_session: AsyncSession
) -> None:
    await login_error(api, "support", "Wrong123!")
    token = await api.admin_token("support", "Support123!")
    await api.data(ADMIN_LOGOUT, token=token)
    for _ in range(6):
        await login_error(api, "ghost", "Wrong123!")
    await login_error(api, "ghost", "Wrong123!")

    entries = await log_entries(db_session)
    summary = [(e.action, e.action_group, e.result, e.username) for e in entries]
    assert summary == [
        ("admin.login_failed", "ADMIN_SESSIONS", "FAILURE", "support"),
        ("admin.login", "ADMIN_SESSIONS", "SUCCESS", "support"),
        ("admin.logout", "ADMIN_SESSIONS", "SUCCESS", "support"),
        *[("admin.login_failed", "ADMIN_SESSIONS", "FAILURE", "ghost")] * 6,
        ("admin.locked", "SECURITY", "FAILURE", "ghost"),
        ("admin.login_failed", "ADMIN_SESSIONS", "FAILURE", "ghost"),
    ]
    assert {e.ip_address for e in entries} == {CLIENT_IP}
    assert entries[1].admin_username == "support"
    assert entries[1].full_action_name == "mutation AdminLogin.adminLogin"
    assert json.loads(entries[0].details) == {"code": "UNAUTHENTICATED"}
    assert json.loads(entries[-1].details) == {"code": "ACCOUNT_LOCKED"}
    assert entries[3].admin_id is None


async def test_tokens_and_passwords_are_not_stored_in_clear(
    api: Api, db_session: AsyncSession
) -> None:
    token = await api.admin_token("support", "Support123!")
    await login_error(api, "support", "Guess1234")
    stored = (await db_session.exec(select(AuthToken))).one()
    assert stored is not None
    assert stored.token_hash != token
    assert len(stored.token_hash) == 64
    support = (
        await db_session.exec(select(AdminUser).where(AdminUser.username == "support"))
    ).one()
    assert support is not None
    assert support.password_hash.startswith("$argon2id$")
    assert "Support123!" not in support.password_hash
    for entry in await log_entries(db_session):
        assert token not in entry.details
        assert "Support123!" not in entry.details
        assert "Guess1234" not in entry.details
    throttles = (await db_session.exec(select(LoginThrottle))).all()
    assert all("Guess1234" not in t.login_name for t in throttles)


async def test_six_failures_within_any_thirty_minutes_lock(api: Api, clock: ManualClock) -> None:
    await login_error(api, "support", "Wrong123!")
    clock.advance(minutes=29, seconds=50)
    for _ in range(4):
        await login_error(api, "support", "Wrong123!")
    clock.advance(seconds=15)  # the first failure has left the window: five remain in it
    assert await login_error(api, "support", "Wrong123!") == ("UNAUTHENTICATED", SIGN_IN_INCORRECT)
    assert await api.admin_token("support", "Support123!")  # a success clears the streak
    for _ in range(5):
        await login_error(api, "support", "Wrong123!")
    clock.advance(minutes=29)
    await login_error(api, "support", "Wrong123!")  # six within 29 minutes
    assert (await login_error(api, "support", "Support123!"))[0] == "ACCOUNT_LOCKED"
