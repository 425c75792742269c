"""Hot paths of a real `lac serve`, as ratios of a bare Starlette baseline measured in this run.

Run from the repository root (never as a test):

    .venv/bin/python -m bench.hot_paths

It migrates and seeds a throw-away SQLite file with the real `lac` CLI, starts a real
`lac serve` and a bare Starlette app (`bench.baseline_app`, served by uvicorn with the same
settings) on free ports of 127.0.0.1, signs in over HTTP, and drives every scenario with a
bounded closed-loop load generator (a fixed number of concurrent workers, a fixed request
count after a warm-up, a hard time cap). Absolute numbers depend on the machine; the ratios
to the baseline are the result. Then it counts the SQL statements each scenario runs per
request, in-process and without a clock (a `before_cursor_execute` listener on the engine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack, ExitStack, closing, contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

# httpcore asks `import sniffio` on every request and falls back to asyncio when it is
# missing; a failed import is not remembered, so each try searches all of sys.path again
# (~15% of the load generator's CPU). A None entry makes the failure immediate. Only this
# process (the load generator, and the in-process app that counts statements) is affected.
if find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

import httpx
from sqlalchemy import event

from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.schema.app import create_app

REPO = Path(__file__).resolve().parent.parent
LAC = Path(sys.prefix).resolve() / "bin" / "lac"
HOST = "127.0.0.1"
GRAPHQL_PATH = "/graphql"
CLI_TIMEOUT = 120.0
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
REQUEST_TIMEOUT = 10.0
STATEMENT_REPEATS = 10
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")

SUPPORT = ("support", "Support123!")
CUSTOMER = ("jane.doe@example.com", "Customer123!", "base")
CUSTOMER_ID = "1"

TYPENAME = "{ __typename }"
CUSTOMER_SESSION = "{ customerSession { isLoginAsCustomer pageCacheDisabled banner { text } } }"
ORDERS = (
    "{ orders(first: 50) { edges { node { incrementId customer { email } storeView { code }"
    " invoices { incrementId } canLoginAsCustomer } } } }"
)

Data = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    query: str
    token: str | None
    on_baseline: bool
    expect: Callable[[Data], bool]

    @property
    def body(self) -> bytes:
        return json.dumps({"query": self.query}).encode()

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


@dataclass(frozen=True)
class Load:
    requests: int
    warmup: int
    concurrency: int
    cap: float


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    ok: int
    failures: int
    seconds: float
    latencies: list[float]
    capped: bool
    server_cpu: float | None
    client_cpu: float

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000.0

    @property
    def server_us_per_request(self) -> float | None:
        if self.server_cpu is None or not self.ok:
            return None
        return self.server_cpu / self.ok * 1e6

    @property
    def client_cpu_percent(self) -> float:
        return self.client_cpu / self.seconds * 100.0 if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def lac_env(database: Path) -> dict[str, str]:
    """This run's database, development mode (as the tests), no other LAC_* setting."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LAC_")}
    env["LAC_DATABASE_URL"] = f"sqlite:///{database}"
    env["LAC_ENV"] = "development"
    return env


def run_cli(env: dict[str, str], workdir: Path, *args: str) -> None:
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


@contextmanager
def serving(
    command: Sequence[str], *, port: int, cwd: Path, env: dict[str, str], log_path: Path
) -> Iterator[Server]:
    """Start a server process, wait until it answers a POST, stop it afterwards."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(command), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    server = Server(process, f"http://{HOST}:{port}")
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx.Client(base_url=server.url, timeout=2.0, trust_env=False) as client:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{command[0]} exited with {process.returncode}:\n{log_path.read_text()}"
                    )
                try:
                    client.post(GRAPHQL_PATH, json={"query": TYPENAME})
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"{command[0]} did not answer in time:\n{log_path.read_text()}"
                        ) from None
                    time.sleep(0.1)
        yield server
    finally:
        stop(process)


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads), from /proc; None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- tokens --------------------------------------------------------------------------------


def graphql(
    client: httpx.Client, query: str, variables: Data | None = None, token: str | None = None
) -> Data:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = client.post(
        GRAPHQL_PATH, json={"query": query, "variables": variables or {}}, headers=headers
    )
    body: Data = response.json()
    if response.status_code != 200 or "errors" in body:
        raise RuntimeError(f"GraphQL call failed ({response.status_code}): {body}")
    data: Data = body["data"]
    return data


@dataclass(frozen=True)
class Tokens:
    admin: str
    impersonation: str
    customer: str


def obtain_tokens(url: str) -> Tokens:
    """Sign in over HTTP: the support admin, an impersonation of customer 1, the customer."""
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT, trust_env=False) as client:
        admin = graphql(
            client,
            "mutation($u: String!, $p: String!) { adminLogin(username: $u, password: $p)"
            " { token } }",
            {"u": SUPPORT[0], "p": SUPPORT[1]},
        )["adminLogin"]["token"]
        secret = graphql(
            client,
            'mutation($id: ID!) { loginAsCustomer(input: {customerId: $id, reason: "bench"})'
            " { secret } }",
            {"id": CUSTOMER_ID},
            token=admin,
        )["loginAsCustomer"]["secret"]
        impersonation = graphql(
            client,
            "mutation($s: String!) { exchangeLoginAsCustomerSecret(secret: $s) { token } }",
            {"s": secret},
        )["exchangeLoginAsCustomerSecret"]["token"]
        customer = graphql(
            client,
            "mutation($e: String!, $p: String!, $w: String!)"
            " { customerLogin(email: $e, password: $p, websiteCode: $w) { token } }",
            {"e": CUSTOMER[0], "p": CUSTOMER[1], "w": CUSTOMER[2]},
        )["customerLogin"]["token"]
    return Tokens(admin=admin, impersonation=impersonation, customer=customer)


def scenarios(tokens: Tokens) -> list[Scenario]:
    def session(data: Data) -> Data:
        value: Data = data["customerSession"]
        return value

    return [
        Scenario(
            "a",
            "baseline: bare Starlette POST",
            TYPENAME,
            None,
            on_baseline=True,
            expect=lambda data: data == {"__typename": "Query"},
        ),
        Scenario(
            "b",
            "{ __typename }, anonymous",
            TYPENAME,
            None,
            on_baseline=False,
            expect=lambda data: data == {"__typename": "Query"},
        ),
        Scenario(
            "c",
            "customerSession, impersonation",
            CUSTOMER_SESSION,
            tokens.impersonation,
            on_baseline=False,
            expect=lambda data: (
                session(data)["isLoginAsCustomer"] is True
                and str(session(data)["banner"]["text"]).startswith("You are connected as ")
            ),
        ),
        Scenario(
            "d",
            "customerSession, customer's own",
            CUSTOMER_SESSION,
            tokens.customer,
            on_baseline=False,
            expect=lambda data: (
                session(data)["isLoginAsCustomer"] is False and session(data)["banner"] is None
            ),
        ),
        Scenario(
            "e",
            "customerSession, anonymous",
            CUSTOMER_SESSION,
            None,
            on_baseline=False,
            expect=lambda data: (
                session(data)["isLoginAsCustomer"] is False and session(data)["banner"] is None
            ),
        ),
        Scenario(
            "f",
            "orders(first: 50), support admin",
            ORDERS,
            tokens.admin,
            on_baseline=False,
            expect=lambda data: len(data["orders"]["edges"]) > 0,
        ),
    ]


def check_answer(scenario: Scenario, status: int, body: Data) -> None:
    """Fail loudly unless the scenario's request answers what it is meant to measure."""
    if status != 200 or "errors" in body or not scenario.expect(body.get("data") or {}):
        raise RuntimeError(f"({scenario.key}) unexpected answer ({status}): {body}")


# --- load ----------------------------------------------------------------------------------


@dataclass
class Tally:
    issued: int = 0
    failures: int = 0
    capped: bool = False


async def closed_loop(
    clients: Sequence[httpx.AsyncClient], scenario: Scenario, count: int, deadline: float
) -> tuple[list[float], Tally]:
    """`count` requests from one worker per client, each worker sending its next request when
    its previous one is answered; stops early (capped) at `deadline` (a perf_counter time)."""
    body, headers = scenario.body, scenario.headers
    latencies: list[float] = []
    tally = Tally()

    async def worker(client: httpx.AsyncClient) -> None:
        while tally.issued < count:
            if time.perf_counter() > deadline:
                tally.capped = True
                return
            tally.issued += 1
            started = time.perf_counter()
            try:
                response = await client.post(GRAPHQL_PATH, content=body, headers=headers)
                ok = response.status_code == 200 and b'"errors"' not in response.content
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                tally.failures += 1

    # Every request has its own timeout; this only guards against a stuck worker.
    async with asyncio.timeout(max(0.0, deadline - time.perf_counter()) + REQUEST_TIMEOUT + 5.0):
        await asyncio.gather(*(worker(client) for client in clients))
    return latencies, tally


async def measure(server: Server, scenario: Scenario, load: Load) -> Result:
    """Warm up, then measure `load.requests` requests; warm-up and measurement share the cap.

    Each worker has its own client holding one keep-alive connection: one pool shared by all
    workers costs httpcore's pool bookkeeping a scan of every connection per request, which
    doubles the load generator's CPU per request.
    """
    deadline = time.perf_counter() + load.cap
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=server.url,
                    timeout=REQUEST_TIMEOUT,
                    limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                    trust_env=False,
                )
            )
            for _ in range(load.concurrency)
        ]
        response = await clients[0].post(
            GRAPHQL_PATH, content=scenario.body, headers=scenario.headers
        )
        check_answer(scenario, response.status_code, response.json())
        _, warmup = await closed_loop(clients, scenario, load.warmup, deadline)
        server_before = process_cpu_seconds(server.process.pid)
        client_before = time.process_time()
        started = time.perf_counter()
        latencies, tally = await closed_loop(clients, scenario, load.requests, deadline)
        seconds = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        server_after = process_cpu_seconds(server.process.pid)
    server_cpu = (
        server_after - server_before
        if server_before is not None and server_after is not None
        else None
    )
    return Result(
        scenario=scenario,
        ok=len(latencies),
        failures=warmup.failures + tally.failures,
        seconds=seconds,
        latencies=latencies,
        capped=warmup.capped or tally.capped,
        server_cpu=server_cpu,
        client_cpu=client_cpu,
    )


async def measure_all(
    baseline: Server, lac: Server, plan: list[Scenario], load: Load
) -> list[Result]:
    """Every scenario in order, then the baseline once more to show drift within the run."""
    results = []
    for scenario in [*plan, plan[0]]:
        server = baseline if scenario.on_baseline else lac
        print(f"  measuring ({scenario.key}) {scenario.label} ...", file=sys.stderr, flush=True)
        results.append(await measure(server, scenario, load))
    return results


# --- SQL statements, in-process, no clock ---------------------------------------------------


async def count_statements(database: Path, plan: list[Scenario]) -> dict[str, list[str]]:
    """The SQL statements (not transaction control) one request of each scenario runs,
    through the real app in-process (httpx's ASGI transport); a warm-up request first."""
    settings = Settings(database_url=f"sqlite:///{database}")
    engine = create_engine(settings.database_url)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    per_scenario: dict[str, list[str]] = {}
    try:
        app = create_app(settings, engine=engine)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{HOST}"
            ) as client,
        ):
            for scenario in plan:
                if scenario.on_baseline:
                    continue
                response = await client.post(
                    GRAPHQL_PATH, content=scenario.body, headers=scenario.headers
                )
                check_answer(scenario, response.status_code, response.json())
                statements.clear()
                event.listen(engine.sync_engine, "before_cursor_execute", record)
                try:
                    for _ in range(STATEMENT_REPEATS):
                        response = await client.post(
                            GRAPHQL_PATH, content=scenario.body, headers=scenario.headers
                        )
                        check_answer(scenario, response.status_code, response.json())
                finally:
                    event.remove(engine.sync_engine, "before_cursor_execute", record)
                per_scenario[scenario.key] = list(statements)
    finally:
        await engine.dispose()
    return per_scenario


# --- report --------------------------------------------------------------------------------


def ratio(value: float | None, base: float | None) -> str:
    return "n/a" if value is None or not base else f"{value / base:.3f}"


def report(results: list[Result], statements: dict[str, list[str]], load: Load) -> None:
    baseline = results[0]
    baseline_us = baseline.server_us_per_request
    print()
    print(
        f"lac hot paths: {load.requests} requests per scenario after {load.warmup} warm-up,"
        f" {load.concurrency} closed-loop workers (httpx, one keep-alive connection each),"
        f" cap {load.cap:g} s per scenario; {os.cpu_count()} CPUs,"
        f" load average {os.getloadavg()[0]:.2f} at the end"
    )
    header = (
        f"{'scenario':<39} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'x (a)':>6}"
        f" {'srv us/req':>10} {'CPU x (a)':>9} {'client CPU':>10} {'SQL/req':>7}"
    )
    print(header)
    print("-" * len(header))
    last = len(results) - 1
    for index, result in enumerate(results):
        scenario = result.scenario
        name = (
            f"({scenario.key}) {scenario.label}" if index < last else "(a') baseline again (drift)"
        )
        server_us = result.server_us_per_request
        sql = statements.get(scenario.key)
        flags = ""
        if result.failures:
            flags += f"  {result.failures} FAILED"
        if result.capped:
            flags += "  CAPPED"
        print(
            f"{name:<39} {result.rps:>7.0f} {result.percentile_ms(0.50):>8.2f}"
            f" {result.percentile_ms(0.95):>8.2f} {ratio(result.rps, baseline.rps):>6}"
            f" {'n/a' if server_us is None else f'{server_us:.0f}':>10}"
            f" {ratio(baseline_us, server_us):>9}"
            f" {result.client_cpu_percent:>9.0f}%"
            f" {'-' if sql is None else f'{len(sql) / STATEMENT_REPEATS:g}':>7}{flags}"
        )
    print()
    print("x (a)       req/s as a ratio of the baseline (a) measured above, in this run.")
    print("srv us/req  the server process's user+system CPU per request (/proc), all threads.")
    print("CPU x (a)   the baseline's srv us/req divided by the scenario's: the req/s ratio one")
    print("            server core would reach if the load generator cost nothing.")
    print("client CPU  the load generator's CPU as a share of one core; near 100% the client,")
    print("            not the server, limits req/s, and CPU x (a) is the fairer ratio.")
    print(
        f"SQL/req     statements per request, BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE/PRAGMA"
        f" excluded;\n            counted in-process over {STATEMENT_REPEATS} requests"
        f" (before_cursor_execute listener, no clock)."
    )
    impersonation = statements.get("c", [])
    print()
    print("(c) customerSession with the impersonation token runs, per request:")
    for statement in impersonation[: len(impersonation) // STATEMENT_REPEATS]:
        print("   ", " ".join(statement.split())[:150], "...")
    if any(result.failures or result.capped for result in results):
        print("WARNING: some scenarios had failures or hit the time cap; see the flags above.")


def parse_args(argv: Sequence[str] | None) -> Load:
    parser = argparse.ArgumentParser(prog="python -m bench.hot_paths", description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="per scenario (default 500)")
    parser.add_argument("--warmup", type=int, default=100, help="per scenario (default 100)")
    parser.add_argument("--concurrency", type=int, default=16, help="workers (default 16)")
    parser.add_argument(
        "--cap", type=float, default=25.0, help="seconds per scenario, warm-up included (25)"
    )
    args = parser.parse_args(argv)
    load = Load(
        requests=args.requests, warmup=args.warmup, concurrency=args.concurrency, cap=args.cap
    )
    if not (
        1 <= load.requests <= 1_000_000
        and 0 <= load.warmup <= 1_000_000
        and 1 <= load.concurrency <= 1024
        and 0 < load.cap <= 3600
    ):
        parser.error("out of range: 1 <= requests, 0 <= warmup, 1 <= concurrency, 0 < cap")
    return load


def main(argv: Sequence[str] | None = None) -> int:
    load = parse_args(argv)
    if not LAC.is_file():
        print(f"{LAC} not found: run with the venv's python, .venv/bin/python", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="lac-bench-") as tmp:
        workdir = Path(tmp)
        database = workdir / "bench.db"
        env = lac_env(database)
        print("  migrating and seeding a fresh SQLite file ...", file=sys.stderr, flush=True)
        run_cli(env, workdir, "db", "upgrade")
        run_cli(env, workdir, "demo", "seed")
        with ExitStack() as servers:
            baseline_port, lac_port = free_port(), free_port()
            baseline = servers.enter_context(
                serving(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "bench.baseline_app:app",
                        "--host",
                        HOST,
                        "--port",
                        str(baseline_port),
                        "--workers",
                        "1",
                        "--no-proxy-headers",
                    ],
                    port=baseline_port,
                    cwd=REPO,
                    env=env,
                    log_path=workdir / "baseline.log",
                )
            )
            lac = servers.enter_context(
                serving(
                    [str(LAC), "serve", "--host", HOST, "--port", str(lac_port)],
                    port=lac_port,
                    cwd=workdir,
                    env=env,
                    log_path=workdir / "lac.log",
                )
            )
            plan = scenarios(obtain_tokens(lac.url))
            results = asyncio.run(measure_all(baseline, lac, plan, load))
        print("  counting SQL statements in-process ...", file=sys.stderr, flush=True)
        statements = asyncio.run(count_statements(database, plan))
    report(results, statements, load)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
