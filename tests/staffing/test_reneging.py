"""The reneging backlog model against the Monte Carlo, on peaked solo and two-person days."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing.backlog import backlog_day, backlog_day_rk4
from staffing.erlang_a import effective_capacity, erlang_a
from staffing.simulate import simulate_day

from .test_backlog import OPEN_INTERVALS, peaked_day

CHORES = 0.3  # people's worth of chores: 18 minutes an hour
PATIENCE = 4.0

# (orders per interval: base, morning, lunch), service minutes, staff
DAYS = {
    "solo": ((2.0, 5.0, 3.0), 2.0, 1),
    "two-person": ((4.0, 11.0, 7.0), 2.2, 2),
}


@pytest.mark.parametrize("store", DAYS)
def test_reneging_backlog_matches_the_simulation_within_5_percent(store):
    shape, service, staff = DAYS[store]
    orders = peaked_day(*shape)
    capacity = np.full(OPEN_INTERVALS, float(effective_capacity(staff, CHORES)))
    assert (orders * service / (15 * capacity)).max() > 1.2  # a real rush: people walk away
    model = backlog_day(orders, service, capacity, patience_minutes=PATIENCE)
    sim = simulate_day(orders, service, capacity, replications=3000, seed=315, patience_minutes=PATIENCE)
    served = orders * model.served_share
    model_mean = (served * model.mean_wait).sum() / served.sum()
    assert model_mean == pytest.approx(sim.mean_wait, rel=0.05)
    assert model.lost_orders == pytest.approx(sim.walked_away, rel=0.05)
    assert float(model.wait_quantile(0.9)) == pytest.approx(sim.p90_wait, rel=0.05)
    # walk-aways are reported per interval, and the day's orders add up
    assert np.all(np.isfinite(model.walked_away)) and model.walked_away.max() > 0
    total = model.served.sum() + model.walked_away.sum() + model.backlog_end[-1]
    assert total == pytest.approx(orders.sum(), rel=1e-9)


def test_steady_interval_settles_at_erlang_a():
    capacity = float(effective_capacity(1, CHORES))
    result = backlog_day(np.full(60, 95 / 4), 2.0, capacity, patience_minutes=PATIENCE)
    steady = erlang_a(95.0, 2.0, capacity, PATIENCE)
    assert result.mean_wait[-1] == pytest.approx(float(steady.mean_wait_served), rel=1e-9)
    assert result.walked_away[-1] == pytest.approx(float(steady.walked_away), rel=1e-8)
    assert result.wait_probability[-1] == pytest.approx(float(steady.wait_probability), rel=1e-9)


def test_uniformization_is_within_1e6_of_the_runge_kutta_solver_without_abandonment():
    days = np.stack([peaked_day(3.0, 5.0, 3.0), peaked_day(5.0, 10.0, 6.0), peaked_day(1.0, 2.0, 1.0)])
    service = np.array([[2.0], [2.5], [3.0]])
    staff = np.array([[1.0], [2.0], [0.7]])
    # the reference at a fine grid (its default grid's Simpson rule is itself ~1e-4 off)
    reference = backlog_day_rk4(days, service, staff, steps_per_interval=128)
    result = backlog_day(days, service, staff)
    for name in ("served", "queue_end", "backlog_end", "mean_queue", "mean_wait", "wait_probability"):
        np.testing.assert_allclose(getattr(result, name), getattr(reference, name), atol=1e-6, err_msg=name)


def test_batched_rows_do_not_share_a_step_count():
    # A quiet store-day batched with a very busy one gives exactly its own answer.
    quiet = peaked_day(0.5, 1.0, 0.5)
    busy = peaked_day(20.0, 40.0, 30.0)
    alone = backlog_day(quiet, 2.0, 0.7, patience_minutes=PATIENCE)
    batch = backlog_day(np.stack([busy, quiet]), 2.0, np.array([[6.0], [0.7]]), patience_minutes=PATIENCE)
    np.testing.assert_allclose(batch.mean_wait[1], alone.mean_wait, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(batch.walked_away[1], alone.walked_away, rtol=1e-12, atol=1e-15)


def test_nobody_rostered_loses_everyone_with_finite_figures():
    orders = np.full(8, 5.0)
    staff = np.array([1, 1, 0, 0, 0, 0, 1, 1], dtype=float)
    result = backlog_day(orders, 2.0, effective_capacity(staff, CHORES), patience_minutes=PATIENCE)
    np.testing.assert_array_equal(result.nobody_rostered, staff == 0)
    for name in ("mean_wait", "walked_away", "served", "queue_end", "wait_probability", "served_share"):
        assert np.all(np.isfinite(getattr(result, name))), name
    assert np.all(result.served_share[2:6] == 0)
    assert result.walked_away[3:6].min() > 0.9 * 5.0  # all of them, once the queue is in balance
    assert result.lost_revenue(4.5) == pytest.approx(result.lost_orders * 4.5)


def test_balking_caps_the_queue():
    orders = np.full(20, 30.0)
    capped = backlog_day(orders, 2.0, 1.0, patience_minutes=PATIENCE, queue_cap=5)
    free = backlog_day(orders, 2.0, 1.0, patience_minutes=PATIENCE)
    assert capped.mean_queue.max() <= 5.0
    assert capped.lost_orders > free.lost_orders * 0.99
    assert capped.mean_wait[-1] < free.mean_wait[-1]


def test_customer_p90_is_above_the_p90_of_interval_means():
    orders = peaked_day(2.0, 5.0, 3.0)
    result = backlog_day(orders, 2.0, 0.7, patience_minutes=PATIENCE)
    from staffing.stats import weighted_quantile

    assert float(result.wait_quantile(0.9)) > weighted_quantile(result.mean_wait, orders, 0.9)


random_days = st.lists(st.floats(0.0, 40.0), min_size=2, max_size=10)


@settings(max_examples=40, deadline=None)
@given(
    orders=random_days,
    staff=st.lists(st.integers(0, 4), min_size=1, max_size=1),
    service=st.floats(0.5, 6.0),
    patience=st.one_of(st.none(), st.floats(0.5, 30.0)),
    chores=st.floats(0.0, 1.5),
    cap=st.one_of(st.none(), st.integers(0, 8)),
)
def test_no_inf_or_nan_on_random_days(orders, staff, service, patience, chores, cap):
    orders = np.asarray(orders)
    roster = np.resize(np.asarray(staff + [0, 1, 2]), orders.size).astype(float)
    capacity = effective_capacity(roster, chores)
    if patience is None and cap is None:
        patience = 4.0  # without patience, an unserved queue waits for staff that never come
    result = backlog_day(orders, service, capacity, patience_minutes=patience, queue_cap=cap)
    for name in (
        "served",
        "queue_end",
        "mean_queue",
        "backlog_end",
        "mean_wait",
        "wait_probability",
        "walked_away",
        "served_share",
    ):
        assert np.all(np.isfinite(getattr(result, name))), name
    assert np.isfinite(result.lost_orders) and np.isfinite(result.wait_quantile(0.9))
    sim = simulate_day(orders, service, capacity, replications=20, seed=1, patience_minutes=patience or 1e6)
    assert np.isfinite(sim.mean_wait) and np.isfinite(sim.walked_away)


@settings(max_examples=25, deadline=None)
@given(
    orders=st.lists(st.floats(0.0, 30.0), min_size=12, max_size=12),
    staff=st.lists(st.integers(0, 3), min_size=12, max_size=12),
)
def test_day_model_recommendation_and_pressure_stay_finite(orders, staff):
    """Unrostered and overloaded days: every figure a report or rule reads is finite."""
    from staffing.day import StaffingTargets, model_day
    from staffing.recommend import Shift, outcome

    orders = np.asarray(orders)
    staff = np.asarray(staff, dtype=float)
    model = model_day(orders, staff, StaffingTargets())
    for name in (
        "wait_probability",
        "steady_wait_minutes",
        "wait_minutes",
        "queue_end",
        "backlog_end",
        "walked_away",
        "served_share",
    ):
        assert np.all(np.isfinite(getattr(model, name))), name
    assert np.isfinite(model.wait_quantile(0.9)) and np.isfinite(model.lost_orders)
    # utilisation is the offered ρ: inf only where orders arrive and nobody is on (flagged)
    assert np.all(np.isfinite(model.utilisation) | model.nobody_rostered)
    shifts = [Shift(0, 6), Shift(6, 12)]
    day = outcome(orders, shifts, np.ones(12, dtype=bool), StaffingTargets())
    for value in day.__dict__.values():
        assert np.isfinite(value)
