"""Exchanging a start secret for an impersonation token, and Magento's one-step token
(DESIGN.md section 7).

The exchange consumes the secret with a conditional UPDATE, which is race-free on
SQLite and PostgreSQL alike, re-checks the rules, and makes the assistance session ACTIVE until
`sessionLifetimeSeconds` have passed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import col, select, update

from lac.db.engine import begin_write
from lac.db.models import Customer, LoginAsCustomerSession
from lac.resolvers.auth.admission import admit, give_back
from lac.resolvers.auth.principals import Anonymous
from lac.resolvers.auth.rate_limit import LimitedAction, refuse_while_limited
from lac.resolvers.auth.tokens import IssuedToken, TokenKind, issue_token
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import ErrorCode, LacError
from lac.resolvers.log.refusals import commit_refusal_entries
from lac.resolvers.log.writer import (
    Action,
    ActionRecord,
    ActionResult,
    log_success,
    run_logged,
    write_entry,
)
from lac.resolvers.login_as_customer.config import load_config
from lac.resolvers.login_as_customer.policy import assistance_facts, exchange_end_cause
from lac.resolvers.login_as_customer.session_end import (
    EndCause,
    SessionState,
    end_session,
    session_admin,
    session_customer,
)
from lac.resolvers.login_as_customer.sessions import CustomerByEmail, secret_digest, start_in

SECRET_GONE = "Secret key is not found or was expired."  # noqa: S105 (Magento's message)


@dataclass(frozen=True, slots=True)
class Exchanged:
    token: IssuedToken
    session: LoginAsCustomerSession
    customer: Customer


async def exchange_secret(ctx: ServiceContext, *, secret: str) -> Exchanged:
    """Trade a start secret for an impersonation token; exactly one exchange can succeed.

    Any failure answers SECRET_INVALID_OR_EXPIRED, whatever the cause: the bearer of a
    secret learns nothing more. The secret is used up either way; when a re-check fails
    the assistance session ends with the matching cause, which the log records. Too many failed
    exchanges from one address answer RATE_LIMITED first; the attempt is counted as a
    failure before the secret is looked at and given back on success
    (resolvers.auth.admission).
    """
    admission = await admit(ctx, LimitedAction.SECRET_EXCHANGE)
    await begin_write(ctx.db)
    now = ctx.clock.now()
    digest = secret_digest(secret)
    consumed = await ctx.db.exec(
        update(LoginAsCustomerSession)
        .where(
            col(LoginAsCustomerSession.secret_hash) == digest,
            col(LoginAsCustomerSession.secret_used_at).is_(None),
            col(LoginAsCustomerSession.secret_expires_at) > now,
            col(LoginAsCustomerSession.state) == SessionState.PENDING.value,
        )
        .values(secret_used_at=now)
    )
    assistance = (
        await ctx.db.exec(
            select(LoginAsCustomerSession).where(LoginAsCustomerSession.secret_hash == digest)
        )
    ).first()
    if consumed.rowcount != 1 or assistance is None:
        # unknown, already used (the assistance session is then someone's: leave it) or expired
        await _refuse_exchange(ctx, assistance, EndCause.EXPIRED, now=now)
    assert assistance is not None
    await ctx.db.refresh(assistance)
    failed = exchange_end_cause(await assistance_facts(ctx.db, assistance))
    if failed is not None:
        await _refuse_exchange(ctx, assistance, failed, now=now)
    await give_back(ctx, admission)
    exchanged = await _activate(ctx, assistance, now=now)
    await ctx.db.commit()
    return exchanged


async def _activate(
    ctx: ServiceContext, assistance: LoginAsCustomerSession, *, now: datetime
) -> Exchanged:
    """Make a pending assistance session ACTIVE with its impersonation token, its secret
    used up, and log the exchange (in the caller's transaction)."""
    config = await load_config(ctx.db)
    lifetime = timedelta(seconds=config.session_lifetime_seconds)
    assistance.secret_used_at = assistance.secret_used_at or now
    assistance.state, assistance.expires_at = SessionState.ACTIVE.value, now + lifetime
    ctx.db.add(assistance)
    token = await issue_token(
        ctx.db,
        kind=TokenKind.IMPERSONATION,
        now=now,
        lifetime=lifetime,
        customer_id=assistance.customer_id,
        login_as_customer_session_id=assistance.id,
    )
    customer = await ctx.db.get(Customer, assistance.customer_id)
    assert customer is not None
    await _log_exchange(ctx, assistance, ActionResult.SUCCESS, {})
    return Exchanged(token=token, session=assistance, customer=customer)


async def _refuse_exchange(
    ctx: ServiceContext,
    assistance: LoginAsCustomerSession | None,
    cause: EndCause,
    *,
    now: datetime,
) -> None:
    """Use up the secret, end its live assistance session with `cause`, log, commit, refuse (the
    failure is counted already)."""
    details: dict[str, str] = {"code": ErrorCode.SECRET_INVALID_OR_EXPIRED.value}

    async def write() -> None:
        if assistance is not None and assistance.state == SessionState.PENDING.value:
            assistance.secret_used_at = assistance.secret_used_at or now
            await end_session(ctx, assistance, cause)
            details["cause"] = cause.value
        await _log_exchange(ctx, assistance, ActionResult.FAILURE, details)

    await commit_refusal_entries(ctx, write)
    raise LacError(ErrorCode.SECRET_INVALID_OR_EXPIRED, SECRET_GONE)


async def _log_exchange(
    ctx: ServiceContext,
    assistance: LoginAsCustomerSession | None,
    result: ActionResult,
    details: dict[str, str],
) -> None:
    admin = session_admin(assistance) if assistance else None
    await write_entry(
        replace(ctx, principal=Anonymous()),  # the storefront's call, whoever's token it bore
        action=Action.LOGIN_AS_CUSTOMER_EXCHANGE,
        result=result,
        username=admin.username if admin else None,
        admin=admin,
        customer=session_customer(assistance) if assistance else None,
        session_id=assistance.id if assistance else None,
        details=details,
    )


async def generate_customer_token(
    ctx: ServiceContext,
    *,
    customer_email: str,
    website_code: str | None,
    store_view_code: str | None,
    reason: str | None,
) -> Exchanged:
    """Magento's `generateCustomerTokenAsAdmin`: start and exchange as one change, with
    every rule of a normal start (consent included) and a full, logged, revocable
    assistance session.

    Refused (the address limited for secret exchanges included), it changes nothing and
    writes its start's FAILURE entry alone.
    """

    async def generate(record: ActionRecord) -> Exchanged:
        await refuse_while_limited(ctx, LimitedAction.SECRET_EXCHANGE)
        started = await start_in(
            ctx,
            record,
            customer_id=CustomerByEmail(customer_email, website_code),
            store_view_code=store_view_code,
            reason=reason,
        )
        await log_success(ctx, record)
        return await _activate(ctx, started.session, now=ctx.clock.now())

    return await run_logged(ctx, Action.LOGIN_AS_CUSTOMER_START, generate)
