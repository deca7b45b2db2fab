"""Store-level reports: tier, revenue, policy coverage, roster, solo hours, sales buckets."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from staffing.policy import GAP, gap_for, staff_for
from staffing.roster import INTERVAL_MINUTES, staff_on_shift
from storemon.db.models import Region, RosterShift, SalesBucket, Store, TierPolicy
from storemon.services.access import Actor, visible_store
from storemon.services.door import use_case
from storemon.services.opening_hours import open_days
from storemon.services.policies import to_domain
from storemon.services.timegrid import INTERVALS_PER_DAY, local_date, local_midnight, minutes_since

REVENUE_WINDOW_DAYS = 28


@dataclass(frozen=True)
class StoreSummary:
    """One row of ``storemon report stores`` and of the Region view."""

    id: int
    code: str
    name: str
    region: str
    tier_policy: str
    avg_daily_revenue: float
    policy_staff_per_shift: int | None
    policy_status: str
    policy_note: str
    rostered_staff_per_shift: float
    solo_hours_per_week: float


@dataclass(frozen=True)
class SalesInterval:
    """Orders, items and revenue of one 15-minute bucket, in the store's local time."""

    start: datetime
    orders: int
    items: int
    revenue: Decimal


def _revenue_window(session: Session, store_ids: list[int]) -> tuple[datetime, datetime] | None:
    latest = session.scalar(
        select(func.max(SalesBucket.bucket_start)).where(SalesBucket.store_id.in_(store_ids))
    )
    if latest is None:
        return None
    return latest - timedelta(days=REVENUE_WINDOW_DAYS), latest + timedelta(minutes=INTERVAL_MINUTES)


def average_daily_revenue(session: Session, store_ids: list[int]) -> dict[int, float]:
    """Mean revenue per day over the last four weeks of sales (fewer if history is shorter)."""
    window = _revenue_window(session, store_ids)
    if window is None:
        return {}
    start, end = window
    rows = session.execute(
        select(SalesBucket.store_id, func.sum(SalesBucket.revenue), func.min(SalesBucket.bucket_start))
        .where(SalesBucket.store_id.in_(store_ids), SalesBucket.bucket_start >= start)
        .group_by(SalesBucket.store_id)
    ).all()
    result = {}
    for store_id, revenue, first in rows:
        days = max(1, math.ceil((end - max(first, start)).total_seconds() / 86400))
        result[store_id] = float(revenue) / days
    return result


def roster_grid(store: Store, shifts: list[RosterShift], first_day: date, days: int) -> np.ndarray:
    """Staff on shift per 15-minute interval over ``days`` local days from ``first_day``."""
    origin = local_midnight(first_day, store.timezone)
    return staff_on_shift(
        minutes_since(origin, [s.starts_at for s in shifts]),
        minutes_since(origin, [s.ends_at for s in shifts]),
        days * INTERVALS_PER_DAY,
    )


def _roster_figures(session: Session, store: Store, end: datetime) -> tuple[float, float]:
    """(mean staff on the floor while open, solo hours per week) over the four weeks before ``end``."""
    last_day = local_date(end, store.timezone)
    first_day = last_day - timedelta(days=REVENUE_WINDOW_DAYS - 1)
    start_utc = local_midnight(first_day, store.timezone)
    end_utc = local_midnight(last_day + timedelta(days=1), store.timezone)
    shifts = session.scalars(
        select(RosterShift).where(
            RosterShift.store_id == store.id, RosterShift.ends_at > start_utc, RosterShift.starts_at < end_utc
        )
    ).all()
    if not shifts:
        return 0.0, 0.0
    staffed = roster_grid(store, list(shifts), first_day, REVENUE_WINDOW_DAYS).reshape(
        REVENUE_WINDOW_DAYS, -1
    )
    is_open = open_days(store, [first_day + timedelta(days=k) for k in range(REVENUE_WINDOW_DAYS)])
    rostered = staffed.any(axis=1)  # days before the roster starts say nothing
    rostered_days = staffed[rostered]
    on_floor = rostered_days[is_open[rostered]]
    solo_hours = np.count_nonzero(on_floor == 1) * INTERVAL_MINUTES / 60
    return float(on_floor.mean()), float(solo_hours / (len(rostered_days) / 7))


def _policy_verdict(store: Store, revenue: float, rostered: float) -> tuple[int | None, str, str]:
    if store.tier_policy is None:
        return None, "no_policy", "no tier policy assigned"
    domain = to_domain(store.tier_policy)
    staff = int(staff_for(domain, revenue))
    if staff == GAP:
        gap = gap_for(domain, revenue)
        return None, "gap", gap.message if gap else "revenue not covered by the policy"
    if rostered + 1e-9 < staff:
        return staff, "below_policy", f"rostered {rostered:.2f} on average, policy asks for {staff}"
    return staff, "covered", f"policy asks for {staff}"


def store_summaries(session: Session, actor: Actor, region_id: int | None = None) -> list[StoreSummary]:
    """The stores the actor may see, with revenue tier, policy coverage and solo hours."""
    stmt = actor.scope_stores(
        select(Store).options(
            selectinload(Store.region), selectinload(Store.tier_policy).selectinload(TierPolicy.bands)
        )
    ).order_by(Store.code)
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    stores = session.scalars(stmt).all()
    if not stores:
        return []
    ids = [s.id for s in stores]
    revenue = average_daily_revenue(session, ids)
    window = _revenue_window(session, ids)
    summaries = []
    for store in stores:
        rev = revenue.get(store.id, 0.0)
        rostered, solo = _roster_figures(session, store, window[1]) if window else (0.0, 0.0)
        staff, status, note = _policy_verdict(store, rev, rostered)
        summaries.append(
            StoreSummary(
                id=store.id,
                code=store.code,
                name=store.name,
                region=store.region.name if store.region else "",
                tier_policy=store.tier_policy.name if store.tier_policy else "",
                avg_daily_revenue=round(rev, 2),
                policy_staff_per_shift=staff,
                policy_status=status,
                policy_note=note,
                rostered_staff_per_shift=round(rostered, 2),
                solo_hours_per_week=round(solo, 1),
            )
        )
    return summaries


def sales_for_day(session: Session, actor: Actor, store_ref: int | str, day: date) -> list[SalesInterval]:
    """The store's 15-minute sales buckets on a local date, summed over import batches."""
    store = visible_store(session, actor, store_ref)
    start = local_midnight(day, store.timezone)
    end = local_midnight(day + timedelta(days=1), store.timezone)
    rows = session.execute(
        select(
            SalesBucket.bucket_start,
            func.sum(SalesBucket.orders),
            func.sum(SalesBucket.items),
            func.sum(SalesBucket.revenue),
        )
        .where(
            SalesBucket.store_id == store.id,
            SalesBucket.bucket_start >= start,
            SalesBucket.bucket_start < end,
        )
        .group_by(SalesBucket.bucket_start)
        .order_by(SalesBucket.bucket_start)
    ).all()
    tz = ZoneInfo(store.timezone)
    return [
        SalesInterval(
            start.astimezone(tz), int(orders), int(items), Decimal(revenue).quantize(Decimal("0.01"))
        )
        for start, orders, items, revenue in rows
    ]


@dataclass(frozen=True)
class StoreRef:
    """A store as pickers and titles show it."""

    id: int
    code: str
    name: str
    region: str
    timezone: str


@dataclass(frozen=True)
class RegionRef:
    id: int
    code: str
    name: str


@use_case()
def store_refs(session: Session, actor: Actor) -> list[StoreRef]:
    """The stores the actor sees, by code."""
    rows = session.scalars(actor.scope_stores(select(Store)).order_by(Store.code)).all()
    return [StoreRef(s.id, s.code, s.name, s.region.name if s.region else "", s.timezone) for s in rows]


@use_case()
def region_refs(session: Session, actor: Actor) -> list[RegionRef]:
    """The regions of the stores the actor sees, by code."""
    ids = {s.region_id for s in session.scalars(actor.scope_stores(select(Store)))}
    rows = session.scalars(select(Region).where(Region.id.in_(ids)).order_by(Region.code)).all()
    return [RegionRef(r.id, r.code, r.name) for r in rows]
