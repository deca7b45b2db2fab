"""One process at a time runs the scheduled jobs, and another takes over when it stops.

On one PC the main window, the kiosk and a worker may all be running, or only one of them: the
escalation of a relief request must not depend on which window happens to be open. Each process
tries to take the ``scheduled-jobs`` lease every ``RENEW_EVERY``; the holder renews it and runs
the jobs, the others stand by. A holder that quits gives the lease up at once; one that dies
stops renewing and the lease lapses after ``TTL``, so another process takes over within a minute.

The taking is one conditional UPDATE (holder is me, or the lease has expired) or, the very first
time, an INSERT that the primary key makes unique; SQLite's single writer and PostgreSQL's row
locks make both atomic, so two processes never both hold it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from storemon.db.models import JobLease
from storemon.services.database import Database

log = logging.getLogger(__name__)

JOBS = "scheduled-jobs"
TTL_ENV = "STOREMON_JOB_LEASE_SECONDS"
DEFAULT_TTL = timedelta(seconds=45)
STALE_AFTER = timedelta(minutes=2)
"""No escalation run for this long: every screen and the kiosk show the red banner."""


def lease_ttl() -> timedelta:
    """``STOREMON_JOB_LEASE_SECONDS`` (tests shorten it), else 45 s."""
    raw = os.environ.get(TTL_ENV, "").strip()
    return timedelta(seconds=float(raw)) if raw else DEFAULT_TTL


class JobLeaseHolder:
    """This process's claim on the jobs lease."""

    def __init__(
        self,
        database: Database,
        holder: str,
        role: str,
        clock: Callable[[], datetime],
        ttl: timedelta | None = None,
    ) -> None:
        self.database, self.holder, self.role, self.clock = database, holder, role, clock
        self.ttl = ttl if ttl is not None else lease_ttl()
        self.held = False

    @property
    def renew_every(self) -> timedelta:
        return self.ttl / 3

    def refresh(self) -> bool:
        """Take or renew the lease; says whether this process now holds it."""
        now = self.clock()
        values = {"holder": self.holder, "holder_role": self.role, "expires_at": now + self.ttl}
        with self.database.sessions.begin() as session:
            taken = session.execute(
                update(JobLease)
                .where(JobLease.name == JOBS, or_(JobLease.holder == self.holder, JobLease.expires_at < now))
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken and session.get(JobLease, JOBS) is None:
                try:
                    with session.begin_nested():
                        session.add(JobLease(name=JOBS, **values))
                    taken = 1
                except IntegrityError:
                    taken = 0  # another process inserted it first
        if bool(taken) != self.held:
            log.info("%s the scheduled jobs (%s)", "runs" if taken else "no longer runs", self.holder)
        self.held = bool(taken)
        return self.held

    def ran(self) -> None:
        """Record that the escalation job just ran (read by the stale-jobs banner)."""
        with self.database.sessions.begin() as session:
            session.execute(
                update(JobLease)
                .where(JobLease.name == JOBS, JobLease.holder == self.holder)
                .values(ran_at=self.clock())
                .execution_options(synchronize_session=False)
            )

    def release(self) -> None:
        """Quitting: hand the jobs over at once instead of after the lease lapses."""
        if not self.held:
            return
        with self.database.sessions.begin() as session:
            session.execute(
                update(JobLease)
                .where(JobLease.name == JOBS, JobLease.holder == self.holder)
                .values(expires_at=self.clock() - timedelta(seconds=1))
                .execution_options(synchronize_session=False)
            )
        self.held = False

    def guarded(self, job: Callable[[], object]) -> Callable[[], object]:
        """``job`` run only while this process holds the lease."""

        def run() -> object:
            return job() if self.held else None

        run.__name__ = getattr(job, "__name__", "job")
        return run


def jobs_last_ran(database: Database) -> datetime | None:
    """When any process last ran the escalation job (None: never)."""
    with database.sessions() as session:
        return session.scalar(select(JobLease.ran_at).where(JobLease.name == JOBS))


def jobs_stale(database: Database, now: datetime, worker_beat: datetime | None) -> bool:
    """True when neither a desktop process (the jobs lease) nor a worker (its heartbeat) has run
    the escalation jobs within ``STALE_AFTER``: calls for help would not go up the chain."""
    recent = [t for t in (jobs_last_ran(database), worker_beat) if t is not None]
    return not recent or now - max(recent) > STALE_AFTER
