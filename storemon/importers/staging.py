"""Writing a large import in short transactions, so a call for help never waits behind it.

SQLite has one writer at a time: a million-row import in one transaction held the lock for
many seconds, and a "call the manager" made meanwhile failed with "database is locked". A staged
import keeps the all-or-nothing guarantee another way: its batch is ``writing`` (readers leave
its rows out, ``storemon.db.import_state.finished``) while rows go in by short transactions of
about ``HOLD_SECONDS`` each, with a pause after each commit long enough for a waiting writer's
busy handler to get in; the last transaction marks the batch ``done``. On failure or cancel the
writer deletes what it wrote.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Table, insert, update
from sqlalchemy.orm import Session

from storemon.db.import_state import DONE, HEARTBEAT, delete_batch_rows
from storemon.db.models import ImportBatch

HOLD_SECONDS = 0.05
"""The longest an import keeps the write lock before committing and letting others in."""
PAUSE_SECONDS = 0.02
"""How long it waits after each commit. A writer blocked on SQLite retries after 1, 2, 5, 10,
15, 20, 25 ... ms, so a pause of 20 ms lets it in on one of its first retries."""
ROWS_PER_STATEMENT = 2_000


class StagedWriter:
    """Inserts one batch's rows in short transactions and marks the batch done at the end."""

    def __init__(
        self,
        session: Session,
        batch_id: int,
        check_cancel: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.session = session
        self.batch_id = batch_id
        self.check_cancel = check_cancel
        self.clock = clock
        self.opened: float | None = None
        self.beat_at = clock()

    def insert(self, table: Table, rows: list[dict]) -> None:
        for i in range(0, len(rows), ROWS_PER_STATEMENT):
            if self.opened is None:
                self.opened = self.clock()
            self.session.execute(insert(table), rows[i : i + ROWS_PER_STATEMENT])
            if self.clock() - self.opened >= HOLD_SECONDS:
                self.let_others_in()

    def let_others_in(self) -> None:
        """Commit what is written so far (still invisible), renew the heartbeat, pause."""
        if self.clock() - self.beat_at >= HEARTBEAT.total_seconds():
            self.beat_at = self.clock()
            self._set(alive_at=datetime.now(UTC))
        self.session.commit()
        self.opened = None
        self.check_cancel()
        time.sleep(PAUSE_SECONDS)

    def finish(self) -> None:
        """The import's last transaction: all of its rows become visible at once."""
        self._set(state=DONE, alive_at=None)
        self.session.commit()

    def abandon(self) -> None:
        """Remove everything this import wrote (after a failure or a cancel)."""
        self.session.rollback()
        delete_batch_rows(self.session, self.batch_id, commit_each=True)

    def _set(self, **values: object) -> None:
        self.session.execute(update(ImportBatch).where(ImportBatch.id == self.batch_id).values(**values))
