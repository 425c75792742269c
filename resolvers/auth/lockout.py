"""Per-login-name lockout (DESIGN.md section 9).

Failures are counted per login name whether or not the account exists, so a lockout
reveals nothing about which accounts exist. The Nth consecutive failure within a
sliding window locks the name; a success clears the count. A failure is counted in a
transaction of its own, before it is logged (resolvers.auth.admission).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.settings import Settings
from lac.db.models import LoginThrottle
from lac.db.upsert import insert_if_missing
from lac.resolvers.inputs import column_length, fits

LOGIN_NAME_LENGTH = column_length(LoginThrottle, "login_name")


def admin_login_name(username: str) -> str:
    return _login_name("admin", username.strip().lower())


def customer_login_name(website_code: str, email: str) -> str:
    return _login_name("customer", f"{website_code.strip().lower()}:{email.strip().lower()}")


def _login_name(kind: str, name: str) -> str:
    """The key failures are counted under: `kind:name`, or, for a name no account can
    have (too long for the column, or holding NUL or a lone surrogate), a digest of it,
    so that such names are counted and locked like any other."""
    key = f"{kind}:{name}"
    if fits(key, LOGIN_NAME_LENGTH):
        return key
    return f"{kind}#" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


async def locked_until(session: AsyncSession, *, login_name: str, now: datetime) -> datetime | None:
    """When the lock on this login name ends, or None if it is not locked now."""
    until = (
        await session.exec(
            select(LoginThrottle.locked_until).where(LoginThrottle.login_name == login_name)
        )
    ).first()
    return until if until is not None and until > now else None


async def record_failure(
    session: AsyncSession, *, login_name: str, now: datetime, settings: Settings
) -> bool:
    """Count one failed login; return True when this failure locks the name.

    The name locks when the latest N consecutive failures (N = 6) all fall within the
    window (30 minutes), wherever that window starts; a success clears them.
    """
    await insert_if_missing(session, LoginThrottle, login_name=login_name, failure_count=0)
    row = (
        await session.exec(
            select(LoginThrottle).where(LoginThrottle.login_name == login_name).with_for_update()
        )
    ).one()
    if row.locked_until is not None and row.locked_until <= now:
        row.failure_count, row.locked_until = 0, None
        row.recent_failures = "[]"
    window_start = now - settings.lockout_window
    recent = [
        moment
        for moment in map(datetime.fromisoformat, json.loads(row.recent_failures))
        if moment > window_start
    ]
    recent = [*recent, now][-settings.lockout_failures :]
    row.recent_failures = json.dumps([moment.isoformat() for moment in recent])
    row.failure_count += 1
    locks_now = len(recent) >= settings.lockout_failures
    if locks_now:
        row.locked_until = now + settings.lockout_duration
    await session.flush()
    return locks_now


async def clear_failures(session: AsyncSession, *, login_name: str) -> None:
    await session.exec(delete(LoginThrottle).where(col(LoginThrottle.login_name) == login_name))


async def admins_locked_until(
    session: AsyncSession, usernames: Sequence[str], *, now: datetime
) -> list[datetime | None]:
    """`locked_until` for many admin usernames in one statement (a DataLoader batch)."""
    names = [admin_login_name(username) for username in usernames]
    rows = await session.exec(
        select(LoginThrottle.login_name, LoginThrottle.locked_until).where(
            col(LoginThrottle.login_name).in_(names),
            col(LoginThrottle.locked_until) > now,
        )
    )
    until = {name: locked for name, locked in rows}
    return [until.get(name) for name in names]
