"""`make bench`: lac's hot paths against their hand-written floors, on real servers.

Run from the repository root (never as a test): `.venv/bin/python -m bench [--log-10m]`.

For SQLite and PostgreSQL it migrates and seeds a fresh database with the real CLI (250
orders; on PostgreSQL a log of 1M entries, 10M with --log-10m), starts real `lac serve`
processes (1 worker, then 2 on PostgreSQL) and, beside each, the floor (`bench.floor_app`,
same uvicorn settings and worker count) that replays the SQL lac runs for the scenario and
answers the same bytes. Each scenario is measured on the floor, then on lac, back to back
(interleaved in one run), by this separate load-generating process. It prints, per
scenario: req/s, p50/p95/p99, the server's CPU per request (its whole process tree, from
/proc), SQL statements per request (counted in-process, no clock) and the CPU ratio
floor / lac.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.data import CLERKS, conninfo, grow_log, migrate_and_seed, postgres_database
from bench.graphql_alone import graphql_alone_ms
from bench.load import Load, Result, measure
from bench.processes import HOST, LAC, REPO, Server, free_port, lac_env, serving
from bench.record import Recording, record
from bench.report import Row, print_table
from bench.scenarios import Scenario, exchange_scenario, read_scenarios, sign_in

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Options:
    load: Load
    postgres: str | None
    log_entries: int
    log_10m: bool


@dataclass(frozen=True)
class Servers:
    lac: Server
    floor: Server | None


@contextmanager
def servers(
    url: str, workdir: Path, workers: int, plans: dict[str, Recording] | None
) -> Iterator[Servers]:
    """`lac serve` with `workers`, and (with plans) the floor with as many workers."""
    env = lac_env(url, LAC_TRUSTED_PROXIES=HOST)
    with ExitStack() as stack:
        port = free_port()
        lac = stack.enter_context(
            serving(
                f"lac serve ({workers} worker{'s' * (workers > 1)})",
                [str(LAC), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
                port=port,
                cwd=workdir,
                env=env,
                log_path=workdir / f"lac-{port}.log",
                workers=workers,
            )
        )
        floor = None
        if plans is not None:
            plan_path = workdir / f"floor-{port}.pickle"
            plan_path.write_bytes(
                pickle.dumps({key: recording.floor_plan() for key, recording in plans.items()})
            )
            database = conninfo(url) if url.startswith("postgresql") else url.split("///", 1)[1]
            floor_port = free_port()
            floor = stack.enter_context(
                serving(
                    "floor",
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "bench.floor_app:app",
                        "--host",
                        HOST,
                        "--port",
                        str(floor_port),
                        "--workers",
                        str(workers),
                        "--no-proxy-headers",
                    ],
                    port=floor_port,
                    cwd=REPO,
                    env={
                        **env,
                        "BENCH_FLOOR_PLAN": str(plan_path),
                        "BENCH_FLOOR_DATABASE": database,
                    },
                    log_path=workdir / f"floor-{floor_port}.log",
                    workers=workers,
                )
            )
        yield Servers(lac, floor)


def run_scenarios(
    options: Options,
    pair: Servers,
    plan: Sequence[Scenario],
    recordings: dict[str, Recording],
    *,
    engine: str,
    workers: int,
) -> list[Row]:
    """Each scenario on its floor, then on lac, back to back."""
    rows = []
    for scenario in plan:
        default = options.load
        load = Load(
            default.requests,
            default.warmup if scenario.warmup is None else scenario.warmup,
            scenario.concurrency or default.concurrency,
            scenario.cap or default.cap,
        )
        print(f"  {engine} x{workers}: {scenario.label} ...", file=sys.stderr, flush=True)
        floor: Result | None = None
        if pair.floor is not None and scenario.has_floor:
            floor = asyncio.run(measure(pair.floor, scenario.floor_step(), load))
        lac = asyncio.run(measure(pair.lac, scenario.lac_step(), load))
        recording = recordings.get(scenario.key)
        rows.append(
            Row(
                scenario=scenario,
                engine=engine,
                workers=workers,
                lac=lac,
                floor=floor,
                sql=recording.sql_count if recording else None,
                graphql_alone_ms=(
                    graphql_alone_ms(scenario.query, json.loads(recording.answer)["data"])
                    if recording and scenario.has_floor
                    else None
                ),
            )
        )
    return rows


def bench_engine(options: Options, url: str, workdir: Path, engine: str) -> list[Row]:
    """Seed, then measure on 1 worker (and, on PostgreSQL, 2 workers and the 10M log)."""
    print(f"  {engine}: migrating and seeding ...", file=sys.stderr, flush=True)
    migrate_and_seed(url, workdir)
    postgres = engine == "PostgreSQL"
    if postgres:
        grow_log(url, options.log_entries)
    rows: list[Row] = []
    with servers(url, workdir, 1, None) as only_lac:
        tokens = sign_in(only_lac.lac.url, CLERKS)
    plan = read_scenarios(tokens, log=postgres)
    exchange = exchange_scenario(tokens)
    recordings = asyncio.run(record(url, {s.key: s.request() for s in plan}))
    if postgres:  # the pair's statements, counted once through the app
        recordings |= asyncio.run(record(url, {exchange.key: exchange.request()}))
    with servers(url, workdir, 1, recordings) as pair:
        rows += run_scenarios(options, pair, plan, recordings, engine=engine, workers=1)
    if not postgres:
        return rows
    two_workers = [s for s in plan if s.key in {"banner", "orders", "log"}]
    with servers(url, workdir, 2, recordings) as pair:
        rows += run_scenarios(
            options, pair, [*two_workers, exchange], recordings, engine=engine, workers=2
        )
    if options.log_10m:
        grow_log(url, 10_000_000)
        log_plan = [s for s in plan if s.key.startswith("log")]
        with servers(url, workdir, 1, recordings) as pair:
            rows += run_scenarios(
                options, pair, log_plan, recordings, engine=f"{engine} 10M", workers=1
            )
    return rows


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="per scenario (300)")
    parser.add_argument("--warmup", type=int, default=40, help="per scenario (40)")
    parser.add_argument("--concurrency", type=int, default=16, help="closed-loop clients (16)")
    parser.add_argument("--cap", type=float, default=12.0, help="seconds per measurement (12)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LAC_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a PostgreSQL server URL (a database is created and dropped); 'none' to skip",
    )
    parser.add_argument(
        "--log-entries", type=int, default=1_000_000, help="seeded log entries (1,000,000)"
    )
    parser.add_argument(
        "--log-10m",
        action="store_true",
        help="also grow the log to 10M entries and measure its pages again (~5-8 min more)",
    )
    args = parser.parse_args(argv)
    if not (args.requests >= 1 and args.warmup >= 0 and args.concurrency >= 1 and args.cap > 0):
        parser.error("out of range: 1 <= requests, 0 <= warmup, 1 <= concurrency, 0 < cap")
    return Options(
        load=Load(args.requests, args.warmup, args.concurrency, args.cap),
        postgres=None if args.postgres == "none" else args.postgres,
        log_entries=args.log_entries,
        log_10m=args.log_10m,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    if not LAC.is_file():
        print(f"{LAC} not found: run with the venv's python, .venv/bin/python", file=sys.stderr)
        return 2
    started = time.monotonic()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lac-bench-") as tmp:
        workdir = Path(tmp)
        rows += bench_engine(options, f"sqlite:///{workdir / 'bench.db'}", workdir, "SQLite")
        if options.postgres is not None:
            with postgres_database(options.postgres) as url:
                rows += bench_engine(options, url, workdir, "PostgreSQL")
    print_table(rows, options.load, minutes=(time.monotonic() - started) / 60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
