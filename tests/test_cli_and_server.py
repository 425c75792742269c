"""The `lac` command line and a real `lac serve`, end to end, as subprocesses.

Every test gets its own SQLite file, migrated and seeded by the real CLI (`lac db upgrade`,
`lac demo seed`); the server is a real uvicorn process on a free local port.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import ADMIN_LOGIN, REPO_ROOT

LAC = Path(sys.executable).parent / "lac"
CLI_TIMEOUT = 120.0
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

ADMIN_ME = "query Me { adminMe { username role { name } } }"

PINNED_DEMO_SIZES = {
    "website": 2,
    "store_view": 3,
    "admin_user": 4,
    "admin_role": 4,
    "customer": 4,
    "product": 3,
    "sales_order": 4,
    "sales_invoice": 3,
    "sales_shipment": 1,
    "sales_creditmemo": 1,
}


def lac_env(database: Path) -> dict[str, str]:
    """The environment for `lac`: this test's database, development mode, no other LAC_*."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LAC_")}
    env["LAC_DATABASE_URL"] = f"sqlite:///{database}"
    env["LAC_ENV"] = "development"
    return env


def run_lac(
    env: dict[str, str], *args: str, cwd: Path, timeout: float = CLI_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run the real `lac` console script to completion (stdin closed: never prompts)."""
    return subprocess.run(
        [str(LAC), *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_ok(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = run_lac(env, *args, cwd=cwd)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[Any]) -> None:
    """Terminate a process, killing it when it does not exit in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@dataclass(frozen=True)
class LacDb:
    """A migrated, seeded SQLite file and the environment that points `lac` at it."""

    path: Path
    env: dict[str, str]
    workdir: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_lac(self.env, *args, cwd=self.workdir)

    def run_ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_ok(self.env, *args, cwd=self.workdir)


@pytest.fixture
def lac_db(tmp_path: Path) -> LacDb:
    database = tmp_path / "lac-cli.db"
    env = lac_env(database)
    run_ok(env, "db", "upgrade", cwd=tmp_path)
    run_ok(env, "demo", "seed", cwd=tmp_path)
    return LacDb(path=database, env=env, workdir=tmp_path)


@contextmanager
def running_server(db: LacDb) -> Iterator[httpx.Client]:
    """A real `lac serve` on a free port; yields a client for it, stops the server after."""
    port = free_port()
    log_path = db.workdir / f"serve-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(LAC), "serve", "--port", str(port)],
            env=db.env,
            cwd=db.workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10.0) as client:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while True:
                if process.poll() is not None:
                    pytest.fail(
                        f"lac serve exited with {process.returncode}:\n{log_path.read_text()}"
                    )
                try:
                    client.post("/graphql", json={"query": "{ __typename }"})
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"lac serve did not answer in time:\n{log_path.read_text()}")
                    time.sleep(0.1)
            yield client
    finally:
        stop(process)


def graphql(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def admin_login(client: httpx.Client, username: str, password: str) -> str:
    data = graphql(client, ADMIN_LOGIN, {"username": username, "password": password})
    token: str = data["adminLogin"]["token"]
    assert token.startswith("lac_a_")
    return token


def table_counts(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
            )
        ]
        counts: dict[str, int] = {}
        for name in names:
            (count,) = connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()
            counts[name] = count
        return counts


def action_log(database: Path, action: str) -> list[tuple[str, dict[str, Any]]]:
    """(result, details) of every action-log entry of `action`, oldest first."""
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT result, details FROM admin_action_log WHERE action = ? ORDER BY id", (action,)
        ).fetchall()
    return [(result, json.loads(details)) for result, details in rows]


def test_server_answers_graphql_graphiql_and_admin_sign_in(lac_db: LacDb) -> None:
    with running_server(lac_db) as client:
        response = client.post("/graphql", json={"query": "{ __typename }"})
        assert response.status_code == 200, response.text
        assert response.json() == {"data": {"__typename": "Query"}}

        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "graphiql" in page.text.lower()

        token = admin_login(client, "support", "Support123!")
        me = graphql(client, ADMIN_ME, token=token)["adminMe"]
        assert me == {"username": "support", "role": {"name": "Support"}}


def test_demo_seed_again_changes_no_row_counts(lac_db: LacDb) -> None:
    before = table_counts(lac_db.path)
    assert {table: before.get(table) for table in PINNED_DEMO_SIZES} == PINNED_DEMO_SIZES

    lac_db.run_ok("demo", "seed")

    assert table_counts(lac_db.path) == before


def test_server_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    env = lac_env(tmp_path / "empty.db")
    process = subprocess.Popen(
        [str(LAC), "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=STARTUP_TIMEOUT)
    finally:
        stop(process)
    assert process.returncode != 0, output
    assert "lac db upgrade" in output


def test_admin_create_from_the_cli(lac_db: LacDb) -> None:
    create = [
        "admin",
        "create",
        "--username",
        "clerk",
        "--email",
        "clerk@example.com",
        "--firstname",
        "Cleo",
        "--lastname",
        "Clerk",
        "--role",
        "Support",
    ]
    lac_db.run_ok(*create, "--password", "Clerk1234")

    again = lac_db.run(*create, "--password", "Clerk1234")
    assert again.returncode != 0, again.stdout
    assert "already exists" in again.stderr

    short = lac_db.run(
        "admin",
        "create",
        "--username",
        "shorty",
        "--email",
        "shorty@example.com",
        "--firstname",
        "Sho",
        "--lastname",
        "Rty",
        "--role",
        "Support",
        "--password",
        "short",
    )
    assert short.returncode != 0, short.stdout
    assert "password" in short.stderr.lower()

    no_role = lac_db.run(
        "admin",
        "create",
        "--username",
        "nobody",
        "--email",
        "nobody@example.com",
        "--firstname",
        "No",
        "--lastname",
        "Body",
        "--role",
        "Nope",
        "--password",
        "Nobody1234",
    )
    assert no_role.returncode != 0, no_role.stdout
    assert "Nope" in no_role.stderr

    entries = action_log(lac_db.path, "admin_user.create")
    assert [(result, details["username"]) for result, details in entries] == [
        ("SUCCESS", "clerk"),
        ("FAILURE", "clerk"),
        ("FAILURE", "shorty"),
        ("FAILURE", "nobody"),
    ]
    assert entries[0][1]["role"] == "Support"
    assert all(details["code"] == "BAD_USER_INPUT" for _, details in entries[1:])
    assert table_counts(lac_db.path)["admin_user"] == PINNED_DEMO_SIZES["admin_user"] + 1

    with running_server(lac_db) as client:
        token = admin_login(client, "clerk", "Clerk1234")
        me = graphql(client, ADMIN_ME, token=token)["adminMe"]
        assert me == {"username": "clerk", "role": {"name": "Support"}}


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["db", "upgrade"],
        ["demo", "seed"],
        ["admin", "create"],
        ["serve"],
        ["schema", "export"],
    ],
    ids=lambda command: " ".join(["lac", *command]),
)
def test_help(command: list[str], tmp_path: Path) -> None:
    result = run_lac(lac_env(tmp_path / "unused.db"), *command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    assert not (tmp_path / "unused.db").exists()


def test_schema_export_matches_the_checked_in_schema(tmp_path: Path) -> None:
    output = tmp_path / "schema.graphql"
    result = run_lac(
        lac_env(tmp_path / "unused.db"), "schema", "export", "--output", str(output), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text() == (REPO_ROOT / "schema.graphql").read_text()
