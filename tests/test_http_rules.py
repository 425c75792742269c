"""What a request to /graphql may be: JSON decoded safely (400), one operation (400), a body
of at most 1 MiB (413), mutations only over POST (405), POST only as application/json (415),
known paths and methods only (404, 405); every refusal JSON, changing nothing (issue 9).

Through the real ASGI app (SQLite, or PostgreSQL with LAC_TEST_DATABASE_URL); what needs a
real socket is in tests/test_http_server.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.schema.app import create_app
from lac.schema.http.body_limit import MAX_BODY_BYTES
from tests.http_checks import (
    JSON,
    TYPENAME,
    WRONG_PASSWORD,
    everything,
    json_error,
    login_body,
    padded,
    post_bytes,
)
from tests.support import ADMIN_LOGIN, Api, make_api

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
