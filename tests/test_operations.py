"""What an operator sees of a real `lac serve`: Prometheus metrics that move with the
README's walk-through, one JSON access line per request carrying its request id, and a
log that holds none of the tokens, secrets and passwords the run handled.

One server runs the walk-through (on this run's engine) for the whole module; each test
reads one part of what it left.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from lac.core.clock import ManualClock
from lac.core.settings import Settings, parse_networks
from lac.schema.app import create_app
from tests.databases import fresh_database
from tests.server import (
    LacDb,
    LiveServer,
    access_lines,
    assert_one_line_error,
    lac_serve,
    log_lines,
    make_lac_db,
    run_lac,
)
from tests.support import CLIENT_IP, REPO_ROOT, Api, make_api
from tests.test_walkthrough import ADMIN_LOGIN, Walk, send, walk

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

REFUSED = "{ customers { totalCount } }"  # no token: UNAUTHENTICATED
INCOMING_ID = "edge-7f3a.42:1"


def scrape(client: httpx.Client) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@dataclass
class ServedWalk:
    """What the module's one server run left: scrapes, answers, its log, its credentials."""

    server: LiveServer
    before: Samples
    during: Samples  # after step 5: Jane's session is active
    after: Samples
    run: Walk
    admin_token: str
    request_ids: list[str]  # X-Request-Id of every request sent (scrapes aside)
    echoed_id: str

    def moved(self, name: str, **labels: str) -> float:
        return value(self.after, name, **labels) - value(self.before, name, **labels)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedWalk]:
    workdir = tmp_path_factory.mktemp("operations")
    with fresh_database(workdir) as url:
        db: LacDb = make_lac_db(workdir, url)
        env = {**db.env, "LAC_METRICS": "127.0.0.1,::1"}
        with (
            lac_serve(env, db.workdir) as server,
            httpx.Client(base_url=server.base_url, timeout=10.0) as client,
        ):
            request_ids: list[str] = []
            client.event_hooks["response"] = [
                lambda response: (
                    request_ids.append(response.headers["X-Request-Id"])
                    if response.url.path != "/metrics"
                    else None
                )
            ]
            before = scrape(client)
            during: Samples = {}

            def after_step(number: int) -> None:
                if number == 5:
                    during.update(scrape(client))

            run = walk(client, after_step)
            admin_token = send(client, ADMIN_LOGIN, None)["adminLogin"]["token"]
            refused = client.post("/graphql", json={"query": REFUSED})
            assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            echoed = client.post(
                "/graphql",
                json={"query": "query Probe { __typename }"},
                headers={"X-Request-Id": INCOMING_ID},
            )
            assert client.get("/healthz").status_code == 200  # polled: no line, not counted
            after = scrape(client)
        yield ServedWalk(
            server=server,
            before=before,
            during=during,
            after=after,
            run=run,
            admin_token=admin_token,
            request_ids=request_ids,
            echoed_id=echoed.headers["X-Request-Id"],
        )


def test_request_counters_move_by_operation_outcome_and_code(served: ServedWalk) -> None:
    requests = "lac_requests_total"
    assert served.moved(requests, operation="mutation adminLogin", outcome="ok", code="") == 2
    assert served.moved(requests, operation="mutation loginAsCustomer", outcome="ok", code="") == 1
    assert served.moved(requests, operation="mutation placeOrder", outcome="ok", code="") == 1
    assert served.moved(requests, operation="query orders", outcome="ok", code="") == 1
    assert served.moved(requests, operation="Probe", outcome="ok", code="") == 1
    assert (
        served.moved(requests, operation="query customers", outcome="error", code="UNAUTHENTICATED")
        == 1
    )
    # every request sent is counted once (the scrapes and the probe are not)
    total = sum(
        value(served.after, name, **dict(labels)) - value(served.before, name, **dict(labels))
        for name, labels in served.after
        if name == requests
    )
    assert total == len(served.request_ids) - 1  # the probe (/healthz) has an id, no count


def test_latency_histograms_per_operation(served: ServedWalk) -> None:
    histogram = "lac_request_duration_seconds"
    assert served.moved(f"{histogram}_count", operation="mutation placeOrder") == 1
    assert served.moved(f"{histogram}_bucket", operation="mutation placeOrder", le="+Inf") == 1
    assert served.moved(f"{histogram}_sum", operation="mutation placeOrder") > 0


def test_log_writes_count_committed_entries(served: ServedWalk) -> None:
    writes = "lac_action_log_writes_total"
    # the walk-through's five Login-as-Customer steps and the two sign-ins, all SUCCESS
    committed = sum(
        served.moved(writes, action_group=group, result="SUCCESS")
        for group in ("LOGIN_AS_CUSTOMER", "SALES", "ADMIN_SESSIONS", "SECURITY")
    )
    assert committed == 7
    assert served.moved(writes, action_group="LOGIN_AS_CUSTOMER", result="SUCCESS") >= 3


def test_active_sessions_gauge_is_read_at_each_scrape(served: ServedWalk) -> None:
    gauge = "lac_login_as_customer_active_sessions"
    assert value(served.before, gauge) == 0
    assert value(served.during, gauge) == 1
    assert value(served.after, gauge) == 0


def test_one_json_access_line_per_request_with_its_request_id(served: ServedWalk) -> None:
    lines = access_lines(served.server.log_path)
    logged = [line for line in lines if line["path"] != "/metrics"]
    # tests/server.py's start-up check, then each request sent; /metrics and /healthz: none
    assert [line["requestId"] for line in logged[1:]] == served.request_ids[:-1]
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in served.request_ids[:-2])
    assert served.echoed_id == INCOMING_ID  # a sane incoming id is kept
    assert len(set(served.request_ids)) == len(served.request_ids)
    by_operation = {line["operation"]: line for line in logged[1:]}
    place = by_operation["mutation placeOrder"]
    assert place["principal"] == "impersonation"
    assert (place["method"], place["path"], place["status"], place["code"]) == (
        "POST",
        "/graphql",
        200,
        None,
    )
    assert place["durationMs"] > 0
    assert by_operation["mutation adminLogin"]["principal"] == "anonymous"
    assert by_operation["query orders"]["principal"] == "admin"
    assert by_operation["query customers"]["code"] == "UNAUTHENTICATED"
    for line in lines:
        assert set(line) == {
            "time", "level", "logger", "message", "requestId", "method", "path", "status",
            "operation", "principal", "code", "durationMs", "client",
        }  # fmt: skip


def test_the_log_holds_no_token_secret_or_password(served: ServedWalk) -> None:
    log = served.server.log_path.read_text()
    assert all(isinstance(line, dict) for line in log_lines(served.server.log_path))
    credentials = [*served.run.credentials(), served.admin_token]
    assert (
        len(credentials) == 8
    )  # secret; support's, both of Jane's and admin's tokens; 3 passwords
    for credential in credentials:
        assert credential not in log
    assert "Customer123!" not in log


@pytest.mark.parametrize(
    ("allowed", "status", "code"),
    [("", 404, "NOT_FOUND"), ("10.0.0.0/8", 403, "FORBIDDEN"), (CLIENT_IP, 200, None)],
)
async def test_metrics_are_served_only_to_the_listed_addresses(
    engine: AsyncEngine,
    clock: ManualClock,
    migrated_url: str,
    allowed: str,
    status: int,
    code: str | None,
) -> None:
    settings = Settings(database_url=migrated_url, metrics_clients=parse_networks(allowed))
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app) as http:  # from CLIENT_IP
        response = await http.get("/metrics")
    assert response.status_code == status
    assert "X-Request-Id" in response.headers
    if code is not None:
        assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_browsers_may_read_and_send_the_request_id(
    engine: AsyncEngine, clock: ManualClock, migrated_url: str
) -> None:
    origin = "https://shop.example"
    settings = Settings(database_url=migrated_url, cors_origins=(origin,))
    app = create_app(settings, clock, engine=engine)
    async with app.router.lifespan_context(app), make_api(app) as http:
        preflight = await http.options(
            "/graphql",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-request-id",
            },
        )
        answer = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": origin, "X-Request-Id": INCOMING_ID},
        )
    assert preflight.status_code == 200
    assert "X-Request-Id" in preflight.headers["access-control-allow-headers"]
    assert answer.headers["X-Request-Id"] == INCOMING_ID
    assert "X-Request-Id" in answer.headers["access-control-expose-headers"]


def test_version(lac_db: LacDb) -> None:
    result = lac_db.run_ok("--version")
    assert result.stdout == f"lac {version('lac')}\n"


def test_serve_listens_on_lac_port(lac_db: LacDb) -> None:
    with lac_serve(lac_db.env, lac_db.workdir, port_from_env=True) as server:
        assert f":{server.port}" in server.base_url
        started = [line["message"] for line in log_lines(server.log_path)]
    assert any(f"127.0.0.1:{server.port}" in message for message in started)


def test_a_bad_lac_port_stops_serve_with_one_line(lac_db: LacDb) -> None:
    result = run_lac({**lac_db.env, "LAC_PORT": "80800"}, "serve", cwd=lac_db.workdir)
    assert_one_line_error(result, "LAC_PORT", "1 to 65535")


def test_workers_share_their_metrics(live_db: LacDb) -> None:
    env = {**live_db.env, "LAC_METRICS": "127.0.0.1"}
    with (
        lac_serve(env, live_db.workdir, "--workers", "2") as server,
        httpx.Client(base_url=server.base_url, timeout=10.0) as client,
    ):
        for _ in range(6):  # each on a new connection, so both workers may answer
            with httpx.Client(base_url=server.base_url) as fresh:
                fresh.post("/graphql", json={"query": "query Ping { __typename }"})
        samples = scrape(client)
    assert value(samples, "lac_requests_total", operation="Ping", outcome="ok", code="") == 6


async def test_an_unsafe_incoming_request_id_is_replaced(api: Api) -> None:
    ids = []
    for incoming in ("x" * 129, "two words", "semi;colon"):
        response = await api.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": incoming}
        )
        ids.append(response.headers["X-Request-Id"])
    missing = await api.http.get("/nowhere")
    ids.append(missing.headers["X-Request-Id"])
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in ids)
    assert len(set(ids)) == len(ids)


def log_writes(group: str, result: str) -> float:
    labels = {"action_group": group, "result": result}
    return REGISTRY.get_sample_value("lac_action_log_writes_total", labels) or 0.0


async def test_log_writes_count_what_committed(api: Api) -> None:
    token = await api.admin_token("support", "Support123!")
    before = log_writes("LOGIN_AS_CUSTOMER", "SUCCESS"), log_writes("LOGIN_AS_CUSTOMER", "FAILURE")
    code = await api.error_code(
        'mutation { loginAsCustomer(input: {customerId: "2"}) { secret } }', token=token
    )
    assert code == "CUSTOMER_CONSENT_REQUIRED"  # John did not consent
    after = log_writes("LOGIN_AS_CUSTOMER", "SUCCESS"), log_writes("LOGIN_AS_CUSTOMER", "FAILURE")
    assert (after[0] - before[0], after[1] - before[1]) == (0, 1)  # only the FAILURE entry


def test_make_serve_takes_a_port_and_installs_pinned() -> None:
    def dry_run(*args: str) -> str:
        return subprocess.run(
            [
                shutil.which("make") or "make",
                "--always-make",
                "--dry-run",
                "--no-print-directory",
                *args,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    serve = dry_run("serve", "PORT=8080", "HOST=192.0.2.1")
    assert serve.splitlines()[-1].split() == [
        ".venv/bin/lac", "serve", "--host", "192.0.2.1", "--port", "8080"
    ]  # fmt: skip
    assert "pip install --quiet -c constraints.txt -e '.[dev]'" in serve
