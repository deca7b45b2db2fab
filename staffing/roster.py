"""Who is on the floor in each 15-minute interval, from a roster's shifts.

Shifts are given in minutes from a reference instant (e.g. local midnight of the first day),
so this module needs no calendar; callers convert their datetimes once.
"""

from __future__ import annotations

import numpy as np

INTERVAL_MINUTES = 15


def staff_on_shift(
    starts: np.ndarray, ends: np.ndarray, n_intervals: int, interval_minutes: int = INTERVAL_MINUTES
) -> np.ndarray:
    """Number of people on shift during each interval ``[k*15, (k+1)*15)`` minutes.

    A person counts for an interval when their shift covers at least half of it, so a shift
    starting at 06:50 counts from 07:00 and one ending at 14:05 does not count 14:00-14:15.
    """
    starts = np.asarray(starts, dtype=float)
    ends = np.asarray(ends, dtype=float)
    first = np.clip(np.round(starts / interval_minutes), 0, n_intervals).astype(np.int64)
    last = np.clip(np.round(ends / interval_minutes), 0, n_intervals).astype(np.int64)
    valid = last > first
    delta = np.zeros(n_intervals + 1, dtype=np.int64)
    np.add.at(delta, first[valid], 1)
    np.add.at(delta, last[valid], -1)
    return np.cumsum(delta[:-1])


def solo_minutes(
    staffed: np.ndarray, open_mask: np.ndarray, interval_minutes: int = INTERVAL_MINUTES
) -> float:
    """Minutes during opening hours with exactly one person on shift."""
    return float(np.count_nonzero((np.asarray(staffed) == 1) & np.asarray(open_mask)) * interval_minutes)


def periods(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive True intervals as ``(first, end)`` index pairs (end exclusive)."""
    mask = np.asarray(mask, dtype=bool)
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))
