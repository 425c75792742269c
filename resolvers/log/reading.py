"""Reading the admin action log and the Login-as-Customer session log (DESIGN.md section 8).

Both are newest-first by default and paged by keyset on (time, id), never by offset:
a cursor names the last row's time and id, so entries written while somebody pages
neither shift nor repeat the rows already seen. Every filter is plain indexed SQL
(see the composite indexes on both tables).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_
from sqlalchemy import Row as SaRow
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from lac.db.models import AdminActionLogEntry, LoginAsCustomerSession
from lac.db.queries import require_id
from lac.resolvers.context import ServiceContext
from lac.resolvers.inputs import TextInput, parse_instant, parse_row_id
from lac.resolvers.log.counters import CountedFilter, counted_total
from lac.resolvers.log.entry import LOG_FIELDS
from lac.resolvers.log.writer import ACTION_GROUP_LABELS, ActionGroup, ActionResult
from lac.resolvers.login_as_customer.session_end import LIVE_STATES
from lac.resolvers.login_as_customer.sessions import sweep_due_sessions
from lac.resolvers.pagination import Page, cursor_text, invalid_cursor, page_size

# a page of the admin log is plain rows of the columns asked for (`ENTRY_COLUMNS`)
LogRow = SaRow[Any]
Row = TypeVar("Row", LogRow, LoginAsCustomerSession)
ENTRY_COLUMNS: tuple[str, ...] = tuple(field.column for field in LOG_FIELDS)


MAX_FILTER_VALUES = 100
ACTIONS_FILTER = TextInput.of(AdminActionLogEntry, "action", "An action filter")
USERNAMES_FILTER = TextInput.of(AdminActionLogEntry, "username", "A username filter")
IP_ADDRESS_FILTER = TextInput.of(AdminActionLogEntry, "ip_address", "The ipAddress filter")
ADMIN_USERNAME_FILTER = TextInput.of(
    LoginAsCustomerSession, "admin_username", "The adminUsername filter"
)


Statement = TypeVar("Statement", SelectOfScalar[LoginAsCustomerSession], Select[Any])


class LogSort(StrEnum):
    TIME_DESC = "TIME_DESC"
    TIME_ASC = "TIME_ASC"


@dataclass(frozen=True, slots=True)
class AdminActionLogFilter:
    """All given conditions must hold; a list matches any of its values (empty: any).

    `time_from` and `time_to` are inclusive.
    """

    action_groups: Sequence[ActionGroup] = ()
    actions: Sequence[str] = ()
    usernames: Sequence[str] = ()
    result: ActionResult | None = None
    customer_id: int | None = None
    ip_address: str | None = None
    time_from: datetime | None = None
    time_to: datetime | None = None

    def __post_init__(self) -> None:
        """Each text is checked against the column it is compared with, and a list may
        name at most MAX_FILTER_VALUES distinct values: BAD_USER_INPUT otherwise."""
        ACTIONS_FILTER.check_each(self.actions, most=MAX_FILTER_VALUES)
        USERNAMES_FILTER.check_each(self.usernames, most=MAX_FILTER_VALUES)
        IP_ADDRESS_FILTER.check_optional(self.ip_address)


@dataclass(frozen=True, slots=True)
class SessionLogFilter:
    """All given conditions must hold; the start bounds are inclusive."""

    admin_username: str | None = None
    customer_id: int | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None
    active_only: bool = False

    def __post_init__(self) -> None:
        ADMIN_USERNAME_FILTER.check_optional(self.admin_username)


@dataclass(frozen=True, slots=True)
class Keyset:
    """An order on (a time column, id) and the opaque cursors that mark a place in it."""

    name: str
    time: Any
    id: Any

    def cursor(self, at: datetime, row_id: int) -> str:
        text = f"{self.name}:{at.isoformat(timespec='microseconds')}|{row_id}"
        return base64.urlsafe_b64encode(text.encode()).decode()

    def position(self, cursor: str) -> tuple[datetime, int]:
        """The (time, id) a cursor names; anything else is BAD_USER_INPUT."""
        name, _, rest = cursor_text(cursor).partition(":")
        at_text, _, id_text = rest.rpartition("|")
        at, row_id = parse_instant(at_text), parse_row_id(id_text)
        if name != self.name or at is None or row_id is None:
            raise invalid_cursor(cursor)
        return at, row_id

    def beyond(self, cursor: str, *, descending: bool) -> ColumnElement[bool]:
        """Rows after the cursor's place: `(time, id) < (t, i)` newest first, `>` oldest first.

        Written without row values so both engines accept it; the leading bound on the
        time column alone lets an index on (..., time, id) start its range scan there.
        """
        at, row_id = self.position(cursor)
        if descending:
            return and_(
                self.time <= at, or_(self.time < at, and_(self.time == at, self.id < row_id))
            )
        return and_(self.time >= at, or_(self.time > at, and_(self.time == at, self.id > row_id)))

    def page_statement(
        self, statement: Statement, *, descending: bool, size: int, after: str | None
    ) -> Statement:
        """`statement` (filtered) as one page: `size + 1` rows after `after`, in order."""
        if after is not None:
            statement = statement.where(self.beyond(after, descending=descending))
        order = (self.time.desc(), self.id.desc()) if descending else (self.time, self.id)
        return statement.order_by(*order).limit(size + 1)


LOG_KEYSET = Keyset("log", col(AdminActionLogEntry.time), col(AdminActionLogEntry.id))
SESSION_KEYSET = Keyset(
    "session", col(LoginAsCustomerSession.started_at), col(LoginAsCustomerSession.id)
)


def action_groups() -> list[tuple[ActionGroup, str]]:
    """Every action group with its label (DESIGN.md section 8), in a fixed order."""
    return [(group, ACTION_GROUP_LABELS[group]) for group in ActionGroup]


def log_conditions(where: AdminActionLogFilter) -> list[ColumnElement[bool]]:
    entry = AdminActionLogEntry
    conditions: list[ColumnElement[bool]] = []
    if where.action_groups:
        conditions.append(
            col(entry.action_group).in_(sorted({g.value for g in where.action_groups}))
        )
    if where.actions:
        conditions.append(col(entry.action).in_(sorted(set(where.actions))))
    if where.usernames:
        conditions.append(col(entry.username).in_(sorted(set(where.usernames))))
    if where.result is not None:
        conditions.append(col(entry.result) == where.result.value)
    if where.customer_id is not None:
        conditions.append(col(entry.customer_id) == where.customer_id)
    if where.ip_address is not None:
        conditions.append(col(entry.ip_address) == where.ip_address)
    if where.time_from is not None:
        conditions.append(col(entry.time) >= where.time_from)
    if where.time_to is not None:
        conditions.append(col(entry.time) <= where.time_to)
    return conditions


def admin_action_log_statement(
    where: AdminActionLogFilter,
    *,
    sort: LogSort,
    first: int | None,
    after: str | None,
    columns: Collection[str] = ENTRY_COLUMNS,
) -> Select[Any]:
    """The one statement a page of `adminActionLog` runs (public so tests can EXPLAIN it):
    only `columns` (always with id and time, which the cursors need), no ORM objects."""
    table = AdminActionLogEntry.__table__  # type: ignore[attr-defined]
    wanted = [table.c[name] for name in ENTRY_COLUMNS if name in {*columns, "id", "time"}]
    return LOG_KEYSET.page_statement(
        sa_select(*wanted).where(*log_conditions(where)),
        descending=sort is LogSort.TIME_DESC,
        size=page_size(first),
        after=after,
    )


async def list_admin_action_log(
    ctx: ServiceContext,
    *,
    where: AdminActionLogFilter,
    sort: LogSort,
    first: int | None,
    after: str | None,
    columns: Collection[str] = ENTRY_COLUMNS,
) -> Page[LogRow]:
    """One page of log entries matching `where`, as rows of `columns` (plus id and time);
    the total is counted only when asked (see `counted_total`)."""
    statement = admin_action_log_statement(
        where, sort=sort, first=first, after=after, columns=columns
    )
    # Core rows through the session's connection: no ORM objects for a read-only page
    rows = (await (await ctx.db.connection()).execute(statement)).all()

    async def count() -> int:
        counted = counted_filter(where)
        if counted is not None:
            return await counted_total(ctx.db, counted)
        total = select(func.count()).select_from(AdminActionLogEntry).where(*log_conditions(where))
        return (await ctx.db.exec(total)).one()

    return _page(LOG_KEYSET, rows, first=page_size(first), time_of=_row_time, count=count)


def counted_filter(where: AdminActionLogFilter) -> CountedFilter | None:
    """`where` as the counters can answer it, or None when it filters on anything else."""
    if where.usernames or where.customer_id is not None or where.ip_address is not None:
        return None
    return CountedFilter(
        action_groups=tuple(sorted({group.value for group in where.action_groups})),
        actions=tuple(sorted(set(where.actions))),
        results=(where.result.value,) if where.result is not None else (),
        time_from=where.time_from,
        time_to=where.time_to,
    )


def session_conditions(where: SessionLogFilter) -> list[ColumnElement[bool]]:
    session = LoginAsCustomerSession
    conditions: list[ColumnElement[bool]] = []
    if where.admin_username is not None:
        conditions.append(col(session.admin_username) == where.admin_username)
    if where.customer_id is not None:
        conditions.append(col(session.customer_id) == where.customer_id)
    if where.started_from is not None:
        conditions.append(col(session.started_at) >= where.started_from)
    if where.started_to is not None:
        conditions.append(col(session.started_at) <= where.started_to)
    if where.active_only:
        conditions.append(col(session.state).in_(LIVE_STATES))
    return conditions


async def list_login_as_customer_sessions(
    ctx: ServiceContext, *, where: SessionLogFilter, first: int | None, after: str | None
) -> Page[LoginAsCustomerSession]:
    """One page of sessions matching `where`, newest first.

    Sessions past their end are ended (EXPIRED) first, as `activeLoginAsCustomerSessions`
    does, so no state shown is stale.
    """
    size = page_size(first)
    conditions = session_conditions(where)
    statement = SESSION_KEYSET.page_statement(
        select(LoginAsCustomerSession).where(*conditions), descending=True, size=size, after=after
    )
    await sweep_due_sessions(ctx)
    rows = (await ctx.db.exec(statement)).all()

    async def count() -> int:
        total = select(func.count()).select_from(LoginAsCustomerSession).where(*conditions)
        return (await ctx.db.exec(total)).one()

    return session_page(rows, first=size, count=count)


def session_page(
    rows: Sequence[LoginAsCustomerSession], *, first: int, count: Callable[[], Awaitable[int]]
) -> Page[LoginAsCustomerSession]:
    """Up to `first + 1` sessions read with `SESSION_KEYSET.page_statement` as one page,
    whose cursors continue the same order."""
    return _page(SESSION_KEYSET, rows, first=first, time_of=_session_start, count=count)


def _row_time(row: LogRow) -> datetime:
    at: datetime = row.time
    return at


def _session_start(row: LoginAsCustomerSession) -> datetime:
    return row.started_at


def _page(
    keyset: Keyset,
    rows: Sequence[Row],
    *,
    first: int,
    time_of: Callable[[Row], datetime],
    count: Callable[[], Awaitable[int]],
) -> Page[Row]:
    shown = rows[:first]
    return Page(
        rows=shown,
        cursors=[keyset.cursor(time_of(row), require_id(row)) for row in shown],
        has_next_page=len(rows) > first,
        count=count,
    )
