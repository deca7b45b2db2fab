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


def _ramp(value: float, free: float, full: float, points: float) -> float:
    """0 at or below ``free``, ``points`` at or above ``full``, linear in between."""
    return points * min(max((value - free) / (full - free), 0.0), 1.0)


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


def shift_pressure(load: ShiftLoad, config: PressureConfig = DEFAULT_CONFIG) -> PressureResult:
    """The pressure index of one person's shift, with its reasons (docs/pressure.md has the formulae)."""
    step = load.interval_minutes
    starts = load.interval_start_min
    rho = load.utilisation
    orders = load.arrivals_per_hour
    caps = config.caps()
    pending: list[tuple[Factor, float, str, dict[str, Any]]] = []
    values: dict[Factor, float] = {}
    scores: dict[Factor, float] = {}
    unknown: list[Reason] = []

    def add(factor: Factor, value: float, score: float, template_key: str = "", /, **params: Any) -> None:
        values[factor] = value
        scores[factor] = score
        pending.append((factor, score, template_key or factor.value, params))

    # Alone: nobody to step in (应急补位). Scored with the load it carries: an alone minute counts
    # fully at a busy counter and only `alone_base_weight` of a minute at a calm one.
    alone = load.staff_on_shift <= 1
    periods = []
    for i, j in _runs(alone, starts, step):
        periods.append(
            {
                "start": clock(starts[i]),
                "end": clock(starts[j - 1] + step),
                "orders_per_hour": float(orders[i:j].mean()),
                "utilisation": float(rho[i:j].mean()),
            }
        )
    alone_min = float(alone.sum() * step)
    weight = config.alone_base_weight + (1.0 - config.alone_base_weight) * np.clip(
        (rho - config.alone_calm_utilisation)
        / (config.alone_busy_utilisation - config.alone_calm_utilisation),
        0.0,
        1.0,
    )
    alone_load_min = float((alone * weight).sum() * step)
    add(
        Factor.ALONE,
        alone_min,
        _ramp(alone_load_min, 0.0, config.alone_full_min, 1.0),
        alone_min=alone_min,
        alone_load_min=alone_load_min,
        periods="; ".join(TEMPLATES["alone_period"].format(**p) for p in periods),
        period_list=periods,
    )

    # Wait: what customers fight over; scored on the slowest share of the shift's customers.
    waits = np.minimum(load.mean_wait_min, config.wait_cap_min)
    if load.customer_wait_p90 is not None and config.wait_quantile == 0.9:
        wait = float(min(load.customer_wait_p90, config.wait_cap_min))
    else:
        wait = weighted_quantile(waits, orders, config.wait_quantile)
    worst = int(np.argmax(load.mean_wait_min))
    add(
        Factor.WAIT,
        wait,
        _ramp(wait, config.wait_free_min, config.wait_full_min, 1.0),
        "wait_unbounded" if math.isinf(load.mean_wait_min[worst]) else "wait",
        wait_min=wait,
        slowest_pct=100 * (1 - config.wait_quantile),
        target_min=config.wait_free_min,
        worst_start=clock(starts[worst]),
        worst_end=clock(starts[worst] + step),
        worst_min=float(waits[worst]),
    )

    mean_rho = float(np.minimum(rho, 1.0).mean())
    add(
        Factor.UTILISATION,
        mean_rho,
        _ramp(mean_rho, config.utilisation_free, config.utilisation_full, 1.0),
        utilisation=mean_rho,
        calm=config.utilisation_free,
        flat_out=config.utilisation_full,
    )

    busy = rho >= config.busy_threshold
    busy_min = float(busy.sum() * step)
    add(
        Factor.BUSY,
        busy_min,
        _ramp(busy_min, 0.0, config.busy_full_min, 1.0),
        busy_min=busy_min,
        threshold=config.busy_threshold,
    )

    rushes = _runs(busy, starts, step)
    i, j = max(rushes, key=lambda r: r[1] - r[0], default=(0, 0))
    rush_min = float((j - i) * step)
    add(
        Factor.RUSH,
        rush_min,
        _ramp(rush_min, config.rush_free_min, config.rush_full_min, 1.0),
        rush_min=rush_min,
        threshold=config.busy_threshold,
        start=clock(starts[i]),
        end=clock(starts[i] + rush_min),
    )

    # Lost customers over the shift, said with when they left: from the first to the last interval
    # losing half a customer or more (one every half hour), the whole shift if none does.
    walked = load.walked_away
    lost = float(walked.sum())
    losing = np.flatnonzero(walked >= 0.5)
    i, j = (int(losing[0]), int(losing[-1]) + 1) if losing.size else (0, 0)
    add(
        Factor.WALKED_AWAY,
        lost,
        _ramp(lost, config.walked_away_free, config.walked_away_full, 1.0),
        customers=lost,
        start=clock(starts[i]) if j > i else clock(starts[0]),
        end=clock(starts[j - 1] + step) if j > i else clock(starts[-1] + step),
        in_stretch=float(walked[i:j].sum()),
    )

    recorded = load.breaks_recorded if load.breaks_recorded is not None else bool(load.breaks)
    if recorded:
        a, b = _longest_without_break(load, config.min_break_min)
        hours = (b - a) / 60
        add(
            Factor.NO_BREAK,
            hours,
            _ramp(hours, config.no_break_free_h, config.no_break_full_h, 1.0),
            hours=hours,
            start=clock(a),
            end=clock(b),
        )
    else:
        template = TEMPLATES["no_break_unknown"]
        unknown.append(Reason(Factor.NO_BREAK, 0.0, template, {}, template))

    incident_points = min(
        config.incident_points,
        config.points_per_incident * load.incidents
        + config.sensitive_incident_points * load.sensitive_incident,
    )
    add(
        Factor.INCIDENTS,
        float(load.incidents),
        incident_points / config.incident_points if config.incident_points else 0.0,
        "incidents_sensitive" if load.sensitive_incident else "incidents",
        incidents=load.incidents,
        sensitive=load.sensitive_incident,
    )

    if load.checkin_score is not None:
        add(
            Factor.CHECKIN,
            float(load.checkin_score),
            _ramp(load.checkin_score, 1, 5, 1.0),
            score=load.checkin_score,
        )

    # Points: each factor's score × its cap; the load group (wait, utilisation, busy, rush and
    # walk-aways) scores once, as its worst member's share of the group's combined cap, credited
    # to that member. Walk-aways carry the cap of the wait (they are the wait that ended in a loss).
    points = {f: score * caps.get(f, 0.0) for f, score, _, _ in pending}
    group = [f for f, *_ in pending if f in _LOAD_PRIORITY]  # the load factors (a dict: hashed)
    if config.merge_load and group:
        group_cap = sum(caps.get(f, 0.0) for f in group if f is not Factor.WALKED_AWAY)
        top = max(group, key=lambda f: (scores[f], -_LOAD_PRIORITY[f]))
        for f in group:
            points[f] = group_cap * scores[f] if f is top else 0.0
    else:
        points[Factor.WALKED_AWAY] = 0.0
    reasons = []
    for factor, _score, key, params in pending:
        shown = points[factor] > 0 or (
            factor is Factor.WALKED_AWAY and values[factor] >= config.walked_away_free
        )
        if shown:
            template = TEMPLATES[key]
            reasons.append(Reason(factor, points[factor], template.format(**params), params, template))
    reasons.sort(key=lambda r: (-r.points, _FACTOR_ORDER[r.factor]))
    index = float(min(max(sum(r.points for r in reasons), 0.0), 100.0))  # a float even with no reasons
    return PressureResult(index, config.level_for(index), tuple(reasons), values, scores, tuple(unknown))


def pressure_for_shifts(
    loads: Iterable[ShiftLoad], config: PressureConfig = DEFAULT_CONFIG
) -> list[PressureResult]:
    """``shift_pressure`` for many shifts, in order (a region's month is a few thousand shifts)."""
    return [shift_pressure(load, config) for load in loads]


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
