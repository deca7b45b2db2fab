"""Claims of store batches for the rules job: PostgreSQL workers divide the stores between them.

The stores are cut into fixed batches by id (``batch_of``). Each cycle (``storemon.rules_cycle``)
every worker takes batches not yet done in this cycle, one at a time, with
``SELECT ... FOR UPDATE SKIP LOCKED`` (the pattern of the outbox, ``storemon.db.outbox``): two
workers never take the same batch, and neither waits for the other. The claim is a lease
(``holder``, ``lease_expires_at``) committed at once, so a worker killed mid-batch leaves a row
that survivors take when the lease ends. The batch's alerts and its ``cycle`` mark are written in
one transaction, which checks that the lease is still this worker's (``finish``): a worker that
lost its batch to a survivor rolls its evaluation back, so a batch counts at most once per cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from storemon.db.models import Heartbeat, RuleBatch, Store


@dataclass(frozen=True)
class Claim:
    """One batch this worker holds for one cycle."""

    batch: int
    cycle: int
    store_ids: list[int]


def batch_of(store_id: int, size: int) -> int:
    return store_id // size


def ensure_batches(session: Session, size: int) -> int:
    """Create the batch rows the current stores need (new stores, a bigger chain); their number."""
    top = session.scalar(select(func.max(Store.id)))
    if top is None:
        return 0
    count = batch_of(top, size) + 1
    rows = [{"id": k, "cycle": -1} for k in range(count)]
    session.execute(pg_insert(RuleBatch).values(rows).on_conflict_do_nothing(index_elements=["id"]))
    return count


def claim(
    session: Session, holder: str, cycle: int, now: datetime, lease: timedelta, size: int
) -> Claim | None:
    """Take one batch not done in ``cycle`` that nobody holds (or whose holder's lease ran out).

    This worker's own batches of the last cycle come first: their day models are in its memory.
    The caller commits at once, so the claim is visible to the other workers.
    """
    row = session.scalars(
        select(RuleBatch)
        .where(
            RuleBatch.cycle < cycle,
            or_(RuleBatch.holder.is_(None), RuleBatch.lease_expires_at < now, RuleBatch.holder == holder),
        )
        .order_by((RuleBatch.last_holder == holder).desc().nulls_last(), RuleBatch.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        return None
    row.holder, row.lease_expires_at = holder, now + lease
    first, last = row.id * size, (row.id + 1) * size
    stores = session.scalars(select(Store.id).where(Store.id >= first, Store.id < last).order_by(Store.id))
    return Claim(row.id, cycle, list(stores))


def finish(session: Session, claim: Claim, holder: str, now: datetime) -> bool:
    """Mark the batch done in its cycle, in the transaction of its evaluation; False (roll back!)
    when another worker took it over because this one's lease ran out."""
    done = session.execute(
        update(RuleBatch)
        .where(RuleBatch.id == claim.batch, RuleBatch.holder == holder, RuleBatch.cycle < claim.cycle)
        .values(cycle=claim.cycle, holder=None, lease_expires_at=None, last_holder=holder, finished_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return done == 1


def release(session: Session, claim: Claim, holder: str) -> None:
    """Give a batch back undone (its evaluation failed): another worker may take it at once."""
    session.execute(
        update(RuleBatch)
        .where(RuleBatch.id == claim.batch, RuleBatch.holder == holder)
        .values(holder=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def pending(session: Session, cycle: int) -> tuple[int, datetime | None]:
    """Batches not yet done in ``cycle``, and when the earliest lease on one of them ends."""
    count, expiry = session.execute(
        select(func.count(), func.min(RuleBatch.lease_expires_at)).where(RuleBatch.cycle < cycle)
    ).one()
    return int(count), expiry


def live_workers(session: Session, now: datetime, within: timedelta) -> int:
    """Workers whose heartbeat is recent: each takes its share of the batches first."""
    return int(session.scalar(select(func.count()).where(Heartbeat.beat_at > now - within)) or 0)
