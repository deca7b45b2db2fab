"""The shared-matrix backlog kernel gives what ``backlog_day`` gives, for rosters it has and has not seen."""

from __future__ import annotations

import numpy as np
import pytest

from staffing import backlog_shared
from staffing.backlog import backlog_day
from staffing.backlog_shared import SharedBacklog

FIELDS = (
    "served",
    "queue_start",
    "queue_end",
    "mean_queue",
    "backlog_end",
    "mean_wait",
    "wait_probability",
    "walked_away",
    "served_share",
    "walked_away_after_close",
)


def _random_days(seed: int, rows: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Open 07:00-21:00 with rushes, 1-3 people (chores 0.3), nobody on for half an hour at 15:00."""
    rng = np.random.default_rng(seed)
    orders = np.zeros((rows, 96))
    orders[:, 28:84] = rng.uniform(0.5, 8.0, (rows, 56))
    staff = np.zeros((rows, 96))
    staff[:, 27:85] = rng.integers(1, 4, (rows, 58))
    staff[:, 60:62] = 0.0
    capacity = np.maximum(staff - 0.3, 0.0)
    return orders, capacity


def _assert_same(reference, shared, tol: float) -> None:
    for name in FIELDS:
        np.testing.assert_allclose(
            getattr(shared, name), getattr(reference, name), atol=tol, rtol=tol, err_msg=name
        )
    np.testing.assert_allclose(shared.utilisation, reference.utilisation, atol=tol, equal_nan=True)
    np.testing.assert_allclose(shared.wait_quantile(0.9), reference.wait_quantile(0.9), atol=2e-4)


@pytest.mark.parametrize(
    "patience, cap",
    [(None, None), (4.0, None), (4.0, 6), (1.0, None)],
    ids=["no patience", "patience", "patience and cap", "short patience"],
)
def test_shared_kernel_agrees_with_backlog_day(patience, cap):
    orders, capacity = _random_days(1)
    reference = backlog_day(orders, 2.0, capacity, patience_minutes=patience, queue_cap=cap)
    shared = SharedBacklog()(orders, 2.0, capacity, patience_minutes=patience, queue_cap=cap)
    _assert_same(reference, shared, 1e-7)


def test_matrices_kept_between_calls_give_the_same_answer_as_fresh_ones():
    """A search reuses one kernel: a roster modelled after others matches a fresh kernel's answer,
    also when the later roster needs more states than the kernel had (it grows and rebuilds)."""
    orders, capacity = _random_days(2, rows=3)
    kernel = SharedBacklog()
    kernel(orders[:1] * 0.1, 2.0, np.full((1, 96), 2.7), patience_minutes=4.0)
    states_before = kernel.states
    busy = np.where(orders > 0, 0.7, 0.0)  # one person alone all day: the queue runs long
    again = kernel(orders * 2, 2.0, busy, patience_minutes=4.0)
    fresh = SharedBacklog()(orders * 2, 2.0, busy, patience_minutes=4.0)
    reference = backlog_day(orders * 2, 2.0, busy, patience_minutes=4.0)
    assert kernel.states > states_before
    _assert_same(fresh, again, 1e-12)
    _assert_same(reference, again, 1e-7)


def test_beyond_the_state_limit_it_is_backlog_day_itself(monkeypatch):
    orders, capacity = _random_days(3, rows=2)
    monkeypatch.setattr(backlog_shared, "MAX_STATES", 8)
    shared = SharedBacklog()(orders * 3, 2.0, capacity)
    reference = backlog_day(orders * 3, 2.0, capacity)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(shared, name), getattr(reference, name), err_msg=name)
