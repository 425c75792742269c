"""`adminActionLog.totalCount` from per-day counters: always equal to an exact count of the
entries, after successful writes, failed mutations, rolled-back changes, concurrent writers
and prune; a page reads only the columns it shows; and the statements a page runs."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.engine import create_engine
from lac.db.migrate import alembic_config
from lac.db.models import AdminActionLogCounter, AdminActionLogEntry
from lac.resolvers.errors import LacError
from lac.resolvers.log.upkeep import prune_log
from lac.resolvers.log.writer import Action, ActionRecord, log_success, run_logged
from lac.schema.scalars import serialize_datetime
from tests.databases import fresh_database
from tests.support import TEST_START, Api
from tests.test_audit_log import statements
from tests.test_log_chain import context, write_actions

COUNT = """
query Count($filter: AdminActionLogFilter) {
  adminActionLog(filter: $filter, first: 50) { totalCount }
}
"""
PAGE = """
query Page($filter: AdminActionLogFilter) {
  adminActionLog(filter: $filter, first: 50) {
    totalCount edges { cursor node { id time actionGroup action result } }
  }
}
"""
FAILED_LOGIN = 'mutation { adminLogin(username: "viewer", password: "Nope1234") { token } }'
START = "mutation($id: ID!) { loginAsCustomer(input: {customerId: $id}) { secret } }"


def wire(at: datetime) -> str:
    return serialize_datetime(at)


def midnight(day: int) -> datetime:
    """The UTC midnight starting TEST_START's day + `day`."""
    return datetime.combine(TEST_START.date(), datetime.min.time(), UTC) + timedelta(days=day)


# filters the counters answer (whole days, partial days at either edge, open ends) and
# filters they cannot (usernames, customer, address), each compared with an exact count
FILTERS: list[dict[str, Any]] = [
    {},
    {"actionGroups": ["ADMIN_SESSIONS"]},
    {"actionGroups": ["ADMIN_SESSIONS", "STORES_CONFIG"], "result": "FAILURE"},
    {"actions": ["config.update"]},
    {"result": "SUCCESS"},
    {"from": wire(midnight(1))},
    {"to": wire(midnight(2) - timedelta(microseconds=1))},
    {"from": wire(midnight(1)), "to": wire(midnight(3) - timedelta(microseconds=1))},
    {"actionGroups": ["ADMIN_SESSIONS"], "from": wire(TEST_START + timedelta(hours=3))},
    {"actionGroups": ["ADMIN_SESSIONS"], "to": wire(midnight(2) + timedelta(hours=13))},
    {"from": wire(TEST_START + timedelta(hours=1)), "to": wire(midnight(2) + timedelta(hours=1))},
    {"from": wire(TEST_START), "to": wire(TEST_START + timedelta(hours=2))},
    {"to": wire(midnight(2))},  # inclusive: the entries at exactly midnight count
    {"from": "9999-12-31T23:59:59.999999Z"},  # no day after it: counted entry by entry
    {"to": "9999-12-31T23:59:59.999999Z", "actionGroups": ["SECURITY"]},
    {"usernames": ["viewer"]},
    {"actionGroups": ["ADMIN_SESSIONS"], "ipAddress": "203.0.113.7"},
]


def matches(entry: AdminActionLogEntry, where: dict[str, Any]) -> bool:
    """The filter's meaning, evaluated in Python over every entry: the exact answer."""
    time_from = datetime.fromisoformat(where["from"]) if "from" in where else None
    time_to = datetime.fromisoformat(where["to"]) if "to" in where else None
    return (
        entry.action_group in where.get("actionGroups", [entry.action_group])
        and entry.action in where.get("actions", [entry.action])
        and entry.result == where.get("result", entry.result)
        and entry.username in where.get("usernames", [entry.username])
        and entry.ip_address == where.get("ipAddress", entry.ip_address)
        and (time_from is None or entry.time >= time_from)
        and (time_to is None or entry.time <= time_to)
    )


async def assert_counts_exact(api: Api, db: AsyncSession) -> None:
    """Counters equal a GROUP BY of the entries, and every filter's totalCount equals the
    number of entries it matches."""
    await db.rollback()  # a fresh snapshot
    entries = (await db.exec(select(AdminActionLogEntry))).all()
    expected = Counter(
        (e.time.astimezone(UTC).date(), e.action_group, e.action, e.result) for e in entries
    )
    counters = (await db.exec(select(AdminActionLogCounter))).all()
    assert {(c.day, c.action_group, c.action, c.result): c.entries for c in counters} == dict(
        expected
    )
    auditor = await api.admin_token("auditor", "Auditor123!")
    await db.rollback()
    entries = (await db.exec(select(AdminActionLogEntry))).all()  # with the auditor's sign-in
    for where in FILTERS:
        data = await api.data(COUNT, {"filter": where}, token=auditor)
        exact = sum(1 for entry in entries if matches(entry, where))
        assert data["adminActionLog"]["totalCount"] == exact, where


async def write_days(api: Api, db: AsyncSession, clock: ManualClock, settings: Settings) -> None:
    """Entries over four days: failed sign-ins, a refused Login-as-Customer start (its
    FAILURE entry), config changes, and changes that roll back after logging."""
    ctx = context(db, clock, settings, "counters")

    async def fail_after_logging(record: ActionRecord) -> None:
        """A change that writes its SUCCESS entry, then fails: both roll back."""
        await log_success(ctx, record)
        raise LacError.bad_input("changed my mind")

    for day in range(4):
        for _ in range(day + 1):
            await api.call(FAILED_LOGIN)
            clock.advance(hours=5)
        admin = await api.admin_token("support", "Support123!")
        body = await api.call(START, {"id": "999999"}, token=admin)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"

        async def configure(record: ActionRecord, day: int = day) -> None:
            record.details["day"] = day

        await run_logged(ctx, Action.CONFIG_UPDATE, configure)
        with pytest.raises(LacError):
            await run_logged(ctx, Action.CONFIG_UPDATE, fail_after_logging)
        clock.advance(seconds=(midnight(day + 1) - clock.now()).total_seconds())
        # an entry at exactly midnight
        await api.call(FAILED_LOGIN)


async def test_counts_equal_an_exact_count_after_writes_failures_and_rollbacks(
    api: Api, db_session: AsyncSession, clock: ManualClock, settings: Settings
) -> None:
    await write_days(api, db_session, clock, settings)
    failures = (
        await db_session.exec(
            select(AdminActionLogEntry).where(
                AdminActionLogEntry.action == "config.update",
                AdminActionLogEntry.result == "FAILURE",
            )
        )
    ).all()
    assert len(failures) == 4  # one FAILURE entry per failed change, its SUCCESS rolled back
    await assert_counts_exact(api, db_session)


async def test_prune_keeps_the_counts_exact(
    api: Api, db_session: AsyncSession, clock: ManualClock, settings: Settings
) -> None:
    await write_days(api, db_session, clock, settings)
    ctx = context(db_session, clock, settings, "prune")
    assert (await prune_log(ctx, before=midnight(2) + timedelta(hours=7))).deleted > 0
    await assert_counts_exact(api, db_session)
    assert (await prune_log(ctx, before=clock.now() + timedelta(days=30))).deleted > 0
    await assert_counts_exact(api, db_session)


async def test_every_prune_batch_keeps_the_counts_exact(
    api: Api, db_session: AsyncSession, clock: ManualClock, settings: Settings
) -> None:
    """A prune stopped after each batch of 4: the entries not yet deleted are still
    listed and counted, the deleted ones neither, at every commit."""
    await write_days(api, db_session, clock, settings)
    ctx = context(db_session, clock, settings, "prune")
    before = midnight(3) + timedelta(hours=2)
    pruned = await prune_log(ctx, before=before, batch_size=4, max_batches=0)
    deleted = 0
    while True:
        await assert_counts_exact(api, db_session)
        step = await prune_log(ctx, before=before, batch_size=4, max_batches=1)
        deleted += step.deleted
        if step.finished:
            break
        assert 0 < step.deleted <= 4
    assert deleted == pruned.cut_off > 8
    await assert_counts_exact(api, db_session)
    entry = AdminActionLogEntry
    oldest = (await db_session.exec(select(entry).order_by(col(entry.id)).limit(1))).one()
    assert oldest.time >= before


async def test_concurrent_writers_are_all_counted(
    api: Api, engine: AsyncEngine, clock: ManualClock, settings: Settings, db_session: AsyncSession
) -> None:
    await asyncio.gather(*[write_actions(engine, clock, settings, w, 25) for w in range(8)])
    counter = (
        await db_session.exec(
            select(AdminActionLogCounter).where(AdminActionLogCounter.action == "config.update")
        )
    ).one()
    assert (counter.day, counter.entries) == (TEST_START.date(), 200)
    await assert_counts_exact(api, db_session)


async def test_a_log_page_runs_one_statement_and_one_for_its_total(
    api: Api, engine: AsyncEngine
) -> None:
    """Sign-in (identity) aside, a page of a group reads one statement, its total one more,
    and the page selects only the columns the query shows (no `details`)."""
    auditor = await api.admin_token("auditor", "Auditor123!")
    for _ in range(3):
        await api.call(FAILED_LOGIN)
    where = {"actionGroups": ["ADMIN_SESSIONS"]}
    with statements(engine) as seen:
        data = await api.data(PAGE, {"filter": where}, token=auditor)
    assert data["adminActionLog"]["totalCount"] == 4  # the auditor's sign-in, 3 failed
    on_log = [s for s in seen if "admin_action_log" in s]
    assert len(on_log) == 2, on_log
    page, total = on_log
    assert "details" not in page
    assert "user_agent" not in page
    assert "admin_action_log_counter" in total
    assert "admin_action_log." not in total.split("FROM admin_action_log_counter")[1]


async def test_the_migration_backfills_the_counters(tmp_path: Path) -> None:
    """Entries written before 0007 are counted by the migration itself."""
    with fresh_database(tmp_path) as url:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, "0006")
        engine = create_engine(url)
        days = [datetime(2026, 1, 1, 23, 59, tzinfo=UTC), datetime(2026, 1, 2, 0, 0, tzinfo=UTC)]
        rows = [
            {
                "time": at,
                "action_group": "SECURITY",
                "action": "access.denied",
                "result": "FAILURE",
                "full_action_name": "query",
                "details": "{}",
            }
            for at in [days[0], days[0], days[1]]
        ]
        try:
            async with engine.begin() as connection:
                await connection.execute(AdminActionLogEntry.__table__.insert(), rows)  # type: ignore[attr-defined]
            await asyncio.to_thread(command.upgrade, config, "0007")
            async with engine.connect() as connection:
                counted = (
                    await connection.execute(
                        text("SELECT day, entries FROM admin_action_log_counter ORDER BY day")
                    )
                ).all()
        finally:
            await engine.dispose()
    assert [(str(day), n) for day, n in counted] == [("2026-01-01", 2), ("2026-01-02", 1)]
