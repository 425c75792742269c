"""Exact `totalCount` of the admin action log without counting millions of rows.

Every entry adds one to its (UTC day, group, action, result) counter in the same
transaction that writes it (`count_entry`, called by the one writer), so a rolled-back
change takes its count with it and a FAILURE entry is counted once. Prune subtracts what
it deletes in the transaction that deletes it, batch by batch (`uncount`). A filter on
groups, actions, result and a time range is then answered from the counters for the whole
UTC days it covers plus an indexed COUNT of the partial days at its two edges, in one
statement (one snapshot); any other filter (usernames, customer, address) falls back to an
exact COUNT of the log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import AdminActionLogCounter, AdminActionLogEntry
from lac.db.upsert import add_to_counter

MICROSECOND = timedelta(microseconds=1)


async def count_entry(session: AsyncSession, entry: AdminActionLogEntry) -> None:
    """Count `entry` in its day's counter, in the caller's transaction."""
    key = {
        "day": entry.time.astimezone(UTC).date(),
        "action_group": entry.action_group,
        "action": entry.action,
        "result": entry.result,
    }
    await add_to_counter(session, AdminActionLogCounter, key, "entries", 1)


async def uncount(session: AsyncSession, entries: Iterable[tuple[datetime, str, str, str]]) -> None:
    """Subtract deleted entries (time, group, action, result) from their counters, and drop
    the counters that reach zero, in the caller's transaction (the one deleting them)."""
    pruned = Counter(
        (at.astimezone(UTC).date(), group, action, result) for at, group, action, result in entries
    )
    if not pruned:
        return
    counter = AdminActionLogCounter
    subtract = (
        update(counter)
        .where(
            col(counter.day) == bindparam("d"),
            col(counter.action_group) == bindparam("g"),
            col(counter.action) == bindparam("a"),
            col(counter.result) == bindparam("r"),
        )
        .values(entries=col(counter.entries) - bindparam("n"))
    )
    connection = await session.connection()
    await connection.execute(
        subtract,
        [{"d": d, "g": g, "a": a, "r": r, "n": n} for (d, g, a, r), n in sorted(pruned.items())],
    )
    await session.exec(delete(counter).where(col(counter.entries) <= 0))


@dataclass(frozen=True, slots=True)
class CountedFilter:
    """A log filter the counters can answer: lists of groups, actions and results (empty:
    any) and an inclusive time range (None: unbounded)."""

    action_groups: tuple[str, ...]
    actions: tuple[str, ...]
    results: tuple[str, ...]
    time_from: datetime | None
    time_to: datetime | None


def _next_midnight(at: datetime) -> datetime:
    """`at` when it is a UTC midnight, else the UTC midnight after it."""
    at = at.astimezone(UTC)
    midnight = datetime.combine(at.date(), time(), UTC)
    return midnight if midnight == at else midnight + timedelta(days=1)


def _whole_days(where: CountedFilter) -> tuple[datetime | None, datetime | None] | None:
    """The UTC midnights [start, end) bounding the whole days inside the range (None for an
    open side), or None when the range holds no whole day (or reaches the calendar's end)."""
    try:
        start = _next_midnight(where.time_from) if where.time_from is not None else None
        # the last whole day ends at the midnight at or before `to` + 1 microsecond
        end = None
        if where.time_to is not None:
            after = (where.time_to + MICROSECOND).astimezone(UTC)
            end = datetime.combine(after.date(), time(), UTC)
    except OverflowError:  # a bound in the last day of year 9999: count the entries
        return None
    if start is not None and end is not None and start >= end:
        return None
    return start, end


def _matching(
    table: type[AdminActionLogEntry] | type[AdminActionLogCounter], where: CountedFilter
) -> list[ColumnElement[bool]]:
    """The group, action and result conditions of `where`, on the log or its counters."""
    conditions: list[ColumnElement[bool]] = []
    if where.action_groups:
        conditions.append(col(table.action_group).in_(where.action_groups))
    if where.actions:
        conditions.append(col(table.action).in_(where.actions))
    if where.results:
        conditions.append(col(table.result).in_(where.results))
    return conditions


async def counted_total(session: AsyncSession, where: CountedFilter) -> int:
    """The exact number of entries matching `where`: counters for its whole days, an
    indexed COUNT of the entries for the partial days at its edges, in one statement."""
    entry, counter = AdminActionLogEntry, AdminActionLogCounter
    on_entry = _matching(entry, where)
    days = _whole_days(where)
    if days is None:
        return await _count_entries(session, [*on_entry, *_time_range(where)])
    start, end = days
    on_counter = _matching(counter, where)
    if start is not None:
        on_counter.append(col(counter.day) >= start.date())
    if end is not None:
        on_counter.append(col(counter.day) < end.date())
    total: ColumnElement[int] = (
        select(func.coalesce(func.sum(counter.entries), 0)).where(*on_counter).scalar_subquery()
    )
    edges: list[ColumnElement[bool]] = []
    if start is not None and where.time_from is not None and where.time_from < start:
        edges.append(and_(col(entry.time) >= where.time_from, col(entry.time) < start))
    if end is not None and where.time_to is not None and where.time_to >= end:
        edges.append(and_(col(entry.time) >= end, col(entry.time) <= where.time_to))
    if edges:
        partial = (
            select(func.count()).select_from(entry).where(*on_entry, or_(*edges)).scalar_subquery()
        )
        total = total + partial
    return int((await session.exec(select(total))).one())


def _time_range(where: CountedFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.time_from is not None:
        conditions.append(col(AdminActionLogEntry.time) >= where.time_from)
    if where.time_to is not None:
        conditions.append(col(AdminActionLogEntry.time) <= where.time_to)
    return conditions


async def _count_entries(session: AsyncSession, conditions: list[ColumnElement[bool]]) -> int:
    statement = select(func.count()).select_from(AdminActionLogEntry).where(*conditions)
    return int((await session.exec(statement)).one())
