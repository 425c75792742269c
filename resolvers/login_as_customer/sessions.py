"""Login as Customer: start an assistance session, end it, oversee it (DESIGN.md section 7).

Start creates a PENDING assistance session and a single-use secret (256 bits, stored as SHA-256,
valid `authenticationDataExpirationSeconds`) for the storefront to exchange for an
impersonation token (resolvers.login_as_customer.secret_exchange). An admin acts as one
customer at a time.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import and_, col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.engine import begin_write, write_transaction
from lac.db.models import AdminActionLogEntry, Customer, LoginAsCustomerSession, StoreView, Website
from lac.resolvers.account.customers import CUSTOMER_GONE
from lac.resolvers.auth.principals import AdminPrincipal, ImpersonationPrincipal, customer_summary
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import ErrorCode, LacError
from lac.resolvers.inputs import TextInput, row_id
from lac.resolvers.log.writer import Action, ActionRecord, ActionResult, run_logged, write_entry
from lac.resolvers.login_as_customer.assistance_codes import (
    CodeGuess,
    parse_code,
    prepare_guess,
)
from lac.resolvers.login_as_customer.config import (
    LoginAsCustomerConfig,
    StoreViewToLogin,
    load_config,
)
from lac.resolvers.login_as_customer.policy import UnavailableReason, decide_start, document_facts
from lac.resolvers.login_as_customer.session_end import (
    LIVE_STATES,
    EndCause,
    SessionState,
    end_session,
    session_customer,
)

MAX_REASON_LENGTH = 1000
REASON = TextInput("The reason", MAX_REASON_LENGTH, multiline=True)
CUSTOMER_EMAIL = TextInput.of(Customer, "email", "customer_email")
WEBSITE_CODE = TextInput.of(Website, "code", "website_code")
STORE_VIEW_CODE = TextInput.of(StoreView, "code", "store_view_code")
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


def secret_digest(secret: str) -> str:
    """The stored form of a secret; any string has one (a lone surrogate too), so a
    crafted secret is just an unknown one."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class CustomerByEmail:
    """A customer named as Magento's token mutation names them."""

    email: str
    website_code: str | None


async def start_session(
    ctx: ServiceContext,
    *,
    customer_id: str,
    store_view_id: str | None = None,
    store_view_code: str | None = None,
    reason: str | None,
    consent_code: str | None = None,
    read_only: bool | None = None,
) -> Started:
    """Start acting as a customer; logged as `login_as_customer.start`, failures included.

    Checks, in order: the ids and the code are well-formed (BAD_USER_INPUT), the customer exists
    (NOT_FOUND), the availability rules (their reason is the error code; a one-time
    assistance code may stand in for consent), the store view (STORE_VIEW_REQUIRED,
    BAD_USER_INPUT), the reason (BAD_USER_INPUT). The admin's previous live assistance
    session ends as REPLACED. A store view may be given by id or by code; it counts only
    in MANUAL_SELECTION. `read_only` None takes the configured default. A consent code
    is hashed before the write transaction opens (`prepare_guess`).
    """
    guess = await prepare_guess(ctx, customer_id, consent_code)

    async def start(record: ActionRecord) -> Started:
        return await start_in(
            ctx,
            record,
            customer_id=customer_id,
            store_view_id=store_view_id,
            store_view_code=store_view_code,
            reason=reason,
            consent_code=consent_code,
            code_guess=guess,
            read_only=read_only,
        )

    return await run_logged(ctx, Action.LOGIN_AS_CUSTOMER_START, start)


async def start_in(
    ctx: ServiceContext,
    record: ActionRecord,
    *,
    customer_id: str | CustomerByEmail,
    store_view_id: str | None = None,
    store_view_code: str | None = None,
    reason: str | None,
    consent_code: str | None = None,
    code_guess: CodeGuess | None = None,
    read_only: bool | None = None,
) -> Started:
    """The checks of a start, then (all passed) the start itself, in the caller's savepoint
    (`run_logged`), which logs it with the consent it rests on and whether it is
    read-only (a consent code never reaches the log). `code_guess` is `consent_code` as
    hashed beforehand (`prepare_guess`)."""
    principal = ctx.principal
    assert isinstance(principal, AdminPrincipal)
    wanted_view = (
        STORE_VIEW_CODE.check_optional(store_view_code)
        if store_view_id is None
        else row_id(store_view_id, what="store view id")
    )
    code = parse_code(consent_code)
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
    [facts] = await document_facts(ctx.db, [found])
    decision = await decide_start(
        ctx,
        record,
        facts,
        customer_id=found,
        code=code_guess if code else None,
        codes_allowed=config.allow_assistance_codes,
    )
    if decision.blocked is not None:
        blocked = decision.blocked
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
    assistance = LoginAsCustomerSession(
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
        secret_expires_at=now + timedelta(seconds=config.authentication_data_expiration_seconds),
        read_only=config.default_read_only if read_only is None else read_only,
        consent=decision.consent.value,
    )
    ctx.db.add(assistance)
    await ctx.db.flush()
    record.session_id = assistance.id
    record.details["storeView"] = store_view.code
    record.details["consent"] = assistance.consent
    record.details["readOnly"] = assistance.read_only
    return Started(secret=secret, session=assistance, customer=customer, store_view=store_view)


async def _store_view_to_login(
    db: AsyncSession,
    customer: Customer,
    store_view_id: int | str | None,
    config: LoginAsCustomerConfig,
) -> StoreView:
    """The store view to act in: chosen by the admin (MANUAL_SELECTION), else the customer's
    own if active, else the website's default, else any active one of the website."""
    views = (
        await db.exec(
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
    db: AsyncSession, admin_user_id: int
) -> list[LoginAsCustomerSession]:
    rows = await db.exec(
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
    """An admin holding ::login ends any live assistance session (cause TERMINATED,
    logged as theirs).

    A malformed id or an assistance session that has ended: BAD_USER_INPUT; none such:
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
    """End overdue sessions (EXPIRED) before a read shows them, in a write transaction of
    their own on the request's unit of work (sibling query fields keep reading on it)."""
    async with write_transaction(ctx.db):
        await expire_due_sessions(ctx)


async def active_sessions(ctx: ServiceContext) -> list[LoginAsCustomerSession]:
    """Live sessions, newest first (due ones are ended as EXPIRED first)."""
    await sweep_due_sessions(ctx)
    rows = await ctx.db.exec(
        select(LoginAsCustomerSession)
        .where(col(LoginAsCustomerSession.state).in_(LIVE_STATES))
        .order_by(col(LoginAsCustomerSession.started_at).desc(), col(LoginAsCustomerSession.id))
    )
    return list(rows.all())


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


async def action_counts(db: AsyncSession, session_ids: Sequence[int]) -> list[int]:
    """How many log entries each assistance session has (a DataLoader batch)."""
    rows = await db.exec(
        select(AdminActionLogEntry.login_as_customer_session_id, func.count())
        .where(col(AdminActionLogEntry.login_as_customer_session_id).in_(session_ids))
        .group_by(col(AdminActionLogEntry.login_as_customer_session_id))
    )
    counts = {session_id: count for session_id, count in rows.all()}
    return [counts.get(session_id, 0) for session_id in session_ids]
