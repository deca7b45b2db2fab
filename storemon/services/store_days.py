"""Staffing figures for store-days: demand, roster, queue waits, required staff and pressure.

The pure engine (``staffing``) does the maths; this module fetches what it needs for the stores
an actor may see and shapes the answer for the CLI and the UI.
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from staffing.day import DayModel, StaffingTargets, model_day, staff_required
from staffing.pressure import (
    PressureConfig,
    PressureResult,
    Reason,
    ScoredShifts,
    ShiftLoad,
    ShiftRows,
    explained,
    score_shifts,
)
from staffing.roster import INTERVAL_MINUTES, periods
from staffing.service_time import estimate_service_minutes
from storemon.db.import_state import finished
from storemon.db.models import CheckIn, Incident, Role, RosterShift, SalesBucket, StaffMember, Store, User
from storemon.db.types import epoch_seconds, number_rows
from storemon.errors import StoremonError
from storemon.services.access import Actor, visible_store
from storemon.services.day_intervals import IntervalColumns, IntervalFigures, interval_columns, interval_rows
from storemon.services.forecasts import StoreForecast, forecast_store, forecast_stores
from storemon.services.opening_hours import open_days
from storemon.services.setting_keys import pressure_config, staffing_targets
from storemon.services.stores import roster_grid
from storemon.services.timegrid import INTERVALS_PER_DAY, local_midnight

NOBODY_SERVING_UTILISATION = 2.0
"""Stands in for ρ = ∞ in a shift's pressure where chores leave nobody free to serve."""
NOT_FORECAST = "not forecast"
"""``StoreDay.forecast_source`` of a day modelled on its sales with no forecast made
(``store_days_many(with_intervals=False)``)."""


@dataclass(frozen=True)
class PersonPressure:
    """The pressure index of one person's shift, with its reasons."""

    staff_code: str
    name: str
    shift_start: datetime
    shift_end: datetime
    index: float
    level: str
    reasons: list[dict] = field(default_factory=list)
    unknown: list[dict] = field(default_factory=list)
    """Factors without data, scoring nothing (e.g. "breaks not recorded"), as reasons with 0 points."""
    shift_id: int | None = None
    scores: dict[str, float] = field(default_factory=dict)
    """Every factor's 0-1 score before weights: what the calibration fits (``staffing.pressure``)."""


@dataclass(frozen=True)
class StoreDay:
    """Everything the Today screen and ``report staffing`` show for one store and local date."""

    store_id: int
    store_code: str
    store_name: str
    day: date
    demand_source: str
    """"actual" when the day's sales are in (waits and pressure are then what happened), else
    "forecast"."""
    service_minutes: float
    service_minutes_source: str
    """Where ``service_minutes`` comes from ("estimated from 4,008 orders, 1.4 items per order",
    "manual override (2.50 min)", "default")."""
    chore_minutes_per_hour: float
    patience_minutes: float
    intervals: list[IntervalFigures]
    pressure: list[PersonPressure]
    solo_minutes: int
    peak_utilisation: float | None
    day_mean_wait_minutes: float
    forecast_source: str
    """Where the day's forecast came from (``staffing.forecast``): "own history", "similar stores"
    (too little history of its own: shown as "estimated from similar stores") or "surge"."""
    planned_for: str
    """What staffing is planned for: "mean", or a quantile such as "p90" (``staffing.forecast``)."""
    """Mean wait of the day's served orders."""
    p90_wait_minutes: float
    """Nine served customers in ten waited at most this long (the customers' own 90th percentile)."""
    lost_orders: float
    """Expected customers who walked away over the day (the POS never sees them)."""
    lost_revenue: float
    """``lost_orders`` × the store's average ticket."""
    columns: IntervalColumns | None = field(default=None, compare=False, repr=False)
    """The shown intervals as arrays (``store_days_many(interval_columns=True)``), else None."""


def _finite(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), 4)


def orders_grid(session: Session, store: Store, first_day: date, days: int) -> np.ndarray:
    """Orders per interval over ``days`` local days; NaN for days without any sales."""
    start = local_midnight(first_day, store.timezone)
    end = local_midnight(first_day + timedelta(days=days), store.timezone)
    rows = session.execute(
        select(SalesBucket.bucket_start, func.sum(SalesBucket.orders))
        .where(
            SalesBucket.store_id == store.id,
            finished(SalesBucket.batch_id),
            SalesBucket.bucket_start >= start,
            SalesBucket.bucket_start < end,
        )
        .group_by(SalesBucket.bucket_start)
    ).all()
    grid = np.full(days * INTERVALS_PER_DAY, np.nan)
    if not rows:
        return grid.reshape(days, INTERVALS_PER_DAY)
    tz = ZoneInfo(store.timezone)
    index = np.array([_slot(first_day, t.astimezone(tz)) for t, _ in rows])
    grid.reshape(days, INTERVALS_PER_DAY)[np.unique(index // INTERVALS_PER_DAY)] = 0.0
    grid[index] = [orders for _, orders in rows]
    return grid.reshape(days, INTERVALS_PER_DAY)


def _slot(first_day: date, local: datetime) -> int:
    """Interval number counted in local wall-clock time from ``first_day`` (DST-safe)."""
    return (local.date() - first_day).days * INTERVALS_PER_DAY + (
        local.hour * 60 + local.minute
    ) // INTERVAL_MINUTES


@dataclass(frozen=True)
class StoreQueue:
    """How one store's counter is modelled: the chain's targets with the store's own service time,
    chore load and patience, and the average ticket that prices a lost customer."""

    targets: StaffingTargets
    service_minutes_source: str
    average_ticket: float
    """Revenue per order over the store's sales (0 without sales)."""


def store_queue(session: Session, store: Store) -> StoreQueue:
    """The store's queue parameters: each store setting (``stores.service_minutes``,
    ``chore_minutes_per_hour``, ``patience_minutes``) wins over the chain's (``staffing.targets``);
    without a manual service time it is estimated from the till's items per order
    (``staffing.service_time``), the chain's service time being the fallback."""
    return store_queues(session, [store])[store.id]


def store_queues(session: Session, stores: list[Store]) -> dict[int, StoreQueue]:
    """``store_queue`` of many stores from one query of their sales totals."""
    chain = staffing_targets(session)
    totals = {
        store_id: (float(orders), float(items), float(revenue))
        for store_id, orders, items, revenue in session.execute(
            select(
                SalesBucket.store_id,
                func.coalesce(func.sum(SalesBucket.orders), 0),
                func.coalesce(func.sum(SalesBucket.items), 0),
                func.coalesce(func.sum(SalesBucket.revenue), 0),
            )
            .where(SalesBucket.store_id.in_([s.id for s in stores]), finished(SalesBucket.batch_id))
            .group_by(SalesBucket.store_id)
        )
    }
    sums = np.array([totals.get(s.id, (0.0, 0.0, 0.0)) for s in stores], dtype=float).reshape(len(stores), 3)
    orders, items, revenue = sums.T
    # One estimate for the whole chain: a group per store (the estimator is vectorised).
    estimate = estimate_service_minutes(
        np.divide(items, orders, out=np.zeros_like(items), where=orders > 0),
        group=np.arange(len(stores)),
        n_groups=len(stores),
        weights=orders,
        override=[math.nan if s.service_minutes is None else float(s.service_minutes) for s in stores],
        default_minutes=chain.service_minutes,
    )
    ticket = np.divide(revenue, orders, out=np.zeros_like(revenue), where=orders > 0)
    return {
        s.id: _queue(chain, s, float(estimate.minutes[k]), estimate.source[k], float(ticket[k]))
        for k, s in enumerate(stores)
    }


def _queue(chain: StaffingTargets, store: Store, minutes: float, source: str, ticket: float) -> StoreQueue:
    if source.startswith("default"):
        source = source.replace("default", f"chain default ({chain.service_minutes:.2f} min)", 1)
    try:
        targets = dataclasses.replace(
            chain,
            service_minutes=round(minutes, 4),
            chore_minutes_per_hour=_store_value(store.chore_minutes_per_hour, chain.chore_minutes_per_hour),
            patience_minutes=_store_value(store.patience_minutes, chain.patience_minutes),
        )
    except ValueError as exc:
        raise StoremonError(
            f"store {store.code}: {exc}; fix the store's queue settings (service time, chores, patience)"
        ) from None
    return StoreQueue(targets, source, ticket)


def _store_value(own: float | None, chain: float) -> float:
    return chain if own is None else float(own)


def targets_for(session: Session, store: Store) -> StaffingTargets:
    """The targets a store's days are modelled with (``store_queue``)."""
    return store_queue(session, store).targets


def shifts_between(session: Session, store: Store, first_day: date, days: int) -> list[RosterShift]:
    start = local_midnight(first_day, store.timezone)
    end = local_midnight(first_day + timedelta(days=days), store.timezone)
    return list(
        session.scalars(
            select(RosterShift)
            .where(RosterShift.store_id == store.id, RosterShift.ends_at > start, RosterShift.starts_at < end)
            .order_by(RosterShift.starts_at)
        )
    )


def _todays(shifts: list[Row], origin: datetime) -> list[Row]:
    end_of_day = origin + timedelta(days=1)
    return [s for s in shifts if s.starts_at < end_of_day and s.ends_at > origin]


def _shift_span(shift: Row, origin: datetime) -> np.ndarray:
    """The intervals of the day starting at ``origin`` that ``shift`` covers (maybe none)."""
    first = max(0, round((shift.starts_at - origin).total_seconds() / 60 / INTERVAL_MINUTES))
    last = min(INTERVALS_PER_DAY, round((shift.ends_at - origin).total_seconds() / 60 / INTERVAL_MINUTES))
    return np.arange(first, max(first, last))


@dataclass(frozen=True)
class _Asked:
    """What the caller of ``store_days_many`` wants of each store-day."""

    config: PressureConfig
    only: str | None
    """One person's staff code: only their shifts' pressure (a staff member's own view)."""
    with_intervals: bool
    with_columns: bool
    explain: bool


@dataclass(frozen=True)
class _ChunkShifts:
    """Every shift of a model chunk's store-days, in chunk order, scored at once."""

    rows: list[int]
    """The model row (store-day) of each shift."""
    shifts: list[Row]
    origins: list[datetime]
    masks: list[np.ndarray]
    p90: np.ndarray | None = None
    """Each shift's customer p90 wait; this and below once scored (``_score_chunk_shifts``)."""
    incidents: list[int] = field(default_factory=list)
    sensitive: list[bool] = field(default_factory=list)
    scored: ScoredShifts | None = None

    def of_row(self, row: int) -> range:
        """The positions of the shifts on model row ``row`` (they are in row order)."""
        return range(bisect_left(self.rows, row), bisect_left(self.rows, row + 1))


def _incidents_during(reads: _Reads, shifts: _ChunkShifts) -> tuple[list[int], list[bool]]:
    """Per shift, its person's incidents during it (on its model day) and whether one was sensitive."""
    counts, sensitive = [0] * len(shifts.shifts), [False] * len(shifts.shifts)
    for k, (shift, origin) in enumerate(zip(shifts.shifts, shifts.origins, strict=True)):
        found = reads.incidents[shift.store_id]
        if not found:
            continue
        end_of_day = origin + timedelta(days=1)
        during = [
            i
            for i in found
            if i.staff_id == shift.staff_id
            and origin <= i.occurred_at < end_of_day
            and shift.starts_at <= i.occurred_at < shift.ends_at
        ]
        counts[k], sensitive[k] = len(during), any(i.sensitive_triggers for i in during)
    return counts, sensitive


def _score_chunk_shifts(
    model: DayModel, shifts: _ChunkShifts, p90: np.ndarray, reads: _Reads, config: PressureConfig
) -> _ChunkShifts:
    """``shifts`` with every one's pressure (``staffing.pressure.score_shifts``, all in one call)."""
    if not shifts.shifts:
        return shifts
    rows = np.array(shifts.rows, dtype=np.int64)
    incidents, sensitive = _incidents_during(reads, shifts)
    scored = score_shifts(
        ShiftRows.on_day_grid(
            np.array(shifts.masks),
            utilisation=np.nan_to_num(model.utilisation[rows], posinf=NOBODY_SERVING_UTILISATION),
            arrivals_per_hour=model.arrivals_per_hour[rows],
            mean_wait_min=model.wait_minutes[rows],
            staff_on_shift=model.staff[rows],
            walked_away=model.walked_away[rows],
            customer_wait_p90=p90,
            incidents=incidents,
            sensitive_incident=sensitive,
            checkin_score=[reads.checkins.get(s.id, math.nan) for s in shifts.shifts],
        ),
        config,
    )
    return dataclasses.replace(shifts, p90=p90, incidents=incidents, sensitive=sensitive, scored=scored)


def _shift_pressures(
    store: Store, row: int, model: DayModel, shifts: _ChunkShifts, reads: _Reads, asked: _Asked
) -> list[PersonPressure]:
    """The pressure of each shift on model row ``row`` (one of ``store``'s days, ``model`` its day
    model), with the reasons behind it when ``asked.explain``."""
    tz = ZoneInfo(store.timezone)
    scored = shifts.scored
    result = []
    for k in shifts.of_row(row):
        shift = shifts.shifts[k]
        person = reads.staff[shift.staff_id]
        if asked.only is not None and person.code != asked.only:
            continue
        if asked.explain:
            idx = np.flatnonzero(shifts.masks[k])
            load = ShiftLoad.of_model(
                interval_start_min=(idx * INTERVAL_MINUTES).astype(float),
                arrivals_per_hour=model.arrivals_per_hour[idx],
                utilisation=np.nan_to_num(model.utilisation[idx], posinf=NOBODY_SERVING_UTILISATION),
                mean_wait_min=model.wait_minutes[idx],
                staff_on_shift=model.staff[idx],
                walked_away=model.walked_away[idx],
                incidents=shifts.incidents[k],
                sensitive_incident=shifts.sensitive[k],
                checkin_score=reads.checkins.get(shift.id),
                breaks_recorded=False,  # rosters carry no breaks: unknown, not "no break"
                customer_wait_p90=float(shifts.p90[k]),
            )
            result.append(_person_pressure(person, shift, explained(load, scored, k, asked.config), tz))
        else:
            index = float(scored.index[k])
            _, scores, _ = scored.of_shift(k)
            result.append(
                PersonPressure(
                    staff_code=person.code,
                    name=person.name,
                    shift_start=shift.starts_at.astimezone(tz),
                    shift_end=shift.ends_at.astimezone(tz),
                    index=round(index, 1),
                    level=str(asked.config.level_for(index)),
                    shift_id=shift.id,
                    scores={str(f): round(v, 6) for f, v in scores.items()},
                )
            )
    return sorted(result, key=lambda p: -p.index)


def _person_pressure(person: Row, shift: Row, result: PressureResult, tz: ZoneInfo) -> PersonPressure:
    return PersonPressure(
        staff_code=person.code,
        name=person.name,
        shift_start=shift.starts_at.astimezone(tz),
        shift_end=shift.ends_at.astimezone(tz),
        index=round(result.index, 1),
        level=str(result.level),
        reasons=[_reason(r) for r in result.reasons],
        unknown=[_reason(r) for r in result.unknown],
        shift_id=shift.id,
        scores={str(f): round(float(v), 6) for f, v in result.scores.items()},
    )


def _reason(reason: Reason) -> dict:
    return {
        "factor": str(reason.factor),
        "points": round(reason.points, 1),
        "explanation": reason.explanation,
        "template": reason.template,
        "params": reason.params,
    }


@dataclass(frozen=True)
class DayDemand:
    """The orders a store-day is modelled on: what happened once the day is past and its sales are
    in, else the forecast; and, always from the forecast, the orders staffing is planned for."""

    expected: np.ndarray
    """Forecast mean orders per interval, ``[days, intervals]``."""
    planned: np.ndarray
    """Orders staffing is planned for (the mean or the setting's quantile), ``[days, intervals]``."""
    p10: np.ndarray
    p90: np.ndarray
    actual: np.ndarray
    """Sales per interval, NaN for days without sales."""
    use_actual: np.ndarray
    """Per day: True where the day is past and has sales."""
    source: tuple[str, ...]
    """Per day, where the forecast came from (``staffing.forecast`` SOURCE_*)."""
    planned_for: str

    @property
    def orders(self) -> np.ndarray:
        """What happened (past days with sales) or is expected: waits and pressure follow these."""
        return np.where(self.use_actual[:, None], np.nan_to_num(self.actual), self.expected)


def day_demand(session: Session, store: Store, days: list[date], now: datetime | None = None) -> DayDemand:
    """Forecast and actual orders of ``days``; the forecast uses sales up to the day before the
    first (and never today's, which are not complete): what a manager could have planned on."""
    now = now or datetime.now(UTC)
    today = now.astimezone(ZoneInfo(store.timezone)).date()
    first = min(days)
    span = (max(days) - first).days + 1
    offsets = [(d - first).days for d in days]
    actual = orders_grid(session, store, first, span)[offsets]
    fc = forecast_store(session, store, list(days), now=now)
    use_actual = np.array([not np.isnan(a).all() and d < today for a, d in zip(actual, days, strict=True)])
    # A new store's forecast is borrowed whatever else applies: that is what its manager must know.
    source = tuple(fc.history_source if fc.borrowed else s for s in fc.source)
    return DayDemand(fc.expected, fc.planned, fc.p10, fc.p90, actual, use_actual, source, fc.plan.plan_label)


def _only_person(session: Session, actor: Actor) -> str | None:
    """Frontline staff see only their own shifts' pressure: its reasons carry each person's
    check-in score, which is theirs to share (storemon.services.checkins). None: everyone."""
    if actor.role != Role.STAFF:
        return None
    code = session.scalar(
        select(StaffMember.code)
        .join(User, User.staff_member_id == StaffMember.id)
        .where(User.username == actor.username)
    )
    return code or ""


MODEL_ROWS = 1024
"""Store-days per ``model_day`` call: one call for a region's week, while the arrival states the
customer p90 needs (rows × intervals × queue states) stay a few hundred MB at most."""
IN_CHUNK = 5000
"""Ids per ``IN (...)`` list: far below SQLite's and PostgreSQL's parameter limits."""


@dataclass(frozen=True)
class _Span:
    """One store's requested local days and the calendar span around them."""

    store: Store
    days: list[date]
    first: date
    span: int

    @cached_property
    def start(self) -> datetime:
        return local_midnight(self.first, self.store.timezone)

    @cached_property
    def end(self) -> datetime:
        return local_midnight(self.first + timedelta(days=self.span), self.store.timezone)

    @property
    def offsets(self) -> list[int]:
        return [(d - self.first).days for d in self.days]


@dataclass(frozen=True)
class _Reads:
    """Everything the stores' days need from the database, read set-wise for all of them."""

    sales: dict[int, np.ndarray]
    """Store id -> orders ``[span days, intervals]`` (NaN for days without sales)."""
    shifts: dict[int, list[Row]]
    """Store id -> its shifts (id, store_id, staff_id, starts_at, ends_at) by start."""
    incidents: dict[int, list[Row]]
    """Store id -> its incidents (store_id, staff_id, occurred_at, sensitive_triggers)."""
    checkins: dict[int, int]
    staff: dict[int, Row]
    """Staff id -> (id, code, name)."""


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[k : k + IN_CHUNK] for k in range(0, len(ids), IN_CHUNK)]


def _windows(spans: list[_Span], store_column, column) -> list:
    """One condition per distinct calendar span: stores sharing days share a range scan."""
    by_range: dict[tuple[date, int], list[_Span]] = defaultdict(list)
    for sp in spans:
        by_range[sp.first, sp.span].append(sp)
    conditions = []
    for group in by_range.values():
        for ids in _chunks([sp.store.id for sp in group]):
            conditions.append(
                and_(
                    store_column.in_(ids),
                    column >= min(sp.start for sp in group),
                    column < max(sp.end for sp in group),
                )
            )
    return conditions


def _read_sales(session: Session, spans: list[_Span]) -> dict[int, np.ndarray]:
    """``orders_grid`` of every span from one query (finished batches only; buckets of one interval
    from two imports added up here rather than by a GROUP BY, a third of the database's work).

    Bucket times come as epoch seconds (``epoch_seconds``) and map to local slots with numpy where
    the store's clock keeps one UTC offset over the span; only a span with a DST change goes
    bucket by bucket through the time zone.
    """
    grids = {sp.store.id: np.full((sp.span, INTERVALS_PER_DAY), np.nan) for sp in spans}
    rows = number_rows(
        session,
        select(SalesBucket.store_id, epoch_seconds(SalesBucket.bucket_start), SalesBucket.orders)
        .where(
            or_(*_windows(spans, SalesBucket.store_id, SalesBucket.bucket_start)),
            finished(SalesBucket.batch_id),
        )
        .order_by(SalesBucket.store_id),
    )
    owner, instants, orders = rows[:, 0].astype(np.int64), rows[:, 1], rows[:, 2]
    for sp in spans:
        lo, hi = np.searchsorted(owner, [sp.store.id, sp.store.id + 1])
        t, n = instants[lo:hi], orders[lo:hi]
        inside = (t >= sp.start.timestamp()) & (t < sp.end.timestamp())
        if not inside.any():
            continue
        index = _local_slots(sp, np.round(t[inside]))
        grids[sp.store.id][np.unique(index // INTERVALS_PER_DAY)] = 0.0
        np.add.at(grids[sp.store.id].reshape(-1), index, n[inside])  # two imports' buckets add up
    return grids


def _local_slots(sp: _Span, instants: np.ndarray) -> np.ndarray:
    """Local wall-clock interval numbers (``_slot``) of UTC epoch seconds within the span."""
    tz = ZoneInfo(sp.store.timezone)
    offsets = {
        datetime.combine(sp.first + timedelta(days=k), time(12), tzinfo=tz).utcoffset()
        for k in range(sp.span + 1)
    } | {sp.start.astimezone(tz).utcoffset(), sp.end.astimezone(tz).utcoffset()}
    if len(offsets) == 1:  # one offset all along: wall clock = UTC + offset
        origin = datetime.combine(sp.first, time(0)).replace(tzinfo=UTC).timestamp()
        local = instants + next(iter(offsets)).total_seconds()
        return ((local - origin) // (INTERVAL_MINUTES * 60)).astype(np.int64)
    return np.array(
        [_slot(sp.first, datetime.fromtimestamp(float(x), UTC).astimezone(tz)) for x in instants],
        dtype=np.int64,
    )


def _read(session: Session, spans: list[_Span]) -> _Reads:
    """Sales, roster shifts, incidents, check-ins and staff of every span in a handful of queries.

    Shifts, incidents and staff come as plain rows with the columns the day model reads (a
    2,000-store week is 25,000 shifts: ORM objects were a tenth of the Region screen's time)."""
    shifts: dict[int, list[Row]] = {sp.store.id: [] for sp in spans}
    span_of = {sp.store.id: sp for sp in spans}
    for shift in session.execute(
        select(
            RosterShift.id,
            RosterShift.store_id,
            RosterShift.staff_id,
            RosterShift.starts_at,
            RosterShift.ends_at,
        )
        .where(
            or_(
                *(
                    and_(
                        RosterShift.store_id.in_(ids),
                        RosterShift.ends_at > min(span_of[i].start for i in ids),
                        RosterShift.starts_at < max(span_of[i].end for i in ids),
                    )
                    for ids in _chunks(list(span_of))
                )
            )
        )
        .order_by(RosterShift.starts_at, RosterShift.id)
    ):
        sp = span_of[shift.store_id]
        if shift.ends_at > sp.start and shift.starts_at < sp.end:
            shifts[shift.store_id].append(shift)
    incidents: dict[int, list[Row]] = {sp.store.id: [] for sp in spans}
    for incident in session.execute(
        select(Incident.store_id, Incident.staff_id, Incident.occurred_at, Incident.sensitive_triggers)
        .where(or_(*_windows(spans, Incident.store_id, Incident.occurred_at)))
        .order_by(Incident.id)
    ):
        incidents[incident.store_id].append(incident)
    shift_ids = [s.id for found in shifts.values() for s in found]
    staff_ids = sorted({s.staff_id for found in shifts.values() for s in found})
    checkins = {
        c.shift_id: c.score
        for ids in _chunks(shift_ids)
        for c in session.execute(select(CheckIn.shift_id, CheckIn.score).where(CheckIn.shift_id.in_(ids)))
    }
    staff = {
        m.id: m
        for ids in _chunks(staff_ids)
        for m in session.execute(
            select(StaffMember.id, StaffMember.code, StaffMember.name).where(StaffMember.id.in_(ids))
        )
    }
    return _Reads(_read_sales(session, spans), shifts, incidents, checkins, staff)


def store_days(
    session: Session, actor: Actor, store_ref: int | str, days: list[date], now: datetime | None = None
) -> list[StoreDay]:
    """The staffing picture of consecutive-or-not local ``days`` for one store, modelled at once."""
    store = visible_store(session, actor, store_ref)
    return store_days_many(session, actor, {store.id: days}, now)[store.id]


def store_days_many(
    session: Session,
    actor: Actor,
    wanted: Mapping[int, list[date]],
    now: datetime | None = None,
    with_intervals: bool = True,
    interval_columns: bool = False,
    explain: bool = True,
) -> dict[int, list[StoreDay]]:
    """``store_days`` of many stores (store id -> its local days), with set-based reads and the day
    model run over all store-days at once (in ``MODEL_ROWS`` chunks): a region's week costs a few
    queries and a few model calls instead of a dozen queries and two model calls per store.
    ``with_intervals=False`` leaves ``StoreDay.intervals`` empty: a chain's pressure week needs the
    shifts, not 700,000 interval rows (a third of the time and most of the memory); nor the
    forecast of days modelled on their sales (``forecast_source`` is then ``NOT_FORECAST``), nor
    the steady-state figures. ``interval_columns=True`` adds ``StoreDay.columns``
    (``day_intervals``): what happened per interval, as arrays. ``explain=False`` gives each
    shift's pressure index, level and scores without its reasons (the Region table shows only
    the numbers; the sentences were a quarter of its time)."""
    wanted = {store_id: list(days) for store_id, days in wanted.items() if days}
    if not wanted:
        return {}
    stores = {
        s.id: s
        for ids in _chunks(list(wanted))
        for s in session.scalars(
            actor.scope_stores(select(Store)).where(Store.id.in_(ids)).options(selectinload(Store.hours))
        )
    }
    for store_id in wanted:
        if store_id not in stores:
            visible_store(session, actor, store_id)  # raises NotFound, as for one store
    spans = [
        _Span(stores[i], days, min(days), (max(days) - min(days)).days + 1) for i, days in wanted.items()
    ]
    asked = _Asked(
        pressure_config(session), _only_person(session, actor), with_intervals, interval_columns, explain
    )
    reads = _read(session, spans)
    queues = store_queues(session, [sp.store for sp in spans])
    # Without interval rows only what happened matters (the shifts, or the columns of the Region
    # screen): a store whose days are all past with sales needs no forecast (a chain's week of
    # past days fits no forecast at all).
    use_actual = {sp.store.id: _actual_use(sp, reads, now) for sp in spans}
    forecast = [sp for sp in spans if with_intervals or not use_actual[sp.store.id].all()]
    forecasts = dict(
        zip(
            [sp.store.id for sp in forecast],
            forecast_stores(session, [(sp.store, sp.days) for sp in forecast], now=now) if forecast else [],
            strict=True,
        )
    )
    result: dict[int, list[StoreDay]] = {}
    batches: dict[tuple[float, float], list[_Inputs]] = defaultdict(list)
    for sp in spans:
        inputs = _inputs(sp, forecasts.get(sp.store.id), use_actual[sp.store.id], reads, queues[sp.store.id])
        batches[inputs.queue.targets.chore_minutes_per_hour, inputs.queue.targets.patience_minutes].append(
            inputs
        )
    for group in batches.values():
        chunk: list[_Inputs] = []
        rows = 0
        for inputs in group:
            if chunk and rows + len(inputs.span.days) > MODEL_ROWS:
                result.update(_model_chunk(chunk, reads, asked))
                chunk, rows = [], 0
            chunk.append(inputs)
            rows += len(inputs.span.days)
        result.update(_model_chunk(chunk, reads, asked))
    return {store_id: result[store_id] for store_id in wanted}


@dataclass(frozen=True)
class _Inputs:
    """One store's days ready for the model: demand, roster, queue settings."""

    span: _Span
    demand: DayDemand
    staffed: np.ndarray
    queue: StoreQueue


def _actual_use(sp: _Span, reads: _Reads, now: datetime | None) -> np.ndarray:
    """Per day of the span: whether it is modelled on its sales (past, with sales) or a forecast."""
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(sp.store.timezone)).date()
    actual = reads.sales[sp.store.id][sp.offsets]
    return np.array([not np.isnan(a).all() and d < today for a, d in zip(actual, sp.days, strict=True)])


def _inputs(
    sp: _Span, fc: StoreForecast | None, use_actual: np.ndarray, reads: _Reads, queue: StoreQueue
) -> _Inputs:
    """``fc``: the store's forecast, or None when every day is modelled on its sales and nothing
    shown needs one (``store_days_many(with_intervals=False)``): the forecast fields then hold the
    sales and the source says ``NOT_FORECAST``. ``use_actual``: ``_actual_use`` of the span."""
    actual = reads.sales[sp.store.id][sp.offsets]
    if fc is None:
        sales = np.nan_to_num(actual)
        demand = DayDemand(
            sales, sales, sales, sales, actual, use_actual, (NOT_FORECAST,) * len(sp.days), NOT_FORECAST
        )
    else:
        # A new store's forecast is borrowed whatever else applies: that is what its manager must know.
        source = tuple(fc.history_source if fc.borrowed else s for s in fc.source)
        demand = DayDemand(
            fc.expected, fc.planned, fc.p10, fc.p90, actual, use_actual, source, fc.plan.plan_label
        )
    staffed = roster_grid(sp.store, reads.shifts[sp.store.id], sp.first, sp.span).reshape(
        sp.span, INTERVALS_PER_DAY
    )[sp.offsets]
    return _Inputs(sp, demand, staffed, queue)


def _model_chunk(chunk: list[_Inputs], reads: _Reads, asked: _Asked) -> dict[int, list[StoreDay]]:
    """Model the store-days of ``chunk`` (stores sharing chores and patience) in one call."""
    targets = chunk[0].queue.targets
    orders = np.concatenate([c.demand.orders for c in chunk])
    planned = np.concatenate([c.demand.planned for c in chunk])
    staffed = np.concatenate([c.staffed for c in chunk])
    service = np.concatenate(
        [np.full((len(c.span.days), INTERVALS_PER_DAY), c.queue.targets.service_minutes) for c in chunk]
    )
    # What happened (or is expected) sets waits and pressure; the forecast staffing is planned
    # for sets the staff required, so a past day's requirement is what could have been planned.
    # Without interval rows nothing shows the steady-state figures or the staff required (the
    # columns hold neither): skip them.
    model = model_day(orders, staffed, targets, service, steady=asked.with_intervals)
    required = model.required_staff
    differ = ~(planned == orders).all(axis=1)
    # Past days, or a quantile: the staff those days' plan needs (no backlog).
    if asked.with_intervals and differ.any():
        required = required.copy()
        required[differ] = staff_required(planned[differ], targets, service[differ])
    # Every day's and every shift's customer p90 in one call (each is a bisection over the states),
    # then every shift's pressure in another.
    day_masks = np.ones((len(orders), INTERVALS_PER_DAY), dtype=bool)
    shifts = _ChunkShifts([], [], [], [])
    first_row = np.cumsum([0] + [len(c.span.days) for c in chunk])
    for c, base in zip(chunk, first_row, strict=False):
        store = c.span.store
        for k, day in enumerate(c.span.days):
            origin = local_midnight(day, store.timezone)
            for shift in _todays(reads.shifts[store.id], origin):
                span = _shift_span(shift, origin)
                if span.size:
                    mask = np.zeros(INTERVALS_PER_DAY, dtype=bool)
                    mask[span] = True
                    shifts.rows.append(int(base) + k)
                    shifts.shifts.append(shift)
                    shifts.origins.append(origin)
                    shifts.masks.append(mask)
    masks = np.concatenate([day_masks, np.array(shifts.masks).reshape(-1, INTERVALS_PER_DAY)])
    rows = np.concatenate([np.arange(len(orders)), np.array(shifts.rows, dtype=np.int64)])
    waits = model.wait_quantiles(masks, rows)
    shifts = _score_chunk_shifts(model, shifts, waits[len(orders) :], reads, asked.config)
    return {
        c.span.store.id: _store_days(c, int(base), model, required, waits, shifts, reads, asked)
        for c, base in zip(chunk, first_row, strict=False)
    }


def _row(values: np.ndarray | None, row: int) -> np.ndarray | None:
    """One store-day's row of a model figure (None stays None: a figure not computed)."""
    return None if values is None else values[row]


def _store_days(
    c: _Inputs,
    base: int,
    model: DayModel,
    required: np.ndarray,
    waits: np.ndarray,
    shifts: _ChunkShifts,
    reads: _Reads,
    asked: _Asked,
) -> list[StoreDay]:
    """One store's StoreDays from rows ``base``.. of the chunk's model."""
    store, days, demand, staffed, queue = c.span.store, c.span.days, c.demand, c.staffed, c.queue
    targets = queue.targets
    open_grid = open_days(store, days)
    tz = ZoneInfo(store.timezone)
    result = []
    for k, day in enumerate(days):
        row = base + k
        day_model = DayModel(**{f: _row(getattr(model, f), row) for f in model.__dataclass_fields__})
        orders = demand.orders[k]
        is_open = open_grid[k]
        shown = np.flatnonzero(is_open | (staffed[k] > 0) | (orders > 0) | (demand.planned[k] > 0))
        origin = local_midnight(day, store.timezone)
        intervals = (
            interval_rows(origin, tz, shown, k, demand, staffed, day_model, required[row])
            if asked.with_intervals
            else []
        )
        open_util = day_model.utilisation[is_open & (orders > 0)]
        served = orders * day_model.served_share
        lost = float(day_model.lost_orders)
        result.append(
            StoreDay(
                store_id=store.id,
                store_code=store.code,
                store_name=store.name,
                day=day,
                demand_source="actual" if demand.use_actual[k] else "forecast",
                service_minutes=targets.service_minutes,
                service_minutes_source=queue.service_minutes_source,
                chore_minutes_per_hour=targets.chore_minutes_per_hour,
                patience_minutes=targets.patience_minutes,
                intervals=intervals,
                pressure=_shift_pressures(store, row, day_model, shifts, reads, asked),
                solo_minutes=int(
                    sum(e - s for s, e in periods((staffed[k] == 1) & is_open)) * INTERVAL_MINUTES
                ),
                peak_utilisation=_finite(open_util.max()) if open_util.size else None,
                day_mean_wait_minutes=round(
                    float((served * day_model.wait_minutes).sum() / max(served.sum(), 1e-9)), 2
                ),
                forecast_source=demand.source[k],
                planned_for=demand.planned_for,
                p90_wait_minutes=round(float(waits[row]), 2),
                lost_orders=round(lost, 2),
                lost_revenue=round(lost * queue.average_ticket, 2),
                columns=interval_columns(origin, tz, shown, k, demand, staffed, day_model)
                if asked.with_columns
                else None,
            )
        )
    return result


def store_day(
    session: Session, actor: Actor, store_ref: int | str, day: date, now: datetime | None = None
) -> StoreDay:
    """The staffing picture of one store on one local date."""
    return store_days(session, actor, store_ref, [day], now)[0]
