"""The admin action log's hash chain: every entry seals the one before it.

`hash = sha256(previous hash + canonical entry)`, computed here from the values written
(never from what the database returns): JSON with sorted keys, UTC timestamps with
microseconds, the entry's sequence number (its id). Appends are serialized on the
chain head (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already serializes), so
the chain never forks and the ids have no gaps. Pruning leaves a `log.checkpoint` entry
that anchors the rest, then deletes the entries below the anchor in batches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.locks import LOG_CHAIN_LOCK_KEY, advisory_xact_lock
from lac.db.models import AdminActionLogEntry
from lac.resolvers.log.entry import canonical_fields

GENESIS = ""
CHECKPOINT_ACTION = "log.checkpoint"
VERIFY_BATCH = 1000


def canonical(entry: AdminActionLogEntry) -> str:
    """The entry as the chain seals it: every column `LOG_FIELDS` chains, as compact JSON."""
    return json.dumps(
        canonical_fields(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def seal(previous_hash: str, entry: AdminActionLogEntry) -> str:
    return hashlib.sha256((previous_hash + canonical(entry)).encode()).hexdigest()


async def append(session: AsyncSession, entry: AdminActionLogEntry) -> None:
    """Give `entry` the next sequence number and its hash, and add it (caller commits)."""
    await advisory_xact_lock(session, LOG_CHAIN_LOCK_KEY)
    head = (
        await session.exec(
            select(AdminActionLogEntry.id, AdminActionLogEntry.hash)
            .order_by(col(AdminActionLogEntry.id).desc())
            .limit(1)
        )
    ).first()
    entry.id = (head[0] or 0) + 1 if head else 1
    entry.hash = seal(head[1] or GENESIS if head else GENESIS, entry)
    session.add(entry)
    await session.flush()


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    checked_entries: int
    first_broken_entry_id: int | None


@dataclass(frozen=True, slots=True)
class Anchors:
    """What the checkpoints say: the hash each anchored entry seals onto (entry 1 seals
    onto GENESIS), where the chain starts (the newest checkpoint's first kept entry, else
    1) and that checkpoint's own id."""

    sealed_onto: dict[int, str]
    first_id: int
    checkpoint_id: int | None


async def _anchors(session: AsyncSession) -> Anchors:
    checkpoints = (
        await session.exec(
            select(AdminActionLogEntry.id, AdminActionLogEntry.details)
            .where(AdminActionLogEntry.action == CHECKPOINT_ACTION)
            .order_by(col(AdminActionLogEntry.id))
        )
    ).all()
    sealed_onto, first_id = {1: GENESIS}, 1
    for _, text in checkpoints:
        try:  # one that says nothing usable anchors nothing (the walk judges its hash)
            details = json.loads(text)
            anchor, previous = int(details["firstEntryId"]), str(details["previousHash"])
        except (ValueError, KeyError, TypeError):
            continue
        first_id, sealed_onto[anchor] = anchor, previous
    return Anchors(sealed_onto, first_id, checkpoints[-1][0] if checkpoints else None)


async def entries_in_order(
    session: AsyncSession, *, from_id: int = 1, where: Sequence[ColumnElement[bool]] = ()
) -> AsyncIterator[AdminActionLogEntry]:
    """Every (matching) entry from `from_id` on, in chain order, a batch at a time, so
    millions of entries fit in memory."""
    after = from_id - 1
    while True:
        batch = (
            await session.exec(
                select(AdminActionLogEntry)
                .where(*where, col(AdminActionLogEntry.id) > after)
                .order_by(col(AdminActionLogEntry.id))
                .limit(VERIFY_BATCH)
            )
        ).all()
        for entry in batch:
            yield entry
        if len(batch) < VERIFY_BATCH:
            return
        after = batch[-1].id or after


async def oldest_id(session: AsyncSession) -> int | None:
    return (await session.exec(select(func.min(AdminActionLogEntry.id)))).one()


async def head_id(session: AsyncSession) -> int:
    return (await session.exec(select(func.max(AdminActionLogEntry.id)))).one() or 0


async def verify(session: AsyncSession) -> Verification:
    """Recompute the chain; the first entry whose hash, sequence or predecessor does not
    match is where it was edited, removed or inserted.

    The chain starts at the newest checkpoint's first kept entry, sealed onto the hash the
    checkpoint recorded. Entries below it are being pruned (a prune deletes them in
    batches after committing its checkpoint, and may be interrupted); they are checked
    too, so moving the start cannot hide an edit:

    - a checkpoint is a chain entry, and its first kept entry may not lie after it, so the
      newest checkpoint is always verified itself: an edited or inserted one breaks the
      chain where it stands, like any other entry;
    - the entries below the start must still be consecutive, each sealed onto the one
      before, and the last one must have the very hash the checkpoint recorded, so one
      removed, inserted or edited there is named as well;
    - what is no longer checked is what pruning exists to give up: deleted entries, and
      the content of the oldest entry left when its predecessor is gone (it has no hash to
      seal onto unless a checkpoint anchors it). That oldest entry is the next to go.

    As before, whoever can write the database could recompute every later hash (there is
    no key); a copy of the newest hash kept elsewhere shows that, and a forged checkpoint
    at the head would change it too.
    """
    anchors = await _anchors(session)
    if anchors.checkpoint_id is not None and anchors.first_id > anchors.checkpoint_id:
        return Verification(False, 0, anchors.checkpoint_id)
    oldest = await oldest_id(session)
    if oldest is None:
        return Verification(True, 0, None)
    expected_id = min(oldest, anchors.first_id)
    previous: str | None = None  # the hash the next entry seals onto, once known
    checked = 0
    async for entry in entries_in_order(session, from_id=expected_id):
        checked += 1
        valid = entry.id == expected_id
        anchored = anchors.sealed_onto.get(expected_id)
        if anchored is not None:
            valid = valid and previous in (None, anchored)
            previous = anchored
        if not valid or (previous is not None and entry.hash != seal(previous, entry)):
            return Verification(False, checked, entry.id)
        previous, expected_id = entry.hash, expected_id + 1
    return Verification(True, checked, None)


@dataclass(frozen=True, slots=True)
class PrunePlan:
    """Where the chain starts after a prune, the hash that start seals onto, and how many
    entries the checkpoint cuts off (they stay until `delete_range` removes them)."""

    first_kept_id: int
    previous_hash: str
    entries: int


async def first_newer(session: AsyncSession, *, before: datetime, after_id: int = 0) -> int | None:
    """The first entry (after `after_id`) written at or after `before`, if any."""
    return (
        await session.exec(
            select(func.min(AdminActionLogEntry.id)).where(
                col(AdminActionLogEntry.time) >= before, col(AdminActionLogEntry.id) > after_id
            )
        )
    ).one()


async def plan_prune(
    session: AsyncSession, *, before: datetime, newer: int | None, seen_head: int
) -> PrunePlan:
    """Under the chain lock: entries older than `before` (up to the first newer one) go,
    and the chain then starts at `first_kept_id` (the checkpoint itself when nothing newer
    remains). `newer` is `first_newer` looked up before the lock, when the head was
    `seen_head`: the search may read millions of index entries, and ids below the head
    never change, so only the entries appended since are searched here. A prune never
    moves the start back (entries an interrupted prune cut off stay cut off)."""
    await advisory_xact_lock(session, LOG_CHAIN_LOCK_KEY)
    if newer is None:
        newer = await first_newer(session, before=before, after_id=seen_head)
    anchors = await _anchors(session)
    if newer is None:
        newer = await head_id(session) + 1
    first_kept = max(newer, anchors.first_id)
    if first_kept == anchors.first_id:
        previous = anchors.sealed_onto[first_kept]
    else:
        previous = (
            await session.exec(
                select(AdminActionLogEntry.hash).where(AdminActionLogEntry.id == first_kept - 1)
            )
        ).first() or GENESIS
    return PrunePlan(first_kept, previous, entries=first_kept - anchors.first_id)


async def delete_range(
    session: AsyncSession, from_id: int, to_id: int
) -> Sequence[tuple[datetime, str, str, str]]:
    """Delete the entries from `from_id` up to (not including) `to_id`, one index range,
    and return their time, group, action and result for the counters. The caller commits."""
    entry = AdminActionLogEntry
    connection = await session.connection()
    deleted = await connection.execute(
        delete(entry)
        .where(col(entry.id) >= from_id, col(entry.id) < to_id)
        .returning(col(entry.time), col(entry.action_group), col(entry.action), col(entry.result))
    )
    return deleted.all()
