"""What-if: how waits, solo hours, staff-hours and red shifts change under another roster or policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from staffing.day import StaffingTargets
from staffing.policy import GAP, TierPolicy, staff_for
from staffing.pressure import PressureConfig
from staffing.recommend import DayOutcome, Recommendation, Shift, outcomes, policy_shifts, recommend_additions
from staffing.roster import INTERVAL_MINUTES
from storemon.db.import_state import finished
from storemon.db.models import Role, RosterShift, SalesBucket, Store
from storemon.services.access import Actor, require_role, visible_store
from storemon.services.opening_hours import open_days
from storemon.services.setting_keys import pressure_config
from storemon.services.store_days import day_demand, orders_grid, shifts_between, targets_for
from storemon.services.stores import average_daily_revenue
from storemon.services.timegrid import INTERVALS_PER_DAY, local_date, local_midnight

WHATIF_DAYS = 7


@dataclass(frozen=True)
class WeekFigures:
    """A store's week under one roster."""

    staff_hours: float
    solo_hours: float
    mean_wait_minutes: float
    p90_wait_minutes: float
    red_shifts: int
    lost_orders: float = 0.0
    """Customers expected to walk away over the week (out of patience)."""


@dataclass(frozen=True)
class StoreWhatIf:
    """One store's week now and under the candidate, and whether the candidate covers it at all."""

    store_id: int
    code: str
    name: str
    avg_daily_revenue: float
    current_staff_per_shift: float
    candidate_staff_per_shift: int | None
    in_gap: bool
    current: WeekFigures
    candidate: WeekFigures


def week_figures(results: list[DayOutcome]) -> WeekFigures:
    orders = np.array([r.orders for r in results])
    weights = orders / orders.sum() if orders.sum() > 0 else np.full(len(results), 1 / max(len(results), 1))
    return WeekFigures(
        staff_hours=round(sum(r.staff_hours for r in results), 2),
        solo_hours=round(sum(r.solo_hours for r in results), 2),
        mean_wait_minutes=round(float(np.dot(weights, [r.mean_wait_minutes for r in results])), 2),
        # p90 of the week: the order-weighted mean of the days' p90 is a close, cheap stand-in.
        p90_wait_minutes=round(float(np.dot(weights, [r.p90_wait_minutes for r in results])), 2),
        red_shifts=sum(r.red_shifts for r in results),
        lost_orders=round(sum(r.walked_away for r in results), 1),
    )


def day_shifts(store: Store, shifts: list[RosterShift], day: date) -> list[Shift]:
    origin = local_midnight(day, store.timezone)
    result = []
    for shift in shifts:
        first = round((shift.starts_at - origin).total_seconds() / 60 / INTERVAL_MINUTES)
        end = round((shift.ends_at - origin).total_seconds() / 60 / INTERVAL_MINUTES)
        if end > 0 and first < INTERVALS_PER_DAY and end > first:
            result.append(Shift(max(first, 0), min(end, INTERVALS_PER_DAY)))
    return result


def last_sales_week(session: Session, store: Store) -> list[date]:
    """The seven local days up to the store's latest sales (the week what-ifs replay)."""
    latest = session.scalar(
        select(func.max(SalesBucket.bucket_start)).where(
            SalesBucket.store_id == store.id, finished(SalesBucket.batch_id)
        )
    )
    if latest is None:
        return []
    last = local_date(latest, store.timezone)
    return [last - timedelta(days=k) for k in range(WHATIF_DAYS - 1, -1, -1)]


def store_week(session: Session, store: Store, days: list[date]):
    orders = np.nan_to_num(orders_grid(session, store, days[0], len(days)))
    shifts = shifts_between(session, store, days[0], (days[-1] - days[0]).days + 1)
    return orders, [day_shifts(store, shifts, d) for d in days]


def tier_whatif(session: Session, actor: Actor, policy: TierPolicy) -> list[StoreWhatIf]:
    """Every visible store's last sales week under its roster and under ``policy``'s staffing."""
    require_role(actor, Role.STORE_MANAGER, "try tier policies")
    stores = session.scalars(
        actor.scope_stores(select(Store).options(selectinload(Store.tier_policy))).order_by(Store.code)
    ).all()
    revenue = average_daily_revenue(session, [s.id for s in stores])
    config = pressure_config(session)
    result = []
    for store in stores:
        days = last_sales_week(session, store)
        if not days:
            continue
        orders, current = store_week(session, store, days)
        mask = open_days(store, days)
        rev = revenue.get(store.id, 0.0)
        staff = int(staff_for(policy, rev))
        candidate = current if staff == GAP else [policy_shifts(staff, day_open) for day_open in mask]
        targets = targets_for(session, store)
        now_figures = week_figures(outcomes(orders, current, mask, targets, config))
        then_figures = (
            now_figures if staff == GAP else week_figures(outcomes(orders, candidate, mask, targets, config))
        )
        on_floor = [len(day) / 2 for day in current if day]
        result.append(
            StoreWhatIf(
                store_id=store.id,
                code=store.code,
                name=store.name,
                avg_daily_revenue=round(rev, 2),
                current_staff_per_shift=round(float(np.mean(on_floor)) if on_floor else 0.0, 2),
                candidate_staff_per_shift=None if staff == GAP else staff,
                in_gap=staff == GAP,
                current=now_figures,
                candidate=then_figures,
            )
        )
    return result


def whatif_totals(rows: list[StoreWhatIf]) -> dict[str, dict[str, float]]:
    """Totals over the stores: hours and red shifts add up; waits are the mean over stores."""

    def total(attr: str) -> dict[str, float]:
        now = [getattr(r.current, attr) for r in rows]
        then = [getattr(r.candidate, attr) for r in rows]
        if attr in ("mean_wait_minutes", "p90_wait_minutes"):
            return {"current": round(float(np.mean(now)), 2), "candidate": round(float(np.mean(then)), 2)}
        return {"current": round(sum(now), 2), "candidate": round(sum(then), 2)}

    fields = (
        "staff_hours",
        "solo_hours",
        "mean_wait_minutes",
        "p90_wait_minutes",
        "red_shifts",
        "lost_orders",
    )
    return {f: total(f) for f in fields} | {
        "stores_in_gap": {"current": 0, "candidate": sum(r.in_gap for r in rows)}
    }


def recommend_for_day(
    session: Session, actor: Actor, store_ref: int | str, day: date, now: datetime | None = None
) -> Recommendation:
    """The smallest roster additions that bring a store-day's waits under target and pressure below
    amber, planned like its required staff: on the forecast (``staffing.forecast``), past days too."""
    require_role(actor, Role.SHIFT_LEAD, "ask for roster recommendations")
    store = visible_store(session, actor, store_ref)
    return recommend_additions(*recommendation_inputs(session, store, day, now))


def recommendation_inputs(
    session: Session, store: Store, day: date, now: datetime | None = None
) -> tuple[np.ndarray, list[Shift], np.ndarray, StaffingTargets, PressureConfig]:
    """What ``recommend_additions`` takes for a store-day: planned orders, shifts, opening hours,
    targets and pressure settings (also for benchmarks and tests that compare kernels)."""
    orders = day_demand(session, store, [day], now).planned[0]  # staffing: what could be planned
    shifts = day_shifts(store, shifts_between(session, store, day, 1), day)
    mask = open_days(store, [day])[0]
    return orders, shifts, mask, targets_for(session, store), pressure_config(session)
