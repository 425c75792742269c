"""Customer sign-in per website, expiry and sign-out (DESIGN.md section 9)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.db.models import AdminActionLogEntry, AuthToken, Customer
from lac.resolvers.errors import SIGN_IN_INCORRECT
from tests.support import CUSTOMER_LOGIN, Api

ME = """
query Me {
  me { email name firstname lastname website { code name } createdIn { code }
       allowRemoteShoppingAssistance }
}
"""
LOGOUT = "mutation { customerLogout }"


async def login_error(api: Api, email: str, password: str, website: str) -> tuple[str, str]:
    body = await api.call(
        CUSTOMER_LOGIN, {"email": email, "password": password, "websiteCode": website}
    )
    assert body["data"] is None
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"]


async def test_jane_signs_in_on_her_website(api: Api) -> None:
    data = await api.data(
        CUSTOMER_LOGIN,
        {"email": "jane.doe@example.com", "password": "Customer123!", "websiteCode": "base"},
    )
    login = data["customerLogin"]
    assert login["token"].startswith("lac_c_")
    assert login["expiresAt"] == "2026-11-25T13:00:00.000000Z"  # 1 hour from the test clock
    assert login["customer"]["name"] == "Jane Doe"
    me = (await api.data(ME, token=login["token"]))["me"]
    assert me == {
        "email": "jane.doe@example.com",
        "name": "Jane Doe",
        "firstname": "Jane",
        "lastname": "Doe",
        "website": {"code": "base", "name": "Main Website"},
        "createdIn": {"code": "default"},
        "allowRemoteShoppingAssistance": True,
    }


async def test_email_is_matched_without_regard_to_case(api: Api) -> None:
    assert await api.customer_token("Jane.Doe@Example.com", "Customer123!")


async def test_same_email_on_another_website_gets_the_generic_message(api: Api) -> None:
    expected = ("UNAUTHENTICATED", SIGN_IN_INCORRECT)
    assert await login_error(api, "jane.doe@example.com", "Customer123!", "outlet") == expected
    assert await login_error(api, "jane.doe@example.com", "Wrong123!", "base") == expected
    assert await login_error(api, "jane.doe@example.com", "Customer123!", "nowhere") == expected
    assert await login_error(api, "inactive@example.com", "Customer123!", "base") == expected


async def test_marie_signs_in_on_the_outlet(api: Api) -> None:
    token = await api.customer_token("marie.curie@example.com", "Customer123!", "outlet")
    assert (await api.data(ME, token=token))["me"]["website"]["code"] == "outlet"


async def test_customer_lockout_is_per_website_and_email(api: Api, clock: ManualClock) -> None:
    for _ in range(6):
        await login_error(api, "jane.doe@example.com", "Wrong123!", "base")
    code, _ = await login_error(api, "jane.doe@example.com", "Customer123!", "base")
    assert code == "ACCOUNT_LOCKED"
    assert await api.customer_token("john.smith@example.com", "Customer123!")
    clock.advance(minutes=30)
    assert await api.customer_token("jane.doe@example.com", "Customer123!")


async def test_token_expires_after_one_hour(api: Api, clock: ManualClock) -> None:
    token = await api.customer_token("jane.doe@example.com", "Customer123!")
    clock.advance(minutes=59, seconds=59)
    assert (await api.data(ME, token=token))["me"]["email"] == "jane.doe@example.com"
    clock.advance(seconds=1)
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"


async def test_logout_revokes_only_that_token(api: Api) -> None:
    token = await api.customer_token("jane.doe@example.com", "Customer123!")
    other = await api.customer_token("jane.doe@example.com", "Customer123!")
    assert await api.data(LOGOUT, token=token) == {"customerLogout": True}
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    assert (await api.data(ME, token=other))["me"]["email"] == "jane.doe@example.com"


async def test_deactivated_customer_loses_access_at_once(
    api: Api, db_session: AsyncSession
) -> None:
    token = await api.customer_token("jane.doe@example.com", "Customer123!")
    jane = (
        await db_session.exec(select(Customer).where(Customer.email == "jane.doe@example.com"))
    ).one()
    jane.is_active = False
    await db_session.commit()
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"


async def test_customer_tokens_are_hashed_and_customer_logins_not_in_admin_log(
    api: Api, db_session: AsyncSession
) -> None:
    token = await api.customer_token("jane.doe@example.com", "Customer123!")
    await login_error(api, "jane.doe@example.com", "Wrong123!", "base")
    stored = (await db_session.exec(select(AuthToken))).one()
    assert stored.kind == "customer"
    assert stored.token_hash != token
    assert token[6:] not in stored.token_hash
    assert (await db_session.exec(select(AdminActionLogEntry))).all() == []
    jane = (
        await db_session.exec(select(Customer).where(Customer.email == "jane.doe@example.com"))
    ).one()
    assert jane.password_hash.startswith("$argon2id$")
