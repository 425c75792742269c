"""The `lac` command line and a real `lac serve`, end to end, as subprocesses.

Every test gets its own SQLite file, migrated and seeded by the real CLI (`lac db upgrade`,
`lac demo seed`); the server is a real uvicorn process on a free local port.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import (
    CREATE_CLERK,
    LAC,
    STARTUP_TIMEOUT,
    LacDb,
    free_port,
    graphql,
    lac_env,
    run_lac,
    running_server,
    stop,
)
from tests.support import ADMIN_LOGIN, REPO_ROOT

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
    lac_db.run_ok(*CREATE_CLERK, "--password", "Clerk1234")

    again = lac_db.run(*CREATE_CLERK, "--password", "Clerk1234")
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


def test_log_verify_export_and_prune_from_the_cli(lac_db: LacDb) -> None:
    with running_server(lac_db) as client:
        for password in ("Wrong1234", "Wrong5678", "Support123!"):
            client.post(
                "/graphql",
                json={
                    "query": 'mutation($p: String!) { adminLogin(username: "support", password: $p) { token } }',
                    "variables": {"p": password},
                },
            )
    verified = lac_db.run_ok("log", "verify")
    assert json.loads(verified.stdout) == {
        "valid": True,
        "checkedEntries": 3,
        "firstBrokenEntryId": None,
    }

    lines = lac_db.run_ok(
        "log", "export", "--format", "jsonl", "--result", "FAILURE"
    ).stdout.splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["admin.login_failed"] * 2
    assert all("Wrong1234" not in line and "Wrong5678" not in line for line in lines)
    table = lac_db.run_ok(
        "log", "export", "--format", "csv", "--action-group", "ADMIN_SESSIONS"
    ).stdout
    rows = list(csv.DictReader(table.splitlines()))
    assert [row["action"] for row in rows] == [
        "admin.login_failed",
        "admin.login_failed",
        "admin.login",
    ]
    assert all(len(row["hash"]) == 64 for row in rows)

    with sqlite3.connect(lac_db.path) as connection:
        connection.execute("UPDATE admin_action_log SET username = 'someone' WHERE id = 2")
    tampered = lac_db.run("log", "verify")
    assert tampered.returncode == 1
    assert json.loads(tampered.stdout)["firstBrokenEntryId"] == 2
    with sqlite3.connect(lac_db.path) as connection:
        connection.execute("UPDATE admin_action_log SET username = 'support' WHERE id = 2")

    pruned = lac_db.run_ok("log", "prune", "--before", "2999-01-01")
    assert "pruned 3 entries" in pruned.stdout
    assert json.loads(lac_db.run_ok("log", "verify").stdout)["valid"] is True
