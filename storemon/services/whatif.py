"""What-if: how waits, solo hours, staff-hours and red shifts change under another roster or policy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from staffing.day import StaffingTargets
from staffing.policy import GAP, TierPolicy, staff_for
from staffing.pressure import PressureConfig
from staffing.recommend import Recommendation, Shift, outcomes, policy_shifts, recommend_additions
from staffing.roster import INTERVAL_MINUTES
from storemon.db.import_state import finished
from storemon.db.models import Role, SalesBucket, Store
from storemon.services.access import Actor, require_role, visible_store
from storemon.services.day_figures import (
    DayFigures,
    figures_of_days,
    figures_of_outcome,
    model_shifts,
    yardsticks,
)
from storemon.services.opening_hours import open_days
from storemon.services.setting_keys import pressure_config
from storemon.services.store_days import StoreDay, day_demand, store_days, targets_for
from storemon.services.stores import average_daily_revenue
from storemon.services.timegrid import INTERVALS_PER_DAY, local_date
from storemon.services.wages import added_person_cost

WHATIF_DAYS = 7


@dataclass(frozen=True)
class WeekFigures:
    """A store's week under one roster (sums and order-weighted means of ``DayFigures``)."""

    staff_hours: float
    solo_hours: float
    mean_wait_minutes: float
    p90_wait_minutes: float
    red_shifts: int
    lost_orders: float = 0.0
    """Customers expected to walk away over the week (out of patience)."""
    peak_pressure: float = 0.0
    """The week's worst shift pressure."""
    minutes_over_target: int = 0
    fixed_days: int = 0
    """Days that are fixed (``day_figures.is_fixed``)."""


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
    added_cost: Decimal
    """What the candidate's change in staff-hours costs over the week (negative: a saving), at the
    staff wage (``wages.added_person_cost``)."""


def week_figures(days: list[DayFigures]) -> WeekFigures:
    """A week from its days: the one place a week's waits are weighted (by each day's orders)."""
    orders = np.array([d.orders for d in days], dtype=float)
    weights = orders / orders.sum() if orders.sum() > 0 else np.full(len(days), 1 / max(len(days), 1))
    return WeekFigures(
        staff_hours=round(sum(d.staff_hours for d in days), 2),
        solo_hours=round(sum(d.solo_hours for d in days), 2),
        mean_wait_minutes=round(float(np.dot(weights, [d.mean_wait_minutes for d in days])), 2),
        # p90 of the week: the order-weighted mean of the days' p90 is a close, cheap stand-in.
        p90_wait_minutes=round(float(np.dot(weights, [d.p90_wait_minutes for d in days])), 2),
        red_shifts=sum(d.red_shifts for d in days),
        lost_orders=round(sum(d.lost_orders for d in days), 1),
        peak_pressure=max((d.peak_pressure for d in days), default=0.0),
        minutes_over_target=sum(d.minutes_over_target for d in days),
        fixed_days=sum(d.fixed for d in days),
    )


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


@dataclass(frozen=True)
class ModelledWeek:
    """Store-days as rostered, ready to replay under another roster on exactly the same inputs."""

    store: Store
    days: list[date]
    figures: list[DayFigures]
    """The days as rostered: what Today and Region show for them."""
    orders: np.ndarray
    """``[days, intervals]``: the orders the days were modelled on (sales once in, else the forecast)."""
    shifts: list[list[Shift]]
    """The rostered shifts with their incidents and check-ins (``day_figures.model_shifts``)."""
    open_mask: np.ndarray
    targets: StaffingTargets
    config: PressureConfig

    def replay(self, rosters: list[list[Shift]]) -> list[DayFigures]:
        """The days under other rosters (one list of shifts per day)."""
        found = outcomes(self.orders, rosters, self.open_mask, self.targets, self.config)
        return [figures_of_outcome(o, self.config) for o in found]


def orders_of(day: StoreDay) -> np.ndarray:
    """The orders per interval of the local day ``day`` was modelled on (zero where none were)."""
    grid = np.zeros(INTERVALS_PER_DAY)
    for interval in day.intervals:
        grid[(interval.start.hour * 60 + interval.start.minute) // INTERVAL_MINUTES] = interval.orders
    return grid


def modelled_week(
    session: Session, actor: Actor, store: Store, days: list[date], now: datetime | None = None
) -> ModelledWeek:
    """``days`` of ``store`` modelled as rostered (``store_days``), with what a replay needs."""
    modelled = store_days(session, actor, store.id, days, now)
    sticks = yardsticks(session)
    return ModelledWeek(
        store=store,
        days=days,
        figures=figures_of_days(session, store, modelled, sticks),
        orders=np.array([orders_of(d) for d in modelled]).reshape(len(days), INTERVALS_PER_DAY),
        shifts=model_shifts(session, store, days),
        open_mask=open_days(store, days),
        targets=targets_for(session, store),
        config=sticks.config,
    )


def tier_whatif(
    session: Session, actor: Actor, policy: TierPolicy, now: datetime | None = None
) -> list[StoreWhatIf]:
    """Every visible store's last sales week under its roster and under ``policy``'s staffing."""
    require_role(actor, Role.STORE_MANAGER, "try tier policies")
    stores = session.scalars(
        actor.scope_stores(select(Store).options(selectinload(Store.tier_policy))).order_by(Store.code)
    ).all()
    revenue = average_daily_revenue(session, [s.id for s in stores])
    result = []
    for store in stores:
        days = last_sales_week(session, store)
        if not days:
            continue
        week = modelled_week(session, actor, store, days, now)
        rev = revenue.get(store.id, 0.0)
        staff = int(staff_for(policy, rev))
        now_figures = week_figures(week.figures)
        then_figures = (
            now_figures
            if staff == GAP
            else week_figures(week.replay([policy_shifts(staff, day_open) for day_open in week.open_mask]))
        )
        on_floor = [len(day) / 2 for day in week.shifts if day]
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
                added_cost=added_person_cost(session, then_figures.staff_hours - now_figures.staff_hours),
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
        "stores_in_gap": {"current": 0, "candidate": sum(r.in_gap for r in rows)},
        "added_cost": {"current": 0.0, "candidate": float(sum(r.added_cost for r in rows))},
    }


def recommend_for_day(
    session: Session, actor: Actor, store_ref: int | str, day: date, now: datetime | None = None
) -> Recommendation:
    """The smallest roster additions that bring a store-day's waits under target and pressure below
    amber, planned like its required staff: on the forecast (``staffing.forecast``), past days too."""
    require_role(actor, Role.SHIFT_LEAD, "ask for roster recommendations")
    store = visible_store(session, actor, store_ref)
    found = recommend_additions(*recommendation_inputs(session, store, day, now))
    return replace(found, added_cost=added_person_cost(session, sum(a.hours for a in found.additions)))


def recommendation_inputs(
    session: Session, store: Store, day: date, now: datetime | None = None
) -> tuple[np.ndarray, list[Shift], np.ndarray, StaffingTargets, PressureConfig]:
    """What ``recommend_additions`` takes for a store-day: planned orders, shifts, opening hours,
    targets and pressure settings (also for benchmarks and tests that compare kernels)."""
    orders = day_demand(session, store, [day], now).planned[0]  # staffing: what could be planned
    # The recommender plans on the roster's hours alone: no cover block undoes an incident.
    shifts = [Shift(s.first, s.end) for s in model_shifts(session, store, [day])[0]]
    mask = open_days(store, [day])[0]
    return orders, shifts, mask, targets_for(session, store), pressure_config(session)
