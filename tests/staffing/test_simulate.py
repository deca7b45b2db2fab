"""Monte Carlo of the queue: agrees with Erlang C and Pollaczek-Khinchine, honours the roster."""

from __future__ import annotations

import math

import numpy as np
import pytest

from staffing.queueing import mean_wait_minutes, wait_probability
from staffing.simulate import _fcfs_constant, _fcfs_roster, _max_queue, simulate_day, simulate_mmc


@pytest.mark.parametrize("servers, utilisation", [(1, 0.6), (2, 0.75), (3, 0.7)])
def test_stationary_mean_wait_matches_erlang_c(servers, utilisation):
    service = 2.0
    per_hour = utilisation * servers * 60 / service
    result = simulate_mmc(per_hour, service, servers, customers=4000, replications=200, warmup=400, seed=7)
    expected = mean_wait_minutes(per_hour, service, servers)
    assert abs(result.mean_wait - expected) < 4 * result.mean_wait_stderr
    assert result.mean_wait == pytest.approx(expected, rel=0.05)
    assert result.customers == 3600 * 200


def test_stationary_p90_matches_the_erlang_c_wait_distribution():
    # P(Wq > t) = C·exp(-(c - a)·t/S), so p90 = S/(c - a)·ln(10·C).
    service, servers, per_hour = 2.0, 2, 45.0
    a = per_hour * service / 60
    expected = service / (servers - a) * math.log(10 * wait_probability(a, servers))
    result = simulate_mmc(per_hour, service, servers, customers=4000, replications=200, warmup=400, seed=11)
    assert result.p90_wait == pytest.approx(expected, rel=0.05)
    assert result.p50_wait <= result.p90_wait <= result.p95_wait


def test_deterministic_service_matches_pollaczek_khinchine():
    # M/D/1: Wq = rho·S / (2·(1 - rho)), half the M/M/1 wait.
    service, rho = 2.0, 0.7
    result = simulate_mmc(rho * 60 / service, service, 1, 4000, 200, warmup=400, seed=3, service_cv=0.0)
    assert result.mean_wait == pytest.approx(rho * service / (2 * (1 - rho)), rel=0.05)


def test_same_seed_same_day_and_generators_accepted():
    orders = np.array([2.0, 6.0, 9.0, 4.0])
    roster = np.array([1, 1, 2, 1])
    first = simulate_day(orders, 2.0, roster, replications=50, seed=5)
    again = simulate_day(orders, 2.0, roster, replications=50, seed=np.random.default_rng(5))
    assert first.mean_wait == again.mean_wait
    np.testing.assert_array_equal(first.interval_mean_queue, again.interval_mean_queue)
    other = simulate_day(orders, 2.0, roster, replications=50, seed=6)
    assert other.mean_wait != first.mean_wait


def test_constant_roster_path_agrees_with_the_stationary_recursion():
    rng = np.random.default_rng(1)
    arrival = np.cumsum(rng.exponential(1.0, size=(300, 20)), axis=0)
    service = rng.exponential(1.8, size=(300, 20))
    roster = np.full(int(arrival.max() // 15) + 1, 2)
    np.testing.assert_allclose(
        _fcfs_roster(arrival, service, roster, 15.0), _fcfs_constant(arrival, service, 2)
    )


def test_server_leaving_finishes_the_order_in_hand_then_nobody_serves():
    # On duty 0-15 and 30-45: an order started at 14 runs past 15; the next waits for 30.
    arrival = np.array([[14.0], [16.0]])
    service = np.array([[5.0], [1.0]])
    start = _fcfs_roster(arrival, service, np.array([1, 0, 1]), 15.0)
    np.testing.assert_array_equal(start[:, 0], [14.0, 30.0])


def test_server_joining_takes_the_head_of_the_queue_at_once():
    arrival = np.array([[1.0], [2.0], [3.0]])
    service = np.array([[100.0], [100.0], [100.0]])
    start = _fcfs_roster(arrival, service, np.array([1, 2]), 15.0)
    np.testing.assert_array_equal(start[:, 0], [1.0, 15.0, 101.0])


def test_max_queue_counts_orders_waiting_at_once():
    arrival = np.array([[0.0, 0.0], [1.0, 20.0], [2.0, np.inf]])
    start = np.array([[0.0, 0.0], [10.0, 20.0], [20.0, np.inf]])
    assert _max_queue(arrival, start) == 2


def test_zero_demand_simulates_no_customers():
    result = simulate_day(np.zeros(8), 2.0, np.ones(8, dtype=int), replications=10, seed=1)
    assert result.customers == 0
    assert result.mean_wait == 0.0 and result.max_queue == 0
    assert np.all(result.interval_mean_queue == 0)


def test_interval_queue_and_waits_agree_by_littles_law():
    # Order-minutes spent waiting = time integral of the queue, when the queue is empty at closing.
    orders = np.array([4.0, 8.0, 11.0, 9.0, 5.0, 2.0, 0.5, 0.0, 0.0, 0.0])
    result = simulate_day(orders, 2.5, np.full(10, 2), replications=400, seed=9)
    waited_per_day = result.mean_wait * result.customers / result.replications
    assert result.interval_mean_queue.sum() * 15 == pytest.approx(waited_per_day, rel=1e-9)
    counted = ~np.isnan(result.interval_mean_wait)
    assert counted[:7].all()
    assert result.max_queue >= 1


def test_fractional_capacity_is_one_slower_server_and_negative_is_rejected():
    # c = 0.7: one person at 70 % speed, an M/M/1 with mean service S/c (Erlang C: ρ/(1−ρ)·S/c).
    orders = np.full(200, 3.0)
    result = simulate_day(orders, 2.0, np.full(200, 0.7), replications=200, seed=7)
    rho = 3.0 / 15 * 2.0 / 0.7
    assert result.mean_wait == pytest.approx(rho / (1 - rho) * 2.0 / 0.7, rel=0.06)
    with pytest.raises(ValueError):
        simulate_day(np.ones(3), 2.0, np.array([-0.5, 1.0, 1.0]))


def test_over_dispersed_arrivals_keep_the_mean_and_lengthen_waits():
    orders = np.full(32, 6.0)  # 24 orders/h; one person at 2 min: ρ = 0.8
    poisson = simulate_day(orders, 2.0, np.ones(32), replications=1500, seed=11, patience_minutes=4.0)
    bursty = simulate_day(
        orders, 2.0, np.ones(32), replications=1500, seed=11, patience_minutes=4.0, dispersion=2.0
    )
    assert bursty.arrived / 1500 == pytest.approx(orders.sum(), rel=0.03)
    assert bursty.mean_wait > 1.05 * poisson.mean_wait
    assert bursty.walked_away > 1.05 * poisson.walked_away
