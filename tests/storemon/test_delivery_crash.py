"""A worker killed again and again while delivering loses nothing and, after the receiver's
dedup, sends each notification exactly once (SQLite file, real worker processes, real HTTP).
"""

from __future__ import annotations

import random

from alerts.outbox import SENDS_PER_CHANNEL
from tests.storemon.delivery_helpers import WorkerProcess, wait_until, webhook_backlog

NOTIFICATIONS = 1000
KILLS = 6
LEASE_SECONDS = 1.5


def test_sigkilled_worker_delivers_every_notification_once_after_dedup(sqlite_url, storemon_home, tmp_path):
    rng = random.Random(20260315)
    worker = None
    with webhook_backlog(sqlite_url, NOTIFICATIONS) as backlog:
        server, keys = backlog.server, backlog.keys
        try:
            in_flight: set[str] = set()  # rows a worker held when it was killed
            for life in range(KILLS):
                worker = WorkerProcess(
                    sqlite_url, storemon_home, tmp_path / f"worker{life}.log", LEASE_SECONDS
                )
                # Kill it at a random point while it is delivering: after it sent some more requests.
                target = len(server.requests) + rng.randint(15, 120)
                wait_until(
                    lambda target=target, worker=worker: len(server.requests) >= target or not worker.alive,
                    timeout=30,
                    what=f"worker {life} to send {target} requests",
                    every=0.005,
                )
                assert worker.alive, f"the worker exited by itself:\n{worker.log_tail()}"
                worker.kill()
                in_flight |= backlog.leased_by(worker)
            assert len(server.deliveries) < NOTIFICATIONS, "the kills happened while there was work left"

            worker = WorkerProcess(sqlite_url, storemon_home, tmp_path / "worker-last.log", LEASE_SECONDS)
            backlog.wait_all_delivered()
            assert worker.stop() == 0, worker.log_tail()

            counts = backlog.counts()
            duplicates = sorted(server.duplicates)
            print(
                f"\n{NOTIFICATIONS} notifications, {KILLS} SIGKILLs: {len(server.requests)} requests, "
                f"{len(duplicates)} raw duplicates (at-least-once), outbox {counts}"
            )
            assert set(server.deliveries) == keys, "after dedup the receiver has exactly the queued keys"
            assert counts == {"delivered": NOTIFICATIONS}, "none pending, none dead"
            assert all(server.deliveries[key] >= 1 for key in keys)
            # A repeat can only be a row a killed worker held: sent, then killed before recording it.
            assert set(duplicates) <= in_flight
            # A worker has at most `sends_per_channel` requests in flight on a channel; those are the
            # only sends a kill can leave unrecorded, so at most that many repeat per kill.
            assert len(duplicates) <= KILLS * SENDS_PER_CHANNEL, (
                "only the sends in flight at a kill are repeated"
            )
        finally:
            if worker is not None and worker.alive:
                worker.kill()
