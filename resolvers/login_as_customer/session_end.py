"""Ending Login-as-Customer sessions, for whatever cause, always the same way.

The session is marked ENDED with its cause, its impersonation tokens are revoked at
once, and its end entry is written in the caller's transaction: `login_as_customer.end`
(by the terminating admin for TERMINATED, else by the session's admin), or, when the
customer ended it (CUSTOMER_ENDED), `login_as_customer.customer_end` by the customer
(DESIGN.md section 15).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.engine import begin_write
from lac.db.models import AuthToken, LoginAsCustomerSession
from lac.resolvers.auth.principals import (
    AdminSummary,
    CustomerSummary,
    copied_admin,
    copied_customer,
)
from lac.resolvers.context import ServiceContext
from lac.resolvers.log.writer import Action, ActionResult, write_entry


class SessionState(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


LIVE_STATES = (SessionState.PENDING.value, SessionState.ACTIVE.value)


class EndCause(StrEnum):
    LOGOUT = "LOGOUT"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"
    REPLACED = "REPLACED"
    CONSENT_REVOKED = "CONSENT_REVOKED"
    FEATURE_DISABLED = "FEATURE_DISABLED"
    ADMIN_REVOKED = "ADMIN_REVOKED"
    ADMIN_LOGOUT = "ADMIN_LOGOUT"
    CUSTOMER_ENDED = "CUSTOMER_ENDED"
    CUSTOMER_DEACTIVATED = "CUSTOMER_DEACTIVATED"


def session_admin(row: LoginAsCustomerSession) -> AdminSummary:
    return copied_admin(
        row.admin_user_id, row.admin_username, row.admin_firstname, row.admin_lastname
    )


def session_customer(row: LoginAsCustomerSession) -> CustomerSummary:
    return copied_customer(row.customer_id, row.customer_email, row.customer_name)


async def end_session(
    ctx: ServiceContext,
    row: LoginAsCustomerSession,
    cause: EndCause,
    *,
    ended_by: AdminSummary | None = None,
) -> None:
    """End one live session (no-op for an ended one); the caller's transaction commits."""
    if row.state not in LIVE_STATES:
        return
    now = ctx.clock.now()
    row.state, row.ended_at, row.end_cause = SessionState.ENDED.value, now, cause.value
    ctx.db.add(row)
    await ctx.db.exec(
        update(AuthToken)
        .where(
            col(AuthToken.login_as_customer_session_id) == row.id,
            col(AuthToken.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    action, admin, username = _end_entry_author(row, cause, ended_by)
    await write_entry(
        ctx,
        action=action,
        result=ActionResult.SUCCESS,
        username=username,
        admin=admin,
        customer=session_customer(row),
        session_id=row.id,
        details={"cause": cause.value},
    )


def _end_entry_author(
    row: LoginAsCustomerSession, cause: EndCause, ended_by: AdminSummary | None
) -> tuple[Action, AdminSummary | None, str]:
    """The end entry's action, admin and username: the customer's own act is theirs (no
    admin, their email, as their consent changes are); any other end is the terminating
    admin's for TERMINATED, else the session admin's."""
    if cause is EndCause.CUSTOMER_ENDED:
        return Action.LOGIN_AS_CUSTOMER_CUSTOMER_END, None, row.customer_email
    admin = ended_by if cause is EndCause.TERMINATED and ended_by else session_admin(row)
    return Action.LOGIN_AS_CUSTOMER_END, admin, admin.username


async def end_live_sessions(
    ctx: ServiceContext,
    cause: EndCause,
    *,
    customer_id: int | None = None,
    admin_user_id: int | None = None,
) -> int:
    """End every live session (of one customer, of one admin, or all); returns how many."""
    statement = select(LoginAsCustomerSession).where(
        col(LoginAsCustomerSession.state).in_(LIVE_STATES)
    )
    if customer_id is not None:
        statement = statement.where(LoginAsCustomerSession.customer_id == customer_id)
    if admin_user_id is not None:
        statement = statement.where(LoginAsCustomerSession.admin_user_id == admin_user_id)
    rows = (
        await ctx.db.exec(statement.order_by(col(LoginAsCustomerSession.id)).with_for_update())
    ).all()
    for row in rows:
        await end_session(ctx, row, cause)
    return len(rows)


async def end_failed_recheck(ctx: ServiceContext, session_id: int, cause: EndCause) -> None:
    """End a session whose per-request re-check failed, in its own write transaction
    (the row is read again, locked, in it: the re-check read plain columns)."""
    await begin_write(ctx.db)
    row = await ctx.db.get(LoginAsCustomerSession, session_id, with_for_update=True)
    if row is not None:
        await end_session(ctx, row, cause)
    await ctx.db.commit()


async def count_active_sessions(db: AsyncSession, now: datetime) -> int:
    """How many sessions an admin is acting in right now (ACTIVE and not past expiry;
    an expired one still marked ACTIVE ends at its next request)."""
    statement = (
        select(func.count())
        .select_from(LoginAsCustomerSession)
        .where(
            LoginAsCustomerSession.state == SessionState.ACTIVE.value,
            col(LoginAsCustomerSession.expires_at) > now,
        )
    )
    return (await db.exec(statement)).one()
