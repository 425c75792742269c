"""The admin action log's one writer, and the unit of work every logged mutation runs in.

An entry is written in the same transaction as the change it records. The change
runs in a savepoint: when it fails, the savepoint rolls back and the FAILURE entry
commits alone, so a failed mutation changes nothing and is still on record.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.metrics import LOG_WRITES
from lac.db.engine import begin_write
from lac.db.models import AdminActionLogEntry
from lac.resolvers.auth.principals import (
    AdminPrincipal,
    AdminSummary,
    CustomerPrincipal,
    CustomerSummary,
    ImpersonationPrincipal,
)
from lac.resolvers.context import ServiceContext
from lac.resolvers.errors import READ_ONLY_SESSION, ErrorCode, LacError
from lac.resolvers.inputs import row_id, storable, text_columns
from lac.resolvers.log.chain import append
from lac.resolvers.log.counters import count_entry

T = TypeVar("T")


class ActionGroup(StrEnum):
    LOGIN_AS_CUSTOMER = "LOGIN_AS_CUSTOMER"
    CUSTOMERS = "CUSTOMERS"
    SALES = "SALES"
    STORES_CONFIG = "STORES_CONFIG"
    ADMIN_USERS = "ADMIN_USERS"
    ADMIN_SESSIONS = "ADMIN_SESSIONS"
    SECURITY = "SECURITY"


ACTION_GROUP_LABELS = {
    ActionGroup.LOGIN_AS_CUSTOMER: "Login As Customer",
    ActionGroup.CUSTOMERS: "Customers",
    ActionGroup.SALES: "Sales",
    ActionGroup.STORES_CONFIG: "Stores Configuration",
    ActionGroup.ADMIN_USERS: "Admin Users and Roles",
    ActionGroup.ADMIN_SESSIONS: "Admin Sessions",
    ActionGroup.SECURITY: "Security",
}


class ActionResult(StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


class Action(StrEnum):
    """Every action name the log knows (DESIGN.md section 13)."""

    ADMIN_LOGIN = "admin.login"
    ADMIN_LOGOUT = "admin.logout"
    ADMIN_LOGIN_FAILED = "admin.login_failed"
    ADMIN_LOCKED = "admin.locked"
    ACCESS_DENIED = "access.denied"
    LOG_CHECKPOINT = "log.checkpoint"
    LOGIN_AS_CUSTOMER_START = "login_as_customer.start"
    LOGIN_AS_CUSTOMER_EXCHANGE = "login_as_customer.exchange"
    LOGIN_AS_CUSTOMER_END = "login_as_customer.end"
    LOGIN_AS_CUSTOMER_CUSTOMER_END = "login_as_customer.customer_end"
    LOGIN_AS_CUSTOMER_CODE_CREATE = "login_as_customer.code_create"
    CART_ADD = "cart.add"
    CART_REMOVE = "cart.remove"
    ACCOUNT_UPDATE = "account.update"
    ORDER_PLACE = "order.place"
    CONSENT_UPDATE = "consent.update"
    CONFIG_UPDATE = "config.update"
    ROLE_CREATE = "role.create"
    ROLE_UPDATE = "role.update"
    ROLE_DELETE = "role.delete"
    ADMIN_USER_CREATE = "admin_user.create"
    ADMIN_USER_UPDATE = "admin_user.update"


ACTION_GROUP_OF: dict[Action, ActionGroup] = {
    Action.ADMIN_LOGIN: ActionGroup.ADMIN_SESSIONS,
    Action.ADMIN_LOGOUT: ActionGroup.ADMIN_SESSIONS,
    Action.ADMIN_LOGIN_FAILED: ActionGroup.ADMIN_SESSIONS,
    Action.ADMIN_LOCKED: ActionGroup.SECURITY,
    Action.ACCESS_DENIED: ActionGroup.SECURITY,
    Action.LOG_CHECKPOINT: ActionGroup.SECURITY,
    Action.LOGIN_AS_CUSTOMER_START: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.LOGIN_AS_CUSTOMER_EXCHANGE: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.LOGIN_AS_CUSTOMER_END: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.LOGIN_AS_CUSTOMER_CUSTOMER_END: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.LOGIN_AS_CUSTOMER_CODE_CREATE: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.CART_ADD: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.CART_REMOVE: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.ACCOUNT_UPDATE: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.ORDER_PLACE: ActionGroup.LOGIN_AS_CUSTOMER,
    Action.CONSENT_UPDATE: ActionGroup.CUSTOMERS,
    Action.CONFIG_UPDATE: ActionGroup.STORES_CONFIG,
    Action.ROLE_CREATE: ActionGroup.ADMIN_USERS,
    Action.ROLE_UPDATE: ActionGroup.ADMIN_USERS,
    Action.ROLE_DELETE: ActionGroup.ADMIN_USERS,
    Action.ADMIN_USER_CREATE: ActionGroup.ADMIN_USERS,
    Action.ADMIN_USER_UPDATE: ActionGroup.ADMIN_USERS,
}


# what the log keeps of any text: each column's own length, and in `details` enough for
# the longest value a change accepts (the checkbox tooltip, 2000 characters)
ENTRY_TEXT_COLUMNS = text_columns(AdminActionLogEntry)
MAX_DETAIL_TEXT = 2000


@dataclass
class ActionRecord:
    """What a logged change tells the log about itself while it runs."""

    action: Action
    customer: CustomerSummary | None = None
    session_id: int | None = None
    admin: AdminSummary | None = None
    details: dict[str, Any] = field(default_factory=dict)
    logged: bool = False  # its SUCCESS entry is written (`log_success`)
    # what a failure still does after its change rolls back, in its FAILURE entry's
    # transaction: a wrong guess is counted even though the attempt changes nothing
    after_failure: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def id_argument(self, key: str, value: str, *, what: str) -> int:
        """The row id an id argument names (malformed: BAD_USER_INPUT, see
        `resolvers.inputs.row_id`), parsed inside the change so that a malformed id
        is a logged failure too; `details[key]` shows the id as sent until it parses."""
        self.details[key] = value
        parsed = row_id(value, what=what)
        self.details[key] = str(parsed)
        return parsed


async def write_entry(
    ctx: ServiceContext,
    *,
    action: Action,
    result: ActionResult,
    details: dict[str, Any] | None = None,
    username: str | None = None,
    admin: AdminSummary | None = None,
    customer: CustomerSummary | None = None,
    session_id: int | None = None,
) -> AdminActionLogEntry:
    """Add one entry to the log in the caller's transaction.

    The entry joins the hash chain (resolvers.log.chain) and its day's counter
    (resolvers.log.counters), both in this transaction. Who acted defaults to the
    request's principal: an admin; the acting admin, the
    customer and the session of an impersonation; a customer by their email. The
    caller commits. `details` must never hold a secret, token or password.

    Every text is first made storable and cut to its column (a 300-character username,
    a long operation name, a NUL or a lone surrogate a caller sent), so the insert cannot
    fail on either engine and the hash seals exactly what is stored.
    """
    principal = ctx.principal
    if isinstance(principal, ImpersonationPrincipal):
        admin = admin or principal.acting_admin
        customer = customer or principal.customer
        session_id = session_id or principal.session_id
    elif admin is None and isinstance(principal, AdminPrincipal):
        admin = principal.admin
    if username is None:
        if admin is not None:
            username = admin.username
        elif isinstance(principal, CustomerPrincipal):
            username = principal.customer.email
    entry = AdminActionLogEntry(
        time=ctx.clock.now(),
        action_group=ACTION_GROUP_OF[action].value,
        action=action.value,
        result=result.value,
        username=username,
        admin_id=admin.id if admin else None,
        admin_username=admin.username if admin else None,
        admin_firstname=admin.firstname if admin else None,
        admin_lastname=admin.lastname if admin else None,
        ip_address=ctx.client.ip_address,
        user_agent=ctx.client.user_agent,
        full_action_name=ctx.full_action_name,
        customer_id=customer.id if customer else None,
        customer_email=customer.email if customer else None,
        customer_name=customer.name if customer else None,
        login_as_customer_session_id=session_id,
        details=json.dumps(_kept(details or {}), sort_keys=True, default=str),
    )
    for column, max_length in ENTRY_TEXT_COLUMNS.items():
        value = getattr(entry, column)
        if isinstance(value, str):
            setattr(entry, column, storable(value, max_length))
    await append(ctx.db, entry)
    await count_entry(ctx.db, entry)
    _count_when_committed(ctx.db, entry)
    return entry


UNCOMMITTED_ENTRIES = "lac.uncommitted_log_entries"


def _count_when_committed(db: AsyncSession, entry: AdminActionLogEntry) -> None:
    """Have `lac_action_log_writes` count `entry` once its transaction commits (not when a
    savepoint or the transaction rolls it back), so the metric says what the log holds."""
    db.info.setdefault(UNCOMMITTED_ENTRIES, []).append(entry)


@event.listens_for(Session, "after_commit")
def _count_committed_entries(session: Session) -> None:
    for entry in session.info.pop(UNCOMMITTED_ENTRIES, ()):
        if inspect(entry).persistent:  # a rolled-back savepoint's entry is transient again
            LOG_WRITES.labels(entry.action_group, entry.result).inc()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_entries(session: Session) -> None:
    session.info.pop(UNCOMMITTED_ENTRIES, None)


def _kept(value: Any) -> Any:
    """`details` as the log keeps them: every text storable and at most MAX_DETAIL_TEXT
    characters (a refused request's raw input too), so the entry is sealed exactly as
    it is stored."""
    if isinstance(value, str):
        return storable(value, MAX_DETAIL_TEXT)
    if isinstance(value, dict):
        return {_kept(key): _kept(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_kept(item) for item in value]
    return value


async def run_logged(
    ctx: ServiceContext, action: Action, change: Callable[[ActionRecord], Awaitable[T]]
) -> T:
    """Run `change` as one write transaction that records `action` in the log.

    Success: the change and its SUCCESS entry commit together. Failure: the change is
    rolled back to its savepoint and the FAILURE entry (details.code) commits alone;
    the error then reaches the caller.
    """
    await begin_write(ctx.db)
    record = ActionRecord(action=action)
    try:
        async with ctx.db.begin_nested():
            result = await change(record)
    except Exception as error:
        code = error.code if isinstance(error, LacError) else ErrorCode.INTERNAL_SERVER_ERROR
        await _commit_failure(ctx, record, code)
        raise
    if not record.logged:
        await log_success(ctx, record)
    await ctx.db.commit()
    return result


async def log_success(ctx: ServiceContext, record: ActionRecord) -> None:
    """Write the SUCCESS entry of a change now, before the steps that follow it in the same
    change log theirs (if the change then fails, the entry rolls back with it)."""
    await write_entry(
        ctx,
        action=record.action,
        result=ActionResult.SUCCESS,
        details=record.details,
        admin=record.admin,
        customer=record.customer,
        session_id=record.session_id,
    )
    record.logged = True


async def _commit_failure(ctx: ServiceContext, record: ActionRecord, code: ErrorCode) -> None:
    try:
        for step in record.after_failure:
            await step()
        await write_entry(
            ctx,
            action=record.action,
            result=ActionResult.FAILURE,
            details={**record.details, "code": code.value},
            admin=record.admin,
            customer=record.customer,
            session_id=record.session_id,
        )
        await ctx.db.commit()
    except Exception:
        await ctx.db.rollback()
        raise


async def run_customer_change(
    ctx: ServiceContext, action: Action, change: Callable[[ActionRecord], Awaitable[T]]
) -> T:
    """Run a storefront write as one transaction (the change in a savepoint).

    Made through an impersonation session, it is an admin action and is logged like
    `run_logged` (acting admin, customer, session); in a read-only session it is refused
    (FORBIDDEN, a logged failure) before it starts: every storefront write runs through
    here, so this is the one place read-only is enforced. Made by the customer
    themselves it is not an admin action and is not logged.
    """
    principal = ctx.principal
    if isinstance(principal, ImpersonationPrincipal):

        async def change_unless_read_only(record: ActionRecord) -> T:
            if principal.read_only:
                raise LacError.forbidden(READ_ONLY_SESSION)
            return await change(record)

        return await run_logged(ctx, action, change_unless_read_only)
    await begin_write(ctx.db)
    try:
        async with ctx.db.begin_nested():
            result = await change(ActionRecord(action=action))
    except Exception:
        await ctx.db.rollback()
        raise
    await ctx.db.commit()
    return result
