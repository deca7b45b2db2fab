"""The Region screen's figures: every visible store's last sales week, and roster what-ifs.

``region_overview`` puts a store's policy verdict (``stores.store_summaries``) next to what its
staff went through over its last week with sales (``store_days.store_days_many``): waits, solo hours,
red shifts, pressure, and the mean utilisation per opening hour for the heatmap. Nothing is
cached or written; each call models the week again from sales and rosters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from staffing.policy import TierPolicy, validate
from staffing.recommend import Shift
from staffing.roster import INTERVAL_MINUTES
from storemon.db.import_state import finished
from storemon.db.models import Role, SalesBucket, Store
from storemon.errors import StoremonError
from storemon.services.access import Actor, require_role, visible_store
from storemon.services.day_figures import DayFigures, columns_of, figures_of_days, yardsticks
from storemon.services.labour import PeriodLabour, period_labour
from storemon.services.opening_hours import open_days
from storemon.services.store_days import StoreDay, store_days_many
from storemon.services.stores import store_summaries
from storemon.services.timegrid import local_date
from storemon.services.wages import added_person_cost
from storemon.services.whatif import (
    StoreWhatIf,
    WeekFigures,
    last_sales_week,
    modelled_week,
    tier_whatif,
    week_figures,
    whatif_totals,
)

HOURS_PER_DAY = 24
INTERVALS_PER_HOUR = 60 // INTERVAL_MINUTES
UTILISATION_CAP = 2.0
"""Utilisation above this (or orders with nobody on shift) counts as this in hourly means: the
queue grows without bound either way, and one such interval must not swamp a whole hour."""

OVERVIEW_CHUNK = 100
"""Stores modelled together: big enough that reads and the day model run set-wise, small enough
that progress moves and a cancel is honoured within seconds."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StoreOverview:
    """One row of the Region table: a store's policy verdict and its last sales week."""

    store_id: int
    code: str
    name: str
    region_id: int | None
    region: str
    tier_policy: str
    policy_staff_per_shift: int | None
    """What the store's tier policy asks for at its revenue; None in a gap or without a policy."""
    rostered_staff_per_shift: float
    avg_daily_revenue: float
    policy_status: str
    """"covered", "below_policy", "gap" or "no_policy" (see ``stores.store_summaries``)."""
    policy_note: str
    solo_hours_per_week: float
    mean_wait_minutes: float
    """Order-weighted mean wait over the week."""
    p90_wait_minutes: float
    """Nine served customers in ten waited at most this long: each day's customer-level p90, averaged
    over the week weighted by orders (the definition the what-ifs use)."""
    lost_orders: float
    """Customers expected to have walked away over the week (out of patience)."""
    lost_revenue: float
    """``lost_orders`` × the store's average ticket."""
    red_shifts: int
    mean_pressure: float
    max_pressure: float
    week_start: date | None
    week_end: date | None
    hourly_utilisation: tuple[float | None, ...] = ()
    """Mean utilisation per hour of the local day (24 entries); None where the store is closed."""
    labour_cost: Decimal = Decimal("0.00")
    """Wages of the week's shifts (``labour.period_labour``)."""
    labour_percent: float | None = None
    """The week's labour cost as a percentage of its sales; None without sales."""

    @property
    def in_gap(self) -> bool:
        return self.policy_status == "gap"


@dataclass(frozen=True)
class RegionHeatmap:
    """Stores x opening hours of mean utilisation, for the heatmap (NaN where a store is closed)."""

    store_ids: tuple[int, ...]
    codes: tuple[str, ...]
    hours: tuple[int, ...]
    utilisation: np.ndarray
    """Shape ``(len(codes), len(hours))``."""


@dataclass(frozen=True)
class RosterWhatIf:
    """One store's last sales week as rostered, and with one more person every day."""

    store_id: int
    code: str
    name: str
    start_minute: int
    end_minute: int
    week_start: date
    week_end: date
    before: WeekFigures
    after: WeekFigures
    worst_pressure_before: float
    worst_pressure_after: float
    added_cost_per_day: Decimal
    """What the added person costs on one day, at the staff wage (``wages.added_person_cost``)."""
    added_cost: Decimal
    """The added staff-hours of the week at that wage."""
    before_days: tuple[DayFigures, ...] = ()
    after_days: tuple[DayFigures, ...] = ()
    """Each day of the week as rostered and with the person (``day_figures``)."""


@dataclass(frozen=True)
class TierWhatIfRow(StoreWhatIf):
    """One store in a tier-policy what-if: ``whatif.StoreWhatIf`` plus its region.

    ``in_gap``: the candidate policy leaves this store's revenue uncovered, so it keeps its roster.
    """

    region_id: int | None


@dataclass(frozen=True)
class TierWhatIfResult:
    """A candidate policy's what-if over some stores, with totals (see ``whatif.whatif_totals``)."""

    policy_name: str
    rows: list[TierWhatIfRow]
    totals: dict[str, dict[str, float]]
    """Per figure, "current" and "candidate": hours and red shifts summed, waits the mean over stores."""


class RosterWhatIfError(StoremonError):
    """An added shift that cannot be modelled (empty, reversed or outside the day)."""


def _latest_sales_days(session: Session, stores: list[Store]) -> dict[int, date]:
    """Each store's last local date with sales, in one query."""
    rows = session.execute(
        select(SalesBucket.store_id, func.max(SalesBucket.bucket_start))
        .where(SalesBucket.store_id.in_([s.id for s in stores]), finished(SalesBucket.batch_id))
        .group_by(SalesBucket.store_id)
    ).all()
    zones = {s.id: s.timezone for s in stores}
    return {store_id: local_date(latest, zones[store_id]) for store_id, latest in rows}


def interval_orders(day: StoreDay) -> np.ndarray:
    """The orders each shown interval of ``day`` was modelled on (sales once in, else forecast)."""
    return np.array([i.orders for i in day.intervals], dtype=float)


def _hourly_utilisation(store: Store, week: list[StoreDay]) -> tuple[float | None, ...]:
    """Mean capped utilisation per hour of the local day over the week's open intervals."""
    is_open = open_days(store, [day.day for day in week])
    hours, values = [], []
    for k, day in enumerate(week):
        columns = columns_of(day)
        kept = is_open[k, columns.slots]
        hours.append(columns.slots[kept] // INTERVALS_PER_HOUR)
        values.append(
            np.minimum(np.nan_to_num(columns.utilisation[kept], nan=UTILISATION_CAP), UTILISATION_CAP)
        )
    hour = np.concatenate(hours)
    # bincount adds in interval order, day by day: the sums a loop over the intervals gave.
    sums = np.bincount(hour, weights=np.concatenate(values), minlength=HOURS_PER_DAY)
    counts = np.bincount(hour, minlength=HOURS_PER_DAY)
    return tuple(round(float(sums[h] / counts[h]), 3) if counts[h] else None for h in range(HOURS_PER_DAY))


def _week_overview(store: Store, week: list[StoreDay], days: list[DayFigures]) -> dict:
    """Waits, solo hours and pressure of one store's modelled week (``days``: its ``DayFigures``), summed
    and weighted as the what-ifs do (``whatif.week_figures``), so this table and the what-ifs agree."""
    if not week:
        return {
            "solo_hours_per_week": 0.0,
            "mean_wait_minutes": 0.0,
            "p90_wait_minutes": 0.0,
            "lost_orders": 0.0,
            "lost_revenue": 0.0,
            "red_shifts": 0,
            "mean_pressure": 0.0,
            "max_pressure": 0.0,
            "hourly_utilisation": (None,) * HOURS_PER_DAY,
        }
    figures = week_figures(days)
    pressures = [p.index for d in week for p in d.pressure]
    return {
        "solo_hours_per_week": round(figures.solo_hours * 7 / len(week), 1),
        "mean_wait_minutes": figures.mean_wait_minutes,
        "p90_wait_minutes": figures.p90_wait_minutes,
        "lost_orders": figures.lost_orders,
        "lost_revenue": round(sum(d.lost_revenue for d in week), 2),
        "red_shifts": figures.red_shifts,
        "mean_pressure": round(float(np.mean(pressures)), 1) if pressures else 0.0,
        "max_pressure": figures.peak_pressure,
        "hourly_utilisation": _hourly_utilisation(store, week),
    }


def _part(summaries: list, part: tuple[int, int] | None, size: int) -> list:
    """The k-th of n runs of whole chunks of ``summaries`` (all of them without ``part``)."""
    if part is None:
        return summaries
    k, n = part
    chunks = -(-len(summaries) // size)
    return summaries[chunks * k // n * size : chunks * (k + 1) // n * size]


def region_overview(
    session: Session,
    actor: Actor,
    region_id: int | None = None,
    days: int = 7,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    part: tuple[int, int] | None = None,
    chunk_size: int | None = None,
) -> list[StoreOverview]:
    """Every store the actor may see (in ``region_id`` if given) over its last ``days`` with sales.

    Stores are modelled ``chunk_size`` (``OVERVIEW_CHUNK``) at a time (``store_days_many``:
    set-based reads, one day-model call); ``progress(done, total)`` is called after each store.
    When ``cancel`` is set the stores done so far are returned. ``part=(k, n)``: only the k-th of
    n runs of whole chunks, so n processes share the work and their parts, joined in order, are
    the whole overview (``region_cache``).
    """
    if days < 1:
        raise StoremonError(f"the overview needs at least one day, not {days}")
    size = chunk_size or OVERVIEW_CHUNK
    if part is None:
        summaries = store_summaries(session, actor, region_id)
    else:  # only this part's stores summed up (their revenue over the whole list's window)
        stmt = actor.scope_stores(select(Store.id)).order_by(Store.code)
        if region_id is not None:
            stmt = stmt.where(Store.region_id == region_id)
        ids = set(_part(session.scalars(stmt).all(), part, size))
        summaries = store_summaries(session, actor, region_id, store_ids=ids) if ids else []
    if not summaries:
        return []
    stores = {
        s.id: s
        for s in session.scalars(
            select(Store).where(Store.id.in_([r.id for r in summaries])).options(selectinload(Store.hours))
        )
    }
    latest = _latest_sales_days(session, list(stores.values()))
    sticks = yardsticks(session)
    total = len(summaries)
    if progress is not None:
        progress(0, total)
    weeks: dict[int, list[date]] = {}
    for summary in summaries:
        last = latest.get(summary.id)
        weeks[summary.id] = [last - timedelta(days=k) for k in range(days - 1, -1, -1)] if last else []
    modelled: dict[int, list[StoreDay]] = {}
    labour: dict[int, PeriodLabour] = {}
    result = []
    for done, summary in enumerate(summaries, start=1):
        if cancel is not None and cancel.is_set():
            break
        if summary.id not in modelled:  # the next chunk of stores, modelled together
            chunk = [s.id for s in summaries[done - 1 : done - 1 + size]]
            wanted = {i: weeks[i] for i in chunk}
            modelled.update(
                store_days_many(
                    session, actor, wanted, now, with_intervals=False, interval_columns=True, explain=False
                )
            )
            labour.update(period_labour(session, [stores[i] for i in chunk], {i: weeks[i] for i in chunk}))
            modelled.update({i: [] for i in chunk if i not in modelled})
        store = stores[summary.id]
        week_days = weeks[summary.id]
        week = modelled.pop(summary.id)
        result.append(
            StoreOverview(
                store_id=summary.id,
                code=summary.code,
                name=summary.name,
                region_id=store.region_id,
                region=summary.region,
                tier_policy=summary.tier_policy,
                policy_staff_per_shift=summary.policy_staff_per_shift,
                rostered_staff_per_shift=float(summary.rostered_staff_per_shift),
                avg_daily_revenue=float(summary.avg_daily_revenue),
                policy_status=summary.policy_status,
                policy_note=summary.policy_note,
                week_start=week_days[0] if week_days else None,
                week_end=week_days[-1] if week_days else None,
                **_week_overview(store, week, figures_of_days(session, store, week, sticks)),
                labour_cost=labour[summary.id].cost,
                labour_percent=labour[summary.id].labour_percent,
            )
        )
        if progress is not None:
            progress(done, total)
    return result


class UtilisationTable:
    """Every overview row's hourly utilisation as one float array (None, closed, as NaN).

    Built once per load, off the GUI thread: the heatmap of whatever subset the table shows is
    then a row selection, not a Python loop over stores x hours on every filter change.
    """

    def __init__(self, rows: list[StoreOverview]) -> None:
        closed = (None,) * HOURS_PER_DAY
        self._index = {r.store_id: i for i, r in enumerate(rows)}
        self._matrix = np.array(
            [(r.hourly_utilisation + closed)[:HOURS_PER_DAY] for r in rows], dtype=float
        ).reshape(len(rows), HOURS_PER_DAY)

    def heatmap(self, rows: list[StoreOverview]) -> RegionHeatmap:
        """The heatmap of ``rows`` (all in the table) in their order, over the hours one of them is open."""
        full = self._matrix[[self._index[r.store_id] for r in rows]]
        open_hours = np.flatnonzero(~np.isnan(full).all(axis=0))
        if open_hours.size:
            first, last = int(open_hours[0]), int(open_hours[-1])
            hours, matrix = tuple(range(first, last + 1)), full[:, first : last + 1]
        else:
            hours, matrix = (), np.full((len(rows), 0), np.nan)
        return RegionHeatmap(tuple(r.store_id for r in rows), tuple(r.code for r in rows), hours, matrix)


def region_heatmap(rows: list[StoreOverview]) -> RegionHeatmap:
    """The heatmap of ``rows`` in their order, over the hours at least one of them is open."""
    return UtilisationTable(rows).heatmap(rows)


def policy_issues(policy: TierPolicy) -> list[str]:
    """Gaps, overlaps and invalid bands of a candidate policy, as sentences."""
    return [issue.message for issue in validate(policy)]


def tier_whatif_by_store(
    session: Session,
    actor: Actor,
    policy: TierPolicy,
    region_id: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> TierWhatIfResult:
    """``whatif.tier_whatif`` for the actor's stores (in ``region_id``), one store at a time.

    Each store is run with the actor's scope narrowed to that store, so the caller sees progress
    and can cancel between stores; the figures are exactly ``tier_whatif``'s.
    """
    require_role(actor, Role.STORE_MANAGER, "try tier policies")
    stmt = actor.scope_stores(select(Store)).order_by(Store.code)
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    stores = session.scalars(stmt).all()
    total = len(stores)
    if progress is not None:
        progress(0, total)
    result = []
    for done, store in enumerate(stores, start=1):
        if cancel is not None and cancel.is_set():
            break
        # A store manager's scope is exactly one store, and this store is inside the actor's own.
        one_store = Actor(actor.username, Role.STORE_MANAGER, store.id, store.region_id)
        for row in tier_whatif(session, one_store, policy, now):
            result.append(TierWhatIfRow(**vars(row), region_id=store.region_id))
        if progress is not None:
            progress(done, total)
    return TierWhatIfResult(policy.name, result, whatif_totals(result) if result else {})


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def roster_whatif(
    session: Session,
    actor: Actor,
    store_ref: int | str,
    start_minute: int,
    end_minute: int,
    now: datetime | None = None,
) -> RosterWhatIf:
    """The store's last sales week as rostered, and with one more person from start to end each day.

    Minutes count from local midnight and are rounded to the 15-minute grid; nothing is saved.
    """
    require_role(actor, Role.SHIFT_LEAD, "try rosters")
    store = visible_store(session, actor, store_ref)
    first = round(start_minute / INTERVAL_MINUTES)
    end = round(end_minute / INTERVAL_MINUTES)
    per_day = HOURS_PER_DAY * INTERVALS_PER_HOUR
    if not 0 <= first < end <= per_day:
        raise RosterWhatIfError(
            f"the added shift {_clock(max(start_minute, 0))}-{_clock(max(end_minute, 0))} must start "
            "before it ends, within one day; pick a start earlier than the end"
        )
    days = last_sales_week(session, store)
    if not days:
        raise RosterWhatIfError(f"store {store.code} has no sales yet; import its sales to try rosters")
    week = modelled_week(session, actor, store, days, now)
    before, after = week.figures, week.replay([day + [Shift(first, end)] for day in week.shifts])
    then = week_figures(after)
    return RosterWhatIf(
        store_id=store.id,
        code=store.code,
        name=store.name,
        start_minute=first * INTERVAL_MINUTES,
        end_minute=end * INTERVAL_MINUTES,
        week_start=days[0],
        week_end=days[-1],
        before=week_figures(before),
        after=then,
        worst_pressure_before=week_figures(before).peak_pressure,
        worst_pressure_after=then.peak_pressure,
        added_cost_per_day=added_person_cost(session, (end - first) * INTERVAL_MINUTES / 60),
        added_cost=added_person_cost(session, then.staff_hours - week_figures(before).staff_hours),
        before_days=tuple(before),
        after_days=tuple(after),
    )
