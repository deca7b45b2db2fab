"""Acknowledgement wins, against a real HTTP receiver on SQLite and PostgreSQL: a page that failed
before the acknowledgement is never delivered after it, and the channel that was paged hears
"acknowledged" exactly once (Grafana OnCall #4654 and #3111 are this bug)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.notifiers import WebhookNotifier
from alerts.outbox import CANCELLED, DELIVERED, Dispatcher
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.outbox import SqlOutboxStore
from storemon.services.api import Services
from storemon.services.database import Database
from tests.alerts.servers import HttpServer, Reply
from tests.storemon.delivery_helpers import configure_webhook

NOW = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)


def test_a_failed_page_is_not_sent_after_the_acknowledgement_and_the_channel_hears_it_once(demo_url):
    receiver = HttpServer(Reply(200, b"ok")).start()
    receiver.script(Reply(500, b"busy"))  # the first page fails; the receiver then recovers
    engine = make_engine(demo_url)
    sessions = make_session_factory(engine)
    clock = [NOW]
    try:
        with sessions.begin() as session:
            configure_webhook(session, "group-chat", receiver.url())
        services = Services(Database(engine, sessions, None))
        alert_id = services.calls.call_manager("staff-sh001", "SH001", NOW)
        dispatcher = Dispatcher(
            SqlOutboxStore(sessions),
            {"group-chat": WebhookNotifier(receiver.url(), timeout=5)},
            lambda: clock[0],
            "worker",
            base_delay=timedelta(seconds=5),
        )
        assert dispatcher.run_once().retried == 1  # the page met the 500 and waits for its retry
        assert [r.answered for r in receiver.requests] == [500]

        clock[0] = NOW + timedelta(seconds=2)
        services.alerts.acknowledge("mgr-sh001", alert_id, clock[0])
        for _ in range(5):  # well past the page's retry time
            clock[0] += timedelta(minutes=1)
            dispatcher.run_once()

        kinds = [r.json()["kind"] for r in receiver.requests if r.answered == 200]
        assert kinds == ["acknowledged"], f"the channel heard {kinds} after the acknowledgement"
        deliveries = services.alerts.deliveries("mgr-sh001", alert_id)
        chat = {d.kind: d.status for d in deliveries if d.channel == "group-chat"}
        assert chat == {"page": CANCELLED, "acknowledged": DELIVERED}
    finally:
        receiver.stop()
        engine.dispose()


def test_alert_show_lists_the_notifications_with_status_and_attempts(demo_url, capsys):
    import json

    from storemon.cli import main

    engine = make_engine(demo_url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        configure_webhook(session, "group-chat", "http://127.0.0.1:9/hook")
    services = Services(Database(engine, sessions, None))
    alert_id = services.calls.call_manager("staff-sh001", "SH001", NOW)
    engine.dispose()
    assert main(["--db", demo_url, "alert", "show", str(alert_id)]) == 0
    shown = json.loads(capsys.readouterr().out)
    rows = shown["notifications"]
    assert {"channel", "to", "kind", "status", "attempts", "queued_at", "delivered_at"} <= set(rows[0])
    assert any(r["channel"] == "group-chat" and r["status"] == "pending" and r["attempts"] == 0 for r in rows)
    assert all("127.0.0.1" not in json.dumps(r) for r in rows)  # the webhook's address is not shown
