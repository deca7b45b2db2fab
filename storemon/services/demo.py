"""A realistic, deterministic demo chain so a new user sees real screens at once.

By default 30 stores in 3 regions, 8 weeks of 15-minute sales history plus rosters up to the
end of next week. Daily revenue spreads from about 2,000 to 15,000 CNY so every tier of the
source rule occurs, including stores in the 5,000-6,000 band the rule leaves undefined
(DOMAIN.md section 1). Demand has morning and lunch rushes, weekday/weekend patterns by store
type, and the 3.15 consumer-rights season; small stores run solo shifts. The same seed and
anchor date always give the same chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from staffing.policy import GAP, SOURCE_RULE, TierBand, TierPolicy, staff_for
from staffing.roster import INTERVAL_MINUTES
from staffing.surge import SurgeCalendar
from storemon.db.models import (
    CheckIn,
    ImportBatch,
    Incident,
    Region,
    Role,
    RosterShift,
    SalesBucket,
    StaffMember,
    Store,
    User,
)
from storemon.services.pins import hash_pin
from storemon.services.policies import from_domain
from storemon.services.timegrid import INTERVALS_PER_DAY, local_midnight

TIMEZONE = "Asia/Shanghai"

CANDIDATE_POLICY = TierPolicy.of(
    "Closed bands (candidate)",
    [TierBand(None, 5000, 1), TierBand(5000, 11000, 2), TierBand(11000, None, 3)],
)
"""A policy without the gap, for what-if comparisons."""

REGIONS = [
    (
        "EAST",
        "华东区 East",
        "SH",
        [
            "人民广场",
            "徐家汇",
            "陆家嘴",
            "静安寺",
            "五角场",
            "虹桥站",
            "中山公园",
            "世纪大道",
            "南京西路",
            "七宝",
        ],
    ),
    (
        "SOUTH",
        "华南区 South",
        "SZ",
        ["福田", "南山科技园", "罗湖", "宝安中心", "前海", "天河城", "珠江新城", "体育西", "北京路", "番禺"],
    ),
    (
        "NORTH",
        "华北区 North",
        "BJ",
        ["国贸", "中关村", "望京", "三里屯", "西单", "五道口", "亦庄", "金融街", "北京南站", "天津站"],
    ),
]

STORE_TYPES = {
    # weekend demand factor, share of demand in the morning rush
    "office": (0.55, 1.4),
    "mall": (1.3, 0.6),
    "station": (1.0, 1.2),
    "residential": (1.15, 0.9),
}

# Shift templates in local wall-clock minutes; more staff means more overlap, fewer solo edges.
SHIFT_TEMPLATES = {
    1: [(6 * 60 + 45, 14 * 60), (14 * 60, 21 * 60 + 15)],
    # Two per shift, but the second opener arrives at 07:30: a solo half hour as the rush starts.
    2: [
        (6 * 60 + 45, 14 * 60),
        (7 * 60 + 30, 15 * 60 + 30),
        (13 * 60 + 30, 21 * 60 + 15),
        (14 * 60, 20 * 60),
    ],
    3: [
        (6 * 60 + 45, 14 * 60),
        (6 * 60 + 45, 13 * 60 + 30),
        (8 * 60, 15 * 60 + 30),
        (13 * 60 + 30, 21 * 60 + 15),
        (14 * 60, 21 * 60),
        (11 * 60, 18 * 60),
    ],
}

INCIDENT_TYPES = ["slow_order", "queue_dispute", "prep_area_intrusion", "refund_demand", "complaint"]
CUSTOMER_TYPES = ["irritable", "repetitive", "rational_demanding", "opportunistic"]
SENSITIVE_TRIGGERS = ["escalated_complaint", "consumer_association", "media"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


@dataclass(frozen=True)
class DemoSummary:
    """What ``storemon demo`` created."""

    stores: int
    regions: int
    staff: int
    users: int
    shifts: int
    sales_buckets: int
    incidents: int
    check_ins: int
    first_day: date
    last_sales_day: date
    last_roster_day: date
    seconds: float = 0.0


def day_profile(opens: time, closes: time, weekend: bool, morning_weight: float) -> np.ndarray:
    """Share of a day's orders in each 15-minute interval: morning and lunch rushes, quiet evenings."""
    minutes = np.arange(INTERVALS_PER_DAY) * INTERVAL_MINUTES + INTERVAL_MINUTES / 2
    morning_peak = 9 * 60 + 30 if weekend else 8 * 60 + 15
    shape = (
        0.25
        + morning_weight * (0.6 if weekend else 1.0) * np.exp(-0.5 * ((minutes - morning_peak) / 40) ** 2)
        + 1.1 * np.exp(-0.5 * ((minutes - (12 * 60 + 30)) / 45) ** 2)
        + 0.35 * np.exp(-0.5 * ((minutes - 15 * 60) / 60) ** 2)
    )
    is_open = (minutes >= opens.hour * 60 + opens.minute) & (minutes < closes.hour * 60 + closes.minute)
    shape = np.where(is_open, shape, 0.0)
    return shape / shape.sum()


def revenue_levels(n: int, rng: np.random.Generator) -> np.ndarray:
    """Base daily revenue per store: every tier occurs, a few stores sit in the 5,000-6,000 gap."""
    levels = np.sort(rng.uniform(2000, 15000, n))
    in_gap = max(1, round(n * 0.12))
    slots = np.linspace(0, n - 1, in_gap + 2)[1:-1].round().astype(int)
    levels[slots] = rng.uniform(5150, 5850, in_gap)
    levels[0] = min(levels[0], 2200)
    levels[-1] = max(levels[-1], 14500)
    return rng.permutation(levels)


def _person_name(rng: np.random.Generator) -> str:
    return SURNAMES[rng.integers(len(SURNAMES))] + "".join(GIVEN[i] for i in rng.integers(len(GIVEN), size=2))


def _staff_level(revenue: float) -> int:
    """How the chain actually staffs a store: the source rule, with gap stores left solo."""
    staff = int(staff_for(SOURCE_RULE, revenue))
    if staff == GAP:
        return 1
    return 3 if revenue >= 12000 else staff


def build_demo(
    session: Session, *, stores: int = 30, weeks: int = 8, seed: int = 7, anchor: date | None = None
) -> DemoSummary:
    """Fill an empty database with the demo chain in one transaction (the caller commits)."""
    rng = np.random.default_rng(seed)
    anchor = anchor or datetime.now(UTC).date()
    first_day = anchor - timedelta(days=7 * weeks)
    roster_end = anchor + timedelta(days=13 - anchor.weekday())  # end of next week
    policy = from_domain(SOURCE_RULE, "As reported in seeds/000: leaves 5,000-6,000 undefined.")
    session.add_all([policy, from_domain(CANDIDATE_POLICY, "No gap; a third person for the busiest stores.")])

    regions = [Region(code=code, name=name) for code, name, _, _ in REGIONS]
    session.add_all(regions)
    session.add_all(_chain_users(regions))
    revenues = revenue_levels(stores, rng)
    store_rows: list[tuple[Store, float, str, float, list[StaffMember]]] = []
    for i in range(stores):
        region_index = i % len(REGIONS)
        code, _, prefix, places = REGIONS[region_index]
        place = places[(i // len(REGIONS)) % len(places)]
        kind = list(STORE_TYPES)[int(rng.integers(len(STORE_TYPES)))]
        closes = time(20) if kind == "office" else time(21)
        store = Store(
            code=f"{prefix}{i + 1:03d}",
            name=f"{place}店",
            location=f"{place} {kind}",
            region=regions[region_index],
            timezone=TIMEZONE,
            opens_at=time(7),
            closes_at=closes,
            tier_policy=policy,
        )
        ticket = float(rng.uniform(30, 38))
        team = _team(store, _staff_level(revenues[i]), rng)
        session.add(store)
        session.add_all(team)
        store_rows.append((store, float(revenues[i]), kind, ticket, team))
    session.flush()
    users = _store_users(store_rows)
    session.add_all(users)
    _demo_pins(store_rows, {u.staff_member_id for u in users})

    batch = ImportBatch(
        kind="demo",
        source_name=f"storemon demo --seed {seed}",
        fingerprint=f"demo-{seed}-{anchor}",
        row_count=0,
        imported_at=datetime.now(UTC),
        imported_by="demo",
    )
    session.add(batch)
    session.flush()

    counts = {"buckets": 0, "shifts": 0, "incidents": 0, "check_ins": 0}
    for store, revenue, kind, ticket, team in store_rows:
        counts["buckets"] += _sales(session, batch.id, store, revenue, kind, ticket, first_day, anchor, rng)
        shifts = _roster(store, revenue, team, first_day, roster_end)
        session.add_all(shifts)
        session.flush()
        counts["shifts"] += len(shifts)
        history = _ShiftHistory(store, revenue, shifts, local_midnight(anchor, store.timezone))
        incidents = _incidents(history, rng)
        counts["incidents"] += _insert(session, Incident, incidents)
        profile = day_profile(store.opens_at, store.closes_at, False, STORE_TYPES[kind][1])
        checkins = _check_ins(history, incidents, revenue / ticket * profile, seed, rng)
        counts["check_ins"] += _insert(session, CheckIn, checkins)
    batch.row_count = counts["buckets"]
    n_staff = sum(len(row[4]) for row in store_rows)
    return DemoSummary(
        stores=stores,
        regions=len(regions),
        staff=n_staff,
        users=_count_users(session),
        shifts=counts["shifts"],
        sales_buckets=counts["buckets"],
        incidents=counts["incidents"],
        check_ins=counts["check_ins"],
        first_day=first_day,
        last_sales_day=anchor - timedelta(days=1),
        last_roster_day=roster_end,
    )


DEMO_PIN = "1234"
"""Every demo account signs in at the kiosk with this PIN (README: demo users)."""


def _demo_pins(store_rows, staff_ids: set[int]) -> None:
    """Kiosk PINs for the demo accounts, hashed once: argon2id is slow on purpose."""
    pin_hash = hash_pin(DEMO_PIN)
    for *_rest, team in store_rows:
        for member in team:
            if member.id in staff_ids:
                member.pin_hash = pin_hash


def _count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def _chain_users(regions: list[Region]) -> list[User]:
    users = [
        User(username="admin", display_name="Administrator 系统管理员", role=Role.ADMIN),
        User(username="exec", display_name="陈总 (Executive)", role=Role.EXECUTIVE),
        User(username="director", display_name="周总监 (Service director)", role=Role.SERVICE_DIRECTOR),
    ]
    users += [
        User(
            username=f"sup-{region.code.lower()}",
            display_name=f"{region.name} supervisor",
            role=Role.OPS_SUPERVISOR,
            region=region,
        )
        for region in regions
    ]
    return users


def _store_users(store_rows) -> list[User]:
    """A store manager, a shift lead (where there is one) and a barista account per store."""
    users = []
    for store, _, _, _, team in store_rows:
        for prefix, role in (("mgr", Role.STORE_MANAGER), ("lead", Role.SHIFT_LEAD), ("staff", Role.STAFF)):
            member = next((m for m in team if m.role == role), None)
            if member is None:
                continue
            users.append(
                User(
                    username=f"{prefix}-{store.code.lower()}",
                    display_name=member.name,
                    role=role,
                    store_id=store.id,
                    region_id=store.region_id,
                    staff_member_id=member.id,
                )
            )
    return users


def _team(store: Store, level: int, rng: np.random.Generator) -> list[StaffMember]:
    """Enough people to cover the store's shift template seven days a week at ~5 shifts each."""
    size = math.ceil(len(SHIFT_TEMPLATES[level]) * 7 / 5) + (1 if level > 1 else 0)
    roles = [Role.STORE_MANAGER] + ([Role.SHIFT_LEAD] if level > 1 else []) + [Role.STAFF] * size
    return [
        StaffMember(
            code=f"{store.code}-{k + 1:02d}",
            name=_person_name(rng),
            home_store=store,
            role=role,
            phone=f"138{int(rng.integers(10**7, 10**8))}",
        )
        for k, role in enumerate(roles[:size])
    ]


def _sales(
    session: Session,
    batch_id: int,
    store: Store,
    revenue: float,
    kind: str,
    ticket: float,
    first_day: date,
    anchor: date,
    rng: np.random.Generator,
) -> int:
    weekend_factor, morning_weight = STORE_TYPES[kind]
    weekly_trend = rng.normal(0.003, 0.004)
    days = [first_day + timedelta(days=k) for k in range((anchor - first_day).days)]
    surge = dict(zip(days, SurgeCalendar.default().factor_for(days).tolist(), strict=True))
    rows = []
    day = first_day
    while day < anchor:
        weekend = day.weekday() >= 5
        level = revenue * (weekend_factor if weekend else 1.0) * surge[day]
        level *= (1 + weekly_trend) ** ((day - first_day).days / 7) * rng.lognormal(0, 0.06)
        expected = level / ticket * day_profile(store.opens_at, store.closes_at, weekend, morning_weight)
        orders = rng.poisson(expected)
        midnight = local_midnight(day, store.timezone)
        for k in np.flatnonzero(orders):
            n = int(orders[k])
            items = n + int(rng.poisson(0.45 * n))
            amount = Decimal(str(round(n * ticket * float(rng.normal(1, 0.04)), 2)))
            rows.append(
                {
                    "store_id": store.id,
                    "bucket_start": midnight + timedelta(minutes=int(k) * INTERVAL_MINUTES),
                    "orders": n,
                    "items": items,
                    "revenue": amount,
                    "batch_id": batch_id,
                }
            )
        day += timedelta(days=1)
    session.execute(insert(SalesBucket), rows)
    return len(rows)


def _roster(
    store: Store, revenue: float, team: list[StaffMember], first_day: date, last_day: date
) -> list[RosterShift]:
    """Shifts from the store's template, rotating through the team so nobody works every day."""
    template = SHIFT_TEMPLATES[_staff_level(revenue)]
    shifts = []
    day, day_index = first_day, 0
    while day <= last_day:
        midnight = local_midnight(day, store.timezone)
        for slot, (start, end) in enumerate(template):
            person = team[(day_index * len(template) + slot) % len(team)]
            shifts.append(
                RosterShift(
                    store_id=store.id,
                    staff_id=person.id,
                    starts_at=midnight + timedelta(minutes=start),
                    ends_at=midnight + timedelta(minutes=end),
                    role=person.role,
                )
            )
        day += timedelta(days=1)
        day_index += 1
    return shifts


@dataclass(frozen=True)
class _ShiftHistory:
    """One demo store's roster and the moment (the anchor day's local midnight) that is "now"."""

    store: Store
    revenue: float
    shifts: list[RosterShift]
    anchor_utc: datetime

    @property
    def solo(self) -> bool:
        return _staff_level(self.revenue) == 1


def _insert(session: Session, model: type, rows: list[dict]) -> int:
    """Bulk-insert `rows` into `model`'s table; answers how many."""
    if rows:
        session.execute(insert(model), rows)
    return len(rows)


def _incidents(history: _ShiftHistory, rng: np.random.Generator) -> list[dict]:
    """A few incidents, likelier in busy and solo stores, at rush times."""
    store, revenue = history.store, history.revenue
    rate = 0.02 + (0.05 if history.solo else 0.0) + 0.03 * revenue / 15000
    rows = []
    for shift in history.shifts:
        if shift.starts_at >= history.anchor_utc or rng.random() >= rate:
            continue
        minutes = (shift.ends_at - shift.starts_at).total_seconds() / 60
        occurred = shift.starts_at + timedelta(minutes=float(rng.uniform(0.2, 0.8)) * minutes)
        triggers = [SENSITIVE_TRIGGERS[int(rng.integers(3))]] if rng.random() < 0.12 else []
        rows.append(
            {
                "store_id": store.id,
                "staff_id": shift.staff_id,
                "occurred_at": occurred,
                "incident_type": INCIDENT_TYPES[int(rng.integers(len(INCIDENT_TYPES)))],
                "customer_type": CUSTOMER_TYPES[int(rng.integers(len(CUSTOMER_TYPES)))],
                "sensitive_triggers": triggers,
                "description": "",
                "compensation": Decimal("0"),
            }
        )
    return rows


def _check_ins(
    history: _ShiftHistory, incidents: list[dict], orders: np.ndarray, seed: int, rng: np.random.Generator
) -> list[dict]:
    """End-of-shift check-ins for about 60 % of past shifts, from a strain that is not the index.

    How hard a shift felt comes from what the person lived through, counted here directly from the
    roster and the expected orders (``orders`` per 15 minutes on a weekday), never from the queue
    model or the pressure index, so calibrating the index against these check-ins is a real test:
    hours with nobody else on the roster, orders per person-hour during the shift, an incident,
    the person's own way of answering (a lasting random effect) and the day's mood (noise).
    """
    by_day: dict[int, list[RosterShift]] = {}  # by local days before the anchor
    for shift in history.shifts:
        by_day.setdefault((history.anchor_utc - shift.starts_at).days, []).append(shift)
    rows = []
    for shift in history.shifts:
        if shift.ends_at > history.anchor_utc or rng.random() >= 0.6:
            continue
        strain = (
            1.3
            + _strain(shift, by_day[(history.anchor_utc - shift.starts_at).days], orders, history.anchor_utc)
            + 0.9 * any(_during(i, shift) for i in incidents)
            + float(np.random.default_rng([seed, shift.staff_id]).normal(0, 0.5))  # same person, same lean
            + float(rng.normal(0, 0.7))
        )
        rows.append(
            {
                "staff_id": shift.staff_id,
                "store_id": history.store.id,
                "shift_id": shift.id,
                "score": int(min(5, max(1, round(strain)))),
                "note": "",
                "note_shared": False,
                "created_at": shift.ends_at,
            }
        )
    return rows


def _during(incident: dict, shift: RosterShift) -> bool:
    return (
        incident["staff_id"] == shift.staff_id and shift.starts_at <= incident["occurred_at"] < shift.ends_at
    )


def _strain(shift: RosterShift, same_day: list[RosterShift], orders: np.ndarray, anchor: datetime) -> float:
    """0.35 per hour alone plus 0.08 per order per person-hour, over the shift's 15-minute intervals."""
    midnight = anchor - timedelta(days=(anchor - shift.starts_at).days + 1)
    slot = timedelta(minutes=INTERVAL_MINUTES)
    k0 = max(0, int((shift.starts_at - midnight) / slot))
    k1 = min(INTERVALS_PER_DAY, int(np.ceil((shift.ends_at - midnight) / slot)))
    solo_hours, per_person = 0.0, []
    for k in range(k0, k1):
        t = midnight + k * slot
        on = sum(s.starts_at <= t < s.ends_at for s in same_day) or 1
        solo_hours += (on == 1) * INTERVAL_MINUTES / 60
        per_person.append(orders[k] * 4 / on)
    return 0.35 * solo_hours + 0.08 * float(np.mean(per_person) if per_person else 0.0)
