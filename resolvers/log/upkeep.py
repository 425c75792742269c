"""Keeping the admin action log: verifying its chain and pruning old entries.

No API updates or deletes entries; pruning is an operator's command (`lac log prune`)
and leaves a `log.checkpoint` entry, so the chain still verifies afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lac.db.engine import begin_write
from lac.resolvers.context import ServiceContext
from lac.resolvers.log.chain import (
    Verification,
    delete_range,
    first_newer,
    head_id,
    oldest_id,
    plan_prune,
    verify,
)
from lac.resolvers.log.counters import uncount
from lac.resolvers.log.writer import Action, ActionResult, write_entry

PRUNE_BATCH = 10_000


async def verify_log(ctx: ServiceContext) -> Verification:
    """Recompute the whole chain (valid, entries checked, first broken entry)."""
    return await verify(ctx.db)


@dataclass(frozen=True, slots=True)
class Pruned:
    """What a prune did: entries its checkpoint cut off the chain, entries it deleted
    (with those an interrupted prune left), and whether it deleted all below the cut."""

    cut_off: int
    deleted: int
    finished: bool


async def prune_log(
    ctx: ServiceContext,
    *,
    before: datetime,
    batch_size: int = PRUNE_BATCH,
    max_batches: int | None = None,
) -> Pruned:
    """Cut off the entries older than `before` with a checkpoint, then delete them.

    Writers wait for no more than a batch: the first newer entry is looked up before the
    chain lock, the checkpoint (under the lock) is one short transaction, and then each
    transaction deletes at most `batch_size` ids (the oldest first, one index range)
    without the chain lock, subtracting exactly the entries it deleted from the counters
    before it commits. So `totalCount` is exact after every commit: entries not yet
    deleted are still listed and counted. Stopped after `max_batches` (or by a crash),
    the log still verifies and counts right, and the next prune deletes the rest."""
    seen_head = await head_id(ctx.db)
    newer = await first_newer(ctx.db, before=before)
    await begin_write(ctx.db)
    plan = await plan_prune(ctx.db, before=before, newer=newer, seen_head=seen_head)
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
    await ctx.db.commit()
    # the next id to delete is tracked here: asking the database for the oldest entry
    # each time would walk the index entries of every batch deleted so far (dead until
    # VACUUM), which slows each batch more than the one before
    low = await oldest_id(ctx.db) or plan.first_kept_id
    deleted = batches = 0
    while low < plan.first_kept_id and (max_batches is None or batches < max_batches):
        high = min(low + batch_size, plan.first_kept_id)
        await begin_write(ctx.db, chain=False)
        batch = await delete_range(ctx.db, low, high)
        await uncount(ctx.db, batch)
        await ctx.db.commit()
        deleted, batches, low = deleted + len(batch), batches + 1, high
    return Pruned(plan.entries, deleted, finished=low >= plan.first_kept_id)
