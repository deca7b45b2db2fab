"""Which imported rows count: a batch still being written is invisible until it is ``done``.

Large imports write their rows in many short transactions (``storemon.importers.staging``) so
that a call for help never waits behind them. Every reader of imported sales filters with
``finished(column)``; the last transaction of an import flips its batch to ``done`` and all of its
rows appear at once. A batch left ``writing`` by a killed process stops beating and is removed by
``sweep_abandoned`` the next time anything imports.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from storemon.db.models import ImportBatch, SalesBucket, SalesOrder

WRITING = "writing"
DONE = "done"

HEARTBEAT = timedelta(seconds=5)
"""How often a writing import renews ``alive_at``."""
STALE_AFTER = timedelta(minutes=2)
"""A writing batch whose heartbeat is older than this was abandoned by a killed process."""
DELETE_CHUNK = 20_000
"""Rows deleted per statement when removing an abandoned batch, so no delete holds the lock long."""


def finished(batch_column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """Rows whose batch is done: leaves out imports that are still being written."""
    return batch_column.not_in(select(ImportBatch.id).where(ImportBatch.state != DONE))


def delete_batch_rows(session: Session, batch_id: int, *, commit_each: bool) -> None:
    """Delete a batch's orders and buckets in chunks, then the batch itself.

    ``commit_each`` commits after every chunk (an abandoned import cleaning up after itself
    while others keep writing); otherwise the caller's transaction holds it all.
    """
    for model in (SalesOrder, SalesBucket):
        while True:
            ids = select(model.id).where(model.batch_id == batch_id).limit(DELETE_CHUNK)
            removed = session.execute(delete(model).where(model.id.in_(ids.scalar_subquery()))).rowcount
            if commit_each:
                session.commit()
            if removed < DELETE_CHUNK:
                break
    session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
    if commit_each:
        session.commit()


def sweep_abandoned(session: Session, now: datetime) -> list[int]:
    """Remove the rows of every writing batch whose heartbeat stopped (its process was killed)."""
    stale = list(
        session.scalars(
            select(ImportBatch.id).where(
                ImportBatch.state == WRITING,
                (ImportBatch.alive_at.is_(None)) | (ImportBatch.alive_at < now - STALE_AFTER),
            )
        )
    )
    for batch_id in stale:
        delete_batch_rows(session, batch_id, commit_each=True)
    return stale


def writing_batch(session: Session, kind: str, fingerprint: str) -> ImportBatch | None:
    """The batch of this very file that another import is writing now, if any."""
    return session.scalars(
        select(ImportBatch).where(
            ImportBatch.kind == kind, ImportBatch.fingerprint == fingerprint, ImportBatch.state == WRITING
        )
    ).first()
