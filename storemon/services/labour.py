"""Labour cost: what a store's shifts and days cost, and labour as a share of its sales.

A shift costs its paid minutes inside the day × its wage (``storemon.services.wages``: the
person's own, else their shift role's). Labour % of sales is the day's cost over its sales (finished sales
batches, as every report counts revenue); on the current day both count up to ``now`` only, so
the morning's share is not the whole day's wages over three hours of sales. The arithmetic is
``staffing.labour``'s; this module fetches and scopes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from staffing.labour import labour_percent, shift_cost, total_cost
from storemon.db.models import Role, RosterShift, StaffMember, Store
from storemon.services.access import Actor, visible_store
from storemon.services.door import use_case
from storemon.services.setting_values import CURRENCY
from storemon.services.timegrid import local_midnight
from storemon.services.wages import hourly_wages, sees_wages, wage_of


@dataclass(frozen=True)
class ShiftCost:
    """One rostered shift's paid minutes inside the day and what they cost."""

    shift_id: int
    staff_code: str
    name: str
    role: str
    starts_at: datetime
    ends_at: datetime
    minutes: int
    hourly_wage: Decimal
    wage_source: str
    """"person" (their own wage) or "role" (their shift role's)."""
    cost: Decimal


@dataclass(frozen=True)
class DayLabour:
    """A store-day's labour: each shift's cost, the day's cost, its sales and labour % of sales."""

    store_code: str
    day: date
    currency: str
    shifts: list[ShiftCost]
    """Each shift's cost and wage; empty for an actor who may not see what people are paid
    (``wages.sees_wages``), who gets the totals only."""
    cost: Decimal
    """Every rostered minute of the day (the plan, on the current day too)."""
    cost_to_date: Decimal
    """The minutes up to ``now`` (equal to ``cost`` on a past day)."""
    revenue: Decimal
    """Sales of the day so far (finished sales batches)."""
    labour_percent: float | None
    """``cost_to_date`` / ``revenue`` × 100; None without sales."""


@dataclass(frozen=True)
class PeriodLabour:
    """A store's labour over some days (the Region week): cost, sales and labour % of sales."""

    store_id: int
    cost: Decimal
    revenue: Decimal
    labour_percent: float | None


IN_CHUNK = 5000
"""Store ids per ``IN (...)`` list: far below SQLite's and PostgreSQL's parameter limits."""

# ------------------------------------------------------------------------------------ costs


def _minutes(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> int:
    """Whole minutes of ``[start, end)`` inside ``[window_start, window_end)``."""
    seconds = (min(end, window_end) - max(start, window_start)).total_seconds()
    return max(0, round(seconds / 60))


def shift_costs(
    shifts: list[RosterShift], wages: Mapping[Role, Decimal], day_start: datetime, day_end: datetime
) -> list[ShiftCost]:
    """Each shift's minutes inside ``[day_start, day_end)`` and their cost (shifts with ``staff`` loaded)."""
    result = []
    for shift in shifts:
        minutes = _minutes(shift.starts_at, shift.ends_at, day_start, day_end)
        wage, source = wage_of(shift.staff, shift.role, wages)
        result.append(
            ShiftCost(
                shift.id,
                shift.staff.code,
                shift.staff.name,
                shift.role.value,
                shift.starts_at,
                shift.ends_at,
                minutes,
                wage,
                source,
                shift_cost(minutes, wage),
            )
        )
    return result


def whole_shift_costs(session: Session, shifts: list[RosterShift]) -> dict[int, ShiftCost]:
    """Each shift's cost over its whole length, by shift id (the Schedule prices a shift on the day
    it starts, as the grid shows it; ``day_labour`` splits a shift past midnight between days)."""
    wages = hourly_wages(session)
    return {s.id: shift_costs([s], wages, s.starts_at, s.ends_at)[0] for s in shifts}


def _shifts(session: Session, store_ids: list[int], start: datetime, end: datetime) -> list[RosterShift]:
    return list(
        session.scalars(
            select(RosterShift)
            .where(
                RosterShift.store_id.in_(store_ids), RosterShift.ends_at > start, RosterShift.starts_at < end
            )
            .options(selectinload(RosterShift.staff))
            .order_by(RosterShift.starts_at, RosterShift.id)
        )
    )


def daily_revenue(session: Session, stores: list[Store], days: list[date]) -> dict[int, list[float]]:
    """Each store's sales on each of ``days``, counted as every report counts them."""
    # Imported here: reports -> region -> labour would otherwise be a cycle at import time.
    from storemon.services.reports import _daily_revenue

    return _daily_revenue(session, stores, days)


def _to_date(day_start: datetime, day_end: datetime, now: datetime | None) -> datetime:
    """Where "so far" ends in a day: ``now`` inside it, else the day's end (a past or future day)."""
    return now if now is not None and day_start <= now < day_end else day_end


@use_case()
def day_labour(
    session: Session, actor: Actor, store_ref: int | str, day: date, now: datetime | None = None
) -> DayLabour:
    """A store-day's shift costs, total, sales and labour % of sales (to ``now`` on the current day)."""
    store = visible_store(session, actor, store_ref)
    start, end = local_midnight(day, store.timezone), local_midnight(day + timedelta(days=1), store.timezone)
    wages = hourly_wages(session)
    shifts = _shifts(session, [store.id], start, end)
    costs = shift_costs(shifts, wages, start, end)
    so_far = _to_date(start, end, now or datetime.now(UTC))
    cost = total_cost(c.cost for c in costs)
    cost_to_date = (
        total_cost(c.cost for c in shift_costs(shifts, wages, start, so_far)) if so_far < end else cost
    )
    revenue = Decimal(str(daily_revenue(session, [store], [day])[store.id][0])).quantize(Decimal("0.01"))
    return DayLabour(
        store.code,
        day,
        CURRENCY,
        costs if sees_wages(actor) else [],
        cost,
        cost_to_date,
        revenue,
        labour_percent(cost_to_date, revenue),
    )


def daily_costs(session: Session, stores: list[Store], days: list[date]) -> dict[int, list[Decimal]]:
    """Each store's labour cost on each of ``days`` (a shift past midnight split between its days).

    Set-based and light: each shift's times, role and its person's own wage as one row (no ORM
    objects), priced only on the days it overlaps (a day it misses adds 0.00). A 2,000-store week
    is 25,000 shifts: this took a sixth of the Region overview's time as ``shift_costs`` over
    every shift and every day."""
    wages = hourly_wages(session)
    windows = {
        s.id: [
            (local_midnight(d, s.timezone), local_midnight(d + timedelta(days=1), s.timezone)) for d in days
        ]
        for s in stores
    }
    costs = {s.id: [Decimal("0.00")] * len(days) for s in stores}
    if not stores or not days:
        return costs
    first = min(w[0][0] for w in windows.values())
    last = max(w[-1][1] for w in windows.values())
    for ids in [list(windows)[k : k + IN_CHUNK] for k in range(0, len(windows), IN_CHUNK)]:
        rows = session.execute(
            select(
                RosterShift.store_id,
                RosterShift.starts_at,
                RosterShift.ends_at,
                RosterShift.role,
                StaffMember.hourly_wage,
            )
            .join(StaffMember, StaffMember.id == RosterShift.staff_id)
            .where(RosterShift.store_id.in_(ids), RosterShift.ends_at > first, RosterShift.starts_at < last)
        )
        for row in rows:
            wage = wage_of(row, row.role, wages)[0]  # the row carries the person's hourly_wage
            day_costs = costs[row.store_id]
            for k, (start, end) in enumerate(windows[row.store_id]):
                if row.starts_at < end and row.ends_at > start:
                    day_costs[k] += shift_cost(_minutes(row.starts_at, row.ends_at, start, end), wage)
    return costs


def period_labour(
    session: Session, stores: list[Store], days: Mapping[int, list[date]]
) -> dict[int, PeriodLabour]:
    """Each store's labour cost, sales and labour % over its ``days`` (whole days, set-based reads)."""
    result: dict[int, PeriodLabour] = {}
    by_days: dict[tuple[date, ...], list[Store]] = defaultdict(list)
    for store in stores:
        if days.get(store.id):
            by_days[tuple(sorted(days[store.id]))].append(store)
        else:
            result[store.id] = PeriodLabour(store.id, Decimal("0.00"), Decimal("0.00"), None)
    for wanted, group in by_days.items():
        revenue = daily_revenue(session, group, list(wanted))
        costs = daily_costs(session, group, list(wanted))
        for store in group:
            cost = total_cost(costs[store.id])
            sales = Decimal(str(sum(revenue[store.id]))).quantize(Decimal("0.01"))
            result[store.id] = PeriodLabour(store.id, cost, sales, labour_percent(cost, sales))
    return result


@use_case()
def stores_labour(session: Session, actor: Actor, days: Mapping[int, list[date]]) -> dict[int, PeriodLabour]:
    """``period_labour`` of the stores the actor may see among ``days``' keys (others are left out)."""
    stores = session.scalars(actor.scope_stores(select(Store).where(Store.id.in_(list(days))))).all()
    return period_labour(session, list(stores), days)
