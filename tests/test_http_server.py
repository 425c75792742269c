"""The HTTP rules that need a real socket, against a real `lac serve` (uvicorn): a chunked
body refused while it streams, a declared length refused before any body, the connection kept
after a refused body, and an access log without query strings or health probes (issue 9)."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from lac.schema.http.body_limit import MAX_BODY_BYTES
from tests.http_checks import JSON, TYPENAME, padded
from tests.server import LacDb, access_lines, make_lac_db, running_server

SECRET_IN_URL = "Hunter2-in-the-url"


@dataclass(frozen=True)
class RawAnswer:
    status: int
    content_type: str | None
    body: bytes


def request_head(server: httpx.Client, framing: str) -> bytes:
    return (
        f"POST /graphql HTTP/1.1\r\nHost: {server.base_url.netloc.decode()}\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n"
    ).encode()


def read_answer(sock: socket.socket) -> RawAnswer:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return RawAnswer(response.status, response.getheader("content-type"), response.read())


@contextmanager
def connection(server: httpx.Client) -> Iterator[socket.socket]:
    address = (server.base_url.host, server.base_url.port or 80)
    with socket.create_connection(address, timeout=10.0) as sock:
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


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(server: httpx.Client) -> None:
    chunk = b"x" * (64 * 1024)
    with connection(server) as sock:
        sock.sendall(request_head(server, "Transfer-Encoding: chunked"))
        for _ in range(MAX_BODY_BYTES // len(chunk) + 1):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        # the body has not ended (no last chunk): the server answers anyway
        answer = read_answer(sock)
    assert (answer.status, raw_code(answer)) == (413, "BAD_USER_INPUT")


def test_a_declared_length_over_the_limit_is_refused_before_any_body(server: httpx.Client) -> None:
    with connection(server) as sock:
        sock.sendall(request_head(server, f"Content-Length: {50 * MAX_BODY_BYTES}"))
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
        for body in (b"null", b"\xff", b"[" * 5000 + b"]" * 5000, b'{"query": 5}'):
            sock.sendall(request_head(server, f"Content-Length: {len(body)}") + body)
            answer = read_answer(sock)
            assert (answer.status, raw_code(answer)) == (400, "BAD_USER_INPUT")
        good = json.dumps(TYPENAME).encode()
        sock.sendall(request_head(server, f"Content-Length: {len(good)}") + good)
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
    log_path = lac_db.workdir / f"serve-{port}.log"
    requests = [(line["method"], line["path"], line["status"]) for line in access_lines(log_path)]
    # the access log is on, one line per request, without the query; the probes are left out
    assert requests == [
        ("POST", "/graphql", 200),  # the start-up check of tests/server.py
        ("GET", "/graphql", 405),
        ("GET", "/graphql", 200),
        ("GET", "/nowhere", 404),
    ]
    log = log_path.read_text()
    assert SECRET_IN_URL not in log
    assert "?" not in json.dumps(access_lines(log_path))
    assert "/healthz" not in log
    assert "/readyz" not in log
