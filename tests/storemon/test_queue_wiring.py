"""Issue 14 at the storemon level: a store's day is modelled with walk-aways, its own chore load,
patience and a service time from the till, and nothing the reports or alerts show is inf or NaN."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from alerts.rules import store_rules
from storemon.db.migrate import upgrade
from storemon.db.models import ImportBatch, RosterShift, SalesBucket, Setting, StaffMember, Store
from storemon.output import render_one
from storemon.services.access import SYSTEM
from storemon.services.setting_keys import SettingError, staffing_targets
from storemon.services.store_days import store_day, store_days
from storemon.services.timegrid import local_midnight

ZONE = "Asia/Shanghai"
FIRST = date(2026, 6, 1)
NOW = datetime(2026, 7, 15, tzinfo=UTC)  # every modelled day is past: its sales are the demand


def _store(session, code: str, **settings) -> Store:
    store = Store(code=code, name=code, timezone=ZONE, opens_at=time(7), closes_at=time(21), **settings)
    session.add(store)
    session.flush()
    return store


def _batch(session) -> ImportBatch:
    batch = ImportBatch(
        kind="sales", source_name="test", fingerprint="t", imported_at=NOW, imported_by="test"
    )
    session.add(batch)
    session.flush()
    return batch


def _sales(session, store: Store, day: date, per_hour: np.ndarray, batch: ImportBatch) -> None:
    """``per_hour[k]``: orders in the k-th quarter hour from 07:00, 1.5 items each, 30 a ticket."""
    midnight = local_midnight(day, ZONE)
    rows = []
    for k, rate in enumerate(per_hour):
        orders = int(round(rate / 4))
        if orders:
            rows.append(
                SalesBucket(
                    store_id=store.id,
                    bucket_start=midnight + timedelta(minutes=7 * 60 + 15 * k),
                    orders=orders,
                    items=round(1.5 * orders),
                    revenue=Decimal(30 * orders),
                    batch_id=batch.id,
                )
            )
    session.add_all(rows)


def _alone_all_day(session, store: Store, person: StaffMember, day: date) -> None:
    midnight = local_midnight(day, ZONE)
    for start, end in ((7 * 60, 14 * 60), (14 * 60, 21 * 60)):
        session.add(
            RosterShift(
                store_id=store.id,
                staff_id=person.id,
                starts_at=midnight + timedelta(minutes=start),
                ends_at=midnight + timedelta(minutes=end),
            )
        )


def _person(session, store: Store, code: str) -> StaffMember:
    person = StaffMember(code=code, name=code, home_store=store)
    session.add(person)
    session.flush()
    return person


@pytest.fixture
def sessions(session_factory, engine):
    upgrade(engine)
    return session_factory


def _finite_everywhere(value) -> bool:
    """No inf or NaN anywhere in the JSON the CLI would print."""
    text = json.dumps(json.loads(render_one(value)))
    return not any(word in text for word in ("Infinity", "NaN"))


def test_quiet_solo_store_is_green_on_most_shifts_and_says_breaks_are_not_recorded(sessions):
    rng = np.random.default_rng(14)
    days = [FIRST + timedelta(days=k) for k in range(30)]
    with sessions.begin() as session:
        store = _store(session, "QUIET")
        batch = _batch(session)
        people = [_person(session, store, f"Q{k}") for k in range(2)]
        for k, day in enumerate(days):
            _sales(session, store, day, rng.uniform(1.0, 5.0, 56), batch)
            # one person alone on each half of the day, on alternate people (each works one shift a day)
            midnight = local_midnight(day, ZONE)
            for slot, (start, end) in enumerate(((7 * 60, 14 * 60), (14 * 60, 21 * 60))):
                session.add(
                    RosterShift(
                        store_id=store.id,
                        staff_id=people[(k + slot) % 2].id,
                        starts_at=midnight + timedelta(minutes=start),
                        ends_at=midnight + timedelta(minutes=end),
                    )
                )
    with sessions() as session:
        month = store_days(session, SYSTEM, "QUIET", days, now=NOW)
    shifts = [p for d in month for p in d.pressure]
    assert len(shifts) == 60
    assert sum(p.level == "green" for p in shifts) >= 0.8 * len(shifts)
    assert all(p.unknown and p.unknown[0]["explanation"] == "breaks not recorded" for p in shifts)
    assert not any(r["factor"] == "no_break" for p in shifts for r in p.reasons)
    assert month[0].service_minutes_source.startswith("estimated from")


def test_solo_rush_of_95_orders_an_hour_is_red_because_customers_walked_away(sessions):
    day = FIRST
    with sessions.begin() as session:
        store = _store(session, "RUSH")
        batch = _batch(session)
        per_hour = np.full(56, 10.0)
        per_hour[2:10] = 95.0  # 07:30-09:30
        for k in range(-20, 1):  # three weeks of the same days: enough orders to estimate from
            _sales(session, store, day + timedelta(days=k), per_hour, batch)
        _alone_all_day(session, store, _person(session, store, "R1"), day)
    with sessions() as session:
        result = store_day(session, SYSTEM, "RUSH", day, now=NOW)
    morning = result.pressure[0]
    assert morning.level == "red"
    walked = next(r for r in morning.reasons if r["factor"] == "walked_away")
    assert "customers walked away 07:30-" in walked["explanation"]
    assert result.service_minutes_source.startswith("estimated from")
    assert "1.5 items per order" in result.service_minutes_source
    rush = [i for i in result.intervals if time(7, 30) <= i.start.time() < time(9, 30)]
    assert all(i.walked_away > 1 for i in rush)
    assert all(i.mean_wait_minutes <= 20 for i in result.intervals)
    assert result.lost_orders == pytest.approx(sum(i.walked_away for i in result.intervals), abs=0.5)
    assert result.lost_revenue == pytest.approx(30 * result.lost_orders, rel=1e-3)


def test_store_settings_win_over_the_chain(sessions):
    day = FIRST
    with sessions.begin() as session:
        batch = _batch(session)
        per_hour = np.full(56, 20.0)
        for code, settings in (
            ("CHAIN", {}),
            ("OWN", {"chore_minutes_per_hour": 0.0, "patience_minutes": 10.0, "service_minutes": 1.25}),
        ):
            store = _store(session, code, **settings)
            _sales(session, store, day, per_hour, batch)
            _alone_all_day(session, store, _person(session, store, f"{code}1"), day)
    with sessions() as session:
        chain = store_day(session, SYSTEM, "CHAIN", day, now=NOW)
        own = store_day(session, SYSTEM, "OWN", day, now=NOW)
    assert (chain.chore_minutes_per_hour, chain.patience_minutes) == (18.0, 4.0)
    assert (own.chore_minutes_per_hour, own.patience_minutes, own.service_minutes) == (0.0, 10.0, 1.25)
    assert own.service_minutes_source == "manual override (1.25 min)"
    assert own.intervals[5].effective_servers == 1.0 and chain.intervals[5].effective_servers == 0.7
    assert own.lost_orders < chain.lost_orders


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    per_hour=st.lists(st.floats(0, 200), min_size=56, max_size=56),
    shifts=st.lists(st.tuples(st.integers(0, 55), st.integers(1, 56)), max_size=3),
)
def test_no_inf_or_nan_in_reports_or_alerts_on_unrostered_or_overloaded_days(sessions, per_hour, shifts):
    day = FIRST
    with sessions.begin() as session:
        for table in (RosterShift, SalesBucket, StaffMember, ImportBatch, Store):
            session.execute(delete(table))
        store = _store(session, "ANY")
        _sales(session, store, day, np.array(per_hour), _batch(session))
        midnight = local_midnight(day, ZONE)
        for k, (first, length) in enumerate(shifts):
            person = _person(session, store, f"A{k}")
            session.add(
                RosterShift(
                    store_id=store.id,
                    staff_id=person.id,
                    starts_at=midnight + timedelta(minutes=7 * 60 + 15 * first),
                    ends_at=midnight + timedelta(minutes=7 * 60 + 15 * min(first + length, 56)),
                )
            )
    with sessions() as session:
        result = store_day(session, SYSTEM, "ANY", day, now=NOW)
    assert _finite_everywhere(result)
    for interval in result.intervals:
        assert math.isfinite(interval.mean_wait_minutes) and interval.mean_wait_minutes <= 60
        if interval.orders > 0 and interval.rostered_staff == 0:
            assert interval.nobody_rostered and interval.walked_away > 0
    for hour in range(7, 21):
        local = datetime.combine(day, time(hour), tzinfo=result.intervals[0].start.tzinfo)
        verdict = store_rules(1, day, result.intervals, result.pressure, 3.0, local, 0.2)
        for firing in verdict.firings:
            text = json.dumps(firing.params.to_json())
            assert "Infinity" not in text and "NaN" not in text


def test_targets_saved_with_a_solo_serving_share_read_as_the_same_chore_load(sessions):
    with sessions.begin() as session:
        session.add(
            Setting(key="staffing.targets", value={"service_minutes": 2.5, "solo_service_share": 0.6})
        )
    with sessions() as session:
        targets = staffing_targets(session)
    assert (targets.service_minutes, targets.chore_minutes_per_hour) == (2.5, 24.0)
    assert targets.chore_load == pytest.approx(0.4)
    with sessions.begin() as session:
        session.get(Setting, "staffing.targets").value = {"solo_service_share": 1.5}
    with sessions() as session, pytest.raises(SettingError, match="solo_service_share must be a number in"):
        staffing_targets(session)
