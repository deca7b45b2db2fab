"""The background jobs: rule evaluation, escalation timeouts, commitments and outbox delivery.

One ``Jobs`` object holds them; APScheduler runs them inside the GUI process (one-PC mode) or in
``storemon worker`` (chain mode). Everything the jobs need to know is in the database, so a
restart picks up where the last run stopped: an escalation that fell due while nothing was
running fires once on start (the state machine ignores a second Timeout), and leased
notifications whose worker died are claimed again when their lease runs out.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from alerts.notifiers import SettingsError, notifier_from_settings
from alerts.outbox import Dispatcher
from storemon.db.outbox import WAKE_CHANNEL, SqlOutboxStore
from storemon.services.actions import process_commitments
from storemon.services.alerts import channel_subscriptions, process_due, raise_alert
from storemon.services.database import Database
from storemon.services.rules import evaluate

log = logging.getLogger(__name__)

RULES_EVERY = timedelta(seconds=60)
DUE_EVERY = timedelta(seconds=5)
DISPATCH_EVERY = timedelta(seconds=0.25)
"""Polling is the wake-up on SQLite (a click reaches the notifier within a second); PostgreSQL
also wakes the dispatcher through LISTEN/NOTIFY."""


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
    ) -> None:
        self.database = database
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.outbox = SqlOutboxStore(database.sessions, self._channel_failing)
        self._notifier_overrides = notifier_overrides or {}
        self._dispatcher: Dispatcher | None = None
        self._dispatch_lock = threading.Lock()

    # -- jobs ----------------------------------------------------------------------------------
    def evaluate_rules(self) -> None:
        with self.database.sessions.begin() as session:
            run = evaluate(session, self.clock())
        log.info("rules: %d stores, raised %s, resolved %d", run.stores, run.raised, run.resolved)

    def process_due(self) -> int:
        """Escalation timeouts, reminders, snooze ends and commitment deadlines that fell due."""
        with self.database.sessions.begin() as session:
            fired = process_due(session, self.clock())
            reminded, missed = process_commitments(session, self.clock())
        return fired + reminded + missed

    def dispatch(self) -> int:
        """Deliver due notifications until none is left (bounded per call)."""
        with self._dispatch_lock:
            dispatcher = self._dispatcher or self.rebuild_dispatcher()
            delivered = 0
            for _ in range(20):
                report = dispatcher.run_once()
                delivered += report.delivered
                if report.total < dispatcher.batch:
                    break
            return delivered

    def rebuild_dispatcher(self) -> Dispatcher:
        """Read the configured channels again (after Settings changed them)."""
        with self.database.sessions() as session:
            channels = channel_subscriptions(session)
        notifiers = {}
        for channel in channels:
            try:
                notifiers[channel["type"] if channel["type"] == "email" else channel["name"]] = (
                    notifier_from_settings(channel["type"], channel.get("settings", {}))
                )
            except SettingsError as exc:
                log.error("channel %s is not usable: %s", channel.get("name"), exc)
        notifiers |= self._notifier_overrides
        self._dispatcher = Dispatcher(self.outbox, notifiers, self.clock, self.worker_id)
        return self._dispatcher

    def _channel_failing(self, channel: str, error: str, now: datetime) -> None:
        with self.database.sessions.begin() as session:
            raise_alert(
                session,
                rule="channel_failing",
                store_id=None,
                dedup_key=f"channel:{channel}",
                title=f"Notification channel '{channel}' is failing",
                now=now,
                severity="critical",
                start_level=4,
                details={"fields": {"Channel": channel, "Error": error[:300]}},
                exclude_channels=frozenset({channel}),
            )


def start_scheduler(jobs: Jobs, scheduler_cls=None, rules: bool = True):
    """An APScheduler scheduler running the jobs; coalesced, so a missed run happens once."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = (scheduler_cls or BackgroundScheduler)(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}, timezone=UTC
    )
    now = jobs.clock()
    scheduler.add_job(
        jobs.process_due, "interval", seconds=DUE_EVERY.total_seconds(), id="due", next_run_time=now
    )
    scheduler.add_job(
        jobs.dispatch, "interval", seconds=DISPATCH_EVERY.total_seconds(), id="dispatch", next_run_time=now
    )
    if rules:
        scheduler.add_job(
            jobs.evaluate_rules,
            "interval",
            seconds=RULES_EVERY.total_seconds(),
            id="rules",
            next_run_time=now,
        )
    scheduler.start()
    return scheduler


def listen_for_wakeups(
    database: Database, wake: Callable[[], None], stop: threading.Event
) -> threading.Thread | None:
    """On PostgreSQL, LISTEN for queued notifications and dispatch at once (sub-second clicks)."""
    if database.engine.dialect.name != "postgresql":
        return None

    def loop() -> None:
        import psycopg

        url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {WAKE_CHANNEL}")
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            wake()
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
    scheduler = start_scheduler(jobs)
    listener = listen_for_wakeups(
        database, lambda: scheduler.modify_job("dispatch", next_run_time=utc_now()), stop
    )
    log.info("worker %s started on %s", jobs.worker_id, database.description)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True)
        if listener is not None:
            listener.join(timeout=3)
        log.info("worker %s stopped", jobs.worker_id)


def check_database(database: Database) -> None:
    with database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
