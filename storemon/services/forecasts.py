"""Expected orders per store and 15-minute interval, from the pooled count model (issue 13).

One place fits ``staffing.forecast`` for the app: the whole chain at once (a store borrows its
shape and level from similar stores: same tier policy, region and opening hours), from the sales
buckets up to a given day, read in one set-based query. A fit is kept per database and history
day until new sales arrive (the key holds the newest import batch and bucket) or the stores,
the surge calendar or the forecast setting change, so the Today screen, the rules run every
minute and a region's overview share it.

What comes out for a store-day: the mean, P10/P50/P90 per interval, the orders staffing is
planned for (the ``staffing.forecast`` setting: the mean by default) and where the forecast came
from ("own history", "similar stores" or "surge").
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import and_, event, func, or_, select
from sqlalchemy.orm import Session

from staffing.demand import DemandHistory
from staffing.forecast import (
    SOURCE_SIMILAR,
    CountModel,
    CountModelConfig,
    PlanningSettings,
    peer_groups,
)
from staffing.forecast import fit_count_model as fit_pooled
from staffing.roster import INTERVAL_MINUTES
from staffing.surge import SurgeCalendar
from storemon.db.import_state import DONE, finished
from storemon.db.models import ImportBatch, SalesBucket, Setting, Store, StoreHours
from storemon.db.types import epoch_seconds, number_rows
from storemon.errors import StoremonError
from storemon.services import setting_keys
from storemon.services.access import HEAD_OFFICE, Actor, visible_store
from storemon.services.door import use_case
from storemon.services.setting_values import ChainSettingsError, save_setting
from storemon.services.surge_calendar import load_surge_calendar, save_surge_calendar
from storemon.services.timegrid import INTERVALS_PER_DAY, local_midnight

HISTORY_DAYS = 182
"""Recent days a fit reads: half a year, as long as the chain's grid stays within the budget.
(Eight weeks lost to the weekday mean on the real bakery of bench_demand, one steady store whose
weekday mean averages twenty weeks; half a year did not, on its validation window either.)"""
MIN_HISTORY_DAYS = 56
"""... and never fewer than eight of each weekday, however large the chain."""
SURGE_LOOKBACK_DAYS = 400
"""A surge period's previous occurrence this recent is read too (with four weeks either side), so
its effect is estimated from the chain's own sales instead of assumed."""
GRID_BUDGET_CELLS = 12_000_000
"""Store × day × interval cells a fit may hold (about 100 MB): a large chain reads fewer recent
days, and a surge occurrence before them only within it (else only the surges turned on apply)."""
APP_MODEL = CountModelConfig(own_history_days=14)
"""Two of each weekday of its own sales and a store stands on its own history; before that it is
labelled "similar stores" (the model's default of 28 days suits its benchmark, where a store's
weekday pattern is scored against four weeks; in the app a new store's own rush should count
as soon as each weekday has been seen twice)."""
CACHE_FITS = 8
"""Fits kept per database: today's, and the few history days the reports and overviews ask for."""


class ForecastError(StoremonError):
    """A forecast asked for the wrong way (dates reversed, history after the forecast)."""


@dataclass(frozen=True)
class StoreForecast:
    """One store's forecast for some local days: arrays ``[days, intervals]`` from local midnight."""

    store_id: int
    store_code: str
    timezone: str
    days: tuple[date, ...]
    history_until: date
    """The last local day whose sales the forecast used."""
    expected: np.ndarray
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    planned: np.ndarray
    """Orders staffing is planned for: the mean, or the setting's quantile of each hour."""
    plan: PlanningSettings
    source: tuple[str, ...]
    """Per day: "own history", "similar stores" or "surge" (a surge factor was applied)."""
    own_days: int
    """Days of the store's own sales in the history."""
    history_source: str
    """"own history", or "similar stores" while the store has too little history of its own."""

    @property
    def borrowed(self) -> bool:
        """True while the store's shape and level come from similar stores."""
        return self.history_source == SOURCE_SIMILAR


@dataclass(frozen=True)
class ForecastRow:
    """One interval of ``storemon forecast``."""

    start: datetime
    expected_orders: float
    p10: int
    p50: int
    p90: int
    source: str


# ------------------------------------------------------------------------------------ the chain's fit


@dataclass(frozen=True)
class _ChainFit:
    model: CountModel
    rows: dict[int, int]
    """Store id -> row of the model."""


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _engine(session: Session):
    bind = session.get_bind()
    return getattr(bind, "engine", bind)


def sales_version(session: Session) -> tuple:
    """Changes whenever sales become visible or disappear: a batch finished, added or removed (its
    buckets go with it), or a bucket added. Index look-ups and the small batch table only."""
    done = session.execute(
        select(func.max(ImportBatch.id), func.count(ImportBatch.id)).where(ImportBatch.state == DONE)
    ).one()
    every = session.scalar(select(func.count(ImportBatch.id)))
    newest = session.scalar(select(func.max(SalesBucket.id)))
    return (*done, every, newest)


@dataclass(frozen=True)
class _Inputs:
    """What a fit depends on besides the history day; read once per session (a rules run models
    every store in one session), dropped when the session writes."""

    stores: tuple[tuple, ...]
    version: tuple
    calendar: SurgeCalendar
    plan: PlanningSettings


_INPUTS = "storemon.forecast_inputs"


def _inputs(session: Session) -> _Inputs:
    found = session.info.get(_INPUTS)
    if found is None:
        found = _Inputs(
            tuple(_store_rows(session)),
            sales_version(session),
            load_surge_calendar(session),
            setting_keys.FORECAST_PLANNING.load(session),
        )
        session.info[_INPUTS] = found
    return found


_INPUT_TABLES = frozenset(t.__tablename__ for t in (Store, StoreHours, SalesBucket, ImportBatch, Setting))


def _forget_inputs(session: Session, *_args) -> None:
    session.info.pop(_INPUTS, None)


def _forget_on_flush(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(type(o), "__tablename__", None) in _INPUT_TABLES for o in changed):
        _forget_inputs(session)


def _forget_on_write(state) -> None:
    table = getattr(state.statement, "table", None)
    if not state.is_select and getattr(table, "name", None) in _INPUT_TABLES:
        _forget_inputs(state.session)


event.listen(Session, "after_flush", _forget_on_flush)
event.listen(Session, "after_commit", _forget_inputs)
event.listen(Session, "after_rollback", _forget_inputs)
event.listen(Session, "do_orm_execute", _forget_on_write)


def _store_rows(session: Session) -> list[tuple]:
    """Every store with what makes stores similar: tier policy, region and opening hours."""
    hours: dict[int, list] = {}
    for store_id, weekday, opens, closes in session.execute(
        select(StoreHours.store_id, StoreHours.weekday, StoreHours.opens_at, StoreHours.closes_at).order_by(
            StoreHours.store_id, StoreHours.weekday
        )
    ):
        hours.setdefault(store_id, []).append(f"{weekday}:{opens:%H%M}-{closes:%H%M}")
    return [
        (
            row.id,
            row.code,
            row.timezone,
            -1 if row.tier_policy_id is None else row.tier_policy_id,
            -1 if row.region_id is None else row.region_id,
            " ".join(hours.get(row.id, [])) or f"{row.opens_at:%H%M}-{row.closes_at:%H%M}",
        )
        for row in session.execute(
            select(
                Store.id,
                Store.code,
                Store.timezone,
                Store.tier_policy_id,
                Store.region_id,
                Store.opens_at,
                Store.closes_at,
            ).order_by(Store.id)
        )
    ]


def _surge_blocks(calendar: SurgeCalendar, first: date, until: date) -> list[tuple[date, date]]:
    """Earlier occurrences of the calendar's periods before ``first`` (within the lookback), each
    with the four weeks around it the model compares it with."""
    blocks = []
    days = np.datetime64(until - timedelta(days=SURGE_LOOKBACK_DAYS), "D") + np.arange(
        (first - (until - timedelta(days=SURGE_LOOKBACK_DAYS))).days
    )
    if not days.size:
        return []
    margin = timedelta(days=APP_MODEL.surge_reference_days)
    for period in calendar.periods:
        active = period.active(days).astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], active, [0]])))
        if not edges.size:
            continue
        start, stop = edges[-2], edges[-1]  # the latest occurrence
        blocks.append(
            (days[start].item() - margin, min(days[stop - 1].item() + margin, first - timedelta(days=1)))
        )
    return blocks


def read_counts(
    session: Session, stores: list[tuple], ranges: list[tuple[date, date]], first: date, n_days: int
) -> np.ndarray:
    """Orders ``[stores, days, intervals]`` on each store's local days from ``first``: one query
    over the local date ``ranges`` (inclusive); NaN for a day without any sales."""
    grid = np.full((len(stores), n_days, INTERVALS_PER_DAY), np.nan)
    if not stores or not ranges:
        return grid
    zones = sorted({s[2] for s in stores})
    windows = []
    for lo, hi in ranges:
        start = min(local_midnight(lo, tz) for tz in zones)
        end = max(local_midnight(hi + timedelta(days=1), tz) for tz in zones)
        windows.append(and_(SalesBucket.bucket_start >= start, SalesBucket.bucket_start < end))
    # Bucket times come as epoch seconds from the database (a chain's history is over a million
    # rows: no datetime object per row), and buckets of the same interval from two imports are
    # added up below (np.add.at), not by a GROUP BY, which costs the database three times the scan.
    rows = number_rows(
        session,
        select(SalesBucket.store_id, epoch_seconds(SalesBucket.bucket_start), SalesBucket.orders).where(
            finished(SalesBucket.batch_id), or_(*windows)
        ),
    )
    if not len(rows):
        return grid
    row_of = {s[0]: k for k, s in enumerate(stores)}
    store_row = np.array([row_of.get(i, -1) for i in rows[:, 0].astype(np.int64).tolist()], dtype=np.int64)
    epoch, orders = np.round(rows[:, 1]), rows[:, 2]
    local = epoch + _utc_offsets(stores, store_row, epoch, zones)
    first_day = (np.datetime64(first, "D") - np.datetime64(0, "D")).astype(np.int64)
    day = np.floor(local / 86400).astype(np.int64) - first_day
    slot = ((local % 86400) // (INTERVAL_MINUTES * 60)).astype(np.int64)
    keep = (store_row >= 0) & (day >= 0) & (day < n_days)
    store_row, day, slot, orders = store_row[keep], day[keep], slot[keep], orders[keep]
    grid[store_row, day] = 0.0  # a day with any sales: its other intervals had none
    np.add.at(grid, (store_row, day, slot), orders)
    return grid


def _utc_offsets(
    stores: list[tuple], store_row: np.ndarray, epoch: np.ndarray, zones: list[str]
) -> np.ndarray:
    """Seconds each instant's store zone is ahead of UTC, DST included: one offset per zone and
    UTC hour of the span (zones change offset on the hour), not one look-up per row."""
    zone_of_row = np.array([zones.index(s[2]) for s in stores])[np.maximum(store_row, 0)]
    hour0 = int(epoch.min() // 3600)
    hours = int(epoch.max() // 3600) - hour0 + 1
    table = np.empty((len(zones), hours))
    for z, name in enumerate(zones):
        tz = ZoneInfo(name)
        table[z] = [
            datetime.fromtimestamp((hour0 + h) * 3600, UTC).astimezone(tz).utcoffset().total_seconds()
            for h in range(hours)
        ]
    return table[zone_of_row, (epoch // 3600).astype(np.int64) - hour0]


def chain_model(session: Session, history_until: date, plan: PlanningSettings | None = None) -> _ChainFit:
    """The pooled model of every store fitted on sales up to ``history_until`` (cached)."""
    inputs = _inputs(session)
    plan = plan or inputs.plan
    stores, calendar = list(inputs.stores), inputs.calendar
    key = (history_until, inputs.version, inputs.stores, calendar, plan.surges_turned_on)
    engine = _engine(session)
    with _LOCK:
        fits = _CACHE.setdefault(engine, OrderedDict())
        if key in fits:
            fits.move_to_end(key)
            return fits[key]
    fit = _fit(session, stores, history_until, calendar, plan)
    with _LOCK:
        fits[key] = fit
        while len(fits) > CACHE_FITS:
            fits.popitem(last=False)
    return fit


def turned_on(calendar: SurgeCalendar, plan: PlanningSettings) -> frozenset[str]:
    """Periods applied with their calendar factor where the sales cannot show their effect: the
    yearly ones a manager turned on (``staffing.forecast``) and every dated one (a promotion next
    week is turned on by being entered; it has no past year to be estimated from)."""
    return plan.surges_turned_on | {p.label for p in calendar.periods if not p.yearly}


def history_window(
    calendar: SurgeCalendar, until: date, n_stores: int
) -> tuple[date, list[tuple[date, date]]]:
    """The days a fit on sales up to ``until`` reads: its first day and the local date ranges
    (inclusive) between which sales are read; days in no range are missing to the model. The
    recent ``HISTORY_DAYS`` (fewer for a large chain), and each surge period's previous
    occurrence with four weeks either side, while the grid stays within ``GRID_BUDGET_CELLS``."""
    per_day = max(n_stores, 1) * INTERVALS_PER_DAY
    days = min(HISTORY_DAYS, max(MIN_HISTORY_DAYS, GRID_BUDGET_CELLS // per_day))
    recent = until - timedelta(days=days - 1)
    blocks = _surge_blocks(calendar, recent, until)
    if blocks:
        earliest = min(lo for lo, _ in blocks)
        if ((until - earliest).days + 1) * per_day <= GRID_BUDGET_CELLS:
            return earliest, [(recent, until), *blocks]
    return recent, [(recent, until)]


def _fit(
    session: Session, stores: list[tuple], until: date, calendar: SurgeCalendar, plan: PlanningSettings
) -> _ChainFit:
    first, ranges = history_window(calendar, until, len(stores))
    n_days = (until - first).days + 1
    counts = read_counts(session, stores, ranges, first, n_days)
    recent = (ranges[0][0] - first).days
    if not np.isfinite(counts[:, recent:]).any():
        counts[:] = np.nan  # no sales for half a year: an old season alone is no forecast
    # Days before the chain's first sale cost time and tell nothing (a young chain, a season block
    # from before it opened): start the history at the first day with sales.
    lead = int(np.argmax(np.isfinite(counts).any(axis=(0, 2)))) if np.isfinite(counts).any() else n_days - 1
    counts, first = counts[:, lead:], first + timedelta(days=lead)
    codes = tuple(s[1] for s in stores)
    history = DemandHistory(counts, first, store_ids=codes)
    groups = (
        peer_groups([s[3] for s in stores], [s[4] for s in stores], [s[5] for s in stores])
        if stores
        else None
    )
    config = CountModelConfig(**{**APP_MODEL.__dict__, "surges_turned_on": turned_on(calendar, plan)})
    with np.errstate(invalid="ignore", divide="ignore"):
        model = fit_pooled(history, calendar, config, groups)
    return _ChainFit(model, {s[0]: k for k, s in enumerate(stores)})


# ------------------------------------------------------------------------------------ one store


def default_history_until(store: Store, first_day: date, now: datetime | None) -> date:
    """The day before the first forecast day, but never today or later (today is not complete)."""
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(store.timezone)).date()
    return min(first_day, today) - timedelta(days=1)


def forecast_store(
    session: Session,
    store: Store,
    days: list[date],
    history_until: date | None = None,
    now: datetime | None = None,
    plan: PlanningSettings | None = None,
) -> StoreForecast:
    """``store``'s forecast for ``days`` from the chain's sales up to ``history_until`` only."""
    return forecast_stores(session, [(store, days)], history_until, now, plan)[0]


def forecast_stores(
    session: Session,
    wanted: list[tuple[Store, list[date]]],
    history_until: date | None = None,
    now: datetime | None = None,
    plan: PlanningSettings | None = None,
) -> list[StoreForecast]:
    """``forecast_store`` for many stores, each with its own days: stores sharing a history day and
    days are predicted in one call of the pooled model (a region's week is a handful of calls)."""
    plan = plan or _inputs(session).plan
    groups: dict[tuple[date, tuple[date, ...]], list[int]] = {}
    for k, (store, days) in enumerate(wanted):
        if not days:
            raise ForecastError("name at least one day to forecast")
        until = default_history_until(store, min(days), now) if history_until is None else history_until
        if until >= min(days):
            raise ForecastError(
                f"history up to {until} reaches into the forecast from {min(days)}; "
                "the history must end before the first forecast day"
            )
        groups.setdefault((until, tuple(days)), []).append(k)
    result: list[StoreForecast | None] = [None] * len(wanted)
    for (until, days), members in groups.items():
        fit = chain_model(session, until, plan)
        rows = []
        for k in members:
            row = fit.rows.get(wanted[k][0].id)
            if row is None:  # a store created after the stores were read: unreachable within one session
                raise ForecastError(f"store {wanted[k][0].code} is not in the chain's forecast")
            rows.append(row)
        model = fit.model.subset(rows)
        fc = model.predict(list(days))
        planned = fc.planned(plan.plan_quantile)
        for j, k in enumerate(members):
            store = wanted[k][0]
            result[k] = StoreForecast(
                store_id=store.id,
                store_code=store.code,
                timezone=store.timezone,
                days=days,
                history_until=until,
                expected=fc.expected_orders[j],
                p10=fc.p10[j],
                p50=fc.p50[j],
                p90=fc.p90[j],
                planned=planned[j],
                plan=plan,
                source=tuple(str(s) for s in fc.source[j]),
                own_days=int(model.own_days[j]),
                history_source=str(model.source[j]),
            )
    return [r for r in result if r is not None]


@use_case()
def forecast_table(
    session: Session,
    actor: Actor,
    store_ref: int | str,
    start: date,
    end: date,
    history_until: date | None = None,
    now: datetime | None = None,
) -> list[ForecastRow]:
    """Per 15-minute interval of ``start``..``end`` (store-local days): mean, P10/P50/P90, source."""
    store = visible_store(session, actor, store_ref)
    if end < start:
        raise ForecastError(f"--to {end} is before --from {start}")
    if (end - start).days >= 366:
        raise ForecastError("forecast at most a year at once")
    days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    fc = forecast_store(session, store, days, history_until, now)
    tz = ZoneInfo(store.timezone)
    rows = []
    for k, day in enumerate(days):
        for i in range(INTERVALS_PER_DAY):
            # The grid is the wall clock: a quarter hour the clock skips (spring forward) is left
            # out, one it repeats (fall back) is shown once, at its first occurrence.
            minute = i * INTERVAL_MINUTES
            wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
            if wall.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
                continue
            rows.append(
                ForecastRow(
                    start=wall,
                    expected_orders=round(float(fc.expected[k, i]), 3),
                    p10=int(fc.p10[k, i]),
                    p50=int(fc.p50[k, i]),
                    p90=int(fc.p90[k, i]),
                    source=fc.source[k],
                )
            )
    return rows


# ------------------------------------------------------------------------------------ the setting


load_planning = setting_keys.FORECAST_PLANNING.load
"""The chain's forecast planning setting; plan for the mean until someone edits it."""


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_planning(
    session: Session, actor: Actor, settings: PlanningSettings, now: datetime | None = None
) -> PlanningSettings:
    """Save which quantile staffing is planned for and which surges apply without past data."""
    labels = {p.label for p in load_surge_calendar(session).periods}
    unknown = sorted(settings.surges_turned_on - labels)
    if unknown:
        raise ChainSettingsError(f"no surge period is called {', '.join(map(repr, unknown))}")
    details = {"plan": settings.plan_label, "surges_turned_on": sorted(settings.surges_turned_on)}
    return save_setting(session, actor, setting_keys.FORECAST_PLANNING, settings, details, now)


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_surges(
    session: Session,
    actor: Actor,
    calendar: SurgeCalendar,
    turned_on: frozenset[str],
    now: datetime | None = None,
) -> tuple[SurgeCalendar, frozenset[str]]:
    """The surge calendar and which of its yearly periods apply without a past year to estimate
    them from, in one transaction (the Surge calendar tab edits both)."""
    saved = save_surge_calendar(session, actor, calendar, now)
    yearly = {p.label for p in saved.periods if p.yearly}
    plan = replace(load_planning(session), surges_turned_on=frozenset(turned_on) & yearly)
    return saved, save_planning(session, actor, plan, now).surges_turned_on
