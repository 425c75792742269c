"""Sign-in and sign-out for admins and customers (DESIGN.md section 9).

Order of checks: lockout, then credentials. Unknown account and wrong password get
the same answer in the same time (a dummy hash is verified for unknown names); the
lockout counts per login name whether or not the account exists. Passwords are
verified before the write transaction opens, so the slow hash never holds a lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from db.engine import begin_write
from db.models import AdminUser, Customer, Website
from resolvers import rate_limit
from resolvers.action_log import Action, ActionResult, run_logged, write_entry
from resolvers.context import ServiceContext
from resolvers.errors import ACCOUNT_LOCKED_MESSAGE, SIGN_IN_INCORRECT, ErrorCode, LacError
from resolvers.inputs import column_length, fits
from resolvers.lockout import (
    admin_login_name,
    clear_failures,
    customer_login_name,
    locked_until,
    record_failure,
)
from resolvers.login_as_customer import end_own_session
from resolvers.passwords import hash_password, needs_rehash, verify_password
from resolvers.principals import (
    AdminPrincipal,
    AdminSummary,
    CustomerPrincipal,
    ImpersonationPrincipal,
)
from resolvers.rate_limit import LimitedAction
from resolvers.session_end import EndCause, end_live_sessions
from resolvers.tokens import IssuedToken, TokenKind, issue_token, revoke_token

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


async def _upgraded_hash(current: str | None, password: str, password_ok: bool) -> str | None:
    """A hash with today's parameters when a right password's stored hash is outdated
    (computed before the write transaction, so the slow hash never holds the lock)."""
    if current is None or not password_ok or not needs_rehash(current):
        return None
    return await hash_password(password)


def _locked_error() -> LacError:
    return LacError(ErrorCode.ACCOUNT_LOCKED, ACCOUNT_LOCKED_MESSAGE)


def _summary(admin: AdminUser) -> AdminSummary:
    assert admin.id is not None
    return AdminSummary(
        id=admin.id, username=admin.username, firstname=admin.firstname, lastname=admin.lastname
    )


async def admin_login(ctx: ServiceContext, *, username: str, password: str) -> AdminSignIn:
    """Exchange an admin's credentials for a 4-hour admin token; every attempt is logged."""
    login_name = admin_login_name(username)
    await rate_limit.refuse_if_limited(ctx, LimitedAction.SIGN_IN)
    await _refuse_locked_admin_login(ctx, login_name=login_name, username=username)
    admin = await _admin_named(ctx, username)
    password_ok = await verify_password(admin.password_hash if admin else None, password)
    new_hash = await _upgraded_hash(admin.password_hash if admin else None, password, password_ok)

    await begin_write(ctx.db)
    await _refuse_locked_admin_login(ctx, login_name=login_name, username=username)
    now = ctx.clock.now()
    if admin is None or not admin.is_active or not password_ok:
        locks_now = await record_failure(
            ctx.db, login_name=login_name, now=now, settings=ctx.settings
        )
        await rate_limit.record_failure(ctx, LimitedAction.SIGN_IN)
        summary = _summary(admin) if admin else None
        await write_entry(
            ctx,
            action=Action.ADMIN_LOGIN_FAILED,
            result=ActionResult.FAILURE,
            username=username,
            admin=summary,
            details={"code": ErrorCode.UNAUTHENTICATED.value},
        )
        if locks_now:
            await write_entry(
                ctx,
                action=Action.ADMIN_LOCKED,
                result=ActionResult.FAILURE,
                username=username,
                admin=summary,
                details={"code": ErrorCode.ACCOUNT_LOCKED.value},
            )
        await ctx.db.commit()
        raise LacError.unauthenticated(SIGN_IN_INCORRECT)

    assert admin.id is not None
    await clear_failures(ctx.db, login_name=login_name)
    if new_hash is not None:
        admin.password_hash = new_hash
    token = await issue_token(
        ctx.db,
        kind=TokenKind.ADMIN,
        now=now,
        lifetime=ctx.settings.admin_token_lifetime,
        admin_user_id=admin.id,
    )
    await write_entry(
        ctx, action=Action.ADMIN_LOGIN, result=ActionResult.SUCCESS, admin=_summary(admin)
    )
    await ctx.db.commit()
    return AdminSignIn(token=token, admin=admin)


async def _refuse_locked_admin_login(
    ctx: ServiceContext, *, login_name: str, username: str
) -> None:
    """Answer ACCOUNT_LOCKED, and log the refused attempt, while the name is locked."""
    if not await locked_until(ctx.db, login_name=login_name, now=ctx.clock.now()):
        return
    await begin_write(ctx.db)
    await rate_limit.record_failure(ctx, LimitedAction.SIGN_IN)
    await write_entry(
        ctx,
        action=Action.ADMIN_LOGIN_FAILED,
        result=ActionResult.FAILURE,
        username=username,
        details={"code": ErrorCode.ACCOUNT_LOCKED.value},
    )
    await ctx.db.commit()
    raise _locked_error()


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
    they count towards the same per-name lockout.
    """
    login_name = customer_login_name(website_code, email)
    await rate_limit.refuse_if_limited(ctx, LimitedAction.SIGN_IN)
    now = ctx.clock.now()
    if await locked_until(ctx.db, login_name=login_name, now=now):
        await _count_failed_sign_in(ctx)
        raise _locked_error()
    customer = await _customer_named(ctx, email=email, website_code=website_code)
    password_ok = await verify_password(customer.password_hash if customer else None, password)
    new_hash = await _upgraded_hash(
        customer.password_hash if customer else None, password, password_ok
    )

    await begin_write(ctx.db)
    now = ctx.clock.now()
    if await locked_until(ctx.db, login_name=login_name, now=now):
        await _count_failed_sign_in(ctx)
        raise _locked_error()
    if customer is None or not customer.is_active or not password_ok:
        await record_failure(ctx.db, login_name=login_name, now=now, settings=ctx.settings)
        await rate_limit.record_failure(ctx, LimitedAction.SIGN_IN)
        await ctx.db.commit()
        raise LacError.unauthenticated(SIGN_IN_INCORRECT)

    assert customer.id is not None
    await clear_failures(ctx.db, login_name=login_name)
    if new_hash is not None:
        customer.password_hash = new_hash
    token = await issue_token(
        ctx.db,
        kind=TokenKind.CUSTOMER,
        now=now,
        lifetime=ctx.settings.customer_token_lifetime,
        customer_id=customer.id,
    )
    await ctx.db.commit()
    return CustomerSignIn(token=token, customer=customer)


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


async def _count_failed_sign_in(ctx: ServiceContext) -> None:
    """A refused customer sign-in still counts towards its address's rate limit."""
    await begin_write(ctx.db)
    await rate_limit.record_failure(ctx, LimitedAction.SIGN_IN)
    await ctx.db.commit()


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
