"""Admission of sign-ins and secret exchanges: the limits are settled outside the attempt.

An attempt takes its rate-limit slot before its password or secret is checked, as if it
were going to fail, in a write transaction (under the writers' lock) that commits at
once; only a success gives the slot back. So concurrent attempts from one address never
get more checks than the limit allows. A failed sign-in's count against its login name
commits on its own, before the failure is logged. Either way nothing that fails later
in the request (a log entry the database refuses, say) can undo a count.
"""

from __future__ import annotations

from dataclasses import dataclass

from lac.db.engine import begin_write
from lac.resolvers.auth import rate_limit
from lac.resolvers.auth.lockout import clear_failures, locked_until, record_failure
from lac.resolvers.auth.rate_limit import LimitedAction
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import ACCOUNT_LOCKED_MESSAGE, ErrorCode, LacError


@dataclass(frozen=True, slots=True)
class Admission:
    """What an admitted attempt holds: its rate-limit slot, and the login name it tries."""

    slot: int | None
    login_name: str | None


async def admit(
    ctx: ServiceContext, action: LimitedAction, *, login_name: str | None = None
) -> Admission:
    """Take the attempt's slot and commit, or refuse it: RATE_LIMITED while its address is
    limited, ACCOUNT_LOCKED (the slot kept: a locked attempt counts) while its name is."""
    await begin_write(ctx.db)
    try:
        slot = await rate_limit.take_slot(ctx, action)
    except LacError:
        await ctx.db.commit()  # nothing taken
        raise
    await _refuse_if_locked(ctx, login_name)
    await ctx.db.commit()
    return Admission(slot=slot, login_name=login_name)


async def count_failure(ctx: ServiceContext, admission: Admission) -> bool:
    """The sign-in failed: count it against its login name (its slot counts already) and
    commit at once; True when this failure locks the name. A name locked meanwhile by
    concurrent failures answers ACCOUNT_LOCKED instead, uncounted."""
    if admission.login_name is None:
        return False
    await begin_write(ctx.db)
    await _refuse_if_locked(ctx, admission.login_name)
    locks_name = await record_failure(
        ctx.db, login_name=admission.login_name, now=ctx.clock.now(), settings=ctx.settings
    )
    await ctx.db.commit()
    return locks_name


async def give_back(ctx: ServiceContext, admission: Admission) -> None:
    """The attempt succeeded: free its slot and clear its name's failures, first thing in
    the write transaction that records the success. A name locked while the password was
    checked still refuses it (ACCOUNT_LOCKED, the slot kept)."""
    await _refuse_if_locked(ctx, admission.login_name)
    await rate_limit.give_back(ctx, admission.slot)
    if admission.login_name is not None:
        await clear_failures(ctx.db, login_name=admission.login_name)


async def _refuse_if_locked(ctx: ServiceContext, login_name: str | None) -> None:
    """ACCOUNT_LOCKED while the name is locked, ending the write transaction first (keeping
    what it counted: a slot taken in it)."""
    if login_name is None or not await locked_until(
        ctx.db, login_name=login_name, now=ctx.clock.now()
    ):
        return
    await ctx.db.commit()
    raise LacError(ErrorCode.ACCOUNT_LOCKED, ACCOUNT_LOCKED_MESSAGE)
