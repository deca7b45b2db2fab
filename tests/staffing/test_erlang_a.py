"""Erlang-A (M/M/c+M) against a brute-force truncated CTMC solved in mpmath, to 1e-9."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing.erlang_a import effective_capacity, erlang_a, servers_and_speed
from staffing.queueing import mean_wait_minutes, service_level


def reference(lam_h, svc, capacity, patience, target, cap=None, dps=20):
    """Everything by brute force: the generator's balance equations, then the tagged customer's own
    absorbing chain (matrix exponential and fundamental matrix) for every queue position."""
    mp.mp.dps = dps
    k = math.ceil(capacity - 1e-12)
    speed = mp.mpf(capacity) / k
    lam, mu, theta = mp.mpf(lam_h) / 60, speed / mp.mpf(svc), 1 / mp.mpf(patience)
    if cap is not None:
        top = k + cap
    else:  # truncate where the product form's terms are negligible (checked below)
        top, term, n = k, mp.mpf(1), k
        while n < k + 2000:
            n += 1
            term *= lam / (mu * k + theta * (n - k))
            if lam < mu * k + theta * (n - k) and term < mp.mpf(10) ** -30:
                break
        top = n

    def death(n):
        return mu * min(n, k) + theta * max(n - k, 0)

    # π by the product form, checked against the balance equations of the generator π·Q = 0
    pi = [mp.mpf(1)]
    for n in range(1, top + 1):
        pi.append(pi[-1] * lam / death(n))
    z = sum(pi)
    pi = [p / z for p in pi]
    for n in range(top + 1):
        inflow = (pi[n - 1] * lam if n > 0 else 0) + (pi[n + 1] * death(n + 1) if n < top else 0)
        outflow = pi[n] * ((lam if n < top else 0) + death(n))
        assert abs(inflow - outflow) < mp.mpf(10) ** (-dps + 5)
    p_wait = sum(pi[k:])
    lq = sum((n - k) * pi[n] for n in range(k, top + 1))
    balk = pi[top] if cap is not None else mp.mpf(0)
    served = sum(pi[:k])
    wait_served = mp.mpf(0)
    level = sum(pi[:k])
    rate = k * mu
    needed = [n for n in range(k, top if cap is not None else top + 1) if pi[n] >= mp.mpf(10) ** -12]
    if needed:
        # The tagged customer's chain on "i ahead" (i = j..0): i -> i-1 at rate + iθ, service at
        # rate from i = 0, abandonment at θ from every state. Its generator is lower triangular, so
        # the chain for j ahead is the leading block of the largest one, and so are its inverse and
        # matrix exponential: one solve and one expm serve every j.
        size = needed[-1] - k + 1
        g = mp.zeros(size, size)
        to_service = mp.zeros(size, 1)
        for i in range(size):
            g[i, i] = -(rate + i * theta + theta)
            if i > 0:
                g[i, i - 1] = rate + i * theta
        to_service[0] = rate
        fundamental = -(g**-1)
        p_serve = fundamental * to_service
        e_w_served = fundamental * p_serve
        within = fundamental * (mp.eye(size) - mp.expm(g * target)) * to_service
        for n in needed:
            j = n - k
            served += pi[n] * p_serve[j]
            wait_served += pi[n] * e_w_served[j]
            level += pi[n] * within[j]
    return {
        "wait_probability": p_wait,
        "abandon_probability": 1 - served,
        "balk_probability": balk,
        "mean_wait_served": wait_served / served,
        "mean_wait": lq / lam,
        "service_level": level,
        "mean_queue": lq,
    }


CASES = [
    # orders/h, service min, capacity, patience min, target min, queue cap
    (24.0, 2.0, 1.0, 4.0, 3.0, None),
    (95.0, 2.0, 0.7, 4.0, 3.0, None),  # solo through a rush: heavy overload
    (95.0, 2.0, 1.7, 4.0, 3.0, None),
    (95.0, 2.0, 3.0, 4.0, 3.0, None),
    (40.0, 2.5, 2.0, 2.0, 1.0, 5),  # balking at five waiting
    (150.0, 1.5, 4.0, 6.0, 0.5, None),
    (12.0, 3.0, 0.7, 4.0, 3.0, 3),
    (300.0, 1.0, 6.0, 3.0, 0.25, None),
]


@pytest.mark.parametrize("lam, svc, c, patience, target, cap", CASES)
def test_erlang_a_matches_brute_force_ctmc(lam, svc, c, patience, target, cap):
    ref = reference(lam, svc, c, patience, target, cap)
    got = erlang_a(lam, svc, c, patience, target, queue_cap=cap)
    for name, value in ref.items():
        assert float(getattr(got, name)) == pytest.approx(float(value), abs=1e-9, rel=1e-9), name
    assert float(got.walked_away) == pytest.approx(lam / 4 * float(ref["abandon_probability"]), rel=1e-9)


def test_infinite_patience_is_erlang_c():
    got = erlang_a(np.array([24.0, 50.0, 90.0]), 2.0, np.array([1.0, 2.0, 4.0]), np.inf, 3.0)
    want = mean_wait_minutes(np.array([24.0, 50.0, 90.0]), 2.0, np.array([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(got.mean_wait_served, want, rtol=1e-12)
    np.testing.assert_allclose(
        got.service_level, service_level([24.0, 50.0, 90.0], 2.0, [1, 2, 4], 3.0), rtol=1e-12
    )
    # very patient customers converge to it
    near = erlang_a(24.0, 2.0, 1.0, 1e7, 3.0)
    assert float(near.mean_wait_served) == pytest.approx(8.0, rel=1e-5)


def test_nobody_serving_loses_everyone_with_finite_waits():
    got = erlang_a(30.0, 2.0, 0.0, 4.0, 3.0)
    assert float(got.abandon_probability) == 1.0
    assert float(got.walked_away) == pytest.approx(7.5)
    assert float(got.mean_wait) == pytest.approx(4.0)
    assert float(got.service_level) == 0.0 and float(got.mean_wait_served) == 0.0


def test_large_and_heavily_loaded_cases_stay_finite():
    lam = np.array([1e4, 6e4, 3e3, 1e5])
    c = np.array([150.0, 900.0, 40.0, 1000.0])
    got = erlang_a(lam, 1.0, c, np.array([0.5, 20.0, 100.0, 0.05]), 0.5)
    for name, value in got._asdict().items():
        assert np.all(np.isfinite(value)), name
    assert np.all((got.service_level >= 0) & (got.service_level <= 1))
    # overloaded: the excess walks away, served throughput is the capacity
    served = lam[2] * (1 - got.abandon_probability[2])
    assert served == pytest.approx(c[2] * 60, rel=0.02)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0, 400),
    st.floats(0.5, 6),
    st.floats(0, 8),
    st.floats(0.5, 30),
    st.floats(0, 10),
)
def test_erlang_a_is_a_probability_model_and_monotone_in_capacity(lam, svc, c, patience, target):
    got = erlang_a(lam, svc, np.array([c, c + 1.0]), patience, target)
    for name, value in got._asdict().items():
        assert np.all(np.isfinite(value)), name
    for name in ("wait_probability", "abandon_probability", "service_level", "occupancy"):
        assert np.all((getattr(got, name) >= -1e-12) & (getattr(got, name) <= 1 + 1e-12)), name
    assert got.abandon_probability[1] <= got.abandon_probability[0] + 1e-12
    assert got.service_level[1] >= got.service_level[0] - 1e-12


def test_capacity_is_staff_minus_chores_for_any_team():
    c = effective_capacity([0, 1, 2, 3], 0.3)
    np.testing.assert_allclose(c, [0.0, 0.7, 1.7, 2.7])
    k, speed = servers_and_speed(c)
    np.testing.assert_allclose(k, [0, 1, 2, 3])
    np.testing.assert_allclose(speed, [0.0, 0.7, 0.85, 0.9])
