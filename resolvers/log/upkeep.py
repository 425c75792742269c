"""Keeping the admin action log: verifying its chain and pruning old entries.

No API updates or deletes entries; pruning is an operator's command (`lac log prune`)
and leaves a `log.checkpoint` entry, so the chain still verifies afterwards.
"""

from __future__ import annotations

from datetime import datetime

from lac.db.engine import begin_write
from lac.resolvers.context import ServiceContext
from lac.resolvers.log.chain import Verification, delete_before, plan_prune, verify
from lac.resolvers.log.counters import uncount_before
from lac.resolvers.log.writer import Action, ActionResult, write_entry


async def verify_log(ctx: ServiceContext) -> Verification:
    """Recompute the whole chain (valid, entries checked, first broken entry)."""
    return await verify(ctx.db)


async def prune_log(ctx: ServiceContext, *, before: datetime) -> int:
    """Delete entries older than `before`, write the checkpoint, commit; returns how many.

    The counters lose exactly what is deleted, in the same transaction, so `totalCount`
    stays exact."""
    await begin_write(ctx.db)
    plan = await plan_prune(ctx.db, before=before)
    await write_entry(
        ctx,
        action=Action.LOG_CHECKPOINT,
        result=ActionResult.SUCCESS,
        details={
            "firstEntryId": plan.first_kept_id,
            "previousHash": plan.previous_hash,
            "prunedBefore": before.isoformat(),
            "prunedEntries": plan.entries,
        },
    )
    await uncount_before(ctx.db, plan.first_kept_id)
    await delete_before(ctx.db, plan.first_kept_id)
    await ctx.db.commit()
    return plan.entries
