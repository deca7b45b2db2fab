"""A store-day's 15-minute intervals, as rows (``IntervalFigures``) or as columns (``IntervalColumns``).

Today and ``report staffing`` show one day interval by interval: rows. The Region week reads a
few figures off every interval of 14,000 store-days (2,000 stores): building 800,000 row objects
for that took a third of its time, so ``store_days_many(interval_columns=True)`` hands the same
values over as arrays instead. Both are cut from the same day model here and every column is
rounded the same way, so figures read off the columns (``day_figures``) equal those read off the
rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from staffing.roster import INTERVAL_MINUTES
from storemon.services.timegrid import INTERVALS_PER_DAY


@dataclass(frozen=True)
class IntervalFigures:
    """One 15-minute interval of a store-day (``report staffing`` row)."""

    start: datetime
    expected_orders: float
    actual_orders: int | None
    rostered_staff: int
    effective_servers: float
    utilisation: float | None
    """None where orders arrive and nobody is on shift (an unbounded load)."""
    wait_probability: float
    mean_wait_minutes: float
    """Expected wait of a served order arriving now, with the backlog of earlier intervals carried
    (finite: customers walk away when their patience runs out)."""
    steady_wait_minutes: float | None
    """Erlang-A steady-state wait of served orders; None where nobody is on to serve them."""
    required_staff: int
    backlog: float
    """Expected orders still in the store (waiting or being made) at the end of the interval."""
    planned_orders: float
    """Orders staffing is planned for (``required_staff``): the forecast's mean or the quantile
    the ``staffing.forecast`` setting names; on a past day too, what a manager could have planned."""
    p10_orders: int
    p90_orders: int
    """The forecast's 80 % range of this interval's orders."""
    orders: float
    """The orders the interval was modelled on: its sales once the day is past, else the forecast."""
    walked_away: float
    """Expected customers who left without being served (out of patience) during the interval."""
    nobody_rostered: bool
    """Orders arrive and nobody is on shift: every customer of the interval is lost."""


@dataclass(frozen=True, eq=False)
class IntervalColumns:
    """The shown intervals of a store-day as arrays, in order, valued as the ``IntervalFigures`` rows."""

    slots: np.ndarray
    """The interval of the local day each starts in, by the wall clock (as ``open_days`` counts)."""
    rostered_staff: np.ndarray
    utilisation: np.ndarray
    """NaN where the row's ``utilisation`` is None."""
    mean_wait_minutes: np.ndarray
    walked_away: np.ndarray
    orders: np.ndarray

    @classmethod
    def of_rows(cls, intervals: list[IntervalFigures]) -> IntervalColumns:
        """The columns of rows already built (a day from ``store_days`` with its intervals)."""
        return cls(
            np.array([wall_slot(i.start) for i in intervals], dtype=np.int64),
            np.array([i.rostered_staff for i in intervals], dtype=np.int64),
            np.array([np.nan if i.utilisation is None else i.utilisation for i in intervals], dtype=float),
            np.array([i.mean_wait_minutes for i in intervals], dtype=float),
            np.array([i.walked_away for i in intervals], dtype=float),
            np.array([i.orders for i in intervals], dtype=float),
        )


def wall_slot(moment: datetime) -> int:
    """The interval of the local day a local time falls in (wall clock, as ``open_days``)."""
    return (moment.hour * 60 + moment.minute) // INTERVAL_MINUTES


@lru_cache(maxsize=4096)
def _wall_slots(origin: datetime, tz: ZoneInfo) -> np.ndarray:
    """``wall_slot`` of each interval of the day from ``origin`` (differs from its index on a DST day)."""
    slots = np.array(
        [
            wall_slot((origin + timedelta(minutes=i * INTERVAL_MINUTES)).astimezone(tz))
            for i in range(INTERVALS_PER_DAY)
        ],
        dtype=np.int64,
    )
    slots.flags.writeable = False
    return slots


def rounded(values: np.ndarray, digits: int) -> list[float]:
    return np.round(np.asarray(values, dtype=float), digits).tolist()


def finite_list(values: np.ndarray) -> list[float | None]:
    values = np.asarray(values, dtype=float)
    return [
        v if ok else None
        for v, ok in zip(np.round(values, 4).tolist(), np.isfinite(values).tolist(), strict=True)
    ]


def interval_rows(origin, tz, shown, k, demand, staffed, day_model, required) -> list[IntervalFigures]:
    """The shown intervals of day ``k`` as IntervalFigures: each column rounded once as an array
    (a chain's rules cycle builds hundreds of thousands of these)."""
    actual = demand.actual[k, shown]
    columns = zip(
        [(origin + timedelta(minutes=i * INTERVAL_MINUTES)).astimezone(tz) for i in shown.tolist()],
        rounded(demand.expected[k, shown], 2),
        [None if np.isnan(a) else int(a) for a in actual.tolist()],
        staffed[k, shown].astype(int).tolist(),
        np.asarray(day_model.effective_servers, dtype=float)[shown].tolist(),
        finite_list(day_model.utilisation[shown]),
        rounded(day_model.wait_probability[shown], 4),
        rounded(day_model.wait_minutes[shown], 2),
        finite_list(day_model.steady_wait_minutes[shown]),
        required[shown].astype(int).tolist(),
        rounded(day_model.backlog_end[shown], 2),
        rounded(demand.planned[k, shown], 2),
        demand.p10[k, shown].astype(int).tolist(),
        demand.p90[k, shown].astype(int).tolist(),
        rounded(demand.orders[k, shown], 2),
        rounded(day_model.walked_away[shown], 2),
        np.asarray(day_model.nobody_rostered, dtype=bool)[shown].tolist(),
        strict=True,
    )
    return [IntervalFigures(*values) for values in columns]


def interval_columns(origin, tz, shown, k, demand, staffed, day_model) -> IntervalColumns:
    """``interval_rows``' shown intervals of day ``k`` as ``IntervalColumns`` (the same roundings)."""
    utilisation = np.asarray(day_model.utilisation, dtype=float)[shown]
    return IntervalColumns(
        _wall_slots(origin, tz)[shown],
        staffed[k, shown].astype(int),
        np.where(np.isfinite(utilisation), np.round(utilisation, 4), np.nan),
        np.round(np.asarray(day_model.wait_minutes, dtype=float)[shown], 2),
        np.round(np.asarray(day_model.walked_away, dtype=float)[shown], 2),
        np.round(np.asarray(demand.orders[k], dtype=float)[shown], 2),
    )
