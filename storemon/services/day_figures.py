"""The figures of one store-day, computed one way for every screen, what-if and report.

Today's tiles, the Region table, the what-ifs, the recommendations and the reports all say how a
day went (or will go) in the same few numbers: worst shift pressure, red shifts, time
over the wait target, waits, solo and staff hours. They used to be computed in each place from
slightly different inputs (actual sales here, the forecast there; incidents and check-ins counted
in one model and not in another), so one store showed a peak pressure of 88 on one screen and 80
on the next. Now:

- ``figures_of_day`` reads them off a modelled ``StoreDay`` (the roster as it stands);
- ``figures_of_outcome`` reads them off ``staffing.recommend.outcomes`` for a candidate roster,
  modelled on the same orders (``day_demand(...).orders``) and the same shifts, carrying their
  incidents and check-ins (``model_shifts``), so the candidate's "before" equals the day's figures;
- ``is_fixed`` is the one rule for "fixed": no minute over the wait target and every shift below
  amber. Each screen words what is still missing with ``still_missing``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from staffing.pressure import PressureConfig
from staffing.recommend import LOST_PER_INTERVAL, DayOutcome, Shift
from staffing.roster import INTERVAL_MINUTES
from storemon.db.models import CheckIn, Incident, RosterShift, Store
from storemon.services.access import Actor, visible_store
from storemon.services.day_intervals import IntervalColumns
from storemon.services.opening_hours import open_days
from storemon.services.setting_keys import pressure_config, staffing_targets
from storemon.services.store_days import StoreDay, shifts_between, store_days
from storemon.services.timegrid import INTERVALS_PER_DAY, local_midnight


@dataclass(frozen=True)
class DayFigures:
    """How one store-day goes under one roster: what every screen shows about it."""

    peak_pressure: float
    """The worst shift's pressure index (one decimal, as the pressure list shows it)."""
    red_shifts: int
    minutes_over_target: int
    """Open minutes where served customers wait longer than the target, or customers walk away."""
    mean_wait_minutes: float
    p90_wait_minutes: float
    max_wait_minutes: float
    solo_hours: float
    """Open hours with one person on the floor."""
    staff_hours: float
    lost_orders: float
    orders: float
    """The orders the day was modelled on (weights a week's waits)."""
    fixed: bool
    """``is_fixed``: waits meet the target and every shift is below amber."""


def is_fixed(minutes_over_target: int, peak_pressure: float, amber_at: float) -> bool:
    """The one rule for "this day is fixed": nobody waits over the target and no shift is amber or red."""
    return minutes_over_target == 0 and peak_pressure < amber_at


def still_missing(figures: DayFigures, amber_at: float) -> list[str]:
    """Why a day is not fixed, as stable keys a front end words: "over_target", "pressure"."""
    missing = []
    if figures.minutes_over_target > 0:
        missing.append("over_target")
    if figures.peak_pressure >= amber_at:
        missing.append("pressure")
    return missing


def columns_of(day: StoreDay) -> IntervalColumns:
    """The day's shown intervals as columns: handed over by the model, else read off its rows."""
    return day.columns if day.columns is not None else IntervalColumns.of_rows(day.intervals)


def figures_of_day(
    day: StoreDay, target_wait_minutes: float, config: PressureConfig, open_mask: np.ndarray
) -> DayFigures:
    """A modelled store-day's figures (``open_mask``: the day's open intervals, ``open_days``).

    Read off the day's interval columns (``columns_of``): the same values as off its rows."""
    columns = columns_of(day)
    over = int(
        np.count_nonzero(
            open_mask[columns.slots]
            & ((columns.mean_wait_minutes > target_wait_minutes) | (columns.walked_away >= LOST_PER_INTERVAL))
        )
    )
    peak = max((p.index for p in day.pressure), default=0.0)
    minutes = over * INTERVAL_MINUTES
    # Python sums of the values in interval order: exactly what summing the rows gave.
    return DayFigures(
        peak_pressure=round(peak, 1),
        red_shifts=sum(p.level == "red" for p in day.pressure),
        minutes_over_target=minutes,
        mean_wait_minutes=round(day.day_mean_wait_minutes, 2),
        p90_wait_minutes=round(day.p90_wait_minutes, 2),
        max_wait_minutes=round(max(columns.mean_wait_minutes.tolist(), default=0.0), 2),
        solo_hours=round(day.solo_minutes / 60, 2),
        staff_hours=round(sum(columns.rostered_staff.tolist()) * INTERVAL_MINUTES / 60, 2),
        lost_orders=round(day.lost_orders, 2),
        orders=round(sum(columns.orders.tolist()), 2),
        fixed=is_fixed(minutes, round(peak, 1), config.amber_at),
    )


def figures_of_outcome(outcome: DayOutcome, config: PressureConfig) -> DayFigures:
    """A candidate roster's figures (``staffing.recommend.outcomes``), rounded as ``figures_of_day``."""
    peak = round(outcome.worst_pressure, 1)
    return DayFigures(
        peak_pressure=peak,
        red_shifts=outcome.red_shifts,
        minutes_over_target=outcome.minutes_over_target,
        mean_wait_minutes=round(outcome.mean_wait_minutes, 2),
        p90_wait_minutes=round(outcome.p90_wait_minutes, 2),
        max_wait_minutes=round(outcome.max_wait_minutes, 2),
        solo_hours=round(outcome.solo_hours, 2),
        staff_hours=round(outcome.staff_hours, 2),
        lost_orders=round(outcome.walked_away, 2),
        orders=round(outcome.orders, 2),
        fixed=is_fixed(outcome.minutes_over_target, peak, config.amber_at),
    )


def model_shifts(session: Session, store: Store, days: list[date]) -> list[list[Shift]]:
    """Each day's roster as the day model sees it: shifts as intervals of the local day, with the
    incidents and the check-in of each, exactly as ``store_days`` scores them (so a what-if's
    "as rostered" is the day on every other screen)."""
    if not days:
        return []
    first, last = min(days), max(days)
    rows = shifts_between(session, store, first, (last - first).days + 1)
    start = local_midnight(first, store.timezone)
    end = local_midnight(last + timedelta(days=1), store.timezone)
    incidents: dict[int | None, list[Incident]] = defaultdict(list)
    for incident in session.scalars(
        select(Incident).where(
            Incident.store_id == store.id, Incident.occurred_at >= start, Incident.occurred_at < end
        )
    ):
        incidents[incident.staff_id].append(incident)
    checkins = {
        c.shift_id: c.score
        for c in session.scalars(select(CheckIn).where(CheckIn.shift_id.in_([s.id for s in rows])))
    }
    return [_day_shifts(store, rows, day, incidents, checkins) for day in days]


def _day_shifts(
    store: Store,
    rows: list[RosterShift],
    day: date,
    incidents: dict[int | None, list[Incident]],
    checkins: dict[int, int],
) -> list[Shift]:
    origin = local_midnight(day, store.timezone)
    end_of_day = origin + timedelta(days=1)
    result = []
    for shift in rows:
        first = round((shift.starts_at - origin).total_seconds() / 60 / INTERVAL_MINUTES)
        end = round((shift.ends_at - origin).total_seconds() / 60 / INTERVAL_MINUTES)
        first, end = max(first, 0), min(end, INTERVALS_PER_DAY)
        if end <= first or not (shift.starts_at < end_of_day and shift.ends_at > origin):
            continue
        during = [
            i
            for i in incidents.get(shift.staff_id, [])
            if origin <= i.occurred_at < end_of_day and shift.starts_at <= i.occurred_at < shift.ends_at
        ]
        result.append(
            Shift(
                first,
                end,
                incidents=len(during),
                sensitive_incident=any(i.sensitive_triggers for i in during),
                checkin_score=checkins.get(shift.id),
            )
        )
    return result


@dataclass(frozen=True)
class Yardsticks:
    """What a day's figures are judged by: the chain's wait target and the pressure thresholds."""

    target_wait_minutes: float
    config: PressureConfig


def yardsticks(session: Session) -> Yardsticks:
    """The chain-wide yardsticks (stores vary their queue, never the target or the thresholds)."""
    return Yardsticks(staffing_targets(session).target_wait_minutes, pressure_config(session))


def figures_of_days(
    session: Session, store: Store, days: list[StoreDay], sticks: Yardsticks | None = None
) -> list[DayFigures]:
    """``figures_of_day`` for modelled days of one store; pass ``sticks`` when calling for many stores."""
    if not days:
        return []
    sticks = sticks or yardsticks(session)
    mask = open_days(store, [d.day for d in days])
    return [
        figures_of_day(d, sticks.target_wait_minutes, sticks.config, m)
        for d, m in zip(days, mask, strict=True)
    ]


def day_figures(
    session: Session, actor: Actor, store_ref: int | str, day: date, now: datetime | None = None
) -> DayFigures:
    """The figures of one store-day as rostered: what Today, Region, what-ifs and reports show."""
    store = visible_store(session, actor, store_ref)
    return figures_of_days(session, store, store_days(session, actor, store.id, [day], now))[0]
