"""The admin action log is tamper-evident: a hash chain that parallel writers never fork,
that names the first edited entry, and that survives pruning (DESIGN.md section 8)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.engine import begin_write
from lac.db.models import AdminActionLogEntry
from lac.db.session import session_factory
from lac.resolvers.auth.principals import Anonymous
from lac.resolvers.context import Client, ServiceContext
from lac.resolvers.log.upkeep import prune_log, verify_log
from lac.resolvers.log.writer import Action, ActionRecord, run_logged
from tests.support import Api

VERIFY = "{ verifyAdminActionLog { valid checkedEntries firstBrokenEntryId } }"


def context(
    session: AsyncSession, clock: ManualClock, settings: Settings, name: str
) -> ServiceContext:
    return ServiceContext(
        db=session,
        clock=clock,
        settings=settings,
        principal=Anonymous(),
        client=Client(ip_address="198.51.100.9", user_agent=name),
        full_action_name=name,
    )


async def write_actions(
    engine: AsyncEngine, clock: ManualClock, settings: Settings, writer: int, count: int
) -> None:
    async with session_factory(engine)() as session:
        ctx = context(session, clock, settings, f"writer {writer}")
        for n in range(count):

            async def act(record: ActionRecord, n: int = n) -> None:
                record.details["n"] = n

            await run_logged(ctx, Action.CONFIG_UPDATE, act)


async def change(db: AsyncSession, *statements: Any) -> None:
    await begin_write(db)
    for statement in statements:
        await db.exec(statement)
    await db.commit()


async def test_parallel_writers_never_fork_the_chain(
    api: Api, engine: AsyncEngine, clock: ManualClock, settings: Settings, db_session: AsyncSession
) -> None:
    await asyncio.gather(*[write_actions(engine, clock, settings, w, 100) for w in range(8)])
    ids = (
        await db_session.exec(select(AdminActionLogEntry.id).order_by(col(AdminActionLogEntry.id)))
    ).all()
    assert ids == list(range(1, 801))
    result = await verify_log(context(db_session, clock, settings, "test"))
    assert (result.valid, result.checked_entries, result.first_broken_entry_id) == (True, 800, None)
    auditor = await api.admin_token("auditor", "Auditor123!")
    assert (await api.data(VERIFY, token=auditor))["verifyAdminActionLog"] == {
        "valid": True,
        "checkedEntries": 801,
        "firstBrokenEntryId": None,
    }


async def test_an_edited_entry_is_named(api: Api, db_session: AsyncSession) -> None:
    for _ in range(5):
        await api.call(
            'mutation { adminLogin(username: "support", password: "Nope1234") { token } }'
        )
    auditor = await api.admin_token("auditor", "Auditor123!")
    assert (await api.data(VERIFY, token=auditor))["verifyAdminActionLog"]["valid"] is True
    await change(
        db_session,
        update(AdminActionLogEntry)
        .where(col(AdminActionLogEntry.id) == 3)
        .values(details='{"code": "SUCCESS"}'),
    )
    assert (await api.data(VERIFY, token=auditor))["verifyAdminActionLog"] == {
        "valid": False,
        "checkedEntries": 3,
        "firstBrokenEntryId": "3",
    }


async def test_a_removed_entry_is_noticed(api: Api, db_session: AsyncSession) -> None:
    for _ in range(4):
        await api.call(
            'mutation { adminLogin(username: "viewer", password: "Nope1234") { token } }'
        )
    await change(db_session, delete(AdminActionLogEntry).where(col(AdminActionLogEntry.id) == 2))
    auditor = await api.admin_token("auditor", "Auditor123!")
    result = (await api.data(VERIFY, token=auditor))["verifyAdminActionLog"]
    assert (result["valid"], result["firstBrokenEntryId"]) == (False, "3")


async def test_pruning_keeps_the_chain_verifiable(
    api: Api, db_session: AsyncSession, clock: ManualClock, settings: Settings
) -> None:
    for _ in range(3):
        await api.call(
            'mutation { adminLogin(username: "viewer", password: "Nope1234") { token } }'
        )
    clock.advance(days=2)
    cutoff = clock.now() - timedelta(days=1)
    for _ in range(2):
        await api.call(
            'mutation { adminLogin(username: "viewer", password: "Nope1234") { token } }'
        )
    ctx = context(db_session, clock, settings, "test")
    assert await prune_log(ctx, before=cutoff) == 3
    entries = (
        await db_session.exec(select(AdminActionLogEntry).order_by(col(AdminActionLogEntry.id)))
    ).all()
    assert [e.action for e in entries] == [
        "admin.login_failed",
        "admin.login_failed",
        "log.checkpoint",
    ]
    assert entries[-1].action_group == "SECURITY"
    assert (await verify_log(ctx)).valid
    # pruning everything leaves the checkpoint alone, still verifiable, and the chain goes on
    assert await prune_log(ctx, before=clock.now() + timedelta(days=1)) == 3
    assert (await verify_log(ctx)).valid
    await api.call('mutation { adminLogin(username: "viewer", password: "Nope1234") { token } }')
    await db_session.rollback()  # a fresh snapshot that sees the new entry
    result = await verify_log(ctx)
    assert (result.valid, result.checked_entries) == (True, 2)


async def test_viewer_may_not_verify(api: Api) -> None:
    viewer = await api.admin_token("viewer", "Viewer123!")
    assert await api.error_code(VERIFY, token=viewer) == "FORBIDDEN"
