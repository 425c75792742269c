"""The customer's side of assistance (DESIGN.md section 15): the sessions in which staff
acted in their account, what staff did, and ending it.

Only the customer's own token may read or end them; staff acting in the account may
neither read nor hide the trail (FORBIDDEN). Only sessions that reached ACTIVE are
listed, newest first. A page is one query for its sessions and one for the actions of
all of them (`session_actions`, a DataLoader batch), whatever the page size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.engine import begin_write
from lac.db.models import AdminActionLogEntry, LoginAsCustomerSession
from lac.resolvers.auth.principals import (
    OWN_ACCOUNT_ONLY,
    CustomerSummary,
    ImpersonationPrincipal,
    own_customer,
)
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import LacError
from lac.resolvers.log.reading import SESSION_KEYSET, session_page
from lac.resolvers.log.summaries import SHOWN_ACTIONS, summary
from lac.resolvers.log.writer import Action, ActionRecord, ActionResult, run_logged
from lac.resolvers.login_as_customer.session_end import EndCause, end_live_sessions
from lac.resolvers.login_as_customer.sessions import expire_due_sessions
from lac.resolvers.pagination import Page, page_size


@dataclass(frozen=True, slots=True)
class AssistanceAction:
    """One thing staff did in the account, as the customer reads it."""

    time: datetime
    action: str
    summary: str


def staff_name(row: LoginAsCustomerSession) -> str:
    """The acting admin as the customer sees them: first name and last initial ("Sam S."),
    from the names copied into the session (staff privacy, customer transparency)."""
    first, initial = row.admin_firstname.strip(), row.admin_lastname.strip()[:1]
    return f"{first} {initial}." if initial else first


async def my_assistance_sessions(
    ctx: ServiceContext, customer: CustomerSummary, *, first: int | None, after: str | None
) -> Page[LoginAsCustomerSession]:
    """One page of the customer's sessions that reached ACTIVE (an exchange set their
    end), newest first; one indexed query, the total only when asked."""
    size = page_size(first)
    conditions = (
        col(LoginAsCustomerSession.customer_id) == customer.id,
        col(LoginAsCustomerSession.expires_at).is_not(None),
    )
    statement = SESSION_KEYSET.page_statement(
        select(LoginAsCustomerSession).where(*conditions), descending=True, size=size, after=after
    )
    rows = (await ctx.db.exec(statement)).all()

    async def count() -> int:
        total = select(func.count()).select_from(LoginAsCustomerSession).where(*conditions)
        return (await ctx.db.exec(total)).one()

    return session_page(rows, first=size, count=count)


async def session_actions(
    db: AsyncSession, session_ids: Sequence[int]
) -> list[list[AssistanceAction]]:
    """What staff did in each session, oldest first (a DataLoader batch: one query for
    every session asked at once)."""
    entry = AdminActionLogEntry
    rows = await db.exec(
        select(entry.login_as_customer_session_id, entry.time, entry.action, entry.details)
        .where(
            col(entry.login_as_customer_session_id).in_(session_ids),
            col(entry.result) == ActionResult.SUCCESS.value,
            col(entry.action).in_(SHOWN_ACTIONS),
        )
        .order_by(col(entry.time), col(entry.id))
    )
    actions: dict[int | None, list[AssistanceAction]] = defaultdict(list)
    for session_id, time, action, details in rows.all():
        actions[session_id].append(AssistanceAction(time, action, summary(action, details)))
    return [actions.get(session_id, []) for session_id in session_ids]


async def end_my_assistance_sessions(ctx: ServiceContext) -> int:
    """The customer ends every live session on their account (CUSTOMER_ENDED, one
    `login_as_customer.customer_end` entry each) and learns how many; the impersonation
    tokens are revoked at once. Sessions already past their end are ended EXPIRED first,
    as any sweep does. Tried with an impersonation token: FORBIDDEN, logged as a failed
    `login_as_customer.customer_end`, nothing ended."""
    if isinstance(ctx.principal, ImpersonationPrincipal):

        async def refuse(_: ActionRecord) -> int:
            raise LacError.forbidden(OWN_ACCOUNT_ONLY)

        return await run_logged(ctx, Action.LOGIN_AS_CUSTOMER_CUSTOMER_END, refuse)
    customer = own_customer(ctx.principal)
    await begin_write(ctx.db)
    await expire_due_sessions(ctx)
    ended = await end_live_sessions(ctx, EndCause.CUSTOMER_ENDED, customer_id=customer.id)
    await ctx.db.commit()
    return ended
