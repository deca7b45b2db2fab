"""Recommendations: the smallest roster additions that fix a day, and tier-policy what-ifs.

Greedy on purpose: at each step every candidate block (one more person from one half hour to
another) is modelled at once, in one batch of the backlog kernel, and the block that removes the
most over-target wait per staff hour added wins. That is what a store manager would do by hand, only exhaustively, and it keeps
each answer explainable ("add a person 07:00-10:00: the rush waits drop from 29 to 2 minutes").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from staffing.backlog import BacklogResult, backlog_day
from staffing.backlog_shared import SharedBacklog
from staffing.day import DayModel, StaffingTargets, model_day
from staffing.pressure import DEFAULT_CONFIG, PressureConfig, ShiftRows, clock, score_shifts
from staffing.roster import INTERVAL_MINUTES

BLOCK_HOURS = (2, 3, 4, 5, 6, 8)
"""Lengths of the additions considered: from a short rush cover to a full shift."""


@dataclass(frozen=True)
class Shift:
    """A person's shift as interval indexes of the day, ``[first, end)``."""

    first: int
    end: int
    incidents: int = 0
    sensitive_incident: bool = False
    checkin_score: int | None = None

    @property
    def label(self) -> str:
        return f"{clock(self.first * INTERVAL_MINUTES)}-{clock(self.end * INTERVAL_MINUTES)}"

    @property
    def hours(self) -> float:
        return (self.end - self.first) * INTERVAL_MINUTES / 60


@dataclass(frozen=True)
class DayOutcome:
    """How a day goes with a given roster."""

    max_wait_minutes: float
    p90_wait_minutes: float
    mean_wait_minutes: float
    minutes_over_target: int
    worst_pressure: float
    staff_hours: float
    solo_hours: float
    red_shifts: int = 0
    orders: float = 0.0
    walked_away: float = 0.0
    """Expected customers lost over the day (out of patience or balked)."""


@dataclass(frozen=True)
class Recommendation:
    """Roster additions for one store-day, and the day before and after them."""

    additions: tuple[Shift, ...]
    before: DayOutcome
    after: DayOutcome
    met: bool
    explanation: str
    added_cost: Decimal | None = None
    """What the additions cost at the added person's wage; set by the caller that knows wages."""


def grid_of(shifts: list[Shift], n_intervals: int) -> np.ndarray:
    """Staff on shift per interval."""
    delta = np.zeros(n_intervals + 1, dtype=np.int64)
    for shift in shifts:
        delta[max(shift.first, 0)] += 1
        delta[min(shift.end, n_intervals)] -= 1
    return np.cumsum(delta[:-1])


def outcome(
    orders: np.ndarray,
    shifts: list[Shift],
    open_mask: np.ndarray,
    targets: StaffingTargets,
    config: PressureConfig = DEFAULT_CONFIG,
    backlog: Callable[..., BacklogResult] = backlog_day,
) -> DayOutcome:
    """Waits, time over target, shift pressures and staff/solo hours for one day."""
    return outcomes(
        np.asarray(orders)[None], [shifts], np.asarray(open_mask)[None], targets, config, backlog
    )[0]


def outcomes(
    orders: np.ndarray,
    shifts: list[list[Shift]],
    open_mask: np.ndarray,
    targets: StaffingTargets,
    config: PressureConfig = DEFAULT_CONFIG,
    backlog: Callable[..., BacklogResult] = backlog_day,
) -> list[DayOutcome]:
    """``outcome`` for many days at once: ``orders`` and ``open_mask`` are ``[days, intervals]``."""
    orders = np.asarray(orders, dtype=float)
    open_mask = np.asarray(open_mask, dtype=bool)
    staff = np.stack([grid_of(day, orders.shape[1]) for day in shifts])
    model = model_day(orders, staff, targets, backlog=backlog, steady=False)
    results = []
    n = orders.shape[1]
    for k, day_shifts in enumerate(shifts):
        day = DayModel(
            **{
                f: None if getattr(model, f) is None else getattr(model, f)[k]
                for f in DayModel.__dataclass_fields__
            }
        )
        wait, demand = day.wait_minutes, orders[k]
        served = demand * day.served_share
        # the day's and each shift's customer p90 in one bisection (the shifts' wait factor)
        masks = np.zeros((1 + len(day_shifts), n), dtype=bool)
        masks[0] = True
        for row, shift in enumerate(day_shifts, start=1):
            masks[row, max(shift.first, 0) : min(shift.end, n)] = True
        p90 = day.wait_quantiles(masks)
        pressures = _pressures(day, day_shifts, masks[1:], p90[1:], config)
        results.append(
            DayOutcome(
                max_wait_minutes=float(wait.max(initial=0.0)),
                p90_wait_minutes=float(p90[0]),
                mean_wait_minutes=float((wait * served).sum() / max(served.sum(), 1e-9)),
                minutes_over_target=int(
                    np.count_nonzero(_over(day, targets) & open_mask[k]) * INTERVAL_MINUTES
                ),
                worst_pressure=max(pressures, default=0.0),
                staff_hours=float(staff[k].sum() * INTERVAL_MINUTES / 60),
                solo_hours=float(np.count_nonzero((staff[k] == 1) & open_mask[k]) * INTERVAL_MINUTES / 60),
                red_shifts=sum(p >= config.red_at for p in pressures),
                orders=float(demand.sum()),
                walked_away=float(day.walked_away.sum()),
            )
        )
    return results


LOST_PER_INTERVAL = 1.0
"""An interval where at least this many customers are expected to walk away misses the target too."""


def _over(day: DayModel, targets: StaffingTargets) -> np.ndarray:
    """Intervals over target: served orders wait too long, or customers walk away."""
    return (day.wait_minutes > targets.target_wait_minutes) | (day.walked_away >= LOST_PER_INTERVAL)


def _pressures(
    day: DayModel, shifts: list[Shift], masks: np.ndarray, wait_p90: np.ndarray, config: PressureConfig
) -> tuple[float, ...]:
    """Each shift's pressure index, the shifts scored at once (``masks``: their intervals)."""
    if not shifts:
        return ()
    grid = np.broadcast_to
    rows = ShiftRows.on_day_grid(
        masks,
        utilisation=grid(day.utilisation, masks.shape),
        arrivals_per_hour=grid(day.arrivals_per_hour, masks.shape),
        mean_wait_min=grid(day.wait_minutes, masks.shape),
        staff_on_shift=grid(day.staff, masks.shape),
        walked_away=grid(day.walked_away, masks.shape),
        customer_wait_p90=wait_p90,
        incidents=[s.incidents for s in shifts],
        sensitive_incident=[s.sensitive_incident for s in shifts],
        checkin_score=[math.nan if s.checkin_score is None else s.checkin_score for s in shifts],
    )
    return tuple(score_shifts(rows, config).index.tolist())


def _candidates(open_mask: np.ndarray) -> list[Shift]:
    """Every block of the allowed lengths, starting on the half hour inside opening hours."""
    open_idx = np.flatnonzero(open_mask)
    if open_idx.size == 0:
        return []
    first_open, end_open = int(open_idx[0]), int(open_idx[-1]) + 1
    step = 30 // INTERVAL_MINUTES
    blocks = []
    for hours in BLOCK_HOURS:
        length = hours * 60 // INTERVAL_MINUTES
        for start in range(first_open, max(first_open, end_open - length) + 1, step):
            blocks.append(Shift(start, min(start + length, end_open)))
    return blocks


def _over_target(
    orders: np.ndarray,
    staff_grids: np.ndarray,
    open_mask: np.ndarray,
    targets: StaffingTargets,
    backlog: Callable[..., BacklogResult],
):
    """Order-weighted wait above target plus walk-aways, per candidate roster (all modelled at once).

    A walk-away counts as an order that waited its patience: the cost the customer paid.
    """
    model = model_day(
        np.broadcast_to(orders, staff_grids.shape),
        staff_grids,
        targets,
        keep_states=False,
        backlog=backlog,
        steady=False,
    )
    served = orders * model.served_share
    excess = np.clip(model.wait_minutes - targets.target_wait_minutes, 0, None) * served
    lost = model.walked_away * min(targets.patience_minutes, 60.0)
    return ((excess + lost) * open_mask).sum(axis=-1)


def recommend_additions(
    orders: np.ndarray,
    shifts: list[Shift],
    open_mask: np.ndarray,
    targets: StaffingTargets,
    config: PressureConfig = DEFAULT_CONFIG,
    max_additions: int = 4,
    backlog: Callable[..., BacklogResult] | None = None,
) -> Recommendation:
    """The fewest staff-hours added, block by block, until waits meet the target and pressure is below amber.

    ``backlog``: the kernel every roster is modelled with; by default a ``SharedBacklog`` for this
    day, whose interval matrices all candidates and all steps share (~20x faster). ``backlog_day``
    gives the same recommendation: it is the reference the tests hold this one to.
    """
    orders = np.asarray(orders, dtype=float)
    open_mask = np.asarray(open_mask, dtype=bool)
    backlog = SharedBacklog() if backlog is None else backlog
    before = outcome(orders, shifts, open_mask, targets, config, backlog)
    candidates = _candidates(open_mask)
    added: list[Shift] = []

    def fine(result: DayOutcome) -> bool:
        return result.minutes_over_target == 0 and result.worst_pressure < config.amber_at

    current = before
    while not fine(current) and len(added) < max_additions and candidates:
        base = grid_of(shifts + added, len(orders))
        # the roster as it stands and with each candidate, in one batch of the kernel
        grids = np.stack([base] + [base + grid_of([c], len(orders)) for c in candidates])
        over = _over_target(orders, grids, open_mask, targets, backlog)
        now_over = over[0]
        gain = (now_over - over[1:]) / np.array([c.hours for c in candidates])
        if now_over <= 0:
            # Waits are fine; what is left is pressure: relieve the person alone the longest.
            solo = (base == 1) & open_mask
            gain = np.array(
                [np.count_nonzero(solo[c.first : c.end]) / c.hours for c in candidates], dtype=float
            )
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        added.append(candidates[best])
        current = outcome(orders, shifts + added, open_mask, targets, config, backlog)
    merged = _merge(added)
    return Recommendation(merged, before, current, fine(current), _explain(merged, before, current, config))


def _merge(blocks: list[Shift]) -> tuple[Shift, ...]:
    """Blocks that touch or overlap become one person's shift where that adds no hours."""
    merged: list[Shift] = []
    for block in sorted(blocks, key=lambda b: b.first):
        if merged and block.first == merged[-1].end:
            merged[-1] = Shift(merged[-1].first, block.end)
        else:
            merged.append(block)
    return tuple(merged)


def _explain(added: tuple[Shift, ...], before: DayOutcome, after: DayOutcome, config: PressureConfig) -> str:
    if not added:
        return (
            "No addition needed."
            if before.minutes_over_target == 0
            else "No addition within the limits helps."
        )
    blocks = ", ".join(s.label for s in added)
    return (
        f"Add {len(added)} cover block(s) {blocks} ({sum(s.hours for s in added):.1f} staff-hours): "
        f"longest wait {before.max_wait_minutes:.1f} -> {after.max_wait_minutes:.1f} min, "
        f"time over target {before.minutes_over_target} -> {after.minutes_over_target} min, "
        f"worst shift pressure {before.worst_pressure:.0f} -> {after.worst_pressure:.0f} "
        f"(amber from {config.amber_at:.0f})."
    )


def policy_shifts(staff_per_shift: int, open_mask: np.ndarray) -> list[Shift]:
    """The roster a tier policy implies: ``staff_per_shift`` people on an opening and a closing shift.

    Shifts start 15 minutes before opening and end 15 minutes after closing (set-up and
    clean-down) and hand over at the middle of the day.
    """
    open_idx = np.flatnonzero(open_mask)
    if open_idx.size == 0 or staff_per_shift < 1:
        return []
    first, end = max(int(open_idx[0]) - 1, 0), min(int(open_idx[-1]) + 2, len(open_mask))
    middle = (first + end) // 2
    return [Shift(first, middle) for _ in range(staff_per_shift)] + [
        Shift(middle, end) for _ in range(staff_per_shift)
    ]
