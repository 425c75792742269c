"""A bounded closed-loop load generator (httpx, one keep-alive connection per worker) and what
one measurement yields: req/s, latency percentiles, the server's CPU per request."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from importlib.util import find_spec

# httpcore asks `import sniffio` on every request and falls back to asyncio when it is
# missing; a failed import is not remembered, so each try searches all of sys.path again.
# A None entry makes the failure immediate (this process only: the load generator).
if find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

import httpx

from bench.processes import GRAPHQL_PATH, Server

REQUEST_TIMEOUT = 30.0

# One step of a worker: send what the scenario sends, say whether the answer is right.
Step = Callable[[httpx.AsyncClient, int], Awaitable[bool]]


@dataclass(frozen=True)
class Load:
    requests: int
    warmup: int
    concurrency: int
    cap: float


@dataclass(frozen=True)
class Result:
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
        """Nearest-rank percentile of the successful steps' latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000.0

    @property
    def server_ms_per_request(self) -> float | None:
        if self.server_cpu is None or not self.ok:
            return None
        return self.server_cpu / self.ok * 1000.0

    @property
    def client_cpu_percent(self) -> float:
        return self.client_cpu / self.seconds * 100.0 if self.seconds > 0 else 0.0


def post_step(body: bytes, headers: dict[str, str], path: str = GRAPHQL_PATH) -> Step:
    """The step of a read scenario: one fixed POST, answered 200 without errors."""

    async def step(client: httpx.AsyncClient, _n: int) -> bool:
        response = await client.post(path, content=body, headers=headers)
        return response.status_code == 200 and b'"errors"' not in response.content

    return step


@dataclass
class _Tally:
    issued: int = 0
    failures: int = 0
    capped: bool = False


async def _closed_loop(
    clients: Sequence[httpx.AsyncClient], step: Step, count: int, deadline: float, first: int
) -> tuple[list[float], _Tally]:
    """`count` steps from one worker per client, each sending its next step when the previous
    one is answered; stops early (capped) at `deadline` (a perf_counter time)."""
    latencies: list[float] = []
    tally = _Tally()

    async def worker(client: httpx.AsyncClient) -> None:
        while tally.issued < count:
            if time.perf_counter() > deadline:
                tally.capped = True
                return
            n = first + tally.issued
            tally.issued += 1
            started = time.perf_counter()
            try:
                ok = await step(client, n)
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                tally.failures += 1

    async with asyncio.timeout(max(0.0, deadline - time.perf_counter()) + REQUEST_TIMEOUT + 5.0):
        await asyncio.gather(*(worker(client) for client in clients))
    return latencies, tally


async def measure(server: Server, step: Step, load: Load) -> Result:
    """Warm up, then measure `load.requests` steps; warm-up and measurement share the cap.

    Each worker has its own client holding one keep-alive connection (one pool shared by
    all workers costs httpcore a scan of every connection per request).
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
        if not await step(clients[0], 0):
            raise RuntimeError(f"{server.label}: the scenario's first request failed")
        _, warmup = await _closed_loop(clients, step, load.warmup, deadline, 1)
        server_before = server.cpu_seconds()
        client_before = time.process_time()
        started = time.perf_counter()
        latencies, tally = await _closed_loop(
            clients, step, load.requests, deadline, 1 + load.warmup
        )
        seconds = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        server_after = server.cpu_seconds()
    server_cpu = (
        server_after - server_before
        if server_before is not None and server_after is not None
        else None
    )
    return Result(
        ok=len(latencies),
        failures=warmup.failures + tally.failures,
        seconds=seconds,
        latencies=latencies,
        capped=warmup.capped or tally.capped,
        server_cpu=server_cpu,
        client_cpu=client_cpu,
    )
