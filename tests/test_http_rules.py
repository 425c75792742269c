"""The HTTP rules around GraphQL: request limits, content types, methods, CORS, the security
and cache headers, JSON for every error answer, the health probes and the access log.

Through the real ASGI app (SQLite, or PostgreSQL with LAC_TEST_DATABASE_URL); what needs a
real socket (a chunked body, a declared length never sent, keep-alive, the access log) goes
through a real `lac serve` (tests/server.py) at the end of this module.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel
from starlette.requests import Request
from starlette.responses import Response

from db.engine import create_engine
from lac.clock import ManualClock
from lac.settings import Settings
from schema.app import create_app
from schema.errors import INTERNAL_MESSAGE
from schema.http.body_limit import MAX_BODY_BYTES
from tests.server import LacDb, make_lac_db, running_server
from tests.support import ADMIN_LOGIN, CLIENT_IP, Api, make_api

JSON = {"Content-Type": "application/json"}
TYPENAME = {"query": "{ __typename }"}
WRONG_PASSWORD = {"username": "support", "password": "not-the-password-1"}
ALLOWED_ORIGIN = "https://shop.example"
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


async def everything(engine: AsyncEngine) -> dict[str, list[Any]]:
    """Every row of every table: what a request that changes nothing leaves as it was."""
    async with engine.connect() as connection:
        return {
            table.name: sorted(map(repr, (await connection.execute(select(table))).all()))
            for table in SQLModel.metadata.sorted_tables
        }


def json_error(response: httpx.Response, status: int, code: str) -> str:
    """The message of a JSON GraphQL error answer with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["data"] is None
    assert len(body["errors"]) == 1, body
    assert body["errors"][0]["extensions"] == {"code": code}
    assert "Traceback" not in response.text
    message: str = body["errors"][0]["message"]
    return message


def login_body(**overrides: Any) -> dict[str, Any]:
    return {"query": ADMIN_LOGIN, "variables": {**WRONG_PASSWORD, **overrides}}


async def post_bytes(
    api: Api, body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await api.http.post(
        "/graphql", content=body, headers=JSON if headers is None else headers
    )


MALFORMED_BODIES = {
    "invalid UTF-8": b'{"query": "{ __typename }", "variables": {"u": "\xff\xfe"}}',
    "UTF-16": json.dumps(TYPENAME).encode("utf-16"),
    "empty": b"",
    "truncated": b'{"query": "{ __typename }"',
    "null": b"null",
    "a number": b"5",
    "a string": b'"{ __typename }"',
    "true": b"true",
    "nested 5,000 deep": b"[" * 5000 + b"]" * 5000,
    "variables nested 5,000 deep": b'{"query": "{ __typename }", "variables": {"v": '
    + b"[" * 5000
    + b"]" * 5000
    + b"}}",
    "lone surrogate in a variable": json.dumps(login_body(username="\ud800")).encode(),
    "lone surrogate in the query": json.dumps({"query": '{ __typename } # "\udfff"'}).encode(),
    "lone surrogate in a key": b'{"query": "{ __typename }", "variables": {"\\udc00": 1}}',
    "query a number": b'{"query": 5}',
    "query a list": b'{"query": ["{ __typename }"]}',
    "query an object": b'{"query": {"q": "{ __typename }"}}',
    "variables a string": b'{"query": "{ __typename }", "variables": "{}"}',
    "variables a list": b'{"query": "{ __typename }", "variables": []}',
    "operationName a number": b'{"query": "{ __typename }", "operationName": 5}',
    "operationName an object": b'{"query": "{ __typename }", "operationName": {}}',
    "extensions a number": b'{"query": "{ __typename }", "extensions": 1}',
    "no query": b'{"variables": {}}',
    "an integer of 5,000 digits": b'{"query": "{ __typename }", "variables": {"n": '
    + b"9" * 5000
    + b"}}",
    "NaN": b'{"query": "{ __typename }", "variables": {"n": NaN}}',
    "Infinity": b'{"query": "{ __typename }", "variables": {"n": -Infinity}}',
    "a float out of range": b'{"query": "{ __typename }", "variables": {"n": 1e999}}',
}


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
async def test_malformed_bodies_answer_json_400_and_change_nothing(
    api: Api, engine: AsyncEngine, body: bytes
) -> None:
    before = await everything(engine)
    json_error(await post_bytes(api, body), 400, "BAD_USER_INPUT")
    assert await everything(engine) == before
    # and the service carries on
    assert (await api.data("{ __typename }")) == {"__typename": "Query"}


async def test_a_surrogate_pair_is_text(api: Api) -> None:
    body = json.dumps(login_body(username="support\U0001f600")).encode()
    assert "\\ud83d\\ude00" in body.decode()
    response = await post_bytes(api, body)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_batch_is_refused_and_nothing_runs(api: Api, engine: AsyncEngine) -> None:
    before = await everything(engine)
    response = await post_bytes(api, json.dumps([login_body(), TYPENAME]).encode())
    assert "one operation per request" in json_error(response, 400, "BAD_USER_INPUT")
    assert await everything(engine) == before


def padded(size: int) -> bytes:
    """A valid request of exactly `size` bytes (an unused variable pads it)."""
    empty = json.dumps({"query": "{ __typename }", "variables": {"pad": ""}}).encode()
    return json.dumps(
        {"query": "{ __typename }", "variables": {"pad": "x" * (size - len(empty))}}
    ).encode()


async def test_a_body_of_exactly_1_mib_is_served(api: Api) -> None:
    body = padded(MAX_BODY_BYTES)
    assert len(body) == MAX_BODY_BYTES == 1024 * 1024
    response = await post_bytes(api, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_body_one_byte_over_1_mib_is_413(api: Api) -> None:
    json_error(await post_bytes(api, padded(MAX_BODY_BYTES + 1)), 413, "BAD_USER_INPUT")


async def test_a_streamed_body_without_length_over_1_mib_is_413(
    api: Api, engine: AsyncEngine
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        body = json.dumps(login_body(pad="x" * (3 * MAX_BODY_BYTES))).encode()
        for start in range(0, len(body), 64 * 1024):
            sent += 1
            yield body[start : start + 64 * 1024]

    before = await everything(engine)
    response = await api.http.post("/graphql", content=chunks(), headers=JSON)
    assert "content-length" not in response.request.headers
    json_error(response, 413, "BAD_USER_INPUT")
    assert sent <= MAX_BODY_BYTES // (64 * 1024) + 1  # never read past the limit
    assert await everything(engine) == before


async def test_a_declared_length_over_1_mib_is_413(api: Api) -> None:
    response = await post_bytes(api, b"{}", {**JSON, "Content-Length": str(50 * MAX_BODY_BYTES)})
    json_error(response, 413, "BAD_USER_INPUT")


async def test_a_mutation_over_get_is_405_and_runs_nothing(api: Api, engine: AsyncEngine) -> None:
    before = await everything(engine)
    response = await api.http.get(
        "/graphql",
        params={"query": ADMIN_LOGIN, "variables": json.dumps(WRONG_PASSWORD)},
    )
    assert "POST" in json_error(response, 405, "BAD_USER_INPUT")
    assert response.headers["allow"] == "POST"
    assert await everything(engine) == before


async def test_a_query_over_get_is_served(api: Api) -> None:
    response = await api.http.get(
        "/graphql",
        params={
            "query": "query Q($show: Boolean!) { __typename @include(if: $show) }",
            "variables": '{"show": true}',
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "variables", ["{", "[1]", "5", '{"u": "\\ud800"}', "NaN", "[" * 5000 + "]" * 5000]
)
async def test_bad_variables_over_get_are_400(api: Api, variables: str) -> None:
    response = await api.http.get(
        "/graphql", params={"query": "{ __typename }", "variables": variables}
    )
    json_error(response, 400, "BAD_USER_INPUT")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/json; charset=latin-1",
        "application/jsonx",
        None,
    ],
)
async def test_post_needs_json_and_other_types_run_nothing(
    api: Api, engine: AsyncEngine, content_type: str | None
) -> None:
    before = await everything(engine)
    response = await api.http.post(
        "/graphql",
        content=json.dumps(login_body()).encode(),
        headers={} if content_type is None else {"Content-Type": content_type},
    )
    json_error(response, 415, "BAD_USER_INPUT")
    assert await everything(engine) == before


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON", "application/json; charset=utf-8"]
)
async def test_json_content_types_are_served(api: Api, content_type: str) -> None:
    response = await post_bytes(api, json.dumps(TYPENAME).encode(), {"Content-Type": content_type})
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_cross_site_text_plain_login_changes_nothing_and_logs_nothing(
    api: Api, engine: AsyncEngine
) -> None:
    """What a page on another site can send without a CORS preflight: a "simple" POST."""
    before = await everything(engine)
    for _ in range(7):  # more than the lockout threshold
        response = await api.http.post(
            "/graphql",
            content=json.dumps(login_body()),
            headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
        )
        json_error(response, 415, "BAD_USER_INPUT")
        assert "access-control-allow-origin" not in response.headers
    form = await api.http.post(
        "/graphql",
        data={"query": ADMIN_LOGIN, "variables": json.dumps(WRONG_PASSWORD)},
        headers={"Origin": "https://evil.example"},
    )
    json_error(form, 415, "BAD_USER_INPUT")
    assert await everything(engine) == before
    assert await api.admin_token("support", "Support123!")


async def test_unknown_paths_are_json_404(api: Api) -> None:
    for path in ("/", "/graphiql", "/admin", "/healthz/x"):
        json_error(await api.http.get(path), 404, "NOT_FOUND")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_wrong_methods_are_json_405(api: Api, method: str) -> None:
    response = await api.http.request(method, "/graphql", json=TYPENAME)
    json_error(response, 405, "BAD_USER_INPUT")
    assert {"GET", "POST"} <= set(response.headers["allow"].split(", "))


async def test_head_is_405_without_a_body(api: Api) -> None:
    response = await api.http.head("/graphql", params={"query": "{ __typename }"})
    assert (response.status_code, response.content) == (405, b"")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["allow"] == "GET, POST"


async def test_graphiql_without_a_query_and_json_refusal_in_production(
    api: Api, engine: AsyncEngine, settings: Settings, clock: ManualClock
) -> None:
    page = await api.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    no_query = await api.http.get("/graphql", headers={"Accept": "application/json"})
    json_error(no_query, 400, "BAD_USER_INPUT")
    production = create_app(replace(settings, env="production"), clock, engine=engine)
    async with production.router.lifespan_context(production), make_api(production) as http:
        json_error(await http.get("/graphql", headers={"Accept": "text/html"}), 404, "NOT_FOUND")


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


# A real `lac serve` (uvicorn): raw sockets for what an HTTP client library would not send.

SECRET_IN_URL = "Hunter2-in-the-url"


@dataclass(frozen=True)
class RawAnswer:
    status: int
    content_type: str | None
    body: bytes


def request_head(port: int, framing: str) -> bytes:
    return (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n"
    ).encode()


def read_answer(sock: socket.socket) -> RawAnswer:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return RawAnswer(response.status, response.getheader("content-type"), response.read())


@contextmanager
def connection(client: httpx.Client) -> Iterator[socket.socket]:
    port = client.base_url.port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=10.0) as sock:
        yield sock


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """One real `lac serve` for the raw-socket tests of this module."""
    with running_server(make_lac_db(tmp_path_factory.mktemp("serve"))) as client:
        yield client


def raw_code(answer: RawAnswer) -> str:
    assert answer.content_type == "application/json"
    code: str = json.loads(answer.body)["errors"][0]["extensions"]["code"]
    return code


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(lac_db: LacDb) -> None:
    chunk = b"x" * (64 * 1024)
    with running_server(lac_db) as client, connection(client) as sock:
        port = client.base_url.port
        assert port is not None
        sock.sendall(request_head(port, "Transfer-Encoding: chunked"))
        for _ in range(MAX_BODY_BYTES // len(chunk) + 1):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        # the body has not ended (no last chunk): the server answers anyway
        answer = read_answer(sock)
    assert (answer.status, raw_code(answer)) == (413, "BAD_USER_INPUT")


def test_a_declared_length_over_the_limit_is_refused_before_any_body(server: httpx.Client) -> None:
    with connection(server) as sock:
        port = server.base_url.port
        assert port is not None
        sock.sendall(request_head(port, f"Content-Length: {50 * MAX_BODY_BYTES}"))
        answer = read_answer(sock)
    assert (answer.status, raw_code(answer)) == (413, "BAD_USER_INPUT")


def test_a_chunked_body_within_the_limit_is_served(server: httpx.Client) -> None:
    body = padded(MAX_BODY_BYTES)
    response = server.post(
        "/graphql",
        content=(body[start : start + 50_000] for start in range(0, len(body), 50_000)),
        headers=JSON,
    )
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.json() == {"data": {"__typename": "Query"}}


def test_malformed_bodies_keep_the_connection(server: httpx.Client) -> None:
    with connection(server) as sock:
        port = server.base_url.port
        assert port is not None
        for body in (b"null", b"\xff", b"[" * 5000 + b"]" * 5000, b'{"query": 5}'):
            sock.sendall(request_head(port, f"Content-Length: {len(body)}") + body)
            answer = read_answer(sock)
            assert (answer.status, raw_code(answer)) == (400, "BAD_USER_INPUT")
        good = json.dumps(TYPENAME).encode()
        sock.sendall(request_head(port, f"Content-Length: {len(good)}") + good)
        answer = read_answer(sock)
    assert (answer.status, json.loads(answer.body)) == (200, {"data": {"__typename": "Query"}})


def test_query_strings_and_probes_never_reach_the_access_log(lac_db: LacDb) -> None:
    with running_server(lac_db) as client:
        port = client.base_url.port
        login = f'mutation {{ adminLogin(username: "support", password: "{SECRET_IN_URL}") {{ token }} }}'
        refused = client.get("/graphql", params={"query": login})
        assert refused.status_code == 405
        served = client.get(
            "/graphql",
            params={"query": "{ __typename }", "variables": json.dumps({"p": SECRET_IN_URL})},
        )
        assert served.status_code == 200
        assert client.get("/nowhere", params={"password": SECRET_IN_URL}).status_code == 404
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    log = (lac_db.workdir / f"serve-{port}.log").read_text()
    assert '"GET /graphql HTTP/1.1" 405' in log  # the access log is on, without the query
    assert '"GET /nowhere HTTP/1.1" 404' in log
    assert SECRET_IN_URL not in log
    assert "?" not in "".join(line for line in log.splitlines() if "HTTP/1.1" in line)
    assert "/healthz" not in log
    assert "/readyz" not in log
