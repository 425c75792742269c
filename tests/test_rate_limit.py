"""Failures are rate limited per client address: 30 failed sign-ins or 30 failed secret
exchanges in 10 minutes, then RATE_LIMITED with retryAfter and a Retry-After header."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.models import AdminActionLogEntry
from lac.schema.app import create_app
from tests.support import ADMIN_LOGIN, CUSTOMER_LOGIN, Api, make_api

EXCHANGE = 'mutation { exchangeLoginAsCustomerSecret(secret: "guess") { token } }'


async def failed_admin_login(api: Api, username: str) -> str:
    body = await api.call(ADMIN_LOGIN, {"username": username, "password": "Wrong1234"})
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def test_thirty_failed_sign_ins_from_one_address_are_the_limit(
    api: Api, clock: ManualClock, engine: AsyncEngine, settings: Settings, db_session: AsyncSession
) -> None:
    # spread over many names, admin and customer alike, so no lockout gets there first
    for n in range(20):
        assert await failed_admin_login(api, f"guess{n}") == "UNAUTHENTICATED"
    for n in range(10):
        body = await api.call(
            CUSTOMER_LOGIN,
            {"email": f"x{n}@example.com", "password": "Wrong1234", "websiteCode": "base"},
        )
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    clock.advance(minutes=1)
    response = await api.post(ADMIN_LOGIN, {"username": "support", "password": "Support123!"})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 540}
    assert response.headers["retry-after"] == "540"
    # refusals are not logged: a stranger cannot fill the log
    await db_session.rollback()
    entries = (await db_session.exec(select(AdminActionLogEntry))).all()
    assert len(entries) == 20
    # another address is not limited
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app, client_ip="198.51.100.77") as http:
        assert await Api(http).admin_token("support", "Support123!")
    # the window slides on
    clock.advance(minutes=9, seconds=1)
    assert await api.admin_token("support", "Support123!")


async def test_successes_never_count(api: Api) -> None:
    for _ in range(35):
        assert await api.customer_token("jane.doe@example.com", "Customer123!")


async def test_failed_exchanges_are_limited_separately(api: Api, clock: ManualClock) -> None:
    for _ in range(30):
        assert await api.error_code(EXCHANGE) == "SECRET_INVALID_OR_EXPIRED"
    assert await api.error_code(EXCHANGE) == "RATE_LIMITED"
    assert await api.admin_token("support", "Support123!")  # sign-ins are a separate count
    clock.advance(minutes=10)
    assert await api.error_code(EXCHANGE) == "SECRET_INVALID_OR_EXPIRED"
