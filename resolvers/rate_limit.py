"""Per-address rate limits on failures (DESIGN.md section 13).

Only failures count: 30 failed sign-ins (admin and customer together) or 30 failed
secret exchanges from one client address within 10 minutes, and every further attempt
of that kind from there answers RATE_LIMITED (with `retryAfter` seconds) until the
oldest failure leaves the window. Checked before the lockout and the credentials.
"""

from __future__ import annotations

import math
from datetime import timedelta
from enum import StrEnum

from sqlmodel import col, delete, func, select

from db.models import AuthFailure
from resolvers.context import ServiceContext
from resolvers.errors import ErrorCode, LacError

MAX_FAILURES = 30
WINDOW = timedelta(minutes=10)


class LimitedAction(StrEnum):
    SIGN_IN = "sign_in"
    SECRET_EXCHANGE = "exchange"  # noqa: S105 (a name, not a secret)


async def refuse_if_limited(ctx: ServiceContext, action: LimitedAction) -> None:
    """Raise RATE_LIMITED while the caller's address has too many recent failures."""
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


async def record_failure(ctx: ServiceContext, action: LimitedAction) -> None:
    """Count one failure of the caller's address (in the caller's write transaction)."""
    address = ctx.client.ip_address
    if address is None:
        return
    now = ctx.clock.now()
    await ctx.db.exec(
        delete(AuthFailure).where(
            col(AuthFailure.kind) == action.value,
            col(AuthFailure.ip_address) == address,
            col(AuthFailure.time) <= now - WINDOW,
        )
    )
    ctx.db.add(AuthFailure(kind=action.value, ip_address=address, time=now))
    await ctx.db.flush()
