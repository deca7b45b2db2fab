"""Two ``storemon worker`` processes on one real PostgreSQL server share the outbox: every
notification goes out, none twice while both live, and one SIGKILLed midway costs at most the
one send it had in flight.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from alerts.outbox import SENDS_PER_CHANNEL
from storemon.db.models import Notification
from tests.conftest import _fresh_pg_database
from tests.storemon.delivery_helpers import WorkerProcess, wait_until, webhook_backlog

NOTIFICATIONS = 1000
LEASE_SECONDS = 3


@pytest.mark.postgres
def test_two_workers_share_the_outbox_and_survive_a_kill(pg_server, storemon_home, tmp_path):
    db_url = _fresh_pg_database(pg_server)
    workers: list[WorkerProcess] = []
    with webhook_backlog(db_url, NOTIFICATIONS, prefix="two") as backlog:
        server, keys = backlog.server, backlog.keys
        try:
            first = WorkerProcess(db_url, storemon_home, tmp_path / "first.log", LEASE_SECONDS)
            second = WorkerProcess(db_url, storemon_home, tmp_path / "second.log", LEASE_SECONDS)
            workers += [first, second]

            # Both claim work: watch the lease owners until each worker has held rows.
            owners: set[str] = set()

            def both_working() -> bool:
                with backlog.sessions() as session:
                    owners.update(
                        session.scalars(
                            select(Notification.lease_owner)
                            .where(Notification.lease_owner.is_not(None))
                            .distinct()
                        )
                    )
                return {first.worker_id, second.worker_id} <= owners or len(server.deliveries) >= 400

            wait_until(both_working, timeout=30, what="both workers to claim notifications", every=0.01)
            wait_until(lambda: len(server.requests) >= 400, timeout=30, what="400 requests", every=0.005)
            assert first.alive and second.alive, first.log_tail() + second.log_tail()
            assert {first.worker_id, second.worker_id} <= owners, f"both workers claimed rows: {owners}"
            assert server.duplicates == [], "two live workers never send one notification twice"

            first.kill()
            in_flight = backlog.leased_by(first)
            assert len(server.deliveries) < NOTIFICATIONS, "the kill happened midway"
            restarted = WorkerProcess(db_url, storemon_home, tmp_path / "restarted.log", LEASE_SECONDS)
            workers.append(restarted)

            backlog.wait_all_delivered()
            for worker in (second, restarted):
                assert worker.stop() == 0, worker.log_tail()

            counts = backlog.counts()
            print(
                f"\n{NOTIFICATIONS} notifications, two workers, one SIGKILL holding {len(in_flight)} rows: "
                f"{len(server.requests)} requests, {len(server.duplicates)} raw duplicates, outbox {counts}"
            )
            assert set(server.deliveries) == keys, "none missing, none unexpected"
            assert counts == {"delivered": NOTIFICATIONS}, "none pending, none dead"
            # Only a row the killed worker held can repeat, and only the sends it had in flight.
            assert set(server.duplicates) <= in_flight
            assert len(server.duplicates) <= SENDS_PER_CHANNEL
        finally:
            for worker in workers:
                if worker.alive:
                    worker.kill()
