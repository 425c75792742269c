"""Sign-in and sign-out for admins and customers (DESIGN.md section 9).

Order of checks: rate limit, lockout, then credentials. Unknown account and wrong
password get the same answer in the same time (a dummy hash is verified for unknown
names); the lockout counts per login name whether or not the account exists. Passwords
are verified between write transactions, so the slow hash never holds a lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from lac.core.passwords import hash_password, needs_rehash, verify_password
from lac.db.engine import begin_write
from lac.db.models import AdminUser, Customer, Website
from lac.resolvers.auth.admission import admit, count_failure, give_back
from lac.resolvers.auth.lockout import admin_login_name, customer_login_name
from lac.resolvers.auth.principals import (
    AdminPrincipal,
    AdminSummary,
    CustomerPrincipal,
    ImpersonationPrincipal,
    admin_summary,
)
from lac.resolvers.auth.rate_limit import LimitedAction
from lac.resolvers.auth.tokens import IssuedToken, TokenKind, issue_token, revoke_token
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import SIGN_IN_INCORRECT, ErrorCode, LacError
from lac.resolvers.inputs import column_length, fits
from lac.resolvers.log.refusals import commit_refusal_entries
from lac.resolvers.log.writer import Action, ActionResult, run_logged, write_entry
from lac.resolvers.login_as_customer.session_end import EndCause, end_live_sessions
from lac.resolvers.login_as_customer.sessions import end_own_session

USERNAME_LENGTH = column_length(AdminUser, "username")
WEBSITE_CODE_LENGTH = column_length(Website, "code")
EMAIL_LENGTH = column_length(Customer, "email")


@dataclass(frozen=True, slots=True)
class AdminSignIn:
    token: IssuedToken
    admin: AdminUser


@dataclass(frozen=True, slots=True)
class CustomerSignIn:
    token: IssuedToken
    customer: Customer


async def _upgraded_hash(current: str, password: str) -> str | None:
    """A hash with today's parameters when a right password's stored hash is outdated
    (computed before the write transaction, so the slow hash never holds the lock)."""
    return await hash_password(password) if needs_rehash(current) else None


async def admin_login(ctx: ServiceContext, *, username: str, password: str) -> AdminSignIn:
    """Exchange an admin's credentials for a 4-hour admin token; every attempt is logged.

    The limits are settled around the password check (resolvers.auth.admission); a refusal's
    log entries are written after its counts, so they can never undo them.
    """
    try:
        return await _admin_sign_in(ctx, username=username, password=password)
    except LacError as refused:
        if refused.code is ErrorCode.ACCOUNT_LOCKED:
            await _log_failed_admin_login(ctx, username=username, code=refused.code)
        raise


async def _admin_sign_in(ctx: ServiceContext, *, username: str, password: str) -> AdminSignIn:
    admission = await admit(ctx, LimitedAction.SIGN_IN, login_name=admin_login_name(username))
    admin = await _admin_named(ctx, username)
    password_ok = await verify_password(admin.password_hash if admin else None, password)
    if admin is None or not admin.is_active or not password_ok:
        locks_name = await count_failure(ctx, admission)
        await _log_failed_admin_login(
            ctx,
            username=username,
            code=ErrorCode.UNAUTHENTICATED,
            admin=admin_summary(admin) if admin else None,
            locked=locks_name,
        )
        raise LacError.unauthenticated(SIGN_IN_INCORRECT)
    new_hash = await _upgraded_hash(admin.password_hash, password)

    assert admin.id is not None
    await begin_write(ctx.db)
    await give_back(ctx, admission)
    if new_hash is not None:
        admin.password_hash = new_hash
    token = await issue_token(
        ctx.db,
        kind=TokenKind.ADMIN,
        now=ctx.clock.now(),
        lifetime=ctx.settings.admin_token_lifetime,
        admin_user_id=admin.id,
    )
    await write_entry(
        ctx, action=Action.ADMIN_LOGIN, result=ActionResult.SUCCESS, admin=admin_summary(admin)
    )
    await ctx.db.commit()
    return AdminSignIn(token=token, admin=admin)


async def _log_failed_admin_login(
    ctx: ServiceContext,
    *,
    username: str,
    code: ErrorCode,
    admin: AdminSummary | None = None,
    locked: bool = False,
) -> None:
    """`admin.login_failed` (and `admin.locked` when this failure locked the name)."""
    entries = [(Action.ADMIN_LOGIN_FAILED, code)]
    if locked:
        entries.append((Action.ADMIN_LOCKED, ErrorCode.ACCOUNT_LOCKED))

    async def write() -> None:
        await begin_write(ctx.db)
        for action, entry_code in entries:
            await write_entry(
                ctx,
                action=action,
                result=ActionResult.FAILURE,
                username=username,
                admin=admin,
                details={"code": entry_code.value},
            )

    await commit_refusal_entries(ctx, write)


async def admin_logout(ctx: ServiceContext) -> bool:
    """Revoke the calling admin's token at once and end their Login-as-Customer session."""
    principal = ctx.principal
    assert isinstance(principal, AdminPrincipal)

    async def revoke(_: object) -> bool:
        await revoke_token(ctx.db, token_id=principal.token_id, now=ctx.clock.now())
        await end_live_sessions(ctx, EndCause.ADMIN_LOGOUT, admin_user_id=principal.admin.id)
        return True

    return await run_logged(ctx, Action.ADMIN_LOGOUT, revoke)


async def customer_login(
    ctx: ServiceContext, *, email: str, password: str, website_code: str
) -> CustomerSignIn:
    """Exchange a customer's credentials on one website for a 1-hour customer token.

    Customer sign-ins are not admin actions, so they are not in the admin action log;
    they count towards the same limits, admitted as admin sign-ins are.
    """
    admission = await admit(
        ctx, LimitedAction.SIGN_IN, login_name=customer_login_name(website_code, email)
    )
    customer = await _customer_named(ctx, email=email, website_code=website_code)
    password_ok = await verify_password(customer.password_hash if customer else None, password)
    if customer is None or not customer.is_active or not password_ok:
        await count_failure(ctx, admission)
        raise LacError.unauthenticated(SIGN_IN_INCORRECT)
    new_hash = await _upgraded_hash(customer.password_hash, password)

    assert customer.id is not None
    await begin_write(ctx.db)
    await give_back(ctx, admission)
    if new_hash is not None:
        customer.password_hash = new_hash
    token = await issue_token(
        ctx.db,
        kind=TokenKind.CUSTOMER,
        now=ctx.clock.now(),
        lifetime=ctx.settings.customer_token_lifetime,
        customer_id=customer.id,
    )
    await ctx.db.commit()
    return CustomerSignIn(token=token, customer=customer)


async def customer_logout(ctx: ServiceContext) -> bool:
    """Revoke the calling customer's own token at once; with an impersonation token this
    ends the Login-as-Customer session (cause LOGOUT), as `endLoginAsCustomer` does."""
    principal = ctx.principal
    assert isinstance(principal, CustomerPrincipal)
    if isinstance(principal, ImpersonationPrincipal):
        return await end_own_session(ctx)
    await begin_write(ctx.db)
    await revoke_token(ctx.db, token_id=principal.token_id, now=ctx.clock.now())
    await ctx.db.commit()
    return True


async def current_admin(ctx: ServiceContext) -> AdminUser:
    """The calling admin's own account."""
    principal = ctx.principal
    assert isinstance(principal, AdminPrincipal)
    admin = await ctx.db.get(AdminUser, principal.admin.id)
    if admin is None:
        raise LacError.unauthenticated()
    return admin


async def current_customer(ctx: ServiceContext) -> Customer:
    """The calling customer's own account (also while impersonated)."""
    principal = ctx.principal
    assert isinstance(principal, CustomerPrincipal)
    customer = await ctx.db.get(Customer, principal.customer.id)
    if customer is None:
        raise LacError.unauthenticated()
    return customer


async def _admin_named(ctx: ServiceContext, username: str) -> AdminUser | None:
    """The admin signing in under this name. A name no account can have (longer than the
    column, NUL, a lone surrogate) is not looked up: it is just a wrong sign-in."""
    name = username.strip()
    if not fits(name, USERNAME_LENGTH):
        return None
    return (await ctx.db.exec(select(AdminUser).where(AdminUser.username == name))).first()


async def _customer_named(ctx: ServiceContext, *, email: str, website_code: str) -> Customer | None:
    """The customer signing in with this email on this website (see `_admin_named`)."""
    code, address = website_code.strip(), email.strip().lower()
    if not (fits(code, WEBSITE_CODE_LENGTH) and fits(address, EMAIL_LENGTH)):
        return None
    statement = (
        select(Customer)
        .join(Website, col(Website.id) == col(Customer.website_id))
        .where(Website.code == code, Customer.email == address)
    )
    return (await ctx.db.exec(statement)).first()
