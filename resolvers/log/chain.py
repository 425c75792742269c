"""The admin action log's hash chain: every entry seals the one before it.

`hash = sha256(previous hash + canonical entry)`, computed here from the values written
(never from what the database returns): JSON with sorted keys, UTC timestamps with
microseconds, the entry's sequence number (its id). Appends are serialized on the
chain head (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already serializes), so
the chain never forks. Pruning leaves a `log.checkpoint` entry that anchors the rest.
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


async def _anchor(session: AsyncSession) -> tuple[int | None, str]:
    """Where the chain starts: after the newest checkpoint's pruned entries, else at genesis."""
    checkpoint = (
        await session.exec(
            select(AdminActionLogEntry)
            .where(AdminActionLogEntry.action == CHECKPOINT_ACTION)
            .order_by(col(AdminActionLogEntry.id).desc())
            .limit(1)
        )
    ).first()
    if checkpoint is None:
        return None, GENESIS
    details = json.loads(checkpoint.details)
    return int(details["firstEntryId"]), str(details["previousHash"])


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


async def verify(session: AsyncSession) -> Verification:
    """Recompute the chain; the first entry whose hash, sequence or predecessor does not
    match is where it was edited, removed or inserted."""
    first_id, previous = await _anchor(session)
    oldest = (await session.exec(select(func.min(AdminActionLogEntry.id)))).one()
    if oldest is None:
        return Verification(True, 0, None)
    expected_id = first_id if first_id is not None else 1
    checked = 0
    async for entry in entries_in_order(session, from_id=min(oldest, expected_id)):
        checked += 1
        if entry.id != expected_id or entry.hash != seal(previous, entry):
            return Verification(False, checked, entry.id)
        previous, expected_id = entry.hash, expected_id + 1
    return Verification(True, checked, None)


@dataclass(frozen=True, slots=True)
class PrunePlan:
    """What pruning before a date removes, and the anchor the rest of the chain needs."""

    first_kept_id: int
    previous_hash: str
    entries: int


async def plan_prune(session: AsyncSession, *, before: datetime) -> PrunePlan:
    """Entries older than `before` (up to the first newer one) go; the chain then starts at
    `first_kept_id`, which is the checkpoint itself when nothing newer remains."""
    await advisory_xact_lock(session, LOG_CHAIN_LOCK_KEY)
    head = (await session.exec(select(func.max(AdminActionLogEntry.id)))).one() or 0
    newer = (
        await session.exec(
            select(func.min(AdminActionLogEntry.id)).where(col(AdminActionLogEntry.time) >= before)
        )
    ).one()
    first_kept = newer if newer is not None else head + 1
    previous = (
        await session.exec(
            select(AdminActionLogEntry.hash).where(AdminActionLogEntry.id == first_kept - 1)
        )
    ).first()
    entries = (
        await session.exec(
            select(func.count())
            .select_from(AdminActionLogEntry)
            .where(col(AdminActionLogEntry.id) < first_kept)
        )
    ).one()
    return PrunePlan(first_kept_id=first_kept, previous_hash=previous or GENESIS, entries=entries)


async def delete_before(session: AsyncSession, first_kept_id: int) -> None:
    await session.exec(
        delete(AdminActionLogEntry).where(col(AdminActionLogEntry.id) < first_kept_id)
    )
