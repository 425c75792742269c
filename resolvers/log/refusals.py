"""Refusals go on record, and nothing else in the request can stop that.

Fields note the request's first refusal while GraphQL runs; the request scope writes
one `access.denied` entry once the request is done, in a transaction of its own begun
after rolling back whatever the request left (a half-done or broken transaction, e.g.
of a sibling field cancelled mid-statement). Anonymous refusals are not logged, so no
stranger can fill the log.

Every refusal's entries are written through `commit_refusal_entries`: the refusal is
decided (and counted) before, so failing to write its entries never changes it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from lac.db.engine import begin_write
from lac.resolvers.auth.principals import Anonymous
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import ErrorCode
from lac.resolvers.log.writer import Action, ActionResult, write_entry

logger = logging.getLogger("lac.access_log")


@dataclass(frozen=True, slots=True)
class Refusal:
    field: str
    code: ErrorCode
    action: str


@dataclass
class RequestNotes:
    """What a request learns while it runs and settles after it (mutable, per request)."""

    refusal: Refusal | None = None
    retry_after: int | None = None
    carries_credential: bool = False


async def commit_refusal_entries(ctx: ServiceContext, write: Callable[[], Awaitable[None]]) -> None:
    """Run `write` (the log entries of a refusal already decided and counted) and commit.

    The refusal stands whatever happens here: when the database will not take the
    entries, they are rolled back and the error goes to the server log, so the caller
    still gets their refusal (never an internal error) and no count is undone.
    """
    try:
        await write()
        await ctx.db.commit()
    except Exception:
        logger.exception("the log entries of a refusal could not be written")
        await ctx.db.rollback()


async def log_refusal(ctx: ServiceContext, notes: RequestNotes) -> None:
    """Write the request's `access.denied` entry, if a known caller was refused."""
    refusal = notes.refusal
    if refusal is None or isinstance(ctx.principal, Anonymous):
        return

    async def write() -> None:
        await ctx.db.rollback()  # nothing the request left undone is committed with it
        await begin_write(ctx.db)
        await write_entry(
            replace(ctx, full_action_name=refusal.action),
            action=Action.ACCESS_DENIED,
            result=ActionResult.FAILURE,
            details={"code": refusal.code.value, "field": refusal.field},
        )

    await commit_refusal_entries(ctx, write)
