"""The rules job's cycles: incremental, never overlapping, split across PostgreSQL workers.

Every ``STOREMON_RULES_EVERY_SECONDS`` (60) a cycle starts; its id is the clock's seconds since
the epoch divided by that interval. The cycle runs on a thread of its own (``RulesLoop``), not as
an APScheduler interval job: a cycle that takes longer than the interval is followed at once by
the next one (the missed ticks coalesce into it), and the scheduler never finds the job still
running ("maximum number of running instances reached").

Each batch of stores is evaluated in one transaction, with the worker's ``RuleMemory``: only the
stores whose inputs changed or whose interval moved on are modelled (``storemon.services.rules``).

- **SQLite** (one worker, or the desktop holding the jobs lease): all batches, in order.
- **PostgreSQL**: batches are claimed with ``FOR UPDATE SKIP LOCKED`` (``storemon.db.rule_batches``).
  A worker first takes its share (batches / live workers), then, after ``GRACE`` of the interval,
  whatever the others left (a slow or dead worker's share); a batch whose holder died is taken
  when its lease (``STOREMON_RULES_LEASE_SECONDS``, 60) ends, in the same cycle when time allows.

Environment (tests shorten them): ``STOREMON_RULES_EVERY_SECONDS``, ``STOREMON_RULES_LEASE_SECONDS``
(0.1 s to 1 day) and ``STOREMON_RULES_BATCH_STORES`` (stores per batch, default 50).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from storemon.config import ConfigError
from storemon.db import rule_batches
from storemon.db.models import Store
from storemon.services.database import Database
from storemon.services.rule_memory import RuleMemory
from storemon.services.rules import evaluate

log = logging.getLogger(__name__)

EVERY_ENV = "STOREMON_RULES_EVERY_SECONDS"
LEASE_ENV = "STOREMON_RULES_LEASE_SECONDS"
BATCH_ENV = "STOREMON_RULES_BATCH_STORES"
DEFAULT_EVERY = timedelta(seconds=60)
DEFAULT_LEASE = timedelta(seconds=60)
DEFAULT_BATCH = 50
GRACE = 0.1
"""Share of the interval a worker leaves the others to take their share before it takes theirs."""
LIVE_WITHIN = timedelta(seconds=30)
"""A worker whose heartbeat is this recent counts when the batches are shared out."""


def _seconds(name: str, default: timedelta) -> timedelta:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0.1 <= seconds <= 86400:
        raise ConfigError(
            f"{name}={raw!r}: give it in seconds, from 0.1 to 86400 (default {default.seconds})"
        )
    return timedelta(seconds=seconds)


def rules_every() -> timedelta:
    return _seconds(EVERY_ENV, DEFAULT_EVERY)


def rules_lease() -> timedelta:
    return _seconds(LEASE_ENV, DEFAULT_LEASE)


def batch_stores() -> int:
    raw = os.environ.get(BATCH_ENV, "").strip()
    if not raw:
        return DEFAULT_BATCH
    if not raw.isdigit() or not 1 <= int(raw) <= 10000:
        raise ConfigError(f"{BATCH_ENV}={raw!r}: give a number of stores from 1 to 10000 (default 50)")
    return int(raw)


def cycle_of(now: datetime, every: timedelta) -> int:
    return int(now.timestamp() // every.total_seconds())


@dataclass
class CycleReport:
    """What one worker did in one cycle (the worker's status shows the last one)."""

    cycle: int
    started_at: datetime
    seconds: float = 0.0
    evaluated: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    batches: int = 0
    raised: int = 0
    resolved: int = 0


class RulesCycle:
    """Runs the cycles of one process over one database."""

    def __init__(
        self,
        database: Database,
        holder: str,
        clock: Callable[[], datetime],
        memory: RuleMemory | None = None,
        every: timedelta | None = None,
        lease: timedelta | None = None,
        batch: int | None = None,
    ) -> None:
        self.database, self.holder, self.clock = database, holder, clock
        self.memory = memory or RuleMemory()
        self.every = every or rules_every()
        self.lease = lease or rules_lease()
        self.batch = batch or batch_stores()
        self.claims = database.engine.dialect.name == "postgresql"

    def run_once(self, stop: threading.Event | None = None) -> CycleReport:
        """One cycle: every store of this cycle evaluated (or skipped as unchanged) once."""
        stop = stop or threading.Event()
        report = CycleReport(cycle_of(self.clock(), self.every), self.clock())
        started = time.monotonic()
        if self.claims:
            self._claimed(report, stop, started)
        else:
            self._all(report)
        report.seconds = round(time.monotonic() - started, 3)
        return report

    def _all(self, report: CycleReport) -> None:
        with self.database.sessions() as session:
            ids = list(session.scalars(select(Store.id).order_by(Store.id)))
        for first in range(0, len(ids), self.batch):
            self._evaluate(report, ids[first : first + self.batch], None)

    def _claimed(self, report: CycleReport, stop: threading.Event, started: float) -> None:
        with self.database.sessions.begin() as session:
            total = rule_batches.ensure_batches(session, self.batch)
            workers = max(1, rule_batches.live_workers(session, self.clock(), LIVE_WITHIN))
        share = math.ceil(total / workers)
        every = self.every.total_seconds()
        grace_at, end_at = started + GRACE * every, started + every
        while not stop.is_set():
            if report.batches >= share and time.monotonic() < grace_at:
                with self.database.sessions() as session:
                    if not rule_batches.pending(session, report.cycle)[0]:
                        return  # all done
                stop.wait(grace_at - time.monotonic())  # the others take their share first
                continue
            with self.database.sessions.begin() as session:
                now = self.clock()
                claim = rule_batches.claim(session, self.holder, report.cycle, now, self.lease, self.batch)
                left, expiry = (0, None) if claim else rule_batches.pending(session, report.cycle)
            if claim is not None:
                self._evaluate(report, claim.store_ids, claim)
                continue
            if not left or time.monotonic() >= end_at:
                return
            # Held by others: wait for them to finish, or for a dead holder's lease to run out.
            until = (expiry - now).total_seconds() if expiry is not None else every * GRACE
            stop.wait(max(0.05, min(until, end_at - time.monotonic(), every * GRACE)))

    def _evaluate(self, report: CycleReport, store_ids: list[int], claim: rule_batches.Claim | None) -> None:
        """One batch in one transaction: its alerts, live pictures and (PostgreSQL) its done mark."""
        now = self.clock()
        with self.database.sessions() as session:
            try:
                run = evaluate(session, now, store_ids, self.memory)
                if claim is not None and not rule_batches.finish(session, claim, self.holder, self.clock()):
                    session.rollback()
                    log.warning(
                        "rules: batch %d was taken over (lease ran out); its evaluation is dropped",
                        claim.batch,
                    )
                    return
                session.commit()
            except Exception:
                session.rollback()
                if claim is not None:
                    with self.database.sessions.begin() as again:
                        rule_batches.release(again, claim, self.holder)
                raise
        if run.pending is not None:
            self.memory.settle(run.pending)
        report.batches += 1
        report.evaluated += run.evaluated
        report.skipped += run.skipped
        report.raised += sum(run.raised.values())
        report.resolved += run.resolved
        log.info(
            "rules: cycle %d batch %s by %s: evaluated %s skipped %s",
            report.cycle,
            "all" if claim is None else claim.batch,
            self.holder,
            run.evaluated,
            run.skipped,
        )


class RulesLoop:
    """The cycles on a thread of their own, one after another, never two at once."""

    def __init__(
        self,
        cycle: RulesCycle,
        on_report: Callable[[CycleReport], None],
        guard: Callable[[], bool] = lambda: True,
    ) -> None:
        self.cycle, self.on_report, self.guard = cycle, on_report, guard
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="storemon-rules", daemon=True)

    def start(self) -> RulesLoop:
        self.thread.start()
        return self

    def _run(self) -> None:
        every = self.cycle.every.total_seconds()
        while not self.stop.is_set():
            started = time.time()
            if self.guard():
                try:
                    self.on_report(self.cycle.run_once(self.stop))
                except Exception:  # the database went away, say: try again at the next tick
                    log.exception("rules: the cycle failed; trying again at the next one")
            # The next tick of the interval; after a cycle longer than the interval, at once
            # (the ticks it overran are one cycle, not a queue of them).
            if time.time() - started < every:
                self.stop.wait(every - time.time() % every)

    def shutdown(self, wait: bool = True) -> None:
        self.stop.set()
        if wait and self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join()
