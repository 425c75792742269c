"""Login as Customer: start a session, hand its secret to the storefront, end it, oversee it
(DESIGN.md section 7).

Start creates a PENDING session and a single-use secret (256 bits, stored as SHA-256,
valid `authenticationDataExpirationSeconds`). The storefront exchanges the secret for an
impersonation token; the exchange consumes the secret with a conditional UPDATE, which
is race-free on SQLite and PostgreSQL alike, and makes the session ACTIVE until
`sessionLifetimeSeconds` have passed. An admin acts as one customer at a time.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import and_, col, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from db.engine import begin_write
from db.models import (
    AdminActionLogEntry,
    AdminUser,
    Customer,
    LoginAsCustomerSession,
    RoleResource,
    StoreView,
    Website,
)
from db.session import session_factory
from resolvers.acl import ALL, LOGIN_AS_CUSTOMER
from resolvers.action_log import Action, ActionRecord, ActionResult, run_logged, write_entry
from resolvers.availability import UnavailableReason, availability_facts, unavailable_reason
from resolvers.config import LoginAsCustomerConfig, StoreViewToLogin, load_config
from resolvers.context import ServiceContext
from resolvers.customers import CUSTOMER_GONE
from resolvers.errors import ErrorCode, LacError
from resolvers.inputs import TextInput, row_id
from resolvers.principals import (
    AdminPrincipal,
    Anonymous,
    CustomerSummary,
    ImpersonationPrincipal,
    full_name,
)
from resolvers.rate_limit import LimitedAction, record_failure, refuse_if_limited
from resolvers.session_end import (
    LIVE_STATES,
    EndCause,
    SessionState,
    end_session,
    session_admin,
    session_customer,
)
from resolvers.tokens import IssuedToken, TokenKind, issue_token

MAX_REASON_LENGTH = 1000
REASON = TextInput("The reason", MAX_REASON_LENGTH, multiline=True)
CUSTOMER_EMAIL = TextInput.of(Customer, "email", "customer_email")
WEBSITE_CODE = TextInput.of(Website, "code", "website_code")
STORE_VIEW_CODE = TextInput.of(StoreView, "code", "store_view_code")
SECRET_GONE = "Secret key is not found or was expired."  # noqa: S105 (Magento's message)
UNAVAILABLE_MESSAGES = {
    UnavailableReason.FEATURE_DISABLED: "Login as Customer is disabled.",
    UnavailableReason.CUSTOMER_INACTIVE: "This customer account is inactive.",
    UnavailableReason.CUSTOMER_CONSENT_REQUIRED: (
        "Login as Customer assistance is disabled for this Customer."
    ),
    UnavailableReason.NO_STORE_VIEW: "The customer's website has no active store view.",
    UnavailableReason.GUEST_ORDER: "This is a guest order: there is no customer to log in as.",
    UnavailableReason.PERMISSION_DENIED: "You may not log in as customers.",
}


@dataclass(frozen=True, slots=True)
class Started:
    secret: str
    session: LoginAsCustomerSession
    customer: Customer
    store_view: StoreView


@dataclass(frozen=True, slots=True)
class Exchanged:
    token: IssuedToken
    session: LoginAsCustomerSession
    customer: Customer


def secret_digest(secret: str) -> str:
    """The stored form of a secret; any string has one (a lone surrogate too), so a
    crafted secret is just an unknown one."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def customer_summary(customer: Customer) -> CustomerSummary:
    assert customer.id is not None
    return CustomerSummary(
        id=customer.id, email=customer.email, name=full_name(customer.firstname, customer.lastname)
    )


@dataclass(frozen=True, slots=True)
class CustomerByEmail:
    """A customer named as Magento's token mutation names them."""

    email: str
    website_code: str | None


async def start_session(
    ctx: ServiceContext,
    *,
    customer_id: str | CustomerByEmail,
    store_view_id: str | None = None,
    store_view_code: str | None = None,
    reason: str | None,
) -> Started:
    """Start acting as a customer; logged as `login_as_customer.start`, failures included.

    Checks, in order: the ids are well-formed (BAD_USER_INPUT), the customer exists
    (NOT_FOUND), the availability rules (their reason is the error code), the store view
    (STORE_VIEW_REQUIRED, BAD_USER_INPUT), the reason (BAD_USER_INPUT). The admin's
    previous live session ends as REPLACED. A store view may be given by id or by code;
    it counts only in MANUAL_SELECTION.
    """
    principal = ctx.principal
    assert isinstance(principal, AdminPrincipal)

    async def start(record: ActionRecord) -> Started:
        wanted_view = (
            STORE_VIEW_CODE.check_optional(store_view_code)
            if store_view_id is None
            else row_id(store_view_id, what="store view id")
        )
        if isinstance(customer_id, CustomerByEmail):
            record.details["customerEmail"] = customer_id.email
            found = await _customer_by_email(ctx, customer_id.email, customer_id.website_code)
        else:
            found = row_id(customer_id, what="customer id")
        customer = await ctx.db.get(Customer, found)
        if customer is None:
            raise LacError.not_found(CUSTOMER_GONE)
        record.customer = customer_summary(customer)
        config = await load_config(ctx.db)
        [facts] = await availability_facts(ctx.db, [found])
        blocked = unavailable_reason(principal, facts)
        if blocked is not None:
            raise LacError(ErrorCode(blocked.value), UNAVAILABLE_MESSAGES[blocked])
        store_view = await _store_view_to_login(ctx.db, customer, wanted_view, config)
        cleaned_reason = _checked_reason(reason, config)
        if cleaned_reason:
            record.details["reason"] = cleaned_reason
        await expire_due_sessions(ctx)
        for previous in await _live_sessions_of_admin(ctx.db, principal.admin.id):
            await end_session(ctx, previous, EndCause.REPLACED)
        secret = secrets.token_urlsafe(32)
        now = ctx.clock.now()
        session = LoginAsCustomerSession(
            admin_user_id=principal.admin.id,
            admin_username=principal.admin.username,
            admin_firstname=principal.admin.firstname,
            admin_lastname=principal.admin.lastname,
            customer_id=found,
            customer_email=customer.email,
            customer_name=record.customer.name,
            store_view_id=store_view.id or 0,
            reason=cleaned_reason,
            state=SessionState.PENDING.value,
            started_at=now,
            ip_address=ctx.client.ip_address,
            secret_hash=secret_digest(secret),
            secret_expires_at=now
            + timedelta(seconds=config.authentication_data_expiration_seconds),
        )
        ctx.db.add(session)
        await ctx.db.flush()
        record.session_id = session.id
        record.details["storeView"] = store_view.code
        return Started(secret=secret, session=session, customer=customer, store_view=store_view)

    return await run_logged(ctx, Action.LOGIN_AS_CUSTOMER_START, start)


async def _store_view_to_login(
    session: AsyncSession,
    customer: Customer,
    store_view_id: int | str | None,
    config: LoginAsCustomerConfig,
) -> StoreView:
    """The store view to act in: chosen by the admin (MANUAL_SELECTION), else the customer's
    own if active, else the website's default, else any active one of the website."""
    views = (
        await session.exec(
            select(StoreView)
            .where(StoreView.website_id == customer.website_id, col(StoreView.is_active))
            .order_by(col(StoreView.is_default).desc(), col(StoreView.id))
        )
    ).all()
    if config.store_view_to_login is StoreViewToLogin.MANUAL_SELECTION:
        if store_view_id is None:
            raise LacError(ErrorCode.STORE_VIEW_REQUIRED, "Please select a Store View to login in.")
        chosen = next((view for view in views if store_view_id in (view.id, view.code)), None)
        if chosen is None:
            raise LacError.bad_input(
                "The store view must be an active store view of the customer's website."
            )
        return chosen
    own = next((view for view in views if view.id == customer.created_in_store_view_id), None)
    return own or views[0]


def _checked_reason(reason: str | None, config: LoginAsCustomerConfig) -> str | None:
    cleaned = REASON.check(reason or "") or None
    if config.require_reason and cleaned is None:
        raise LacError.bad_input("Please give a reason for logging in as this customer.")
    return cleaned


async def _live_sessions_of_admin(
    session: AsyncSession, admin_user_id: int
) -> list[LoginAsCustomerSession]:
    rows = await session.exec(
        select(LoginAsCustomerSession)
        .where(
            LoginAsCustomerSession.admin_user_id == admin_user_id,
            col(LoginAsCustomerSession.state).in_(LIVE_STATES),
        )
        .with_for_update()
    )
    return list(rows.all())


async def expire_due_sessions(ctx: ServiceContext) -> None:
    """End (EXPIRED) pending sessions whose secret ran out and active ones past their end.

    Runs inside the caller's write transaction.
    """
    now = ctx.clock.now()
    due = await ctx.db.exec(
        select(LoginAsCustomerSession)
        .order_by(col(LoginAsCustomerSession.id))
        .where(
            or_(
                and_(
                    col(LoginAsCustomerSession.state) == SessionState.PENDING.value,
                    col(LoginAsCustomerSession.secret_expires_at) <= now,
                ),
                and_(
                    col(LoginAsCustomerSession.state) == SessionState.ACTIVE.value,
                    col(LoginAsCustomerSession.expires_at) <= now,
                ),
            )
        )
        .with_for_update()
    )
    for row in due.all():
        await end_session(ctx, row, EndCause.EXPIRED)


async def exchange_secret(ctx: ServiceContext, *, secret: str) -> Exchanged:
    """Trade a start secret for an impersonation token; exactly one exchange can succeed.

    Any failure answers SECRET_INVALID_OR_EXPIRED, whatever the cause: the bearer of a
    secret learns nothing more. The secret is used up either way; when a re-check fails
    the session ends with the matching cause, which the log records. Too many failed
    exchanges from one address answer RATE_LIMITED first.
    """
    await refuse_if_limited(ctx, LimitedAction.SECRET_EXCHANGE)
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
    session = (
        await ctx.db.exec(
            select(LoginAsCustomerSession).where(LoginAsCustomerSession.secret_hash == digest)
        )
    ).first()
    if consumed.rowcount != 1 or session is None:
        # unknown, already used (the session is then someone's: leave it) or expired
        await _refuse_exchange(ctx, session, EndCause.EXPIRED, now=now)
    assert session is not None
    await ctx.db.refresh(session)
    failed = await _exchange_recheck(ctx.db, session)
    if failed is not None:
        await _refuse_exchange(ctx, session, failed, now=now)
    config = await load_config(ctx.db)
    lifetime = timedelta(seconds=config.session_lifetime_seconds)
    session.state, session.expires_at = SessionState.ACTIVE.value, now + lifetime
    ctx.db.add(session)
    token = await issue_token(
        ctx.db,
        kind=TokenKind.IMPERSONATION,
        now=now,
        lifetime=lifetime,
        customer_id=session.customer_id,
        login_as_customer_session_id=session.id,
    )
    customer = await ctx.db.get(Customer, session.customer_id)
    assert customer is not None
    await _log_exchange(ctx, session, ActionResult.SUCCESS, {})
    await ctx.db.commit()
    return Exchanged(token=token, session=session, customer=customer)


async def _refuse_exchange(
    ctx: ServiceContext,
    session: LoginAsCustomerSession | None,
    cause: EndCause,
    *,
    now: datetime,
) -> None:
    """Use up the secret, end its live session with `cause`, log, commit, refuse."""
    details: dict[str, str] = {"code": ErrorCode.SECRET_INVALID_OR_EXPIRED.value}
    await record_failure(ctx, LimitedAction.SECRET_EXCHANGE)
    if session is not None and session.state == SessionState.PENDING.value:
        session.secret_used_at = session.secret_used_at or now
        await end_session(ctx, session, cause)
        details["cause"] = cause.value
    await _log_exchange(ctx, session, ActionResult.FAILURE, details)
    await ctx.db.commit()
    raise LacError(ErrorCode.SECRET_INVALID_OR_EXPIRED, SECRET_GONE)


async def _log_exchange(
    ctx: ServiceContext,
    session: LoginAsCustomerSession | None,
    result: ActionResult,
    details: dict[str, str],
) -> None:
    admin = session_admin(session) if session else None
    await write_entry(
        replace(ctx, principal=Anonymous()),  # the storefront's call, whoever's token it bore
        action=Action.LOGIN_AS_CUSTOMER_EXCHANGE,
        result=result,
        username=admin.username if admin else None,
        admin=admin,
        customer=session_customer(session) if session else None,
        session_id=session.id if session else None,
        details=details,
    )


async def _exchange_recheck(
    session: AsyncSession, lac_session: LoginAsCustomerSession
) -> EndCause | None:
    """The rules again at exchange time: feature on, admin active with ::login, customer
    active and consenting (an inactive customer ends the session as CONSENT_REVOKED: the
    account may no longer be assisted)."""
    config = await load_config(session)
    if not config.enabled:
        return EndCause.FEATURE_DISABLED
    admin_may_login = (
        await session.exec(
            select(func.count())
            .select_from(RoleResource)
            .where(
                col(RoleResource.resource_id).in_((LOGIN_AS_CUSTOMER, ALL)),
                col(RoleResource.role_id).in_(_active_admin_role(lac_session.admin_user_id)),
            )
        )
    ).one()
    if not admin_may_login:
        return EndCause.ADMIN_REVOKED
    customer = await session.get(Customer, lac_session.customer_id)
    if customer is None or not customer.is_active or not customer.allow_remote_shopping_assistance:
        return EndCause.CONSENT_REVOKED
    return None


def _active_admin_role(admin_user_id: int) -> SelectOfScalar[int]:
    return select(AdminUser.role_id).where(AdminUser.id == admin_user_id, col(AdminUser.is_active))


async def end_own_session(ctx: ServiceContext) -> bool:
    """The impersonating admin leaves the customer's account (cause LOGOUT)."""
    principal = ctx.principal
    assert isinstance(principal, ImpersonationPrincipal)
    await begin_write(ctx.db)
    row = await ctx.db.get(LoginAsCustomerSession, principal.session_id, with_for_update=True)
    if row is not None:
        await end_session(ctx, row, EndCause.LOGOUT)
    await ctx.db.commit()
    return True


async def terminate_session(ctx: ServiceContext, session_id: str) -> LoginAsCustomerSession:
    """An admin holding ::login ends any live session (cause TERMINATED, logged as theirs).

    A malformed id or a session that has ended: BAD_USER_INPUT; no such session:
    NOT_FOUND; each logged as a failed `login_as_customer.end`.
    """
    principal = ctx.principal
    assert isinstance(principal, AdminPrincipal)
    await begin_write(ctx.db)
    row: LoginAsCustomerSession | None = None
    try:
        wanted = row_id(session_id, what="session id")
        row = await ctx.db.get(LoginAsCustomerSession, wanted, with_for_update=True)
        if row is None:
            raise LacError.not_found("This Login as Customer session does not exist.")
        if row.state not in LIVE_STATES:
            raise LacError.bad_input("This Login as Customer session has already ended.")
    except LacError as refused:
        await write_entry(
            ctx,
            action=Action.LOGIN_AS_CUSTOMER_END,
            result=ActionResult.FAILURE,
            customer=session_customer(row) if row else None,
            session_id=row.id if row else None,
            details={"code": refused.code.value, "cause": EndCause.TERMINATED.value},
        )
        await ctx.db.commit()
        raise
    await end_session(ctx, row, EndCause.TERMINATED, ended_by=principal.admin)
    await ctx.db.commit()
    return row


async def sweep_due_sessions(ctx: ServiceContext) -> None:
    """End overdue sessions (EXPIRED) before a read shows them, in a transaction and on a
    connection of its own: sibling query fields keep reading the request's session."""
    engine = ctx.db.bind
    assert isinstance(engine, AsyncEngine)
    async with session_factory(engine)() as db:
        await begin_write(db)
        await expire_due_sessions(replace(ctx, db=db))
        await db.commit()
    if ctx.db.in_transaction():
        await ctx.db.commit()  # ends the request's read snapshot (nothing pending) to see it


async def active_sessions(ctx: ServiceContext) -> list[LoginAsCustomerSession]:
    """Live sessions, newest first (due ones are ended as EXPIRED first)."""
    await sweep_due_sessions(ctx)
    rows = await ctx.db.exec(
        select(LoginAsCustomerSession)
        .where(col(LoginAsCustomerSession.state).in_(LIVE_STATES))
        .order_by(col(LoginAsCustomerSession.started_at).desc(), col(LoginAsCustomerSession.id))
    )
    return list(rows.all())


async def generate_customer_token(
    ctx: ServiceContext,
    *,
    customer_email: str,
    website_code: str | None,
    store_view_code: str | None,
    reason: str | None,
) -> Exchanged:
    """Magento's `generateCustomerTokenAsAdmin`: start and exchange in one step, with every
    rule of a normal start (consent included) and a full, logged, revocable session."""
    started = await start_session(
        ctx,
        customer_id=CustomerByEmail(customer_email, website_code),
        store_view_code=store_view_code,
        reason=reason,
    )
    return await exchange_secret(ctx, secret=started.secret)


async def _customer_by_email(ctx: ServiceContext, email: str, website_code: str | None) -> int:
    statement = select(Customer.id).where(Customer.email == CUSTOMER_EMAIL.check(email).lower())
    code = WEBSITE_CODE.check_optional(website_code)
    if code is not None:
        statement = statement.where(
            col(Customer.website_id).in_(select(Website.id).where(Website.code == code))
        )
    ids = [id_ for id_ in (await ctx.db.exec(statement)).all() if id_ is not None]
    if not ids:
        raise LacError.not_found("No customer has this email address.")
    if len(ids) > 1:
        raise LacError.bad_input(
            "Customers of several websites have this email: give website_code."
        )
    return ids[0]


async def action_counts(session: AsyncSession, session_ids: Sequence[int]) -> list[int]:
    """How many log entries each session has (a DataLoader batch)."""
    rows = await session.exec(
        select(AdminActionLogEntry.login_as_customer_session_id, func.count())
        .where(col(AdminActionLogEntry.login_as_customer_session_id).in_(session_ids))
        .group_by(col(AdminActionLogEntry.login_as_customer_session_id))
    )
    counts = {session_id: count for session_id, count in rows.all()}
    return [counts.get(session_id, 0) for session_id in session_ids]
