"""The rules job evaluates only the stores whose inputs changed or whose interval moved on, and
leaves the others' alerts exactly as they were; its cycles never overlap (no APScheduler skips).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from alerts.escalation import Resolve
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.migrate import upgrade
from storemon.db.models import Alert, Heartbeat, Incident, LivePicture, RosterShift, Store
from storemon.rules_cycle import RulesCycle
from storemon.services.access import SYSTEM
from storemon.services.alert_service import act
from storemon.services.database import Database
from storemon.services.demo import build_demo
from storemon.services.rule_memory import INPUT_KINDS
from storemon.services.rules import evaluate
from tests.demo_chain import DEMO_ANCHOR
from tests.storemon.delivery_helpers import wait_until

SIX_AM = datetime(2026, 3, 8, 22, 1, 10, tzinfo=UTC)  # 06:01 on the 9th in Shanghai: a rush ahead


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _alerts(database: Database) -> dict[int, tuple]:
    with database.sessions() as session:
        return {
            a.id: (a.store_id, a.dedup_key, a.status, a.updated_at, a.details)
            for a in session.scalars(select(Alert).order_by(Alert.id))
        }


@pytest.fixture
def chain(demo_url):
    engine = make_engine(demo_url)
    database = Database(engine, make_session_factory(engine), None)
    yield database
    engine.dispose()


def _watched(database: Database, cycle: RulesCycle) -> threading.Event:
    """The change feed feeding the cycle's memory, as the worker wires it."""
    from storemon.db.changes import watch

    stop, ready = threading.Event(), threading.Event()
    watch(database.engine, cycle.memory.changed, stop, ready, INPUT_KINDS)
    assert ready.wait(10)
    return stop


def _settled(cycle: RulesCycle, store_id: int, before) -> None:
    wait_until(
        lambda: cycle.memory.versions([store_id])[store_id] != before,
        10,
        f"the change feed to report store {store_id}'s change",
    )


def test_unchanged_stores_are_skipped_and_keep_their_alerts(chain):
    clock = Clock(SIX_AM)
    cycle = RulesCycle(chain, "test-worker", clock, every=timedelta(seconds=60), batch=5)
    stop = _watched(chain, cycle)
    try:
        with chain.sessions() as session:
            stores = list(session.scalars(select(Store.id).order_by(Store.id)))
            store = stores[3]
        first = cycle.run_once()
        assert sorted(first.evaluated) == stores and first.skipped == []
        assert first.raised >= 1, "the morning rush raises early warnings (else the test proves little)"
        after_first = _alerts(chain)

        # A minute later, same interval, nothing changed: nothing is modelled, nothing written.
        clock.at += timedelta(minutes=1)
        second = cycle.run_once()
        assert second.evaluated == [] and sorted(second.skipped) == stores
        assert _alerts(chain) == after_first
        # ... and a full evaluation at that moment would not have changed anything either.
        with chain.sessions.begin() as session:
            full = evaluate(session, clock.at)
        assert full.resolved == 0
        assert {k: v[:3] for k, v in _alerts(chain).items()} == {k: v[:3] for k, v in after_first.items()}
        after_full = _alerts(chain)

        # A roster edit in one store: that store only.
        before = cycle.memory.versions([store])[store]
        with chain.sessions.begin() as session:
            shift = session.scalars(
                select(RosterShift)
                .where(RosterShift.store_id == store)
                .order_by(RosterShift.starts_at.desc())
            ).first()
            shift.ends_at -= timedelta(minutes=30)
        _settled(cycle, store, before)
        clock.at += timedelta(minutes=1)
        third = cycle.run_once()
        assert third.evaluated == [store] and len(third.skipped) == len(stores) - 1
        untouched = {k: v for k, v in _alerts(chain).items() if v[0] != store}
        assert untouched == {k: v for k, v in after_full.items() if v[0] != store}

        # An incident in another store: that one only.
        other = stores[7]
        before = cycle.memory.versions([other])[other]
        with chain.sessions.begin() as session:
            session.add(
                Incident(
                    store_id=other,
                    occurred_at=clock.at,
                    incident_type="complaint",
                    customer_type="regular",
                )
            )
        _settled(cycle, other, before)
        clock.at += timedelta(minutes=1)
        assert cycle.run_once().evaluated == [other]

        # A rule alert resolved by hand: its store is evaluated again and the alert comes back.
        with chain.sessions() as session:
            warned = session.scalars(
                select(Alert).where(Alert.rule == "early_warning", Alert.status != "resolved")
            ).first()
            warned_id, warned_store = warned.id, warned.store_id
        with chain.sessions.begin() as session:
            act(session, SYSTEM, warned_id, Resolve(by="admin", note="handled"), clock.at)
        clock.at += timedelta(minutes=1)
        again = cycle.run_once()
        assert again.evaluated == [warned_store]
        with chain.sessions() as session:
            reopened = session.scalars(
                select(Alert).where(
                    Alert.store_id == warned_store, Alert.rule == "early_warning", Alert.status != "resolved"
                )
            ).one()
            assert reopened.id != warned_id, "a rule that still holds raises a new alert"
            # Skipped stores' live pictures stay fresh for one-click calls.
            assert all(p.computed_at == clock.at for p in session.scalars(select(LivePicture)))

        # The next interval starts: every store is evaluated again (time-based rules fire on time);
        # the policy verdicts, which the clock does not move, keep their alerts as they are.
        def below_policy() -> dict[int, tuple]:
            return {k: v[:4] for k, v in _alerts(chain).items() if v[1].startswith("below_policy:")}

        policy_alerts = below_policy()
        assert any(v[2] != "resolved" for v in policy_alerts.values()), "the demo has stores below policy"
        clock.at = SIX_AM.replace(minute=15, second=5)
        assert sorted(cycle.run_once().evaluated) == stores
        assert below_policy() == policy_alerts
        clock.at += timedelta(minutes=1)
        assert cycle.run_once().evaluated == []
    finally:
        stop.set()


def test_a_shift_starting_mid_interval_refreshes_the_live_picture(chain):
    """Who is on the floor changes at a shift's start, which need not be on a quarter hour."""
    starts = datetime(2026, 3, 8, 22, 38, tzinfo=UTC)  # 06:38 in Shanghai
    with chain.sessions.begin() as session:
        shift = session.scalars(
            select(RosterShift).where(RosterShift.starts_at > starts).order_by(RosterShift.starts_at)
        ).first()
        shift.starts_at, store = starts, shift.store_id
    clock = Clock(datetime(2026, 3, 8, 22, 36, 10, tzinfo=UTC))
    cycle = RulesCycle(chain, "test-worker", clock, every=timedelta(seconds=60))
    cycle.run_once()

    def on_floor() -> int:
        with chain.sessions() as session:
            return session.get(LivePicture, store).payload["staff_on_shift"]

    before = on_floor()
    clock.at += timedelta(minutes=1)  # 06:37:10: same interval, nothing changed
    assert cycle.run_once().evaluated == []
    clock.at += timedelta(minutes=1, seconds=20)  # 06:38:30: the shift has begun
    assert cycle.run_once().evaluated == [store]
    assert on_floor() == before + 1


def test_the_early_warning_window_moves_just_after_an_interval_starts():
    """At 06:00:00 exactly the two-hour window ends before 08:00; a moment later it takes in the
    08:00 interval: an evaluation exactly on the boundary holds for a moment only."""
    from storemon.services.rule_memory import next_quarter

    boundary = datetime(2026, 3, 8, 22, 0, tzinfo=UTC)
    assert next_quarter(boundary) == boundary + timedelta(microseconds=1)
    assert next_quarter(boundary + timedelta(seconds=1)) == boundary + timedelta(minutes=15)
    assert next_quarter(boundary - timedelta(seconds=1)) == boundary


def test_a_cycle_longer_than_the_interval_never_skips_a_run(tmp_path, caplog, monkeypatch):
    """A shortened worker run over a 60-store demo with a fast clock (5 minutes a second) and a
    rules interval of 0.2 s: the cycles are longer than the interval (the cold one many times),
    yet no job's run is skipped, and every store is covered once per cycle.

    The old interval job logged "maximum number of running instances reached" here; so did the
    escalation and heartbeat jobs while a cycle held SQLite's write lock through its models."""
    from storemon import worker

    url = f"sqlite:///{tmp_path / 'chain.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        build_demo(session, stores=60, weeks=2, seed=5, anchor=DEMO_ANCHOR)
    database = Database(engine, sessions, None)
    monkeypatch.setattr(worker, "RULES_EVERY", timedelta(seconds=0.2))
    origin, real = SIX_AM, time.monotonic()
    jobs = worker.Jobs(
        database,
        clock=lambda: origin + timedelta(seconds=(time.monotonic() - real) * 300),
        worker_id="fast:1",
    )
    reports = []
    record = jobs.record_rules
    monkeypatch.setattr(jobs, "record_rules", lambda report: (reports.append(report), record(report)))
    caplog.set_level(logging.DEBUG)
    scheduler = worker.start_scheduler(jobs, dispatch=False)
    try:
        wait_until(lambda: len(reports) >= 3, 120, "three rules cycles", every=0.1)
    finally:
        scheduler.shutdown(wait=True)
    engine.dispose()
    skips = [
        r.getMessage() for r in caplog.records if "maximum number of running instances" in r.getMessage()
    ]
    assert skips == []
    assert all(r.seconds > 0.2 for r in reports[:1]), "the cold cycle is longer than the interval"
    assert len(reports[0].evaluated) == 60
    # Five minutes pass per real second: each later cycle meets stores whose interval began.
    assert sum(len(r.evaluated) + len(r.skipped) for r in reports) == 60 * len(reports)
    with database.sessions() as session:
        beat = session.get(Heartbeat, "fast:1")
        assert beat.rules_cycle_seconds is not None and beat.rules_evaluated is not None


def test_rules_status_shows_each_workers_last_cycle(demo_url, capsys):
    """``storemon rules status``: the cycle's duration and the stores evaluated and skipped."""
    from storemon.cli import main
    from storemon.worker import Jobs

    engine = make_engine(demo_url)
    database = Database(engine, make_session_factory(engine), None)
    clock = Clock(SIX_AM)
    jobs = Jobs(database, clock=clock, worker_id="host-a:41")
    assert main(["--db", demo_url, "rules", "status"]) == 0
    assert "No worker has run here" in capsys.readouterr().out
    jobs.evaluate_rules()
    clock.at += timedelta(minutes=1)
    jobs.evaluate_rules()
    engine.dispose()
    assert main(["--db", demo_url, "rules", "status"]) == 0
    out = capsys.readouterr().out
    assert "host-a:41" in out and "0 stores evaluated, 12 skipped as unchanged" in out
    assert main(["--db", demo_url, "rules", "status", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["rules_evaluated"] == 0 and row["rules_skipped"] == 12 and row["rules_cycle_seconds"] >= 0
