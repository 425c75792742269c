"""Per-address rate limits on failures (DESIGN.md section 13).

Only failures count: 30 failed sign-ins (admin and customer together) or 30 failed
secret exchanges from one client address within 10 minutes, and every further attempt
of that kind from there answers RATE_LIMITED (with `retryAfter` seconds) until the
oldest failure leaves the window. Checked before the lockout and the credentials.

An attempt takes its slot before it runs, as if it were going to fail, in a write
transaction (under the writers' lock, so concurrent attempts can never take more than
the limit); a success gives the slot back (see resolvers.auth.admission).
"""

from __future__ import annotations

import math
from datetime import timedelta
from enum import StrEnum

from sqlmodel import col, delete, func, select

from lac.db.models import AuthFailure
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import ErrorCode, LacError

MAX_FAILURES = 30
WINDOW = timedelta(minutes=10)


class LimitedAction(StrEnum):
    SIGN_IN = "sign_in"
    SECRET_EXCHANGE = "exchange"  # noqa: S105 (a name, not a secret)


async def refuse_while_limited(ctx: ServiceContext, action: LimitedAction) -> None:
    """Raise RATE_LIMITED while the caller's address has used up its attempts of this kind
    (failures, and attempts still running); decisive inside a write transaction."""
    address = ctx.client.ip_address
    if address is None:
        return
    now = ctx.clock.now()
    count, oldest = (
        await ctx.db.exec(
            select(func.count(), func.min(AuthFailure.time)).where(
                AuthFailure.kind == action.value,
                AuthFailure.ip_address == address,
                col(AuthFailure.time) > now - WINDOW,
            )
        )
    ).one()
    if count < MAX_FAILURES or oldest is None:
        return
    retry_after = max(1, math.ceil((oldest + WINDOW - now).total_seconds()))
    raise LacError(
        ErrorCode.RATE_LIMITED,
        f"Too many failed attempts from your address. Try again in {retry_after} seconds.",
        retryAfter=retry_after,
    )


async def take_slot(ctx: ServiceContext, action: LimitedAction) -> int | None:
    """Count the attempt about to run as a failure of the caller's address, in the caller's
    write transaction, unless the address is limited (RATE_LIMITED). Returns the slot to
    give back on success (None when the address is unknown: nothing is counted)."""
    await refuse_while_limited(ctx, action)
    address = ctx.client.ip_address
    if address is None:
        return None
    now = ctx.clock.now()
    await ctx.db.exec(
        delete(AuthFailure).where(
            col(AuthFailure.kind) == action.value,
            col(AuthFailure.ip_address) == address,
            col(AuthFailure.time) <= now - WINDOW,
        )
    )
    slot = AuthFailure(kind=action.value, ip_address=address, time=now)
    ctx.db.add(slot)
    await ctx.db.flush()
    return slot.id


async def give_back(ctx: ServiceContext, slot: int | None) -> None:
    """Successes never count: free the slot of an attempt that succeeded (in the caller's
    write transaction)."""
    if slot is not None:
        await ctx.db.exec(delete(AuthFailure).where(col(AuthFailure.id) == slot))
