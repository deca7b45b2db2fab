"""Shift pressure index (压力指数): 0-100 per staff member and shift, with the reasons behind it.

Eight factors each earn points between 0 and a cap, rising linearly between a "free" and a "full"
value; the caps add up to 100, so the index is their sum. Every factor that scores becomes a
``Reason`` whose English explanation is ``template.format(**params)``: the UI can translate the
template and show the same numbers. docs/pressure.md has the formula and why the defaults are what
they are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from staffing.stats import weighted_quantile


class Level(StrEnum):
    """Traffic-light reading of the index."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Factor(StrEnum):
    """The factors, in the order that breaks ties between equal points."""

    ALONE = "alone"
    WAIT = "wait"
    UTILISATION = "utilisation"
    BUSY = "busy"
    RUSH = "rush"
    NO_BREAK = "no_break"
    INCIDENTS = "incidents"
    CHECKIN = "checkin"
    WALKED_AWAY = "walked_away"


LOAD_FACTORS = (Factor.WAIT, Factor.UTILISATION, Factor.BUSY, Factor.RUSH, Factor.WALKED_AWAY)
"""Factors that all measure the same thing, the load on the counter: merged into one score."""


_FACTOR_ORDER = {f: k for k, f in enumerate(Factor)}
_LOAD_PRIORITY = {
    f: k
    for k, f in enumerate((Factor.WALKED_AWAY, Factor.WAIT, Factor.RUSH, Factor.BUSY, Factor.UTILISATION))
}
"""Ties in the load group go to the reason a manager acts on first: lost customers, then the wait."""


# English source texts; the UI translates them (the text is the key) and formats with Reason.params.
TEMPLATES: dict[str, str] = {
    "alone": "alone {periods} ({alone_min:.0f} min with nobody to step in)",
    "alone_period": "{start}-{end} with {orders_per_hour:.0f} orders/h: utilisation {utilisation:.2f}",
    "wait": (
        "modelled wait {wait_min:.1f} min for the slowest {slowest_pct:.0f}% of orders "
        "(target {target_min:.0f} min); longest at {worst_start}-{worst_end}: {worst_min:.1f} min"
    ),
    "wait_unbounded": (
        "modelled wait {wait_min:.1f} min for the slowest {slowest_pct:.0f}% of orders "
        "(target {target_min:.0f} min); at {worst_start}-{worst_end} the queue grows without limit"
    ),
    "utilisation": "mean utilisation {utilisation:.2f} over the shift ({calm:.2f} is calm, {flat_out:.2f} flat out)",
    "busy": "{busy_min:.0f} min at utilisation {threshold:.2f} or more",
    "rush": "longest rush {start}-{end}: {rush_min:.0f} min straight at utilisation {threshold:.2f} or more",
    "no_break": "{hours:.1f} h without a break ({start}-{end})",
    "incidents": "incidents during the shift: {incidents}",
    "incidents_sensitive": (
        "incidents during the shift: {incidents}, with a sensitive trigger "
        "(escalated complaint, consumer association or media)"
    ),
    "checkin": 'end-of-shift check-in: {score}/5 for "how hard was this shift"',
    "walked_away": "about {customers:.0f} customers walked away {start}-{end}",
    "no_break_unknown": "breaks not recorded",
    "nobody_rostered": "nobody rostered {start}-{end}: all {customers:.0f} customers lost",
    "burnout": (
        "burnout risk: red shifts on {red} of the last {worked} working days ({dates}); "
        "talk with them and point to the support hotline"
    ),
    "no_burnout": "no burnout risk: red shifts on {red} of the last {worked} working days (risk from {k} of {n})",
}


@dataclass(frozen=True)
class PressureConfig:
    """Weights (points per factor, summing to 100), the scales that map factors to points, and levels.

    A factor scores 0 at or below its ``*_free`` value and its full points at or above ``*_full``,
    linearly in between. docs/pressure.md explains each default.
    """

    alone_points: float = 25.0
    wait_points: float = 15.0
    utilisation_points: float = 10.0
    busy_points: float = 10.0
    rush_points: float = 10.0
    no_break_points: float = 10.0
    incident_points: float = 10.0
    checkin_points: float = 10.0

    alone_full_min: float = 180.0
    wait_free_min: float = 3.0
    wait_full_min: float = 15.0
    wait_cap_min: float = 60.0
    """Stands in for an unbounded (infinite) modelled wait."""
    wait_quantile: float = 0.9
    """Arrival-weighted quantile of interval waits that is scored (0.9: the slowest 10 % of orders)."""
    utilisation_free: float = 0.5
    utilisation_full: float = 0.95
    busy_threshold: float = 0.85
    """Utilisation at or above which an interval counts as busy and as part of a rush."""
    busy_full_min: float = 120.0
    rush_free_min: float = 15.0
    rush_full_min: float = 90.0
    no_break_free_h: float = 2.0
    no_break_full_h: float = 5.0
    min_break_min: float = 10.0
    """Shorter pauses do not count as a break."""
    points_per_incident: float = 5.0
    sensitive_incident_points: float = 5.0
    """Extra points when any incident had a sensitive trigger."""

    amber_at: float = 35.0
    red_at: float = 65.0

    alone_base_weight: float = 0.2
    """Share of an alone minute that counts when the counter is calm (nobody to step in, still)."""
    alone_calm_utilisation: float = 0.3
    alone_busy_utilisation: float = 0.85
    """An alone minute counts fully from this utilisation on, from ``alone_base_weight`` below the calm one."""
    walked_away_free: float = 1.0
    walked_away_full: float = 20.0
    """Customers lost during the shift: no points up to ``walked_away_free``, the whole load group from here."""
    merge_load: bool = True
    """Wait, utilisation, busy, rush and walk-aways measure one cause: score their group once, as its worst
    member's share of the group's combined points (False: the former sum of separate factors)."""

    def __post_init__(self) -> None:
        caps = self.caps()
        if min(caps.values()) < 0 or not math.isclose(sum(caps.values()), 100.0):
            raise ValueError(
                f"factor points must be non-negative and add up to 100, got {sum(caps.values()):g}"
            )
        if not 0 < self.amber_at <= self.red_at <= 100:
            raise ValueError(f"need 0 < amber_at <= red_at <= 100, got {self.amber_at}, {self.red_at}")
        pairs = [
            (self.wait_free_min, self.wait_full_min),
            (self.utilisation_free, self.utilisation_full),
            (self.rush_free_min, self.rush_full_min),
            (self.no_break_free_h, self.no_break_full_h),
            (0.0, self.alone_full_min),
            (0.0, self.busy_full_min),
        ]
        if any(not 0 <= free < full for free, full in pairs):
            raise ValueError("each factor's free value must be non-negative and below its full value")
        if not 0 < self.wait_quantile <= 1:
            raise ValueError(f"wait_quantile must be within (0, 1], got {self.wait_quantile}")

    def caps(self) -> dict[Factor, float]:
        """Maximum points per factor."""
        return {
            Factor.ALONE: self.alone_points,
            Factor.WAIT: self.wait_points,
            Factor.UTILISATION: self.utilisation_points,
            Factor.BUSY: self.busy_points,
            Factor.RUSH: self.rush_points,
            Factor.NO_BREAK: self.no_break_points,
            Factor.INCIDENTS: self.incident_points,
            Factor.CHECKIN: self.checkin_points,
        }

    def level_for(self, index: float) -> Level:
        """Green below ``amber_at``, red from ``red_at``, amber in between."""
        return Level.RED if index >= self.red_at else Level.AMBER if index >= self.amber_at else Level.GREEN


DEFAULT_CONFIG = PressureConfig()


_PER_INTERVAL = ("interval_start_min", "arrivals_per_hour", "utilisation", "mean_wait_min", "staff_on_shift")
_FINITE_ROWS = [i for i, name in enumerate(_PER_INTERVAL) if name != "mean_wait_min"]


@dataclass(frozen=True)
class ShiftLoad:
    """One person's shift as 15-minute intervals, plus what happened on it.

    Interval times are minutes after local midnight of the shift's day (660 = 11:00; past 1440 for a
    shift that runs over midnight); ``breaks`` use the same clock. Per-interval arrays: orders per
    hour, utilisation ρ of the team serving, modelled mean wait in minutes (``inf`` where ρ >= 1),
    and how many staff are on shift (1 = alone); a scalar stands for every interval. ``checkin_score`` is the 1-5 end-of-shift answer
    to "how hard was this shift", if given.
    """

    interval_start_min: np.ndarray
    arrivals_per_hour: np.ndarray
    utilisation: np.ndarray
    mean_wait_min: np.ndarray
    staff_on_shift: np.ndarray
    breaks: Sequence[tuple[float, float]] = ()
    incidents: int = 0
    sensitive_incident: bool = False
    checkin_score: int | None = None
    interval_minutes: int = 15
    walked_away: np.ndarray | float = 0.0
    """Expected customers lost per interval (``DayModel.walked_away``)."""
    breaks_recorded: bool | None = None
    """Whether breaks were recorded for this shift; None: recorded iff ``breaks`` is not empty.
    Unrecorded breaks are unknown, not "no break": they score nothing and the reasons say so."""
    customer_wait_p90: float | None = None
    """The slowest-10 % wait of the shift's customers from the day model's state distribution
    (``DayModel.wait_quantile(0.9, mask)``); None: the arrival-weighted quantile of interval means."""

    def __post_init__(self) -> None:
        n = np.size(self.interval_start_min)
        walked = np.asarray(self.walked_away, dtype=float).ravel()
        walked = np.full(n, walked[0]) if walked.size == 1 else walked
        if walked.size != n or not np.isfinite(walked).all() or walked.min(initial=0.0) < 0:
            raise ValueError("walked_away must be finite, non-negative, one value per interval")
        object.__setattr__(self, "walked_away", walked)
        arrays = []
        for name in _PER_INTERVAL:
            a = np.asarray(getattr(self, name), dtype=float).ravel()
            if a.size == 1 and n > 1:  # one value for the whole shift
                a = np.full(n, a[0])
            if a.size != n:
                raise ValueError(f"{name} has {a.size} values for {n} intervals")
            arrays.append(a)
            object.__setattr__(self, name, a)
        if n == 0:
            raise ValueError("a shift needs at least one interval")
        # One pass over all of them (a chain's week builds tens of thousands of these); the
        # message names the first offender, as checking them one by one would.
        grid = np.stack(arrays)
        bad = np.isnan(grid) | (grid < 0)
        bad[_FINITE_ROWS] |= np.isinf(grid[_FINITE_ROWS])
        if bad.any():
            name = _PER_INTERVAL[int(np.flatnonzero(bad.any(axis=1))[0])]
            raise ValueError(f"{name} must be finite and non-negative (mean_wait_min may be inf)")
        if np.any(np.diff(self.interval_start_min) < self.interval_minutes):
            raise ValueError("interval_start_min must increase by at least interval_minutes")
        if self.incidents < 0 or (self.sensitive_incident and self.incidents == 0):
            raise ValueError("incidents must be >= 0, and >= 1 when one had a sensitive trigger")
        if self.checkin_score is not None and self.checkin_score not in range(1, 6):
            raise ValueError(f"checkin_score must be 1-5, got {self.checkin_score}")
        object.__setattr__(self, "breaks", tuple((float(a), float(b)) for a, b in self.breaks))

    @classmethod
    def of_model(cls, **values: Any) -> ShiftLoad:
        """A shift cut from one day model's arrays, without ``__post_init__``'s per-shift checks.

        For ``storemon.services.store_days``: its per-interval values are slices of float arrays
        that ``staffing.day.model_day`` made and that hold the checked invariants (one value per
        interval, finite and non-negative, inf only for waits), and a chain's week cuts 25,000
        shifts from them, where checking each slice again was a tenth of the time.
        """
        load = object.__new__(cls)
        for spec in fields(cls):
            object.__setattr__(load, spec.name, values.pop(spec.name, spec.default))
        if values:
            raise TypeError(f"ShiftLoad has no field(s) {sorted(values)}")
        return load


@dataclass(frozen=True)
class Reason:
    """One factor's share of the index: points, a plain-language explanation, and its numbers."""

    factor: Factor
    points: float
    explanation: str
    params: dict[str, Any] = field(default_factory=dict)
    template: str = ""
    """The English template the explanation was built from (``template.format(**params)``)."""


@dataclass(frozen=True)
class PressureResult:
    """Index 0-100, its level, the scoring factors (most points first) and every factor's raw value."""

    index: float
    level: Level
    reasons: tuple[Reason, ...]
    values: dict[Factor, float]
    """Raw factor values (minutes, ratios, counts), scoring or not."""
    scores: dict[Factor, float] = field(default_factory=dict)
    """Each factor's value mapped to 0-1 by its ramp (before weights): the calibration's features."""
    unknown: tuple[Reason, ...] = ()
    """Factors without data (0 points), e.g. "breaks not recorded"."""


def clock(minutes: float) -> str:
    """Minutes after midnight as local wall-clock "HH:MM" (wraps past midnight)."""
    m = int(round(minutes)) % 1440
    return f"{m // 60:02d}:{m % 60:02d}"


def _runs(mask: np.ndarray, starts: np.ndarray, step: int) -> list[tuple[int, int]]:
    """Maximal runs ``[i, j)`` of True intervals that also follow each other without a gap in time."""
    runs: list[tuple[int, int]] = []
    i = 0
    n = mask.size
    while i < n:
        if not mask[i]:
            i += 1
            continue
        j = i + 1
        while j < n and mask[j] and starts[j] - starts[j - 1] == step:
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _longest_without_break(load: ShiftLoad, min_break: float) -> tuple[float, float]:
    """Start and end (minutes) of the longest worked stretch between qualifying breaks.

    Gaps between the shift's intervals (a split shift) count as breaks too.
    """
    step = load.interval_minutes
    starts = load.interval_start_min
    pauses = [(a, b) for a, b in load.breaks if b - a >= min_break]
    best = (starts[0], starts[0])
    for i, j in _runs(np.ones(starts.size, dtype=bool), starts, step):
        cursor, stop = starts[i], starts[j - 1] + step
        for a, b in sorted(pauses):
            if b <= cursor or a >= stop:
                continue
            if a - cursor > best[1] - best[0]:
                best = (cursor, a)
            cursor = max(cursor, b)
        if stop - cursor > best[1] - best[0]:
            best = (cursor, stop)
    return float(best[0]), float(best[1])


_PENDING = (
    Factor.ALONE,
    Factor.WAIT,
    Factor.UTILISATION,
    Factor.BUSY,
    Factor.RUSH,
    Factor.WALKED_AWAY,
    Factor.NO_BREAK,
    Factor.INCIDENTS,
    Factor.CHECKIN,
)
"""Every factor in the order a result lists its values and scores."""
_GROUP_BY_PRIORITY = tuple(sorted(_LOAD_PRIORITY, key=_LOAD_PRIORITY.get))


@dataclass(frozen=True)
class ShiftRows:
    """Many shifts as rows of one grid (shifts, columns), scored at once by ``score_shifts``.

    ``inside`` marks each row's own intervals (values elsewhere are ignored); ``joined`` that an
    interval directly follows the one before it (False after a gap in time: a run of alone or busy
    intervals ends there). A day's grid of 15-minute columns with each shift's span inside is
    one layout, ``of_loads`` (each shift's intervals from the first column) another; sums run left
    to right, so a shift scores the same in either, beside shifts of any length.
    """

    utilisation: np.ndarray
    arrivals_per_hour: np.ndarray
    mean_wait_min: np.ndarray
    staff_on_shift: np.ndarray
    walked_away: np.ndarray
    inside: np.ndarray
    joined: np.ndarray
    interval_minutes: np.ndarray
    """Per shift (shifts,), as the per-shift arrays below."""
    incidents: np.ndarray
    sensitive_incident: np.ndarray
    checkin_score: np.ndarray
    """NaN without a check-in."""
    customer_wait_p90: np.ndarray
    """NaN where not known: the shift is scored on the arrival-weighted quantile of its interval waits."""
    no_break_hours: np.ndarray
    """The longest stretch worked between breaks; NaN where breaks were not recorded (unknown)."""

    @classmethod
    def on_day_grid(
        cls,
        inside: np.ndarray,
        *,
        utilisation: np.ndarray,
        arrivals_per_hour: np.ndarray,
        mean_wait_min: np.ndarray,
        staff_on_shift: np.ndarray,
        walked_away: np.ndarray,
        customer_wait_p90: ArrayLike,
        incidents: ArrayLike = 0,
        sensitive_incident: ArrayLike = False,
        checkin_score: ArrayLike = math.nan,
        interval_minutes: int = 15,
    ) -> ShiftRows:
        """Shifts cut from day models' 15-minute grids: ``inside`` (shifts, intervals) marks each
        shift's span, the per-interval arrays are its day's row of the model (the day model's own
        invariants hold: finite and non-negative, inf only for waits). Rosters carry no breaks:
        "no break" is unknown, not scored."""
        shifts = inside.shape[0]

        def per_shift(value: ArrayLike, dtype: type) -> np.ndarray:
            return np.broadcast_to(np.asarray(value, dtype=dtype), (shifts,))

        return cls(
            utilisation=utilisation,
            arrivals_per_hour=arrivals_per_hour,
            mean_wait_min=mean_wait_min,
            staff_on_shift=staff_on_shift,
            walked_away=walked_away,
            inside=inside,
            joined=np.ones(inside.shape, dtype=bool),
            interval_minutes=np.full(shifts, float(interval_minutes)),
            incidents=per_shift(incidents, float),
            sensitive_incident=per_shift(sensitive_incident, bool),
            checkin_score=per_shift(checkin_score, float),
            customer_wait_p90=per_shift(customer_wait_p90, float),
            no_break_hours=np.full(shifts, math.nan),
        )

    @classmethod
    def of_loads(cls, loads: Sequence[ShiftLoad], config: PressureConfig = DEFAULT_CONFIG) -> ShiftRows:
        """``loads`` as rows, each from the first column."""
        width = max((load.interval_start_min.size for load in loads), default=0)
        grids = {name: np.zeros((len(loads), width)) for name in _PER_INTERVAL + ("walked_away",)}
        inside = np.zeros((len(loads), width), dtype=bool)
        joined = np.ones((len(loads), width), dtype=bool)
        for k, load in enumerate(loads):
            n = load.interval_start_min.size
            for name, grid in grids.items():
                grid[k, :n] = getattr(load, name)
            inside[k, :n] = True
            joined[k, 1:n] = np.diff(load.interval_start_min) == load.interval_minutes
        no_break = []
        for load in loads:
            recorded = load.breaks_recorded if load.breaks_recorded is not None else bool(load.breaks)
            a, b = _longest_without_break(load, config.min_break_min) if recorded else (math.nan, math.nan)
            no_break.append((b - a) / 60)
        return cls(
            utilisation=grids["utilisation"],
            arrivals_per_hour=grids["arrivals_per_hour"],
            mean_wait_min=grids["mean_wait_min"],
            staff_on_shift=grids["staff_on_shift"],
            walked_away=grids["walked_away"],
            inside=inside,
            joined=joined,
            interval_minutes=np.array([load.interval_minutes for load in loads], dtype=float),
            incidents=np.array([load.incidents for load in loads], dtype=float),
            sensitive_incident=np.array([load.sensitive_incident for load in loads], dtype=bool),
            checkin_score=np.array(
                [math.nan if load.checkin_score is None else load.checkin_score for load in loads],
                dtype=float,
            ),
            customer_wait_p90=np.array(
                [math.nan if load.customer_wait_p90 is None else load.customer_wait_p90 for load in loads],
                dtype=float,
            ),
            no_break_hours=np.array(no_break, dtype=float),
        )


@dataclass(frozen=True)
class ScoredShifts:
    """``score_shifts``' answer: per factor, each shift's raw value, 0-1 score and points (NaN value
    and score where the factor is unknown for that shift: no check-in, breaks not recorded), and
    each shift's index."""

    values: dict[Factor, np.ndarray]
    scores: dict[Factor, np.ndarray]
    points: dict[Factor, np.ndarray]
    index: np.ndarray

    def levels(self, config: PressureConfig = DEFAULT_CONFIG) -> list[Level]:
        """Each shift's level (``PressureConfig.level_for``)."""
        return [config.level_for(index) for index in self.index.tolist()]

    def of_shift(self, k: int) -> tuple[dict[Factor, float], dict[Factor, float], dict[Factor, float]]:
        """Shift ``k``'s known values, scores and points, in ``_PENDING`` order."""
        known = [f for f in _PENDING if not math.isnan(self.scores[f][k])]
        return tuple(
            {f: float(figure[f][k]) for f in known} for figure in (self.values, self.scores, self.points)
        )


def _ramps(value: np.ndarray, free: float, full: float) -> np.ndarray:
    """``_ramp`` with one point, for arrays (NaN stays NaN)."""
    return np.minimum(np.maximum((value - free) / (full - free), 0.0), 1.0)


def _alone_weight(rho: np.ndarray, config: PressureConfig) -> np.ndarray:
    """How much of an alone minute counts at utilisation ``rho``: all of it from the busy level on,
    ``alone_base_weight`` below the calm one (nobody to step in, still), linear in between."""
    return config.alone_base_weight + (1.0 - config.alone_base_weight) * np.clip(
        (rho - config.alone_calm_utilisation)
        / (config.alone_busy_utilisation - config.alone_calm_utilisation),
        0.0,
        1.0,
    )


def _row_sums(x: np.ndarray) -> np.ndarray:
    """Each row's sum, left to right (as one shift's own intervals would add up alone)."""
    return np.cumsum(x, axis=1)[:, -1] if x.shape[1] else np.zeros(x.shape[0])


def _longest_runs(flag: np.ndarray, joined: np.ndarray) -> np.ndarray:
    """Per row, the length of its longest run of flagged intervals that follow each other in time."""
    if not flag.shape[1]:
        return np.zeros(flag.shape[0], dtype=np.int64)
    counted = np.cumsum(flag, axis=1)
    before = np.zeros_like(flag)
    before[:, 1:] = flag[:, :-1] & joined[:, 1:]
    starts = flag & ~before
    # Every run counts from the running total just before its first interval.
    base = np.maximum.accumulate(np.where(starts, counted - 1, 0), axis=1)
    return np.where(flag, counted - base, 0).max(axis=1)


def score_shifts(rows: ShiftRows, config: PressureConfig = DEFAULT_CONFIG) -> ScoredShifts:
    """The pressure index of every shift in ``rows`` with each factor's value, score and points
    (docs/pressure.md has the formulae; ``shift_pressure`` adds the reasons for one shift)."""
    inside = rows.inside
    step = rows.interval_minutes
    rho = np.where(inside, rows.utilisation, 0.0)
    orders = np.where(inside, rows.arrivals_per_hour, 0.0)
    values: dict[Factor, np.ndarray] = {}
    scores: dict[Factor, np.ndarray] = {}

    # Alone: nobody to step in (应急补位). Scored with the load it carries: an alone minute counts
    # fully at a busy counter and only `alone_base_weight` of a minute at a calm one.
    alone = (rows.staff_on_shift <= 1) & inside
    values[Factor.ALONE] = alone.sum(axis=1) * step
    scores[Factor.ALONE] = _ramps(
        _row_sums(alone * _alone_weight(rho, config)) * step, 0.0, config.alone_full_min
    )

    # Wait: what customers fight over; scored on the slowest share of the shift's customers.
    wait = np.minimum(rows.customer_wait_p90, config.wait_cap_min)
    unknown = np.isnan(wait) if config.wait_quantile == 0.9 else np.ones(wait.shape, dtype=bool)
    waits = np.minimum(rows.mean_wait_min, config.wait_cap_min)
    for k in np.flatnonzero(unknown):
        own = inside[k]
        wait[k] = weighted_quantile(waits[k, own], orders[k, own], config.wait_quantile)
    values[Factor.WAIT] = wait
    scores[Factor.WAIT] = _ramps(wait, config.wait_free_min, config.wait_full_min)

    counted = inside.sum(axis=1)
    values[Factor.UTILISATION] = _row_sums(np.minimum(rho, 1.0)) / np.maximum(counted, 1)
    scores[Factor.UTILISATION] = _ramps(
        values[Factor.UTILISATION], config.utilisation_free, config.utilisation_full
    )

    busy = (rho >= config.busy_threshold) & inside
    values[Factor.BUSY] = busy.sum(axis=1) * step
    scores[Factor.BUSY] = _ramps(values[Factor.BUSY], 0.0, config.busy_full_min)
    values[Factor.RUSH] = _longest_runs(busy, rows.joined) * step
    scores[Factor.RUSH] = _ramps(values[Factor.RUSH], config.rush_free_min, config.rush_full_min)

    values[Factor.WALKED_AWAY] = _row_sums(np.where(inside, rows.walked_away, 0.0))
    scores[Factor.WALKED_AWAY] = _ramps(
        values[Factor.WALKED_AWAY], config.walked_away_free, config.walked_away_full
    )

    values[Factor.NO_BREAK] = rows.no_break_hours
    scores[Factor.NO_BREAK] = _ramps(rows.no_break_hours, config.no_break_free_h, config.no_break_full_h)

    values[Factor.INCIDENTS] = rows.incidents
    incident_points = np.minimum(
        config.incident_points,
        config.points_per_incident * rows.incidents
        + config.sensitive_incident_points * rows.sensitive_incident,
    )
    scores[Factor.INCIDENTS] = (
        incident_points / config.incident_points if config.incident_points else np.zeros(rows.incidents.shape)
    )

    values[Factor.CHECKIN] = rows.checkin_score
    scores[Factor.CHECKIN] = _ramps(rows.checkin_score, 1, 5)
    points = _points(scores, config)
    # Most points first, added left to right: the order the reasons list them in.
    ranked = -np.sort(-np.stack([points[f] for f in _PENDING], axis=1), axis=1)
    index = np.zeros(ranked.shape[0])
    for column in ranked.T:
        index = index + column
    index = np.where(counted > 0, np.minimum(np.maximum(index, 0.0), 100.0), 0.0)  # no interval: no load
    return ScoredShifts(values, scores, points, index)


def _points(scores: dict[Factor, np.ndarray], config: PressureConfig) -> dict[Factor, np.ndarray]:
    """Each factor's score × its cap (0 where unknown); the load group (wait, utilisation, busy,
    rush and walk-aways) scores once, as its worst member's share of the group's combined cap,
    credited to that member. Walk-aways carry the cap of the wait (they are the wait that ended in
    a loss); ties go to the reason a manager acts on first (``_LOAD_PRIORITY``)."""
    caps = config.caps()
    points = {f: np.nan_to_num(scores[f] * caps.get(f, 0.0)) for f in _PENDING}
    if config.merge_load:
        group_cap = sum(
            caps.get(f, 0.0) for f in _PENDING if f in _LOAD_PRIORITY and f is not Factor.WALKED_AWAY
        )
        top = np.argmax(np.stack([scores[f] for f in _GROUP_BY_PRIORITY]), axis=0)  # the first of equals
        for rank, f in enumerate(_GROUP_BY_PRIORITY):
            points[f] = np.where(top == rank, group_cap * scores[f], 0.0)
    else:
        points[Factor.WALKED_AWAY] = np.zeros_like(points[Factor.WALKED_AWAY])
    return points


def shift_pressure(load: ShiftLoad, config: PressureConfig = DEFAULT_CONFIG) -> PressureResult:
    """The pressure index of one person's shift, with its reasons (docs/pressure.md has the formulae)."""
    return explained(load, score_shifts(ShiftRows.of_loads([load], config), config), 0, config)


def explained(
    load: ShiftLoad, scored: ScoredShifts, k: int, config: PressureConfig = DEFAULT_CONFIG
) -> PressureResult:
    """Shift ``k`` of ``scored`` (which is ``load``) as a result with its reasons: the figures a
    manager reads in them (when, how long, how many) and a sentence each."""
    values, scores, points = scored.of_shift(k)
    params = _reason_params(load, values, config)
    reasons = []
    for factor in values:
        shown = points[factor] > 0 or (
            factor is Factor.WALKED_AWAY and values[factor] >= config.walked_away_free
        )
        if shown:
            key, own = params[factor]
            template = TEMPLATES[key]
            reasons.append(Reason(factor, points[factor], template.format(**own), own, template))
    reasons.sort(key=lambda r: (-r.points, _FACTOR_ORDER[r.factor]))
    unknown = ()
    if Factor.NO_BREAK not in values:
        template = TEMPLATES["no_break_unknown"]
        unknown = (Reason(Factor.NO_BREAK, 0.0, template, {}, template),)
    index = float(scored.index[k])
    return PressureResult(index, config.level_for(index), tuple(reasons), values, scores, unknown)


def _reason_params(load: ShiftLoad, values: dict[Factor, float], config: PressureConfig) -> dict:
    """Per known factor, its template's key and parameters."""
    step = load.interval_minutes
    starts = load.interval_start_min
    rho = load.utilisation
    orders = load.arrivals_per_hour
    alone = load.staff_on_shift <= 1
    periods = [
        {
            "start": clock(starts[i]),
            "end": clock(starts[j - 1] + step),
            "orders_per_hour": float(orders[i:j].mean()),
            "utilisation": float(rho[i:j].mean()),
        }
        for i, j in _runs(alone, starts, step)
    ]
    params: dict[Factor, tuple[str, dict[str, Any]]] = {}
    params[Factor.ALONE] = (
        "alone",
        {
            "alone_min": values[Factor.ALONE],
            "alone_load_min": float(np.cumsum(alone * _alone_weight(rho, config))[-1] * step),
            "periods": "; ".join(TEMPLATES["alone_period"].format(**p) for p in periods),
            "period_list": periods,
        },
    )
    waits = np.minimum(load.mean_wait_min, config.wait_cap_min)
    worst = int(np.argmax(load.mean_wait_min))
    params[Factor.WAIT] = (
        "wait_unbounded" if math.isinf(load.mean_wait_min[worst]) else "wait",
        {
            "wait_min": values[Factor.WAIT],
            "slowest_pct": 100 * (1 - config.wait_quantile),
            "target_min": config.wait_free_min,
            "worst_start": clock(starts[worst]),
            "worst_end": clock(starts[worst] + step),
            "worst_min": float(waits[worst]),
        },
    )
    params[Factor.UTILISATION] = (
        "utilisation",
        {
            "utilisation": values[Factor.UTILISATION],
            "calm": config.utilisation_free,
            "flat_out": config.utilisation_full,
        },
    )
    params[Factor.BUSY] = ("busy", {"busy_min": values[Factor.BUSY], "threshold": config.busy_threshold})
    rushes = _runs(rho >= config.busy_threshold, starts, step)
    i, j = max(rushes, key=lambda r: r[1] - r[0], default=(0, 0))
    rush_min = values[Factor.RUSH]
    params[Factor.RUSH] = (
        "rush",
        {
            "rush_min": rush_min,
            "threshold": config.busy_threshold,
            "start": clock(starts[i]),
            "end": clock(starts[i] + rush_min),
        },
    )
    # Lost customers over the shift, said with when they left: from the first to the last interval
    # losing half a customer or more (one every half hour), the whole shift if none does.
    walked = load.walked_away
    losing = np.flatnonzero(walked >= 0.5)
    i, j = (int(losing[0]), int(losing[-1]) + 1) if losing.size else (0, 0)
    params[Factor.WALKED_AWAY] = (
        "walked_away",
        {
            "customers": values[Factor.WALKED_AWAY],
            "start": clock(starts[i]) if j > i else clock(starts[0]),
            "end": clock(starts[j - 1] + step) if j > i else clock(starts[-1] + step),
            "in_stretch": float(walked[i:j].sum()),
        },
    )
    if Factor.NO_BREAK in values:
        a, b = _longest_without_break(load, config.min_break_min)
        params[Factor.NO_BREAK] = (
            "no_break",
            {"hours": values[Factor.NO_BREAK], "start": clock(a), "end": clock(b)},
        )
    params[Factor.INCIDENTS] = (
        "incidents_sensitive" if load.sensitive_incident else "incidents",
        {"incidents": load.incidents, "sensitive": load.sensitive_incident},
    )
    if Factor.CHECKIN in values:
        params[Factor.CHECKIN] = ("checkin", {"score": load.checkin_score})
    return params


def pressure_for_shifts(
    loads: Iterable[ShiftLoad], config: PressureConfig = DEFAULT_CONFIG
) -> list[PressureResult]:
    """``shift_pressure`` for many shifts, in order, scored at once (a region's month is a few
    thousand shifts)."""
    loads = list(loads)
    scored = score_shifts(ShiftRows.of_loads(loads, config), config)
    return [explained(load, scored, k, config) for k, load in enumerate(loads)]


@dataclass(frozen=True)
class BurnoutRisk:
    """Whether a person's recent shifts add up to a burnout risk, and why."""

    at_risk: bool
    red_days: tuple[date, ...]
    window: tuple[date, ...]
    explanation: str
    params: dict[str, Any] = field(default_factory=dict)
    template: str = ""


def burnout_risk(
    days: Iterable[tuple[date, Level | str]], k: int = 3, n: int = 5, as_of: date | None = None
) -> BurnoutRisk:
    """Burnout risk when a person had a red shift on ``k`` of their last ``n`` working days.

    ``days`` holds (date, level) per shift worked, in any order; a day with several shifts is as
    bad as its worst. Only days up to ``as_of`` count, if given. With fewer than ``n`` working days
    on record, ``k`` red days among them still count.
    """
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
    red_by_day: dict[date, bool] = {}
    for day, level in days:
        if as_of is None or day <= as_of:
            red_by_day[day] = red_by_day.get(day, False) or Level(level) is Level.RED
    window = tuple(sorted(red_by_day)[-n:])
    red = tuple(d for d in window if red_by_day[d])
    at_risk = len(red) >= k
    params: dict[str, Any] = {
        "red": len(red),
        "worked": len(window),
        "k": k,
        "n": n,
        "dates": ", ".join(d.isoformat() for d in red),
    }
    template = TEMPLATES["burnout" if at_risk else "no_burnout"]
    return BurnoutRisk(at_risk, red, window, template.format(**params), params, template)
