"""Schema migrations: the only way the database schema changes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from lac.core.settings import DatabaseTimeouts

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseNotMigratedError(RuntimeError):
    """The database schema is behind the code: the app must not serve it."""


def alembic_config(database_url: str, timeouts: DatabaseTimeouts | None = None) -> Config:
    """Alembic's configuration for `database_url`; db/migrations/env.py connects with
    `timeouts` (so a database that is down fails the migration instead of hanging)."""
    config = Config(attributes={"timeouts": timeouts or DatabaseTimeouts()})
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a literal % in a URL (escaped password) must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(
    database_url: str, revision: str = "head", timeouts: DatabaseTimeouts | None = None
) -> None:
    """Bring the database up to `revision` (blocking: for the CLI and test set-up)."""
    command.upgrade(alembic_config(database_url, timeouts), revision)


@cache
def head_revision() -> str | None:
    """The code's head revision (the scripts do not change while the process runs)."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def ensure_migrated(engine: AsyncEngine) -> None:
    """Refuse to serve a database whose schema is not at the code's head revision."""
    async with engine.connect() as connection:
        current = await connection.run_sync(_current_revision)
    head = head_revision()
    if current != head:
        raise DatabaseNotMigratedError(
            f"the database is not migrated (it is at revision {current or 'none'}, this lac "
            f"needs {head}): run `lac db upgrade` first"
        )
