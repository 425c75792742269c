"""Server processes for the benchmark: free ports, the real `lac` CLI, a server that is
waited for and stopped, and the CPU time a process tree has used (from /proc)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
LAC = Path(sys.prefix).resolve() / "bin" / "lac"
HOST = "127.0.0.1"
GRAPHQL_PATH = "/graphql"
CLI_TIMEOUT = 600.0
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class Server:
    """A running server: its (parent) process and base URL."""

    process: subprocess.Popen[bytes]
    url: str
    label: str

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the process and all its descendants (the workers)."""
        return tree_cpu_seconds(self.process.pid)


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def lac_env(database_url: str, **extra: str) -> dict[str, str]:
    """This run's database, development mode (as the tests), no other LAC_* setting."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LAC_")}
    env["LAC_DATABASE_URL"] = database_url
    env["LAC_ENV"] = "development"
    env.update(extra)
    return env


def run_cli(env: dict[str, str], workdir: Path, *args: str) -> None:
    """Run the real `lac` command line to completion; fail loudly on an error."""
    result = subprocess.run(
        [str(LAC), *args],
        env=env,
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"lac {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process, killing it when it does not exit in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def _ready(client: httpx.Client, workers: int) -> bool:
    """Every worker answers: with N workers, N fresh connections in a row all get answers
    (the kernel spreads new connections; a worker still starting leaves one waiting)."""
    try:
        for _ in range(max(1, workers) * 2):
            client.post(
                GRAPHQL_PATH, json={"query": "{ __typename }"}, headers={"Connection": "close"}
            )
    except httpx.TransportError:
        return False
    return True


@contextmanager
def serving(
    label: str,
    command: Sequence[str],
    *,
    port: int,
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    workers: int = 1,
) -> Iterator[Server]:
    """Start a server process, wait until it answers, stop it afterwards."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(command), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    server = Server(process, f"http://{HOST}:{port}", label)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx.Client(base_url=server.url, timeout=5.0, trust_env=False) as client:
            while not _ready(client, workers):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{label} did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
        yield server
    finally:
        stop(process)


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children.extend(int(child) for child in task.read_text().split())
        except OSError:
            continue
    return children


def _own_cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of `pid` and its live descendants, from /proc; None elsewhere."""
    if not Path(f"/proc/{pid}/stat").exists():
        return None
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += _own_cpu_seconds(current)
        pending.extend(_children(current))
    return total
