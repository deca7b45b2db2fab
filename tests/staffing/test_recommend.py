"""Roster recommendations: fix the rush with as few staff-hours as possible, and say so."""

from __future__ import annotations

import numpy as np
import pytest

from staffing.backlog import backlog_day
from staffing.day import StaffingTargets
from staffing.recommend import (
    BLOCK_HOURS,
    DayOutcome,
    Shift,
    grid_of,
    outcome,
    outcomes,
    policy_shifts,
    recommend_additions,
)

OPEN = np.zeros(96, dtype=bool)
OPEN[28:84] = True  # 07:00-21:00


def _solo_day_with_a_morning_rush() -> tuple[np.ndarray, list[Shift]]:
    orders = np.zeros(96)
    orders[28:84] = 1.5
    orders[30:38] = [5, 7, 9, 9, 8, 6, 4, 3]  # 07:30-09:30
    return orders, [Shift(27, 56), Shift(56, 85)]


def test_recommendation_covers_the_rush_and_meets_the_wait_target():
    orders, shifts = _solo_day_with_a_morning_rush()
    rec = recommend_additions(orders, shifts, OPEN, StaffingTargets())
    assert rec.before.minutes_over_target > 0 and rec.after.minutes_over_target == 0
    assert rec.additions, "something had to be added"
    covered = grid_of(list(rec.additions), 96)
    assert covered[30:36].min() >= 1, "the added person is there for the worst of the rush"
    assert rec.after.max_wait_minutes < rec.before.max_wait_minutes
    assert rec.after.staff_hours == pytest.approx(
        rec.before.staff_hours + sum(a.hours for a in rec.additions)
    )
    assert rec.additions[0].label in rec.explanation


def test_no_addition_when_the_day_is_already_fine():
    orders = np.where(OPEN, 1.0, 0.0)
    shifts = [Shift(27, 56), Shift(27, 56), Shift(56, 85), Shift(56, 85)]
    rec = recommend_additions(orders, shifts, OPEN, StaffingTargets())
    assert rec.additions == () and rec.met and rec.explanation == "No addition needed."


def test_no_smaller_single_block_would_have_done():
    """Brute force over every block the search may use: none with fewer hours meets both targets
    (waits within target, every shift's pressure below amber)."""
    orders, shifts = _solo_day_with_a_morning_rush()
    targets = StaffingTargets()
    rec = recommend_additions(orders, shifts, OPEN, targets)
    hours = sum(a.hours for a in rec.additions)
    smaller = [
        Shift(start, start + length_h * 4)
        for length_h in BLOCK_HOURS
        if length_h < hours
        for start in range(28, 84 - length_h * 4 + 1, 2)
    ]
    assert smaller, "the recommendation is longer than the shortest block"
    results = outcomes(
        np.tile(orders, (len(smaller), 1)),
        [[*shifts, b] for b in smaller],
        np.tile(OPEN, (len(smaller), 1)),
        targets,
    )
    for block, result in zip(smaller, results, strict=True):
        assert result.minutes_over_target > 0 or result.worst_pressure >= 35, block.label


def test_policy_shifts_staff_the_whole_opening_hours():
    two = policy_shifts(2, OPEN)
    assert len(two) == 4
    grid = grid_of(two, 96)
    assert grid[OPEN].min() == 2 and grid[27] == 2 and grid[0] == 0
    assert policy_shifts(0, OPEN) == []


def test_outcome_counts_solo_hours_and_staff_hours():
    orders, shifts = _solo_day_with_a_morning_rush()
    result = outcome(orders, shifts, OPEN, StaffingTargets())
    assert result.solo_hours == 14.0
    assert result.staff_hours == pytest.approx(14.5)
    assert result.worst_pressure >= 65  # alone through a rush with long waits: red


def _day(base: float, rushes: dict[int, list[float]]) -> np.ndarray:
    orders = np.where(OPEN, base, 0.0)
    for start, values in rushes.items():
        orders[start : start + len(values)] = values
    return orders


# Store-days the greedy search meets: a solo store's morning rush, a two-person store short at
# lunch, a busy three-person store with slow orders, a quiet day that needs nothing, and balking.
STORE_DAYS = {
    "solo morning rush": (
        _solo_day_with_a_morning_rush()[0],
        [Shift(27, 56), Shift(56, 85)],
        StaffingTargets(),
    ),
    "two people, lunch": (
        _day(2.5, {46: [6, 9, 11, 12, 11, 9, 7]}),
        [Shift(27, 56), Shift(30, 62), Shift(54, 85), Shift(56, 80)],
        StaffingTargets(),
    ),
    "three people, slow orders": (
        _day(4.0, {30: [9, 12, 14, 14, 12, 9], 46: [10, 13, 13, 11]}),
        [Shift(27, 56), Shift(27, 54), Shift(32, 62), Shift(54, 85), Shift(56, 84), Shift(44, 72)],
        StaffingTargets(service_minutes=2.6),
    ),
    "quiet": (np.where(OPEN, 1.0, 0.0), [Shift(27, 56), Shift(27, 56), Shift(56, 85)], StaffingTargets()),
    "balking at four waiting": (
        _solo_day_with_a_morning_rush()[0],
        [Shift(27, 56), Shift(56, 85)],
        StaffingTargets(queue_cap=4, patience_minutes=6.0),
    ),
}


@pytest.mark.parametrize("name", list(STORE_DAYS))
def test_shared_kernel_recommends_what_the_reference_kernel_recommends(name):
    """The fast path (one ``SharedBacklog`` for the whole search) against the former one (every
    step on ``backlog_day``): the same blocks, and the same day before and after, to rounding."""
    orders, shifts, targets = STORE_DAYS[name]
    fast = recommend_additions(orders, shifts, OPEN, targets)
    reference = recommend_additions(orders, shifts, OPEN, targets, backlog=backlog_day)
    assert fast.additions == reference.additions
    assert fast.met == reference.met
    for mine, theirs in ((fast.before, reference.before), (fast.after, reference.after)):
        for field in DayOutcome.__dataclass_fields__:
            assert getattr(mine, field) == pytest.approx(getattr(theirs, field), rel=1e-6, abs=1e-6), field
    assert fast.explanation == reference.explanation
