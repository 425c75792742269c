"""Running the real `lac` command line and a real `lac serve` process, for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
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
from sqlalchemy.engine import make_url

LAC = Path(sys.executable).parent / "lac"
CLI_TIMEOUT = 120.0
STARTUP_TIMEOUT = 60.0  # an upper bound: a busy machine starts several workers slowly
STOP_TIMEOUT = 10.0
CREATE_CLERK = (  # `lac admin create` of a Support user, all but the password
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
)


def lac_env(database: Path | str) -> dict[str, str]:
    """The environment for `lac`: this test's database (an SQLite file or a URL),
    development mode, no other LAC_*."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LAC_")}
    env["LAC_DATABASE_URL"] = database if isinstance(database, str) else f"sqlite:///{database}"
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


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """The command failed as an operator error: exit code 2, nothing on stdout, one line
    `error: ...` on stderr that contains `words` (and so no traceback)."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


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
    """A migrated, seeded database and the environment that points `lac` at it."""

    url: str
    env: dict[str, str]
    workdir: Path

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return Path(make_url(self.url).database or "")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_lac(self.env, *args, cwd=self.workdir)

    def run_ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_ok(self.env, *args, cwd=self.workdir)


@dataclass(frozen=True)
class LiveServer:
    """A running `lac serve`: its process (to kill), address and output."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    port: int


def log_lines(log_path: Path) -> list[dict[str, Any]]:
    """The lines `lac serve` logged, each one JSON object (a line of any other shape fails)."""
    lines: list[dict[str, Any]] = []
    for line in log_path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a log line is not JSON: {line!r}")
    return lines


def access_lines(log_path: Path) -> list[dict[str, Any]]:
    """The one-per-request `lac.access` lines of a `lac serve` log."""
    return [line for line in log_lines(log_path) if line["logger"] == "lac.access"]


@contextmanager
def lac_serve(
    env: dict[str, str],
    workdir: Path,
    *args: str,
    workers: int = 1,
    port_from_env: bool = False,
    lac: Path = LAC,
) -> Iterator[LiveServer]:
    """A real `lac serve ARGS` of `workers` processes (of this venv's `lac`, or another) on a
    free port (given as --port, or as LAC_PORT with `port_from_env`), answering when yielded;
    stopped after."""
    port = free_port()
    log_path = workdir / f"serve-{port}.log"
    port_args = () if port_from_env else ("--port", str(port))
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(lac), "serve", *port_args, "--workers", str(workers), *args],
            env={**env, "LAC_PORT": str(port)} if port_from_env else env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(
        process=process, base_url=f"http://127.0.0.1:{port}", log_path=log_path, port=port
    )
    try:
        with httpx.Client(base_url=server.base_url, timeout=10.0) as client:
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
        yield server
    finally:
        stop(process)


@contextmanager
def running_server(db: LacDb) -> Iterator[httpx.Client]:
    """A real `lac serve` on a free port; yields a client for it, stops the server after."""
    with (
        lac_serve(db.env, db.workdir) as server,
        httpx.Client(base_url=server.base_url, timeout=10.0) as client,
    ):
        yield client


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


def make_lac_db(workdir: Path, url: str | None = None) -> LacDb:
    """A fresh database (by default an SQLite file) migrated and seeded by the real CLI."""
    url = url or f"sqlite:///{workdir / 'lac-cli.db'}"
    env = lac_env(url)
    run_ok(env, "db", "upgrade", cwd=workdir)
    run_ok(env, "demo", "seed", cwd=workdir)
    return LacDb(url=url, env=env, workdir=workdir)
