"""Who is calling: the bearer token and the client address, resolved once per request."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings, parse_networks
from lac.db.models import AdminActionLogEntry
from lac.schema.app import create_app
from lac.schema.http.client import bearer_token, resolve_client_ip
from tests.support import ADMIN_LOGIN, Api, make_api

PROXIES = parse_networks("10.0.0.0/8, 192.0.2.10")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("198.51.100.4", None, "198.51.100.4"),
        ("198.51.100.4", "203.0.113.9", "198.51.100.4"),  # untrusted peer: header ignored
        ("10.1.2.3", "203.0.113.9", "203.0.113.9"),
        ("10.1.2.3", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a client cannot pick its address
        ("10.1.2.3", "203.0.113.9, 192.0.2.10", "203.0.113.9"),  # skips trusted hops
        ("10.1.2.3", "10.9.9.9, 192.0.2.10", "10.9.9.9"),  # all trusted: the left-most
        ("10.1.2.3", "not-an-ip", "10.1.2.3"),
        ("10.1.2.3", "", "10.1.2.3"),
    ],
)
def test_client_ip(peer: str, forwarded_for: str | None, expected: str) -> None:
    assert resolve_client_ip(peer, forwarded_for, PROXIES) == expected


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer lac_a_x", "lac_a_x"),
        ("bearer  lac_a_x ", "lac_a_x"),
        ("Basic abc", None),
        ("Bearer ", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


async def test_logged_ip_comes_from_a_trusted_proxy_header(
    engine: AsyncEngine, clock: ManualClock, migrated_url: str, db_session: AsyncSession
) -> None:
    settings = Settings(database_url=migrated_url, trusted_proxies=parse_networks("10.0.0.0/8"))
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app, client_ip="10.0.0.2") as http:
        response = await Api(http).post(
            ADMIN_LOGIN,
            {"username": "support", "password": "Support123!"},
            headers={"X-Forwarded-For": "203.0.113.50", "User-Agent": "AdminSPA/2.1"},
        )
    assert response.status_code == 200
    entry = (await db_session.exec(select(AdminActionLogEntry))).one()
    assert entry.ip_address == "203.0.113.50"
    assert entry.user_agent == "AdminSPA/2.1"
    assert json.loads(entry.details) == {}


async def test_forwarded_header_is_ignored_without_trusted_proxies(
    api: Api, db_session: AsyncSession
) -> None:
    await api.post(
        ADMIN_LOGIN,
        {"username": "support", "password": "Support123!"},
        headers={"X-Forwarded-For": "203.0.113.50"},
    )
    entry = (await db_session.exec(select(AdminActionLogEntry))).one()
    assert entry.ip_address == "203.0.113.7"


async def test_production_hides_graphiql_introspection_and_suggestions(
    engine: AsyncEngine, clock: ManualClock, migrated_url: str
) -> None:
    settings = Settings(database_url=migrated_url, env="production")
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app) as http:
        api = Api(http)
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        body = await api.call("{ __schema { types { name } } }")
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        typo = await api.call("{ adminMee { id } }")
        assert "Did you mean" not in typo["errors"][0]["message"]
        assert (await api.data("{ __typename }")) == {"__typename": "Query"}
