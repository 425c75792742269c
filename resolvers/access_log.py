"""Refused calls by known callers go on record: one `access.denied` entry per request.

Fields note the request's first refusal while GraphQL runs; the request scope writes
the entry once the request is done, in a transaction of its own. Anonymous refusals
are not logged, so no stranger can fill the log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from db.engine import begin_write
from resolvers.action_log import Action, ActionResult, write_entry
from resolvers.context import ServiceContext
from resolvers.errors import ErrorCode
from resolvers.principals import Anonymous


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


async def log_refusal(ctx: ServiceContext, notes: RequestNotes) -> None:
    """Write the request's `access.denied` entry, if a known caller was refused."""
    refusal = notes.refusal
    if refusal is None or isinstance(ctx.principal, Anonymous):
        return
    await begin_write(ctx.db)
    await write_entry(
        replace(ctx, full_action_name=refusal.action),
        action=Action.ACCESS_DENIED,
        result=ActionResult.FAILURE,
        details={"code": refusal.code.value, "field": refusal.field},
    )
    await ctx.db.commit()
