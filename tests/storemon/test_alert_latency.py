"""How a queued notification reaches the dispatcher: the PostgreSQL LISTEN wake-up, a wake-up
that arrives mid-dispatch, a channel added while the worker runs, and the lease setting.

No test waits for a poll: polling is set to a minute where the wake-up path is under test.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from alerts.message import Message
from storemon.config import ConfigError
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import Notification
from storemon.db.outbox import wake_dispatchers
from storemon.services.alert_service import raise_alert
from storemon.services.database import Database
from storemon.worker import LEASE_ENV, Jobs, listen_for_wakeups, outbox_lease
from tests.alerts.servers import HttpServer
from tests.storemon.delivery_helpers import configure_webhook, outbox_counts, queue_notifications, wait_until


@pytest.fixture
def database(db_url):
    engine = make_engine(db_url)
    yield Database(engine, make_session_factory(engine), None)
    engine.dispose()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = HttpServer().start()
    yield server
    server.stop()


@pytest.mark.postgres
def test_a_click_on_postgresql_wakes_the_dispatcher_through_listen(pg_server, server):
    from tests.conftest import _fresh_pg_database

    engine = make_engine(_fresh_pg_database(pg_server))
    database = Database(engine, make_session_factory(engine), None)
    stop = threading.Event()
    jobs = Jobs(database, worker_id="listener-test")
    woken = threading.Event()

    def wake() -> None:
        woken.set()
        jobs.wake()

    try:
        with database.sessions.begin() as session:
            configure_webhook(session, "hook", server.url(), levels=[2])
        # Polling once a minute: only the NOTIFY can bring the page within the timeout.
        dispatcher = threading.Thread(target=jobs.run_dispatcher, args=(stop, timedelta(minutes=1)))
        dispatcher.start()
        assert listen_for_wakeups(database, wake, stop) is not None
        assert woken.wait(10), "the listener connects (its URL without the +psycopg driver) and wakes once"
        wait_until(lambda: not jobs._wake.is_set(), 10, "the start-up dispatch pass")
        with database.sessions.begin() as session:
            raise_alert(
                session,
                rule="manager_call",
                store_id=None,
                dedup_key="click",
                title="Manager needed",
                now=datetime.now(UTC),
                start_level=2,
            )
        wait_until(lambda: len(server.deliveries) == 1, 10, "the page to reach the webhook")
        assert next(iter(server.deliveries)).endswith("-page-L2-hook")
    finally:
        stop.set()
        jobs.wake()
        dispatcher.join(10)
        engine.dispose()


def test_a_wake_up_during_a_dispatch_pass_is_not_lost(database, server):
    """A notification queued after the pass's last claim is sent by the same dispatch call."""
    with database.sessions.begin() as session:
        configure_webhook(session, "hook", server.url())
        queue_notifications(session, "hook", 1, prefix="first")

    class QueueAnotherOnFirstSend:
        channel = "webhook"

        def __init__(self) -> None:
            self.sent: list[str] = []

        def send(self, recipient: str, message: Message) -> None:
            self.sent.append(message.idempotency_key)
            if len(self.sent) == 1:  # a click commits while this pass is still sending
                with database.sessions.begin() as session:
                    queue_notifications(session, "hook", 1, prefix="second")
                    wake_dispatchers(session)
                jobs.wake()

        def send_test(self) -> None: ...

    notifier = QueueAnotherOnFirstSend()
    jobs = Jobs(database, worker_id="t", notifier_overrides={"hook": notifier})
    assert jobs.dispatch() == 2
    assert notifier.sent == ["first-00000", "second-00000"]
    assert outbox_counts(database.sessions) == {"delivered": 2}


def test_a_channel_added_while_the_worker_runs_is_used_not_given_up(database, server):
    jobs = Jobs(database, worker_id="t")
    assert jobs.dispatch() == 0  # running, with no channel configured yet
    with database.sessions.begin() as session:
        configure_webhook(session, "hook", server.url())
        queue_notifications(session, "hook", 3, prefix="new-channel")
    assert jobs.dispatch() == 3
    assert sorted(server.deliveries) == ["new-channel-00000", "new-channel-00001", "new-channel-00002"]
    with database.sessions() as session:
        assert {n.status for n in session.scalars(select(Notification))} == {"delivered"}


def test_the_outbox_lease_comes_from_the_environment(monkeypatch, database):
    monkeypatch.delenv(LEASE_ENV, raising=False)
    assert outbox_lease() == timedelta(seconds=60)
    monkeypatch.setenv(LEASE_ENV, "2.5")
    assert outbox_lease() == timedelta(seconds=2.5)
    assert Jobs(database).rebuild_dispatcher().lease == timedelta(seconds=2.5)
    for bad in ("soon", "0", "-5", "1e9"):
        monkeypatch.setenv(LEASE_ENV, bad)
        with pytest.raises(ConfigError, match=LEASE_ENV):
            outbox_lease()


def test_a_running_worker_delivers_and_reports_its_heartbeat(database, server):
    """`run_worker` as `storemon worker` runs it: scheduler, dispatcher thread, clean stop."""
    from storemon.worker import last_heartbeat, run_worker

    with database.sessions.begin() as session:
        configure_webhook(session, "hook", server.url())
        queue_notifications(session, "hook", 5, prefix="running")
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(database, stop))
    thread.start()
    try:
        wait_until(lambda: len(server.deliveries) == 5, 20, "the worker to deliver the queued rows")
        wait_until(lambda: last_heartbeat(database) is not None, 20, "the worker's heartbeat")
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive(), "the worker stops when asked"
    assert outbox_counts(database.sessions) == {"delivered": 5}
