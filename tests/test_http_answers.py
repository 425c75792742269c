"""What every answer carries: JSON errors (a masked 500 too), the security headers on every
answer, `Cache-Control: no-store` on answers carrying a credential, CORS headers only for
LAC_CORS_ORIGINS, and the health probes (issue 9). Through the real ASGI app, both engines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.schema.app import create_app
from lac.schema.errors import INTERNAL_MESSAGE
from lac.schema.http.body_limit import MAX_BODY_BYTES
from tests.http_checks import (
    SECURITY_HEADERS,
    TYPENAME,
    WRONG_PASSWORD,
    json_error,
    padded,
    post_bytes,
)
from tests.support import ADMIN_LOGIN, CLIENT_IP, Api, make_api

ALLOWED_ORIGIN = "https://shop.example"


async def test_unexpected_exceptions_answer_masked_json_500(
    engine: AsyncEngine, settings: Settings, clock: ManualClock
) -> None:
    async def crash(_: Request) -> Response:
        raise RuntimeError("password=hunter2 in /srv/lac/schema/app.py")

    app = create_app(settings, clock, engine=engine)
    app.add_route("/crash", crash)
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 51000), raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://lac.test") as http,
    ):
        response = await http.get("/crash")
    assert json_error(response, 500, "INTERNAL_SERVER_ERROR") == INTERNAL_MESSAGE
    assert "hunter2" not in response.text
    assert "/srv" not in response.text
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS


async def answers(api: Api) -> dict[str, httpx.Response]:
    """One answer of each kind the service gives."""
    http = api.http
    return {
        "query": await api.post("{ __typename }"),
        "query over GET": await http.get("/graphql", params={"query": "{ __typename }"}),
        "GraphQL error": await api.post("{ adminMe { id } }"),
        "GraphiQL": await http.get("/graphql", headers={"Accept": "text/html"}),
        "400": await post_bytes(api, b"null"),
        "404": await http.get("/nowhere"),
        "405": await http.put("/graphql"),
        "405 mutation over GET": await http.get("/graphql", params={"query": ADMIN_LOGIN}),
        "413": await post_bytes(api, padded(MAX_BODY_BYTES + 1)),
        "415": await http.post("/graphql", content=b"{}", headers={"Content-Type": "text/plain"}),
        "healthz": await http.get("/healthz"),
        "readyz": await http.get("/readyz"),
        "preflight": await http.options(
            "/graphql",
            headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
        ),
    }


async def test_every_answer_carries_the_security_headers(api: Api) -> None:
    for kind, response in (await answers(api)).items():
        headers = {name: response.headers.get(name) for name in SECURITY_HEADERS}
        assert headers == SECURITY_HEADERS, kind


async def test_every_error_answer_is_graphql_json(api: Api) -> None:
    for kind, response in (await answers(api)).items():
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/json", kind
            assert response.json()["errors"][0]["extensions"]["code"], kind


GENERATE = (
    "mutation G($input: GenerateCustomerTokenAsAdminInput!) "
    "{ generateCustomerTokenAsAdmin(input: $input) { customer_token } }"
)
START = "mutation S($input: LoginAsCustomerInput!) { loginAsCustomer(input: $input) { secret } }"
EXCHANGE = "mutation E($s: String!) { exchangeLoginAsCustomerSecret(secret: $s) { token } }"
CUSTOMER_LOGIN = (
    "mutation C($e: String!, $p: String!) "
    '{ customerLogin(email: $e, password: $p, websiteCode: "base") { token } }'
)


async def test_answers_carrying_a_credential_are_never_stored(api: Api) -> None:
    def stored_as(response: httpx.Response) -> str | None:
        assert response.status_code == 200, response.text
        caching: str | None = response.headers.get("cache-control")
        return caching

    customer = await api.post(CUSTOMER_LOGIN, {"e": "jane.doe@example.com", "p": "Customer123!"})
    assert customer.json()["data"]["customerLogin"]["token"]
    assert stored_as(customer) == "no-store"
    failed = await api.post(ADMIN_LOGIN, WRONG_PASSWORD)
    assert stored_as(failed) == "no-store"
    admin = await api.post(ADMIN_LOGIN, {"username": "admin", "password": "Admin123!"})
    assert stored_as(admin) == "no-store"
    admin_token = admin.json()["data"]["adminLogin"]["token"]
    jane = await api.data(
        "{ customers(first: 50) { edges { node { id email } } } }", token=admin_token
    )
    jane_id = next(
        edge["node"]["id"]
        for edge in jane["customers"]["edges"]
        if edge["node"]["email"] == "jane.doe@example.com"
    )
    started = await api.post(START, {"input": {"customerId": jane_id}}, token=admin_token)
    secret = started.json()["data"]["loginAsCustomer"]["secret"]
    assert stored_as(started) == "no-store"
    # the storefront exchanges the secret without a token: anonymous answers are otherwise cacheable
    assert stored_as(await api.post("{ __typename }")) is None
    exchanged = await api.post(EXCHANGE, {"s": secret})
    assert exchanged.json()["data"]["exchangeLoginAsCustomerSecret"]["token"]
    assert stored_as(exchanged) == "no-store"
    generated = await api.post(
        GENERATE, {"input": {"customer_email": "jane.doe@example.com"}}, token=admin_token
    )
    assert generated.json()["data"]["generateCustomerTokenAsAdmin"]["customer_token"]
    assert stored_as(generated) == "no-store"


@pytest.fixture
async def cors_api(
    engine: AsyncEngine, settings: Settings, clock: ManualClock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(settings, cors_origins=(ALLOWED_ORIGIN,)), clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app) as http:
        yield http


async def test_cors_allows_only_the_configured_origins(cors_api: httpx.AsyncClient) -> None:
    allowed = await cors_api.post("/graphql", json=TYPENAME, headers={"Origin": ALLOWED_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    other = await cors_api.post(
        "/graphql", json=TYPENAME, headers={"Origin": "https://evil.example"}
    )
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_cors_preflight_only_for_the_configured_origins(
    cors_api: httpx.AsyncClient,
) -> None:
    allowed = await cors_api.options("/graphql", headers=preflight(ALLOWED_ORIGIN))
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    refused = await cors_api.options("/graphql", headers=preflight("https://evil.example"))
    assert "origin" in json_error(refused, 400, "BAD_USER_INPUT")
    assert "access-control-allow-origin" not in refused.headers


async def test_without_configured_origins_no_origin_is_allowed(api: Api) -> None:
    response = await api.http.post("/graphql", json=TYPENAME, headers={"Origin": ALLOWED_ORIGIN})
    assert "access-control-allow-origin" not in response.headers
    refused = await api.http.options("/graphql", headers=preflight(ALLOWED_ORIGIN))
    json_error(refused, 400, "BAD_USER_INPUT")
    assert "access-control-allow-origin" not in refused.headers


async def test_health_probes_need_no_token(api: Api) -> None:
    healthz = await api.http.get("/healthz")
    assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
    readyz = await api.http.get("/readyz", headers={"Authorization": "Bearer lac_a_forged"})
    assert (readyz.status_code, readyz.json()) == (200, {"status": "ready"})
    assert readyz.headers["content-type"] == "application/json"


async def test_readyz_is_503_while_migrations_are_not_current(
    api: Api, engine: AsyncEngine
) -> None:
    async with engine.begin() as connection:
        [current] = (
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        ).one()
        await connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        response = await api.http.get("/readyz")
    finally:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": current}
            )
    assert "lac db upgrade" in json_error(response, 503, "INTERNAL_SERVER_ERROR")
    assert (await api.http.get("/healthz")).status_code == 200
    assert (await api.http.get("/readyz")).status_code == 200


def unreachable(database_url: str) -> str:
    """The same kind of database, somewhere nothing answers."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return "sqlite:////nonexistent-lac-folder/lac.db"
    return url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)


async def test_readyz_is_503_while_the_database_is_unreachable(
    migrated_url: str, clock: ManualClock
) -> None:
    settings = Settings(database_url=unreachable(migrated_url))
    engine = create_engine(settings.database_url)
    app = create_app(settings, clock, engine=engine)  # no lifespan: it would refuse to start
    try:
        async with make_api(app) as http:
            readyz = await http.get("/readyz")
            healthz = await http.get("/healthz")
    finally:
        await engine.dispose()
    assert "unreachable" in json_error(readyz, 503, "INTERNAL_SERVER_ERROR")
    assert healthz.status_code == 200
