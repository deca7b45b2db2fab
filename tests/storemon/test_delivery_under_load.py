"""Delivery the way it fails, on SQLite and PostgreSQL: 500 queued rows across a channel that takes
3.5 s per request, one that trickles its answers until it recovers and one that is fast; three
workers with 2 s leases, one of them without the slow channels' secrets. Every row is delivered
exactly once, none dies, and the fast channel is not held up by the other two."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from alerts.notifiers import WebhookNotifier
from alerts.outbox import DELIVERED, Dispatcher
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import Notification
from storemon.db.outbox import SqlOutboxStore
from tests.alerts.servers import HttpServer, Reply
from tests.storemon.delivery_helpers import queue_notifications

ROWS = {"fast": 200, "slow": 6, "trickle": 294}
LEASE = timedelta(seconds=2)


def _queue(sessions) -> None:
    with sessions.begin() as session:
        for channel, count in ROWS.items():
            queue_notifications(session, channel, count, prefix=channel)


def _worker(store, notifiers, name: str, stop: threading.Event) -> None:
    dispatcher = Dispatcher(
        store,
        notifiers,
        lambda: datetime.now(UTC),
        name,
        lease=LEASE,
        base_delay=timedelta(seconds=0.2),
        max_delay=timedelta(seconds=1),
    )
    while not stop.is_set():
        if dispatcher.run_once().total == 0:
            stop.wait(0.05)


def test_slow_trickling_and_fast_channels_with_three_workers_deliver_everything_once(db_url):
    servers = {
        "fast": HttpServer(Reply(200, b"ok")).start(),
        "slow": HttpServer(Reply(200, b"ok", delay=3.5)).start(),
        "trickle": HttpServer(Reply(200, b"ok")).start(),
    }
    servers["trickle"].script(*[Reply(200, b"x" * 200, trickle=0.05)] * 3)  # then it recovers
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    stop = threading.Event()
    try:
        _queue(sessions)
        store = SqlOutboxStore(sessions)

        def notifiers(*names: str) -> dict[str, WebhookNotifier]:
            return {
                n: WebhookNotifier(servers[n].url(), timeout=1.0 if n == "trickle" else 6.0) for n in names
            }

        workers = [
            threading.Thread(target=_worker, args=(store, notifiers(*ROWS), "worker-a", stop)),
            threading.Thread(target=_worker, args=(store, notifiers(*ROWS), "worker-b", stop)),
            # This host lacks the slow channels' secrets: it must leave their rows alone.
            threading.Thread(target=_worker, args=(store, notifiers("fast"), "worker-c", stop)),
        ]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        while len(servers["fast"].deliveries) < ROWS["fast"] and time.monotonic() - started < 30:
            time.sleep(0.02)
        fast_done = time.monotonic() - started

        def outstanding() -> int:
            with sessions() as session:
                return session.scalar(
                    select(func.count()).select_from(Notification).where(Notification.status != DELIVERED)
                )

        while outstanding() and time.monotonic() - started < 120:
            time.sleep(0.2)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        for server in servers.values():
            server.stop()

    with sessions() as session:
        rows = session.execute(select(Notification.channel, Notification.status, Notification.attempts)).all()
    engine.dispose()
    assert {status for _, status, _ in rows} == {DELIVERED}, "a row is still pending or went dead"
    for name, server in servers.items():
        assert len(server.deliveries) == ROWS[name] and set(server.deliveries.values()) == {1}, name
        assert server.duplicates == [], f"{name}: sent twice: {server.duplicates}"
    assert fast_done < 5, f"the fast channel's pages took {fast_done:.1f} s behind the slow ones"
    slow_attempts = [attempts for channel, _, attempts in rows if channel == "slow"]
    assert slow_attempts == [1] * ROWS["slow"], "a slow send outlived its lease and was sent again"
