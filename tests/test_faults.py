"""Faults of the database, against real `lac` processes (and the app, for the pool).

At start-up, a database that is unreachable (a closed port, a host that never answers,
an SQLite file in a missing folder) makes every command print one line and exit 2.
While serving, a database that is lost, stuck behind another writer, or without a free
pooled connection in time makes requests answer HTTP 503 with a JSON
INTERNAL_SERVER_ERROR within the timeouts set below (an HTTP client timeout far above
them fails the test on a hang), and the service recovers by itself, without a restart,
once the database is back. The PostgreSQL server is reached through a TCP proxy the
test cuts, stalls and restores.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.db.locks import LOG_CHAIN_LOCK_KEY
from lac.schema.app import create_app
from lac.schema.db_unavailable import UNAVAILABLE_MESSAGE
from tests.databases import POSTGRES_SERVER_URL, postgres_conninfo
from tests.server import (
    LacDb,
    assert_one_line_error,
    free_port,
    lac_env,
    lac_serve,
    run_lac,
)
from tests.support import ADMIN_LOGIN, make_api
from tests.tcp_proxy import TcpProxy

CONNECT_TIMEOUT = "2"  # libpq's minimum
STATEMENT_TIMEOUT = "1"
SHORT_TIMEOUTS = {
    "LAC_DB_CONNECT_TIMEOUT": CONNECT_TIMEOUT,
    "LAC_DB_STATEMENT_TIMEOUT": STATEMENT_TIMEOUT,
}
HANG = 30.0  # an HTTP client or CLI timeout far above the database timeouts
UNAVAILABLE = {
    "data": None,
    "errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}],
}
ADMIN_ME = "{ adminMe { username } }"
PRODUCTS = "{ products { sku } }"
SUPPORT = {"username": "support", "password": "Support123!"}

postgres_only = pytest.mark.skipif(
    not POSTGRES_SERVER_URL, reason="needs a PostgreSQL server (LAC_TEST_DATABASE_URL)"
)

COMMANDS = {  # the commands a new user runs first
    "serve": ["serve", "--port", "0"],
    "db upgrade": ["db", "upgrade"],
    "demo seed": ["demo", "seed"],
    "log verify": ["log", "verify"],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_commands_on_a_closed_port_print_one_line(command: list[str], tmp_path: Path) -> None:
    env = lac_env(f"postgresql://postgres:s3cret@127.0.0.1:{free_port()}/lac")
    result = run_lac(env, *command, cwd=tmp_path, timeout=HANG)
    assert_one_line_error(result, "cannot reach the database", "Connection refused")
    assert "s3cret" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_commands_on_sqlite_in_a_missing_folder_print_one_line(
    command: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing"
    result = run_lac(lac_env(missing / "lac.db"), *command, cwd=tmp_path, timeout=HANG)
    assert_one_line_error(result, f"the folder {missing} does not exist", "LAC_DATABASE_URL")
    assert not missing.exists()


@pytest.mark.parametrize("command", ["serve", "db upgrade"])
def test_commands_give_up_on_a_silent_host_after_the_connect_timeout(
    command: str, tmp_path: Path
) -> None:
    with TcpProxy("127.0.0.1", free_port()) as silent:
        silent.stall()
        env = {
            **lac_env(f"postgresql://postgres@127.0.0.1:{silent.port}/lac"),
            **SHORT_TIMEOUTS,
        }
        result = run_lac(env, *COMMANDS[command], cwd=tmp_path, timeout=HANG)
    assert_one_line_error(result, "cannot reach the database", "timeout")


def send(client: httpx.Client, query: str, variables: dict[str, Any], token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


def data_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def sign_in(client: httpx.Client) -> str:
    token: str = data_of(send(client, ADMIN_LOGIN, SUPPORT, None))["adminLogin"]["token"]
    return token


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == UNAVAILABLE


@contextmanager
def writer_holding_the_write_lock(url: str) -> Iterator[None]:
    """Another process's transaction that holds what every lac write waits for: SQLite's
    write lock, or the action log's chain lock on PostgreSQL."""
    if make_url(url).get_backend_name() == "sqlite":
        with closing(sqlite3.connect(make_url(url).database or "", isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            yield
            db.execute("ROLLBACK")
        return
    with psycopg.connect(postgres_conninfo(url), autocommit=True) as db:
        db.execute("SELECT pg_advisory_lock(%s)", (LOG_CHAIN_LOCK_KEY,))
        yield
        db.execute("SELECT pg_advisory_unlock(%s)", (LOG_CHAIN_LOCK_KEY,))


def test_writes_behind_a_stuck_writer_answer_503_then_recover(live_db: LacDb) -> None:
    env = {**live_db.env, **SHORT_TIMEOUTS}
    with (
        lac_serve(env, live_db.workdir) as server,
        httpx.Client(base_url=server.base_url, timeout=HANG) as client,
    ):
        token = sign_in(client)
        with writer_holding_the_write_lock(live_db.url):
            for _ in range(2):
                assert_unavailable(send(client, ADMIN_LOGIN, SUPPORT, None))
            assert data_of(send(client, ADMIN_ME, {}, token)) == {
                "adminMe": {"username": "support"}
            }
        assert sign_in(client)
    assert '"valid": true' in live_db.run_ok("log", "verify").stdout


async def test_no_free_connection_in_time_answers_503(
    engine: AsyncEngine, settings: Settings, clock: ManualClock
) -> None:
    one_connection = create_engine(
        settings.database_url, pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    app = create_app(settings, clock, engine=one_connection)
    try:
        async with make_api(app) as http:
            async with one_connection.connect():  # held elsewhere: the pool has none to give
                assert_unavailable(await http.post("/graphql", json={"query": PRODUCTS}))
            assert data_of(await http.post("/graphql", json={"query": PRODUCTS}))
    finally:
        await one_connection.dispose()


@postgres_only
def test_a_lost_database_answers_503_and_the_service_recovers_by_itself(live_db: LacDb) -> None:
    database = make_url(live_db.url)
    with TcpProxy(database.host or "127.0.0.1", database.port or 5432) as proxy:
        proxied = database.set(host="127.0.0.1", port=proxy.port)
        env = {
            **live_db.env,
            **SHORT_TIMEOUTS,
            "LAC_DATABASE_URL": proxied.render_as_string(hide_password=False),
        }
        with (
            lac_serve(env, live_db.workdir) as server,
            httpx.Client(base_url=server.base_url, timeout=HANG) as client,
        ):
            token = sign_in(client)
            requests = [  # the caller's token, a resolver, a logged mutation
                (ADMIN_ME, {}, token),
                (PRODUCTS, {}, None),
                (ADMIN_LOGIN, SUPPORT, None),
            ]
            for outage in (proxy.cut, proxy.stall):
                outage()
                for query, variables, caller in requests:
                    assert_unavailable(send(client, query, variables, caller))
                proxy.forward()
                for query, variables, caller in requests:
                    assert data_of(send(client, query, variables, caller))
    assert '"valid": true' in live_db.run_ok("log", "verify").stdout


@postgres_only
def test_connections_the_database_dropped_are_replaced_without_a_failed_request(
    live_db: LacDb,
) -> None:
    with (
        lac_serve(live_db.env, live_db.workdir) as server,
        httpx.Client(base_url=server.base_url, timeout=HANG) as client,
    ):
        token = sign_in(client)
        with psycopg.connect(postgres_conninfo(live_db.url), autocommit=True) as db:
            terminated = db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        assert terminated, "the server keeps an idle pooled connection"
        for _ in range(3):
            assert data_of(send(client, ADMIN_ME, {}, token)) == {
                "adminMe": {"username": "support"}
            }
