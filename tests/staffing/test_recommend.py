"""Roster recommendations: fix the rush with as few staff-hours as possible, and say so."""

from __future__ import annotations

import numpy as np
import pytest

from staffing.day import StaffingTargets
from staffing.recommend import (
    BLOCK_HOURS,
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
