"""The `lac` command line: database, demo data, admin users, serving, schema."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.migrate import DatabaseNotMigratedError, ensure_migrated, upgrade
from db.seed import seed_demo
from db.session import session_factory
from lac.clock import SystemClock
from lac.settings import Settings
from resolvers.admin_users import create_admin_user
from resolvers.context import Client, ServiceContext
from resolvers.errors import LacError
from resolvers.principals import Anonymous

app = typer.Typer(help="lac: Login as Customer GraphQL service.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
admin_app = typer.Typer(help="Admin users.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(admin_app, name="admin")
app.add_typer(schema_app, name="schema")


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine for one CLI command, disposed when the command is done."""
    engine = create_engine(settings.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (LAC_DATABASE_URL, default sqlite:///./lac.db) to the latest schema."""
    upgrade(Settings.from_env().database_url)
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
            ctx = ServiceContext(
                db=session,
                clock=SystemClock(),
                settings=settings,
                principal=Anonymous(),
                client=Client(ip_address=None, user_agent=f"lac-cli ({getpass.getuser()})"),
                full_action_name="cli admin create",
            )
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


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve GraphQL (and GraphiQL in development) on http://HOST:PORT/graphql."""

    async def check() -> None:
        async with database(Settings.from_env()) as engine:
            await ensure_migrated(engine)

    try:
        asyncio.run(check())
    except DatabaseNotMigratedError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    uvicorn.run(
        "schema.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
    )


@schema_app.command("export")
def schema_export(
    output: Annotated[str, typer.Option(help="File to write; '-' for stdout.")] = "schema.graphql",
) -> None:
    """Write the GraphQL schema (SDL), by default to schema.graphql."""
    from schema.build import schema

    text = str(schema) + "\n"
    if output == "-":
        typer.echo(text, nl=False)
    else:
        Path(output).write_text(text)
        typer.echo(f"wrote {output}")
