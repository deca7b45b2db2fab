"""The day backlog model: Erlang C when steady, finite growing queues in overload, the simulation on a peaked day."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing.backlog import backlog_day, backlog_day_rk4
from staffing.queueing import mean_wait_minutes
from staffing.simulate import simulate_day

OPEN_INTERVALS = 56  # 07:00-21:00 in 15-minute intervals


def peaked_day(base: float, morning: float, lunch: float) -> np.ndarray:
    """Expected orders per 15 minutes, 07:00-21:00: a morning rush 07:30-09:30 (peak 08:30) and
    a lunch rush 11:30-13:30 (peak 12:30) on a flat base."""
    minutes = 7 * 60 + 15 * np.arange(OPEN_INTERVALS) + 7.5

    def rush(peak_hour: float, spread_minutes: float) -> np.ndarray:
        return np.exp(-0.5 * ((minutes - peak_hour * 60) / spread_minutes) ** 2)

    return base + morning * rush(8.5, 25) + lunch * rush(12.5, 35)


# (orders per interval: base, morning, lunch), service minutes, staff: rho >= 1 for 30 minutes.
PEAKED_STORES = {
    "solo": ((3.0, 5.0, 3.0), 2.0, 1),
    "two-person": ((5.0, 10.0, 6.0), 2.5, 2),
}


@pytest.mark.parametrize("servers, service, per_hour", [(1, 2.0, 24.0), (2, 1.0, 99.6), (3, 3.0, 50.0)])
def test_steady_day_settles_at_erlang_c(servers, service, per_hour):
    result = backlog_day(np.full(60, per_hour / 4), service, servers)
    erlang_c = mean_wait_minutes(per_hour, service, servers)
    assert result.mean_wait[-1] == pytest.approx(erlang_c, rel=1e-3)
    # Little's law in steady state: mean queue = λ·Wq.
    assert result.mean_queue[-1] == pytest.approx(per_hour / 60 * erlang_c, rel=1e-3)
    assert result.utilisation[-1] == pytest.approx(per_hour * service / 60 / servers, rel=1e-3)


def test_solo_effective_server_is_one_slower_server():
    # c = 0.7: one server at 70 % speed, an M/M/1 with mean service S/c.
    service, share, per_hour = 2.0, 0.7, 15.0
    rho = per_hour / 60 * service / share
    result = backlog_day(np.full(80, per_hour / 4), service, share)
    assert result.mean_wait[-1] == pytest.approx(rho / (1 - rho) * service / share, rel=2e-3)


def test_half_hour_overload_grows_a_finite_queue_that_drains_afterwards():
    orders = np.full(24, 6.0)  # one person, 2 min per order: rho = 0.8 ...
    orders[8:10] = 10.0  # ... and 1.33 for 30 minutes
    result = backlog_day(orders, 2.0, 1)
    assert np.all(result.offered_utilisation[8:10] >= 1)
    for field in ("mean_wait", "queue_end", "mean_queue", "backlog_end", "served", "utilisation"):
        assert np.all(np.isfinite(getattr(result, field))), field
    rush = slice(8, 10)
    assert np.all(result.queue_end[rush] > result.queue_start[rush])
    assert result.queue_end[9] > result.queue_end[8] > result.queue_end[7]
    after = result.queue_end[10:]
    assert np.all(np.diff(after) < 0)  # drains every interval after the rush ...
    assert after[-1] < 0.6 * result.queue_end[9]  # ... most of the way back
    # The carried backlog keeps waits long after the rush: still above the pre-rush wait.
    assert result.mean_wait[11] > 1.5 * result.mean_wait[7]
    assert result.peak_wait < 30


def test_backlog_drain_time_adds_to_the_wait():
    # Ten orders already in a one-person store, 2 minutes each, next to nobody arriving: an order
    # arriving at minute t waits for the (10 - t/2) still there, i.e. 20 - t minutes, 12.5 on average.
    result = backlog_day(np.full(3, 1e-6), 2.0, 1, initial_in_store=10)
    assert result.mean_wait[0] == pytest.approx(12.5, rel=0.02)
    assert result.backlog_end[0] == pytest.approx(10 - 7.5, abs=0.5)


def test_staff_joining_shortens_the_wait_of_a_backlog():
    # Customer waits use the capacity of the interval they arrive in (backlog_day's docstring):
    # the person joining at interval 1 drains the backlog from then on.
    alone = backlog_day(np.full(3, 1e-6), 2.0, [1, 1, 1], initial_in_store=10)
    joined = backlog_day(np.full(3, 1e-6), 2.0, [1, 2, 2], initial_in_store=10)
    assert joined.mean_wait[1] < alone.mean_wait[1] - 1.0
    # the previous solver foresees the join in the first interval's waits too
    assert (
        backlog_day_rk4(np.full(3, 1e-6), 2.0, [1, 2, 2], initial_in_store=10).mean_wait[0]
        < alone.mean_wait[0]
    )


def test_zero_demand_gives_zero_wait():
    result = backlog_day(np.zeros((2, 8)), 2.5, [[1], [0.7]])
    for field in ("mean_wait", "mean_queue", "queue_end", "backlog_end", "served", "wait_probability"):
        assert np.all(getattr(result, field) == 0), field
    assert np.all(result.day_mean_wait == 0)


def test_orders_are_conserved_interval_to_interval():
    orders = peaked_day(3.0, 5.0, 3.0)
    result = backlog_day(orders, 2.0, 1, initial_in_store=4)
    before = np.concatenate(([4.0], result.backlog_end[:-1]))
    np.testing.assert_allclose(result.backlog_end, before + orders - result.served, atol=1e-9)
    assert np.all(result.served >= 0)


def test_leading_axes_are_computed_at_once():
    days = np.stack([peaked_day(3.0, 5.0, 3.0), peaked_day(5.0, 10.0, 6.0), np.zeros(OPEN_INTERVALS)])
    staff = np.array([[1.0], [2.0], [0.7]])
    batch = backlog_day(days.reshape(3, 1, -1), 2.5, staff[:, None])
    assert batch.mean_wait.shape == (3, 1, OPEN_INTERVALS)
    for i in range(3):
        alone = backlog_day(days[i], 2.5, staff[i])
        # Each row has its own uniformization rate: the batch gives each row its own answer.
        np.testing.assert_allclose(batch.mean_wait[i, 0], alone.mean_wait, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(batch.backlog_end[i, 0], alone.backlog_end, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("store", PEAKED_STORES)
def test_peaked_day_mean_wait_is_within_10_percent_of_the_simulation(store):
    shape, service, staff = PEAKED_STORES[store]
    orders = peaked_day(*shape)
    roster = np.full(OPEN_INTERVALS, staff)
    assert 2 <= np.sum(orders * service / (15 * staff) >= 1) <= 3  # rho >= 1 for about 30 minutes
    model = backlog_day(orders, service, roster)
    simulated = simulate_day(orders, service, roster, replications=1000, seed=20240315)
    assert model.day_mean_wait == pytest.approx(simulated.mean_wait, rel=0.10)
    # The rush itself, where hourly averages go wrong: the worst interval within 10 % too.
    assert model.peak_wait == pytest.approx(np.nanmax(simulated.interval_mean_wait), rel=0.10)


def test_rejects_negative_demand_and_fractional_initial_backlog():
    with pytest.raises(ValueError):
        backlog_day([-1.0, 2.0], 2.0, 1)
    with pytest.raises(ValueError):
        backlog_day([1.0, 2.0], 2.0, 1, initial_in_store=0.5)


demand = st.lists(st.floats(0.0, 14.0), min_size=3, max_size=8)


@settings(max_examples=40, deadline=None)
@given(
    orders=demand,
    service=st.floats(1.5, 4.0),
    staff=st.sampled_from([0.7, 1.0, 2.0, 3.0]),
    extra_at=st.integers(0, 7),
    initial=st.integers(0, 6),
)
def test_more_servers_never_give_more_wait(orders, service, staff, extra_at, initial):
    roster = np.full(len(orders), staff)
    more = roster.copy()
    more[extra_at % len(orders) :] += 1.0  # someone joins and stays
    base = backlog_day(orders, service, roster, initial_in_store=initial)
    helped = backlog_day(orders, service, more, initial_in_store=initial)
    assert np.all(helped.mean_wait <= base.mean_wait * (1 + 1e-6) + 1e-9)
    assert np.all(helped.queue_end <= base.queue_end * (1 + 1e-6) + 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    orders=demand,
    service=st.floats(1.5, 4.0),
    staff=st.sampled_from([0.7, 1.0, 2.0]),
    bump=st.floats(0.1, 5.0),
)
def test_more_orders_never_give_less_wait(orders, service, staff, bump):
    base = backlog_day(orders, service, staff)
    busier = backlog_day(np.asarray(orders) + bump, service, staff)
    assert np.all(busier.mean_wait >= base.mean_wait * (1 - 1e-6) - 1e-9)
