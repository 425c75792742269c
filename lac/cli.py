"""The `lac` command line: database, demo data, admin users, serving, schema."""

from __future__ import annotations

import asyncio
import csv
import getpass
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.cli_errors import LacCommands
from lac.core.clock import SystemClock
from lac.core.metrics import MULTIPROCESS_DIR_VARIABLE, multiprocess_mode
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.db.migrate import ensure_migrated, upgrade
from lac.db.seed import seed_demo
from lac.db.session import session_factory
from lac.resolvers.acl.admin_users import create_admin_user
from lac.resolvers.auth.principals import Anonymous
from lac.resolvers.context import Client, ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.log.chain import Verification
from lac.resolvers.log.export import COLUMNS, count_entries, entry_record, stream_entries
from lac.resolvers.log.reading import AdminActionLogFilter
from lac.resolvers.log.upkeep import PRUNE_BATCH, Pruned, prune_log, verify_log
from lac.resolvers.log.writer import ActionGroup, ActionResult
from lac.schema.http.access_log import uvicorn_log_config

app = typer.Typer(cls=LacCommands, no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
admin_app = typer.Typer(help="Admin users.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
log_app = typer.Typer(help="The admin action log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(admin_app, name="admin")
app.add_typer(schema_app, name="schema")
app.add_typer(log_app, name="log")


def show_version(requested: bool) -> None:
    """`lac --version`: the installed distribution's version, then exit."""
    if requested:
        typer.echo(f"lac {version('lac')}")
        raise typer.Exit


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback when a command fails.")
    ] = False,
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """lac: Login as Customer GraphQL service."""
    # `debug` is read where errors are translated: LacCommands in lac/cli_errors.py.


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine for one CLI command on a migrated database, disposed when it is done."""
    engine = create_engine(settings.database_url, settings.database_timeouts)
    try:
        await ensure_migrated(engine)
        yield engine
    finally:
        await engine.dispose()


def cli_context(session: AsyncSession, settings: Settings, action: str) -> ServiceContext:
    """The resolver context of a command: no principal, the operator's name as user agent."""
    return ServiceContext(
        db=session,
        clock=SystemClock(),
        settings=settings,
        principal=Anonymous(),
        client=Client(ip_address=None, user_agent=f"lac-cli ({getpass.getuser()})"),
        full_action_name=action,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (LAC_DATABASE_URL, default sqlite:///./lac.db) to the latest schema."""
    settings = Settings.from_env()
    upgrade(settings.database_url, timeouts=settings.database_timeouts)
    typer.echo("database is up to date")


@demo_app.command("seed")
def demo_seed() -> None:
    """Create or restore the pinned demo data (idempotent)."""

    async def run() -> None:
        async with database(Settings.from_env()) as engine, session_factory(engine)() as session:
            await seed_demo(session)

    asyncio.run(run())
    typer.echo("demo data is in place")


@admin_app.command("create")
def admin_create(
    username: Annotated[str, typer.Option(help="Sign-in name.")],
    email: Annotated[str, typer.Option()],
    firstname: Annotated[str, typer.Option()],
    lastname: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="Role name, e.g. Administrators.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted if omitted."
        ),
    ],
) -> None:
    """Create an admin user (logged in the admin action log as done from the CLI)."""

    async def run() -> None:
        settings = Settings.from_env()
        async with database(settings) as engine, session_factory(engine)() as session:
            ctx = cli_context(session, settings, "cli admin create")
            await create_admin_user(
                ctx,
                username=username,
                email=email,
                firstname=firstname,
                lastname=lastname,
                role_name=role,
                password=password,
            )

    try:
        asyncio.run(run())
    except LacError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"admin user {username!r} created")


# a worker must answer the supervisor's first ping while it still imports and warms up;
# uvicorn's 5 seconds kill workers in a loop on a busy machine
WORKER_STARTUP_SECONDS = 60


@app.command("serve")
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on [default: LAC_HOST or 127.0.0.1].")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="Port to listen on (0: any free one) [default: LAC_PORT or 8000].",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve GraphQL (and GraphiQL in development) on http://HOST:PORT/graphql."""
    settings = Settings.from_env()

    async def check() -> None:  # bad settings, an unreachable or un-migrated database: one line
        async with database(settings):
            pass

    asyncio.run(check())
    if workers > 1 and not multiprocess_mode():
        # every worker writes its metrics here and a scrape of any one adds them all up;
        # a fresh folder per start, so no dead worker's counts are carried over
        os.environ[MULTIPROCESS_DIR_VARIABLE] = tempfile.mkdtemp(prefix="lac-metrics-")
    uvicorn.run(
        "lac.schema.app:served_app",
        factory=True,
        host=settings.host if host is None else host,
        port=settings.port if port is None else port,
        workers=workers,
        proxy_headers=False,
        access_log=False,  # lac's own JSON line per request replaces it (schema/http/access_log.py)
        timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
        log_config=uvicorn_log_config(),
    )


@schema_app.command("export")
def schema_export(
    output: Annotated[str, typer.Option(help="File to write; '-' for stdout.")] = "schema.graphql",
) -> None:
    """Write the GraphQL schema (SDL), by default to schema.graphql."""
    from lac.schema.build import schema

    text = str(schema) + "\n"
    if output == "-":
        typer.echo(text, nl=False)
    else:
        Path(output).write_text(text)
        typer.echo(f"wrote {output}")


@log_app.command("verify")
def log_verify() -> None:
    """Recompute the admin action log's hash chain; exit 1 when an entry was tampered with."""

    async def run() -> Verification:
        settings = Settings.from_env()
        async with database(settings) as engine, session_factory(engine)() as session:
            return await verify_log(cli_context(session, settings, "cli log verify"))

    result = asyncio.run(run())
    typer.echo(
        json.dumps(
            {
                "valid": result.valid,
                "checkedEntries": result.checked_entries,
                "firstBrokenEntryId": result.first_broken_entry_id,
            }
        )
    )
    if not result.valid:
        raise typer.Exit(code=1)


@log_app.command("prune")
def log_prune(
    before: Annotated[
        datetime, typer.Option(help="Delete entries older than this (ISO date, UTC if no zone).")
    ],
    batch_size: Annotated[
        int, typer.Option(min=1, help="Entries deleted per transaction (log writes wait one).")
    ] = PRUNE_BATCH,
) -> None:
    """Write a checkpoint entry, so the chain still verifies, then delete the older entries
    in batches (run it again to finish one that was interrupted)."""
    cutoff = before if before.tzinfo else before.replace(tzinfo=UTC)

    async def run() -> Pruned:
        settings = Settings.from_env()
        async with database(settings) as engine, session_factory(engine)() as session:
            ctx = cli_context(session, settings, "cli log prune")
            return await prune_log(ctx, before=cutoff, batch_size=batch_size)

    pruned = asyncio.run(run())
    typer.echo(f"pruned {pruned.deleted} entries before {cutoff.isoformat()}; checkpoint written")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@log_app.command("export")
def log_export(
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="csv or jsonl (one JSON object a line).")
    ] = ExportFormat.JSONL,
    output: Annotated[str, typer.Option(help="File to write; '-' for stdout.")] = "-",
    action_group: Annotated[
        list[ActionGroup] | None, typer.Option(help="Only these groups (repeatable).")
    ] = None,
    action: Annotated[list[str] | None, typer.Option(help="Only these actions.")] = None,
    username: Annotated[list[str] | None, typer.Option(help="Only these usernames.")] = None,
    result: Annotated[ActionResult | None, typer.Option(help="SUCCESS or FAILURE.")] = None,
    customer_id: Annotated[int | None, typer.Option(help="Only this customer.")] = None,
    ip_address: Annotated[str | None, typer.Option(help="Only this client address.")] = None,
    since: Annotated[datetime | None, typer.Option("--from", help="From (inclusive).")] = None,
    until: Annotated[datetime | None, typer.Option("--to", help="To (inclusive).")] = None,
) -> None:
    """Stream log entries (oldest first) as CSV or JSON lines, for SIEM import."""
    where = AdminActionLogFilter(
        action_groups=action_group or (),
        actions=action or (),
        usernames=username or (),
        result=result,
        customer_id=customer_id,
        ip_address=ip_address,
        time_from=_utc(since),
        time_to=_utc(until),
    )
    stream = sys.stdout if output == "-" else Path(output).open("w", newline="")  # noqa: SIM115
    try:
        written = asyncio.run(_export(where, export_format, stream))
    finally:
        if stream is not sys.stdout:
            stream.close()
    typer.echo(f"exported {written} entries", err=True)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(row: dict[str, Any]) -> dict[str, Any]:
    """Neutralise cells a spreadsheet would run as formulas (a username is caller input)."""
    return {
        key: f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
        for key, value in row.items()
    }


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _export(where: AdminActionLogFilter, export_format: ExportFormat, stream: TextIO) -> int:
    settings = Settings.from_env()
    async with database(settings) as engine, session_factory(engine)() as session:
        total = await count_entries(session, where)
        writer = (
            csv.DictWriter(stream, fieldnames=COLUMNS)
            if export_format is ExportFormat.CSV
            else None
        )
        if writer is not None:
            writer.writeheader()
        written = 0
        progress = (
            typer.progressbar(length=total, label="exporting", file=sys.stderr)
            if sys.stderr.isatty()
            else None
        )
        async for entry in stream_entries(session, where):
            record = entry_record(entry)
            if writer is not None:
                writer.writerow(csv_safe({**record, "details": json.dumps(record["details"])}))
            else:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
            if progress is not None:
                progress.update(1)
        if progress is not None:
            progress.render_finish()
        return written
