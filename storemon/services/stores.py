"""Store-level reports: tier, revenue, policy coverage, roster, solo hours, sales buckets."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from staffing.policy import GAP, gap_for, staff_for
from staffing.roster import INTERVAL_MINUTES, staff_on_shift
from storemon.db.import_state import finished
from storemon.db.models import Region, Role, RosterShift, SalesBucket, Store, StoreHours, TierPolicy
from storemon.db.types import epoch_seconds
from storemon.errors import StoremonError
from storemon.services.access import AccessDenied, Actor, store_key, visible_store
from storemon.services.door import use_case
from storemon.services.opening_hours import (
    HOURS_EDITED,
    STORE_EDIT,
    BadHours,
    open_days,
    store_subject,
    week_hours,
    zone_named,
)
from storemon.services.policies import to_domain
from storemon.services.setting_values import audit_change, now_or_utc
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
        select(func.max(SalesBucket.bucket_start)).where(
            SalesBucket.store_id.in_(store_ids), finished(SalesBucket.batch_id)
        )
    )
    if latest is None:
        return None
    return latest - timedelta(days=REVENUE_WINDOW_DAYS), latest + timedelta(minutes=INTERVAL_MINUTES)


def average_daily_revenue(
    session: Session, store_ids: list[int], window: tuple[datetime, datetime] | None = None
) -> dict[int, float]:
    """Mean revenue per day over the last four weeks of sales (fewer if history is shorter);
    ``window``: the one measured over a larger list of stores (else these stores' own)."""
    window = window or _revenue_window(session, store_ids)
    if window is None:
        return {}
    start, end = window
    rows = session.execute(
        select(SalesBucket.store_id, func.sum(SalesBucket.revenue), func.min(SalesBucket.bucket_start))
        .where(
            SalesBucket.store_id.in_(store_ids),
            SalesBucket.bucket_start >= start,
            finished(SalesBucket.batch_id),
        )
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


def _roster_figures(
    session: Session, stores: Sequence[Store], end: datetime
) -> dict[int, tuple[float, float]]:
    """Per store: (mean staff on the floor while open, solo hours per week) over the four weeks
    before ``end``. One query for every store's shifts (a chain has thousands of stores)."""
    windows = {}
    for store in stores:
        last_day = local_date(end, store.timezone)
        first_day = last_day - timedelta(days=REVENUE_WINDOW_DAYS - 1)
        windows[store.id] = (
            first_day,
            local_midnight(first_day, store.timezone),
            local_midnight(last_day + timedelta(days=1), store.timezone),
        )
    earliest = min(w[1] for w in windows.values())
    latest = max(w[2] for w in windows.values())
    rows = session.execute(
        select(RosterShift.store_id, epoch_seconds(RosterShift.starts_at), epoch_seconds(RosterShift.ends_at))
        .where(
            RosterShift.store_id.in_([store.id for store in stores]),
            RosterShift.ends_at > earliest,
            RosterShift.starts_at < latest,
        )
        .order_by(RosterShift.store_id)
    ).all()
    owner = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    starts = np.fromiter((r[1] for r in rows), dtype=float, count=len(rows))
    ends = np.fromiter((r[2] for r in rows), dtype=float, count=len(rows))
    figures = {}
    for store in stores:
        first_day, start_utc, end_utc = windows[store.id]
        lo, hi = np.searchsorted(owner, [store.id, store.id + 1])
        origin = start_utc.timestamp()
        mine = (ends[lo:hi] > origin) & (starts[lo:hi] < end_utc.timestamp())
        if not mine.any():
            figures[store.id] = (0.0, 0.0)
            continue
        staffed = staff_on_shift(
            (starts[lo:hi][mine] - origin) / 60.0,
            (ends[lo:hi][mine] - origin) / 60.0,
            REVENUE_WINDOW_DAYS * INTERVALS_PER_DAY,
        ).reshape(REVENUE_WINDOW_DAYS, -1)
        is_open = open_days(store, [first_day + timedelta(days=k) for k in range(REVENUE_WINDOW_DAYS)])
        rostered = staffed.any(axis=1)  # days before the roster starts say nothing
        rostered_days = staffed[rostered]
        on_floor = rostered_days[is_open[rostered]]
        solo_hours = np.count_nonzero(on_floor == 1) * INTERVAL_MINUTES / 60
        figures[store.id] = (float(on_floor.mean()), float(solo_hours / (len(rostered_days) / 7)))
    return figures


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


def store_summaries(
    session: Session, actor: Actor, region_id: int | None = None, store_ids: Collection[int] | None = None
) -> list[StoreSummary]:
    """The stores the actor may see, with revenue tier, policy coverage and solo hours.

    ``store_ids``: only these stores' summaries (the rules job's batch), their revenue still
    measured over the same window as the whole list's."""
    stmt = actor.scope_stores(
        select(Store).options(
            selectinload(Store.region),
            selectinload(Store.hours),
            selectinload(Store.tier_policy).selectinload(TierPolicy.bands),
        )
    ).order_by(Store.code)
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    stores = session.scalars(stmt).all()
    if not stores:
        return []
    ids = [s.id for s in stores]
    window = _revenue_window(session, ids)
    wanted = ids if store_ids is None else [i for i in ids if i in store_ids]
    revenue = average_daily_revenue(session, wanted, window) if window else {}
    chosen = set(wanted)
    roster = _roster_figures(session, [s for s in stores if s.id in chosen], window[1]) if window else {}
    summaries = []
    for store in stores:
        if store_ids is not None and store.id not in store_ids:
            continue
        rev = revenue.get(store.id, 0.0)
        rostered, solo = roster.get(store.id, (0.0, 0.0))
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
            finished(SalesBucket.batch_id),
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


# ------------------------------------------------------------------------------ store settings

KEEP: Any = object()
"""A ``StoreChanges`` field left as it is (None means "use the chain's value" where that applies)."""

SERVICE_MINUTES_RANGE = (0.1, 60.0)
CHORE_MINUTES_RANGE = (0.0, 59.0)
PATIENCE_MINUTES_RANGE = (0.5, 120.0)
HEAD_OFFICE_FIELDS = frozenset({"timezone", "region", "tier_policy"})
"""Settings only head office changes: what clock the store's data is on, and chain structure."""
STORE_FIELDS = frozenset({"hours", "service_minutes", "chore_minutes_per_hour", "patience_minutes"})
"""Settings a region's operations supervisor may also change for the stores of their region."""


class StoreSettingsError(StoremonError, ValueError):
    """A store setting that cannot be saved as given; the message says what to write instead."""


@dataclass(frozen=True)
class DayHours:
    """One weekday's opening hours; ``own``: set for this weekday, else the store's default hours."""

    weekday: int
    opens_at: time
    closes_at: time
    own: bool


@dataclass(frozen=True)
class StoreSettings:
    """A store's settings as `storemon store show` and the store editor show them.

    None for ``service_minutes``, ``chore_minutes_per_hour`` and ``patience_minutes`` means the
    chain's setting applies. ``editable``: the settings the acting user may change.
    """

    id: int
    code: str
    name: str
    location: str
    region: str
    region_name: str
    timezone: str
    opens_at: time
    closes_at: time
    hours: tuple[DayHours, ...]
    hours_text: str
    service_minutes: float | None
    chore_minutes_per_hour: float | None
    patience_minutes: float | None
    tier_policy: str
    editable: frozenset[str]


@dataclass(frozen=True)
class StoreChanges:
    """What an edit changes; every field left at ``KEEP`` stays as it is.

    ``hours``: weekday (0 = Monday) -> (opens, closes); the key None sets every day (the store's
    default hours, and drops the weekdays' own hours). ``region``: a region code, None for none.
    ``tier_policy``: a policy name, None for none. Minutes: None for the chain's setting.
    """

    timezone: Any = KEEP
    hours: Any = KEEP
    service_minutes: Any = KEEP
    chore_minutes_per_hour: Any = KEEP
    patience_minutes: Any = KEEP
    region: Any = KEEP
    tier_policy: Any = KEEP

    def changed(self) -> dict[str, Any]:
        return {f: v for f, v in self.__dict__.items() if v is not KEEP}


def may_edit_stores(actor: Actor) -> bool:
    """Whether the actor may edit some store at all (screens offer the editor only then)."""
    return actor.sees_chain or actor.role == Role.OPS_SUPERVISOR


def editable_fields(actor: Actor, store: Store) -> frozenset[str]:
    """Head office edits every setting; a region's supervisor the day-to-day ones of their stores."""
    if actor.sees_chain:
        return HEAD_OFFICE_FIELDS | STORE_FIELDS
    if actor.role == Role.OPS_SUPERVISOR and actor.can_see_store(store):
        return STORE_FIELDS
    return frozenset()


def _settings(actor: Actor, store: Store) -> StoreSettings:
    week = week_hours(store)
    return StoreSettings(
        id=store.id,
        code=store.code,
        name=store.name,
        location=store.location,
        region=store.region.code if store.region else "",
        region_name=store.region.name if store.region else "",
        timezone=store.timezone,
        opens_at=store.opens_at,
        closes_at=store.closes_at,
        hours=tuple(
            DayHours(weekday, opens, closes, weekday in week.own)
            for weekday, (opens, closes) in enumerate(week.days)
        ),
        hours_text=week.describe(),
        service_minutes=store.service_minutes,
        chore_minutes_per_hour=store.chore_minutes_per_hour,
        patience_minutes=store.patience_minutes,
        tier_policy=store.tier_policy.name if store.tier_policy else "",
        editable=editable_fields(actor, store),
    )


@use_case()
def store_settings_list(session: Session, actor: Actor) -> list[StoreSettings]:
    """The settings of every store the actor sees, by code."""
    stores = session.scalars(
        actor.scope_stores(
            select(Store).options(
                selectinload(Store.region), selectinload(Store.tier_policy), selectinload(Store.hours)
            )
        ).order_by(Store.code)
    ).all()
    return [_settings(actor, store) for store in stores]


@use_case()
def store_settings(session: Session, actor: Actor, store_ref: int | str) -> StoreSettings:
    """One store's settings (``store_ref``: its code, or ``id:N``)."""
    return _settings(actor, visible_store(session, actor, store_ref))


def _minutes(value: Any, what: str, bounds: tuple[float, float]) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StoreSettingsError(f"{what}: {value!r} is not a number of minutes") from None
    low, high = bounds
    if not (math.isfinite(number) and low <= number <= high):
        raise StoreSettingsError(f"{what}: {value!r} must be between {low:g} and {high:g} minutes")
    return number


def _apply_hours(store: Store, hours: dict[int | None, tuple[time, time]]) -> None:
    for weekday, (opens, closes) in hours.items():
        if opens == closes:
            raise StoreSettingsError(
                f"opening hours {opens:%H:%M}-{closes:%H:%M}: opening and closing are the same time"
            )
        if weekday is not None and not 0 <= weekday <= 6:
            raise StoreSettingsError(f"weekday {weekday} does not exist (0 = Monday ... 6 = Sunday)")
    if None in hours:
        store.opens_at, store.closes_at = hours[None]
        store.hours = []
    rows = {row.weekday: row for row in store.hours}
    for weekday, (opens, closes) in sorted((k, v) for k, v in hours.items() if k is not None):
        if weekday in rows:
            rows[weekday].opens_at, rows[weekday].closes_at = opens, closes
        else:
            store.hours.append(StoreHours(weekday=weekday, opens_at=opens, closes_at=closes))


def _plain(value: Any) -> Any:
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return value


@use_case(write=True)
def edit_store(
    session: Session, actor: Actor, store_ref: int | str, changes: StoreChanges, now: datetime | None = None
) -> StoreSettings:
    """Change a store's settings in one transaction, audited; the settings as saved.

    Head office changes every setting; a region's operations supervisor the opening hours,
    service time, chore load and patience of their region's stores (``editable_fields``).
    """
    store = visible_store(session, actor, store_ref)
    wanted = changes.changed()
    refused = sorted(set(wanted) - editable_fields(actor, store))
    if refused:
        who = "head office" if set(refused) & HEAD_OFFICE_FIELDS else "head office or the region's supervisor"
        raise AccessDenied(
            f"{actor.username} ({actor.role.value}) may not change {', '.join(refused)} of store "
            f"{store.code}: only {who} may"
        )
    before = _settings(actor, store)
    if "timezone" in wanted:
        try:
            store.timezone = zone_named(str(wanted["timezone"])).key
        except BadHours as exc:
            raise StoreSettingsError(str(exc)) from None
    if "hours" in wanted:
        _apply_hours(store, dict(wanted["hours"]))
    for name, what, bounds in (
        ("service_minutes", "service time", SERVICE_MINUTES_RANGE),
        ("chore_minutes_per_hour", "chore load", CHORE_MINUTES_RANGE),
        ("patience_minutes", "patience", PATIENCE_MINUTES_RANGE),
    ):
        if name in wanted:
            setattr(store, name, _minutes(wanted[name], what, bounds))
    if "region" in wanted:
        store.region = _region(session, wanted["region"])
    if "tier_policy" in wanted:
        store.tier_policy = _tier_policy(session, wanted["tier_policy"])
    session.flush()
    session.refresh(store, ["hours"])
    after = _settings(actor, store)
    diff = {
        name: [_plain(getattr(before, name)), _plain(getattr(after, name))]
        for name in (
            "timezone",
            "hours_text",
            "service_minutes",
            "chore_minutes_per_hour",
            "patience_minutes",
            "region",
            "tier_policy",
        )
        if getattr(before, name) != getattr(after, name) or (name == HOURS_EDITED and "hours" in wanted)
    }
    if diff:
        audit_change(session, actor, STORE_EDIT, store_subject(store.code), diff, now_or_utc(now))
    return after


def _region(session: Session, code: Any) -> Region | None:
    if code is None or str(code).strip() == "":
        return None
    text = str(code).strip()
    regions = session.scalars(select(Region).order_by(Region.code)).all()
    for region in regions:
        if store_key(region.code) == store_key(text):
            return region
    known = ", ".join(r.code for r in regions) or "none yet"
    raise StoreSettingsError(f"no region with code {text!r}; the regions are: {known}")


def _tier_policy(session: Session, name: Any) -> TierPolicy | None:
    if name is None or str(name).strip() == "":
        return None
    text = str(name).strip()
    policies = session.scalars(select(TierPolicy).order_by(TierPolicy.name)).all()
    for policy in policies:
        if store_key(policy.name) == store_key(text):
            return policy
    known = ", ".join(repr(p.name) for p in policies) or "none yet"
    raise StoreSettingsError(f"no tier policy called {text!r}; the policies are: {known}")
