"""The background jobs: rule evaluation, escalation timeouts, commitments and outbox delivery.

One ``Jobs`` object holds them; APScheduler runs them inside the GUI process (one-PC mode) or in
``storemon worker`` (chain mode). Everything the jobs need to know is in the database, so a
restart picks up where the last run stopped: an escalation that fell due while nothing was
running fires once on start (the state machine ignores a second Timeout), and leased
notifications whose worker died are claimed again when their lease runs out.

The rules job runs on a thread of its own (``storemon.rules_cycle``): incremental, never two cycles
at once, and split across the workers on PostgreSQL. Its settings (``STOREMON_RULES_EVERY_SECONDS``,
``STOREMON_RULES_LEASE_SECONDS``, ``STOREMON_RULES_BATCH_STORES``) are described there.

Environment:

``STOREMON_OUTBOX_LEASE_SECONDS``
    How long a worker holds the notifications it claimed (default 60). A worker that dies
    mid-batch delays those rows by up to this long; a worker does not start a send in the last
    quarter of its lease, so a lease shorter than a slow channel's send time only delays
    delivery. Lower it (e.g. 5) where workers restart often; tests use 1-3 s.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from alerts.kinds import AlertKind, ChannelFailing
from alerts.notifiers import SettingsError
from alerts.outbox import Dispatcher
from storemon.config import ConfigError
from storemon.db.models import Heartbeat
from storemon.db.outbox import WAKE_CHANNEL, SqlOutboxStore
from storemon.errors import StoremonError
from storemon.job_lease import JobLeaseHolder
from storemon.rules_cycle import CycleReport, RulesCycle, RulesLoop, rules_every
from storemon.services.alert_service import raise_kind
from storemon.services.api import Services
from storemon.services.database import Database
from storemon.services.phone_links import LinkingNotifier
from storemon.services.secrets import SecretError, notifier_for

log = logging.getLogger(__name__)

RULES_EVERY = rules_every()
AUDIT_CHECKPOINT_EVERY = timedelta(hours=1)
HEARTBEAT_EVERY = timedelta(seconds=10)
HEARTBEAT_ROLE = "worker"
HEARTBEAT_FORGET = timedelta(days=1)
"""Workers silent this long are forgotten, so the table does not grow forever."""
DUE_EVERY = timedelta(seconds=5)
DISPATCH_EVERY = timedelta(seconds=0.25)
"""Polling is the wake-up on SQLite (a click reaches the notifier within a second); PostgreSQL
also wakes the dispatcher through LISTEN/NOTIFY."""
LEASE_ENV = "STOREMON_OUTBOX_LEASE_SECONDS"
DEFAULT_LEASE = timedelta(seconds=60)


def outbox_lease() -> timedelta:
    """The outbox lease: ``STOREMON_OUTBOX_LEASE_SECONDS`` if set (0.1 s to 1 day), else 60 s."""
    raw = os.environ.get(LEASE_ENV, "").strip()
    if not raw:
        return DEFAULT_LEASE
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0.1 <= seconds <= 86400:
        raise ConfigError(f"{LEASE_ENV}={raw!r}: give the lease in seconds, from 0.1 to 86400 (default 60)")
    return timedelta(seconds=seconds)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Jobs:
    """The worker's jobs over one database; each job opens its own transaction."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime] = utc_now,
        worker_id: str | None = None,
        notifier_overrides: dict | None = None,
        lease: timedelta | None = None,
    ) -> None:
        self.database = database
        self.services = Services(database)
        self.lease = lease if lease is not None else outbox_lease()
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.outbox = SqlOutboxStore(database.sessions, self._channel_failing)
        self._notifier_overrides = notifier_overrides or {}
        self._dispatcher: Dispatcher | None = None
        self._channels: list | None = None  # the channel settings the dispatcher was built from
        self._dispatch_lock = threading.Lock()
        self._wake = threading.Event()
        self._rules: RulesCycle | None = None
        self.rules_report: CycleReport | None = None
        """The last rules cycle this process ran (also in its heartbeat row)."""

    # -- jobs ----------------------------------------------------------------------------------
    def heartbeat(self) -> None:
        """Say "I am alive" where every PC can read it (the status bar's worker indicator)."""
        with self.database.sessions.begin() as session:
            now = self.clock()
            self._heartbeat_row(session).beat_at = now
            session.execute(delete(Heartbeat).where(Heartbeat.beat_at <= now - HEARTBEAT_FORGET))

    def _heartbeat_row(self, session) -> Heartbeat:
        row = session.get(Heartbeat, self.worker_id)
        if row is None:
            host = self.worker_id.rpartition(":")[0] or self.worker_id
            row = Heartbeat(process_id=self.worker_id, role=HEARTBEAT_ROLE, host=host, beat_at=self.clock())
            session.add(row)
        return row

    def checkpoint_audit(self) -> None:
        """Anchor the audit chain outside the database, where this host has the audit key."""
        from storemon.config import app_paths
        from storemon.services.audit_anchor import CHECKPOINT_FILE, load_key, write_checkpoint

        paths = app_paths()
        key = load_key(paths.config_dir)
        if key is None:
            return
        with self.database.sessions() as session:
            write_checkpoint(session, paths.backup_dir / CHECKPOINT_FILE, key, self.clock())

    @property
    def rules(self) -> RulesCycle:
        """The rules job's cycles, with what they remember between runs (built on first use)."""
        if self._rules is None:
            self._rules = RulesCycle(self.database, self.worker_id, self.clock, every=RULES_EVERY)
        return self._rules

    def evaluate_rules(self, stop: threading.Event | None = None) -> CycleReport:
        """One rules cycle: the stores whose inputs changed or whose interval moved on (on
        PostgreSQL, the batches this worker claims); its figures go to the heartbeat row."""
        report = self.rules.run_once(stop)
        self.record_rules(report)
        return report

    def record_rules(self, report: CycleReport) -> None:
        self.rules_report = report
        log.info(
            "rules: cycle %d in %.2f s: %d stores evaluated, %d skipped as unchanged, raised %d, resolved %d",
            report.cycle,
            report.seconds,
            len(report.evaluated),
            len(report.skipped),
            report.raised,
            report.resolved,
        )
        for attempt in range(2):  # the first heartbeat may insert the row at the same moment
            try:
                with self.database.sessions.begin() as session:
                    row = self._heartbeat_row(session)
                    row.rules_cycle_at, row.rules_cycle_seconds = self.clock(), report.seconds
                    row.rules_evaluated, row.rules_skipped = len(report.evaluated), len(report.skipped)
                return
            except IntegrityError:
                if attempt:
                    raise

    def start_rules(self, guard: Callable[[], bool] = lambda: True) -> RulesLoop:
        """The rules cycles on their own thread, fed by the change feed (what changed where)."""
        from storemon.db.changes import watch
        from storemon.services.rule_memory import INPUT_KINDS

        loop = RulesLoop(self.rules, self.record_rules, guard)
        ready = threading.Event()
        watch(self.database.engine, self.rules.memory.changed, loop.stop, ready, INPUT_KINDS)
        if not ready.wait(10):  # no baseline yet: a change now could go unseen, so model all
            log.warning("rules: the change feed is not ready; evaluating every store")
            self.rules.memory.forget()
        return loop.start()

    def process_due(self) -> int:
        """Escalation timeouts, reminders, snooze ends and commitment deadlines that fell due."""
        return self.services.alerts.process_due(self.clock())

    def dispatch(self) -> int:
        """Deliver due notifications until none is left (bounded per pass).

        A `wake` that arrives while a pass runs (a notification queued after its last claim)
        makes it run another pass, so no wake-up is lost to a dispatch already in progress.
        """
        with self._dispatch_lock:
            delivered = 0
            while True:
                self._wake.clear()
                dispatcher = self._current_dispatcher()
                for _ in range(20):
                    report = dispatcher.run_once()
                    delivered += report.delivered
                    if report.total < dispatcher.batch:
                        break
                if not self._wake.is_set():
                    return delivered

    def wake(self) -> None:
        """A notification was queued (PostgreSQL NOTIFY): dispatch now, not at the next poll."""
        self._wake.set()

    def run_dispatcher(self, stop: threading.Event, every: timedelta = DISPATCH_EVERY) -> None:
        """Dispatch until `stop`: at once when woken, else every `every` (the SQLite wake-up)."""
        while not stop.is_set():
            try:
                self.dispatch()
            except Exception:  # the database went away, say; try again at the next poll
                log.exception("outbox: dispatch failed; trying again")
            self._wake.wait(every.total_seconds())

    def _current_dispatcher(self) -> Dispatcher:
        """The dispatcher, rebuilt when the configured channels changed since it was built: a
        channel added in Settings while the worker runs must not find "no notifier" and go dead."""
        channels = self.services.settings.subscribed_channels()
        if self._dispatcher is None or channels != self._channels:
            return self.rebuild_dispatcher(channels)
        return self._dispatcher

    def rebuild_dispatcher(self, channels: list | None = None) -> Dispatcher:
        """Read the configured channels again (after Settings changed them)."""
        if channels is None:
            channels = self.services.settings.subscribed_channels()
        notifiers = {}
        for channel in channels:
            try:
                # Passwords, tokens and signing secrets come from this host's secret store.
                key = channel["type"] if channel["type"] == "email" else channel["name"]
                notifiers[key] = self._linking(key, notifier_for(channel), channels)
            except (SettingsError, SecretError) as exc:
                log.error("channel %s is not usable: %s", channel.get("name"), exc)
        notifiers |= {key: self._linking(key, n, channels) for key, n in self._notifier_overrides.items()}
        self._channels = channels
        self._dispatcher = Dispatcher(self.outbox, notifiers, self.clock, self.worker_id, lease=self.lease)
        return self._dispatcher

    def _linking(self, key: str, notifier, channels: list) -> LinkingNotifier:
        """The notifier of channel ``key`` ("email" or a group channel's name), adding signed answer
        links to pages and backup offers as they go out, in the channel's language."""
        channel = next((c for c in channels if key in (c["name"], c["type"])), {})
        return LinkingNotifier(
            notifier, self.services.phone_links, channel.get("language"), self.clock, group=key != "email"
        )

    def _channel_failing(self, channel: str, error: str, now: datetime) -> None:
        with self.database.sessions.begin() as session:
            raise_kind(
                session,
                AlertKind.CHANNEL_FAILING,
                ChannelFailing(channel, error[:300]),
                store=None,
                dedup_key=f"channel:{channel}",
                now=now,
                severity="critical",
                start_level=4,
                exclude_channels=frozenset({channel}),
            )


def start_scheduler(
    jobs: Jobs,
    scheduler_cls=None,
    rules: bool = True,
    dispatch: bool = True,
    lease: JobLeaseHolder | None = None,
):
    """An APScheduler scheduler running the jobs; coalesced, so a missed run happens once.

    `dispatch=False` leaves delivery to `Jobs.run_dispatcher` on a thread of its own (the
    worker does this: a wake-up then never meets a dispatch job the scheduler is still running).
    With `lease` (one-PC mode: main window, kiosk), the jobs run only while this process holds
    the jobs lease (``storemon.job_lease``); the heartbeat always runs.
    """
    from apscheduler.schedulers.background import BackgroundScheduler

    # APScheduler logs two INFO lines per job run: eight a second for the dispatch poll alone,
    # which would rotate everything useful out of storemon.log within hours. Failures are
    # still logged (ERROR).
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    scheduler = (scheduler_cls or BackgroundScheduler)(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}, timezone=UTC
    )
    now = utc_now()  # APScheduler counts in real time, whatever clock the jobs are given
    process_due, run_dispatch = jobs.process_due, jobs.dispatch
    schedule = []
    if lease is not None:
        lease.refresh()

        def due_and_record() -> None:
            jobs.process_due()
            lease.ran()

        process_due = lease.guarded(due_and_record)
        run_dispatch = lease.guarded(jobs.dispatch)
        schedule.append(("lease", lease.refresh, lease.renew_every))
    schedule += [
        ("due", process_due, DUE_EVERY),
        ("heartbeat", jobs.heartbeat, HEARTBEAT_EVERY),
        ("audit-checkpoint", jobs.checkpoint_audit, AUDIT_CHECKPOINT_EVERY),
    ]
    if dispatch:
        schedule.append(("dispatch", run_dispatch, DISPATCH_EVERY))
    for job_id, job, every in schedule:
        scheduler.add_job(job, "interval", seconds=every.total_seconds(), id=job_id, next_run_time=now)
    scheduler.start()
    if rules:
        # Not an interval job: a cycle longer than the interval would make APScheduler skip runs
        # ("maximum number of running instances reached"). The loop stops with the scheduler.
        loop = jobs.start_rules((lambda: lease.held) if lease is not None else (lambda: True))
        stop_scheduler = scheduler.shutdown

        def shutdown(wait: bool = True) -> None:
            loop.shutdown(wait=False)
            stop_scheduler(wait=wait)
            loop.shutdown(wait=wait)

        scheduler.shutdown = shutdown
    return scheduler


class LocalJobs:
    """The scheduled jobs inside a desktop process (main window or kiosk) on one PC: they run
    while this process holds the jobs lease, and are handed over at once when it quits.

    The main window also serves the phone links when ``web.listen`` is set (one-PC mode has no
    worker to do it); a counter kiosk never does.
    """

    def __init__(self, database: Database, role: str) -> None:
        self.jobs = Jobs(database)
        self.lease = JobLeaseHolder(database, f"{self.jobs.worker_id}:{role}", role, self.jobs.clock)
        self.scheduler = start_scheduler(self.jobs, lease=self.lease)
        self.web = None
        if role == "gui":
            try:
                self.web = start_web(self.jobs)
            except StoremonError as exc:  # another Storemon on this PC serves them already
                log.warning("phone links not served by this window: %s", exc)

    def stop(self) -> None:
        if self.web is not None:
            self.web.stop()
        self.scheduler.shutdown(wait=False)
        try:
            self.lease.release()
        except Exception:  # the database went away: the lease simply lapses
            log.exception("could not hand the scheduled jobs over")


def listen_for_wakeups(
    database: Database, wake: Callable[[], None], stop: threading.Event
) -> threading.Thread | None:
    """On PostgreSQL, LISTEN for queued notifications and call `wake` at once (sub-second clicks).

    `wake` is also called after each (re)connect, for what was queued while not listening.
    """
    if database.engine.dialect.name != "postgresql":
        return None

    def safe_wake() -> None:
        try:
            wake()
        except Exception:  # e.g. the scheduler already shut down: never end the listener
            log.exception("outbox wake-up failed")

    def loop() -> None:
        import psycopg

        # libpq does not know SQLAlchemy's "+psycopg" driver suffix.
        url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {WAKE_CHANNEL}")
                    safe_wake()
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            safe_wake()
            except psycopg.Error as exc:
                log.warning("LISTEN connection lost (%s); retrying", exc)
                stop.wait(2.0)

    thread = threading.Thread(target=loop, name="storemon-listen", daemon=True)
    thread.start()
    return thread


def run_worker(database: Database, stop: threading.Event | None = None) -> None:
    """``storemon worker``: run the jobs until stopped (SIGTERM/SIGINT)."""
    stop = stop or threading.Event()
    jobs = Jobs(database)
    scheduler = start_scheduler(jobs, dispatch=False)
    dispatcher = threading.Thread(
        target=jobs.run_dispatcher, args=(stop,), name="storemon-dispatch", daemon=True
    )
    dispatcher.start()
    listener = listen_for_wakeups(database, jobs.wake, stop)
    web = start_web(jobs)
    log.info(
        "worker %s started on %s (outbox lease %g s)",
        jobs.worker_id,
        database.description,
        jobs.lease.total_seconds(),
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        stop.set()
        jobs.wake()
        scheduler.shutdown(wait=True)
        dispatcher.join(timeout=30)
        if listener is not None:
            listener.join(timeout=3)
        if web is not None:
            web.stop()
        log.info("worker %s stopped", jobs.worker_id)


def start_web(jobs: Jobs):
    """``storemon web`` on a thread of this worker when ``web.listen`` is set (chain mode); else None."""
    listen = jobs.services.phone_links.settings()["web.listen"]
    if not listen:
        return None
    from storemon.web.server import WebThread

    log.info("serving phone links on %s", listen)
    return WebThread(jobs.database, listen).start()


@dataclass(frozen=True)
class WorkerStatus:
    """One process running the jobs, as its heartbeat row tells: alive when, and its last rules cycle."""

    process_id: str
    role: str
    beat_at: datetime
    rules_cycle_at: datetime | None
    rules_cycle_seconds: float | None
    rules_evaluated: int | None
    rules_skipped: int | None


def worker_statuses(database: Database) -> list[WorkerStatus]:
    """Every process that said it was alive within the last day, the most recent first."""
    with database.sessions() as session:
        rows = session.scalars(select(Heartbeat).order_by(Heartbeat.beat_at.desc(), Heartbeat.process_id))
        return [
            WorkerStatus(
                r.process_id,
                r.role,
                r.beat_at,
                r.rules_cycle_at,
                r.rules_cycle_seconds,
                r.rules_evaluated,
                r.rules_skipped,
            )
            for r in rows
        ]


def last_heartbeat(database: Database) -> datetime | None:
    """The most recent heartbeat of any worker (None if none ever ran)."""
    with database.sessions() as session:
        return session.scalar(select(func.max(Heartbeat.beat_at)).where(Heartbeat.role == HEARTBEAT_ROLE))
