"""The benchmark's table, in Markdown so docs/performance.md can hold it as printed."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.load import Load, Result
from bench.scenarios import Scenario


@dataclass(frozen=True)
class Row:
    scenario: Scenario
    engine: str
    workers: int
    lac: Result
    floor: Result | None
    sql: int | None
    graphql_alone_ms: float | None  # bench/graphql_alone.py

    @property
    def ratio(self) -> float | None:
        """Floor CPU per request / lac CPU per request (1.0: lac costs what its SQL costs)."""
        lac = self.lac.server_ms_per_request
        floor = self.floor.server_ms_per_request if self.floor else None
        return floor / lac if lac and floor else None

    @property
    def bound(self) -> float | None:
        """The highest ratio graphql-core allows: floor / (floor + GraphQL execution alone)."""
        floor = self.floor.server_ms_per_request if self.floor else None
        alone = self.graphql_alone_ms
        return floor / (floor + alone) if floor and alone is not None else None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def print_table(rows: Sequence[Row], load: Load, *, minutes: float) -> None:
    print()
    print(
        f"Machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}; load average"
        f" {os.getloadavg()[0]:.2f} at the end; the whole run took {minutes:.1f} min."
    )
    print(
        f"Load: {load.requests} requests per measurement after {load.warmup} warm-up,"
        f" {load.concurrency} closed-loop clients unless said, at most {load.cap:g} s each."
    )
    print()
    print(
        "| scenario | engine | workers | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req |"
        " SQL/req | floor req/s | floor p95 ms | floor CPU ms/req | ratio floor/lac |"
        " GraphQL alone ms | bound | goal |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        lac, floor = row.lac, row.floor
        flags = ""
        if lac.failures or (floor and floor.failures):
            flags += f" ({lac.failures + (floor.failures if floor else 0)} FAILED)"
        if lac.capped or (floor and floor.capped):
            flags += " (capped)"
        print(
            f"| {row.scenario.label}{flags} | {row.engine} | {row.workers} | {lac.rps:.0f}"
            f" | {lac.percentile_ms(0.50):.1f} | {lac.percentile_ms(0.95):.1f}"
            f" | {lac.percentile_ms(0.99):.1f} | {_ms(lac.server_ms_per_request)}"
            f" | {'-' if row.sql is None else row.sql}"
            f" | {f'{floor.rps:.0f}' if floor else '-'}"
            f" | {f'{floor.percentile_ms(0.95):.1f}' if floor else '-'}"
            f" | {_ms(floor.server_ms_per_request) if floor else '-'}"
            f" | {'-' if row.ratio is None else f'{row.ratio:.2f}'}"
            f" | {_ms(row.graphql_alone_ms) if row.graphql_alone_ms is not None else '-'}"
            f" | {'-' if row.bound is None else f'{row.bound:.2f}'} | {row.scenario.goal} |"
        )
    print()
    print("CPU ms/req: user+system CPU of the server's whole process tree (/proc) per request.")
    print("SQL/req: statements per request (no BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE/PRAGMA),")
    print("counted in-process with a before_cursor_execute listener; the floor runs exactly these.")
    print("ratio floor/lac: the floor's CPU per request over lac's (1.0 = lac costs only its SQL).")
    print("GraphQL alone ms: CPU for graphql-core to execute the document over the recorded")
    print("answer with no resolvers of lac, and encode it (bench/graphql_alone.py), in-process.")
    print("bound: floor / (floor + GraphQL alone), the highest ratio graphql-core allows.")
    print("(capped): the measurement stopped at its time cap with fewer requests than asked.")
    if any(row.lac.failures or (row.floor and row.floor.failures) for row in rows):
        print("WARNING: some requests failed; see the flags.")
