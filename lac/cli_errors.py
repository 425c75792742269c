"""How `lac` commands fail on a bad environment: one line naming the problem and its fix.

A wrong setting, a database that is down, missing or not migrated, a file that cannot be
written is the operator's to fix, not a bug: `LacCommands` turns it into `error: ...` on
stderr and exit code 2 for every command at once (`lac --debug ...` shows the traceback
instead). Any other exception keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from sqlalchemy.engine import make_url
from typer.core import TyperGroup

from lac.core.settings import Settings, SettingsError
from lac.db.faults import DatabaseFault, database_fault, driver_message
from lac.db.migrate import DatabaseNotMigratedError

USAGE_ERROR_EXIT_CODE = 2
DEBUG_PARAM = "debug"


class LacCommands(TyperGroup):
    """The root command group: every subcommand runs inside its error translation."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]  # typer's own Context
        try:
            return super().invoke(ctx)
        except Exception as error:
            message = operator_message(error)
            if message is None or ctx.params.get(DEBUG_PARAM):
                raise
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(code=USAGE_ERROR_EXIT_CODE) from None


def operator_message(error: BaseException) -> str | None:
    """The one line for a failure the operator fixes; None for anything else."""
    if isinstance(error, SettingsError | DatabaseNotMigratedError):
        return str(error)
    if isinstance(error, OSError) and error.filename is not None:
        return f"cannot open {error.filename}: {error.strerror}"
    fault = database_fault(error)
    if fault is None:
        return None
    settings = Settings.from_env()  # valid: a bad setting fails before any connection
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        return _sqlite_message(settings, fault, driver_message(error))
    return _postgresql_message(settings, fault, driver_message(error))


def _sqlite_message(settings: Settings, fault: DatabaseFault, reason: str) -> str:
    path = Path(make_url(settings.database_url).database or "")
    if fault is DatabaseFault.TIMED_OUT:
        return (
            f"the SQLite database {path} stayed locked by another process for "
            f"{settings.database_timeouts.statement:g} s ({reason}): retry when it is done, "
            "or raise LAC_DB_STATEMENT_TIMEOUT"
        )
    return (
        f"cannot use the SQLite database {path} ({reason}): check the file and its folder's "
        "permissions, or set LAC_DATABASE_URL to another file"
    )


def _postgresql_message(settings: Settings, fault: DatabaseFault, reason: str) -> str:
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    if fault is DatabaseFault.TIMED_OUT:
        return (
            f"the database {where} did not answer in time ({reason}): retry when it is less "
            "busy, or raise LAC_DB_STATEMENT_TIMEOUT"
        )
    return (
        f"cannot reach the database {where} ({reason}): check that PostgreSQL is running "
        "and accepts connections, and that LAC_DATABASE_URL is right"
    )
