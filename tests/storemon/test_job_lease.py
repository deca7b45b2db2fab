"""Escalation that never sleeps: on one PC whichever Storemon process holds the jobs lease runs
the rules, escalations and deliveries; quit the main window and the kiosk carries on."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import Alert
from storemon.job_lease import STALE_AFTER, JobLeaseHolder, jobs_stale
from storemon.services.api import Services
from storemon.services.database import Database
from storemon.worker import Jobs, start_scheduler

T0 = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)
TTL = timedelta(seconds=1)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def database(demo_url):
    engine = make_engine(demo_url)
    yield Database(engine, make_session_factory(engine), None)
    engine.dispose()


def test_one_holder_at_a_time_and_a_lapsed_lease_is_taken_over(database):
    clock = Clock(T0)
    window = JobLeaseHolder(database, "pc:1:gui", "gui", clock, TTL)
    kiosk = JobLeaseHolder(database, "pc:2:kiosk", "kiosk", clock, TTL)
    assert window.refresh() and not kiosk.refresh()
    clock.at += TTL / 2
    assert window.refresh() and not kiosk.refresh()  # renewed while alive
    clock.at += TTL * 2  # the window died without a word
    assert kiosk.refresh() and not window.refresh()
    kiosk.release()  # quitting hands over at once
    assert window.refresh()


def test_quitting_the_main_window_leaves_the_kiosk_to_escalate_the_relief_request_on_time(
    database, monkeypatch
):
    import storemon.worker as worker

    monkeypatch.setattr(worker, "DUE_EVERY", timedelta(seconds=0.1))
    monkeypatch.setattr(worker, "RULES_EVERY", timedelta(hours=1))
    clock = Clock(T0)
    services = Services(database)
    alert_id = services.calls.relief_request("staff-sh001", "SH001", "alone in the rush", T0, "high")
    policy = services.policies.escalation_policy()

    def level() -> int:
        with database.sessions() as session:
            return session.scalar(select(Alert.level).where(Alert.id == alert_id))

    started = level()
    timeout = next(lv.ack_timeout for lv in policy.levels if lv.number == started)
    processes = {}
    for role in ("gui", "kiosk"):
        lease = JobLeaseHolder(database, f"pc:{role}", role, clock, TTL)
        jobs = Jobs(database, clock=clock, worker_id=f"pc:{role}")
        processes[role] = (start_scheduler(jobs, lease=lease), lease)
    try:
        assert processes["gui"][1].held and not processes["kiosk"][1].held
        gui_scheduler, gui_lease = processes["gui"]
        gui_scheduler.shutdown(wait=True)  # the manager quits the main window
        gui_lease.release()
        clock.at = T0 + timeout + timedelta(seconds=1)  # nobody acknowledged in time
        deadline = time.monotonic() + 10
        while level() == started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert level() == started + 1, "the relief request did not go up a level with only the kiosk open"
        assert processes["kiosk"][1].held
    finally:
        for scheduler, _lease in processes.values():
            if scheduler.running:
                scheduler.shutdown(wait=True)

    assert not jobs_stale(database, clock.at, None)
    assert jobs_stale(database, clock.at + STALE_AFTER + timedelta(seconds=1), None)  # the red banner
