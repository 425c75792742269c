"""The admin action log is tamper-evident: a hash chain that parallel writers never fork,
that names the first edited entry, and that survives pruning (DESIGN.md section 8)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, delete, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.core.clock import ManualClock
from lac.core.settings import Settings
from lac.db.engine import begin_write
from lac.db.models import AdminActionLogEntry
from lac.db.session import session_factory
from lac.resolvers.auth.principals import Anonymous
from lac.resolvers.context import Client, ServiceContext
from lac.resolvers.log.chain import Verification
from lac.resolvers.log.upkeep import Pruned, prune_log, verify_log
from lac.resolvers.log.writer import Action, ActionRecord, ActionResult, run_logged, write_entry
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
    assert (await prune_log(ctx, before=cutoff)).deleted == 3
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
    assert (await prune_log(ctx, before=clock.now() + timedelta(days=1))).deleted == 3
    assert (await verify_log(ctx)).valid
    await api.call('mutation { adminLogin(username: "viewer", password: "Nope1234") { token } }')
    await db_session.rollback()  # a fresh snapshot that sees the new entry
    result = await verify_log(ctx)
    assert (result.valid, result.checked_entries) == (True, 2)


async def old_and_new(
    engine: AsyncEngine, clock: ManualClock, settings: Settings, old: int, new: int = 2
) -> datetime:
    """`old` entries, then two days later `new` ones; returns a cutoff between them."""
    await write_actions(engine, clock, settings, 0, old)
    clock.advance(days=2)
    await write_actions(engine, clock, settings, 1, new)
    return clock.now() - timedelta(days=1)


async def entry_ids(db: AsyncSession) -> list[int | None]:
    await db.rollback()  # a fresh snapshot
    entry = AdminActionLogEntry
    return list((await db.exec(select(entry.id).order_by(col(entry.id)))).all())


async def test_an_interrupted_prune_verifies_and_the_next_one_finishes(
    engine: AsyncEngine, clock: ManualClock, settings: Settings, db_session: AsyncSession
) -> None:
    cutoff = await old_and_new(engine, clock, settings, 20)
    ctx = context(db_session, clock, settings, "prune")
    # the checkpoint only (as if it crashed right after): 20 entries cut off, all still there
    assert await prune_log(ctx, before=cutoff, batch_size=6, max_batches=0) == Pruned(20, 0, False)
    assert await entry_ids(db_session) == list(range(1, 24))
    assert await verify_log(ctx) == Verification(True, 23, None)
    # one batch of 6 ids: the oldest go
    assert await prune_log(ctx, before=cutoff, batch_size=6, max_batches=1) == Pruned(0, 6, False)
    assert await entry_ids(db_session) == list(range(7, 25))
    assert await verify_log(ctx) == Verification(True, 18, None)
    # the next prune (same date) deletes the rest, in three batches
    assert await prune_log(ctx, before=cutoff, batch_size=6) == Pruned(0, 14, True)
    assert await entry_ids(db_session) == list(range(21, 26))
    assert await verify_log(ctx) == Verification(True, 5, None)
    checkpoints = (
        await db_session.exec(
            select(AdminActionLogEntry.details).where(
                AdminActionLogEntry.action == "log.checkpoint"
            )
        )
    ).all()
    anchors = {(d["firstEntryId"], d["previousHash"]) for d in map(json.loads, checkpoints)}
    assert len(checkpoints) == 3
    assert len(anchors) == 1  # a prune never moves the start back


def edit(entry_id: int) -> Any:
    entry = AdminActionLogEntry
    return update(entry).where(col(entry.id) == entry_id).values(details='{"n": -1}')


def remove(entry_id: int) -> Any:
    return delete(AdminActionLogEntry).where(col(AdminActionLogEntry.id) == entry_id)


async def forge_checkpoint(ctx: ServiceContext, first_id: int, previous_id: int) -> None:
    """A checkpoint written by someone who can seal it (and so chains correctly)."""
    entry = AdminActionLogEntry
    previous = (await ctx.db.exec(select(entry.hash).where(entry.id == previous_id))).one()
    await begin_write(ctx.db)
    details = {"firstEntryId": first_id, "previousHash": previous}
    await write_entry(
        ctx, action=Action.LOG_CHECKPOINT, result=ActionResult.SUCCESS, details=details
    )
    await ctx.db.commit()


async def edit_behind_a_forged_checkpoint(ctx: ServiceContext) -> None:
    await change(ctx.db, edit(21))
    await forge_checkpoint(ctx, 22, 21)


# After a prune cut off entries 1-20 and deleted 1-6: 7-20 wait for deletion, 21 and 22
# are kept, 23 is the checkpoint of the interrupted prune and 24 that of the second one.
Tampering = Callable[[ServiceContext], Awaitable[None]]
TAMPERING: dict[str, tuple[Tampering, int]] = {
    "edited below the cut": (lambda ctx: change(ctx.db, edit(9)), 9),
    "removed below the cut": (lambda ctx: change(ctx.db, remove(9)), 10),
    "edited last below the cut": (lambda ctx: change(ctx.db, edit(20)), 20),
    "edited above the cut": (lambda ctx: change(ctx.db, edit(22)), 22),
    "removed first above the cut": (lambda ctx: change(ctx.db, remove(21)), 22),
    "checkpoint edited": (lambda ctx: change(ctx.db, edit(24)), 24),
    "entry turned into a checkpoint": (
        lambda ctx: change(
            ctx.db,
            update(AdminActionLogEntry)
            .where(col(AdminActionLogEntry.id) == 22)
            .values(action="log.checkpoint", details='{"firstEntryId": 22, "previousHash": ""}'),
        ),
        22,
    ),
    # a sealed checkpoint moving the start past an edited entry does not hide the edit
    "edit behind a forged checkpoint": (edit_behind_a_forged_checkpoint, 21),
    "forged checkpoint starting after itself": (lambda ctx: forge_checkpoint(ctx, 99, 24), 25),
}


@pytest.mark.parametrize("tampering", TAMPERING, ids=list(TAMPERING))
async def test_tampering_is_named_during_and_after_a_prune(
    tampering: str,
    engine: AsyncEngine,
    clock: ManualClock,
    settings: Settings,
    db_session: AsyncSession,
) -> None:
    cutoff = await old_and_new(engine, clock, settings, 20)
    ctx = context(db_session, clock, settings, "prune")
    await prune_log(ctx, before=cutoff, batch_size=6, max_batches=0)
    await prune_log(ctx, before=cutoff, batch_size=6, max_batches=1)
    assert await entry_ids(db_session) == list(range(7, 25))
    tamper, broken = TAMPERING[tampering]
    await tamper(ctx)
    await db_session.rollback()
    assert (await verify_log(ctx)).first_broken_entry_id == broken


async def test_a_log_write_does_not_wait_for_a_whole_prune(
    engine: AsyncEngine, clock: ManualClock, settings: Settings, db_session: AsyncSession
) -> None:
    """While a prune deletes 100 entries one at a time, log writes commit between its
    batches (ids after its checkpoint, while it still runs), and the chain holds."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's one write lock lets a waiting writer in whenever it can")
    await asyncio.gather(*[write_actions(engine, clock, settings, w, 25) for w in range(4)])
    clock.advance(days=2)

    async def prune() -> Pruned:
        async with session_factory(engine)() as session:
            ctx = context(session, clock, settings, "prune")
            return await prune_log(ctx, before=clock.now(), batch_size=1)

    pruning = asyncio.create_task(prune())
    written_while_pruning: list[int] = []
    async with session_factory(engine)() as session:
        ctx = context(session, clock, settings, "writer")
        while not pruning.done():
            await run_logged(ctx, Action.CONFIG_UPDATE, lambda record: asyncio.sleep(0))
            head = (await session.exec(select(func.max(AdminActionLogEntry.id)))).one()
            if not pruning.done() and head is not None:
                written_while_pruning.append(head)
    assert (await pruning).deleted == 100
    entry = AdminActionLogEntry
    checkpoint = (
        await db_session.exec(select(entry.id).where(entry.action == "log.checkpoint"))
    ).one()
    # written after the checkpoint, committed before the prune ended
    assert any(entry_id > (checkpoint or 0) for entry_id in written_while_pruning)
    ctx = context(db_session, clock, settings, "test")
    assert (await verify_log(ctx)).valid


async def test_viewer_may_not_verify(api: Api) -> None:
    viewer = await api.admin_token("viewer", "Viewer123!")
    assert await api.error_code(VERIFY, token=viewer) == "FORBIDDEN"
