"""A realistic, deterministic demo chain so a new user sees real screens at once.

By default 30 stores in 3 regions, 8 weeks of 15-minute sales history plus rosters up to the
end of next week. Daily revenue spreads from about 2,000 to 15,000 CNY so every tier of the
source rule occurs, including stores in the 5,000-6,000 band the rule leaves undefined
(DOMAIN.md section 1). Demand has morning and lunch rushes, weekday/weekend patterns by store
type, and the 3.15 consumer-rights season; small stores run solo shifts. The same seed and
anchor date always give the same chain.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from staffing.policy import GAP, SOURCE_RULE, TierBand, TierPolicy, staff_for
from staffing.roster import INTERVAL_MINUTES
from staffing.surge import SurgeCalendar
from storemon.db.bulk import BulkLoader, checks_after_load, db_timestamps, load_rows, reserve_ids
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
    store_rows: list[tuple[Store, float, str, float, list[_Member]]] = []
    levels = [_staff_level(revenue) for revenue in revenues]
    team_sizes = [_team_size(level) for level in levels]
    team_ids = np.split(reserve_ids(session, StaffMember.__table__, sum(team_sizes)), np.cumsum(team_sizes))
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
        team = _team(store.code, levels[i], rng, team_ids[i])
        session.add(store)
        store_rows.append((store, float(revenues[i]), kind, ticket, team))
    session.flush()
    _load_people(session, store_rows)

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

    calendar = _Calendar(first_day, anchor, roster_end, TIMEZONE)
    shifts_per_store = [len(SHIFT_TEMPLATES[level]) * len(calendar.midnights) for level in levels]
    shift_ids = np.split(
        reserve_ids(session, RosterShift.__table__, sum(shifts_per_store)), np.cumsum(shifts_per_store)
    )
    loader = BulkLoader(session, _LOAD_ROWS)
    with checks_after_load(session, _LOADED):
        for index, (store, revenue, kind, ticket, team) in enumerate(store_rows):
            # Each store's history from its own stream: the same seed gives the same chain, and a
            # store's days are drawn as arrays rather than bucket by bucket.
            store_rng = np.random.default_rng([seed, index])
            sales = _sales(store_rng, batch.id, store, revenue, kind, ticket, calendar)
            roster = _roster(store, revenue, team, calendar, shift_ids[index])
            incidents = _incidents(roster, revenue, store_rng)
            incident_rows = roster.incident_rows(incidents, store_rng)
            profile = day_profile(store.opens_at, store.closes_at, False, STORE_TYPES[kind][1])
            checkins = _check_ins(roster, incidents, revenue / ticket * profile, seed, store_rng)
            loader.add(RosterShift.__table__, _SHIFT_COLUMNS, roster.rows())
            loader.add(CheckIn.__table__, _CHECK_IN_COLUMNS, checkins)  # after the shifts they name
            loader.add(Incident.__table__, _INCIDENT_COLUMNS, incident_rows)
            loader.add(SalesBucket.__table__, _SALES_COLUMNS, sales)
        loader.flush()
    counts = loader.counts
    batch.row_count = counts["sales_buckets"]
    n_staff = sum(len(row[4]) for row in store_rows)
    return DemoSummary(
        stores=stores,
        regions=len(regions),
        staff=n_staff,
        users=_count_users(session),
        shifts=counts["roster_shifts"],
        sales_buckets=counts["sales_buckets"],
        incidents=counts["incidents"],
        check_ins=counts["check_ins"],
        first_day=first_day,
        last_sales_day=anchor - timedelta(days=1),
        last_roster_day=roster_end,
    )


DEMO_PIN = "1234"
"""Every demo account signs in at the kiosk with this PIN (README: demo users)."""


@dataclass(frozen=True)
class _Member:
    """A demo staff member, loaded as a row (``_load_people``): what the roster and users need."""

    id: int
    code: str
    name: str
    role: Role
    phone: str


def _load_people(session: Session, store_rows) -> None:
    """The stores' staff and their user accounts, loaded with the ids ``_team`` was given (after the
    stores, which the ORM has given ids). Demo accounts sign in at the kiosk with ``DEMO_PIN``,
    hashed once: argon2id is slow on purpose."""
    accounts = _store_users(store_rows)
    users = [
        (user_id, *row)
        for user_id, row in zip(
            reserve_ids(session, User.__table__, len(accounts)).tolist(), accounts, strict=True
        )
    ]
    with_account = {row[_USER_COLUMNS.index("staff_member_id")] for row in users}
    pin_hash = hash_pin(DEMO_PIN)
    staff = [
        (m.id, m.code, m.name, store.id, m.role.value, m.phone, "", True)
        for store, *_rest, team in store_rows
        for m in team
    ]
    # Loaded rows hold no NULL: the PIN column goes only with the account holders' rows.
    with_pin = [(*row, pin_hash) for row in staff if row[0] in with_account]
    load_rows(session, StaffMember.__table__, (*_STAFF_COLUMNS, "pin_hash"), with_pin)
    load_rows(
        session, StaffMember.__table__, _STAFF_COLUMNS, [row for row in staff if row[0] not in with_account]
    )
    load_rows(session, User.__table__, _USER_COLUMNS, users)


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


def _store_users(store_rows) -> list[tuple]:
    """A store manager, a shift lead (where there is one) and a barista account per store, as rows
    (``_USER_COLUMNS`` without the id)."""
    users = []
    for store, _, _, _, team in store_rows:
        for prefix, role in (("mgr", Role.STORE_MANAGER), ("lead", Role.SHIFT_LEAD), ("staff", Role.STAFF)):
            member = next((m for m in team if m.role == role), None)
            if member is None:
                continue
            username = f"{prefix}-{store.code.lower()}"
            users.append((username, member.name, role.value, store.id, store.region_id, member.id, True, ""))
    return users


def _team_size(level: int) -> int:
    """Enough people to cover the store's shift template seven days a week at ~5 shifts each."""
    return math.ceil(len(SHIFT_TEMPLATES[level]) * 7 / 5) + (1 if level > 1 else 0)


def _team(store_code: str, level: int, rng: np.random.Generator, ids: np.ndarray) -> list[_Member]:
    """The store's people (``_team_size``), with the ``ids`` reserved for them."""
    roles = [Role.STORE_MANAGER] + ([Role.SHIFT_LEAD] if level > 1 else []) + [Role.STAFF] * ids.size
    return [
        _Member(
            id=member_id,
            code=f"{store_code}-{k + 1:02d}",
            name=_person_name(rng),
            role=role,
            phone=f"138{int(rng.integers(10**7, 10**8))}",
        )
        for k, (member_id, role) in enumerate(zip(ids.tolist(), roles, strict=False))
    ]


_STAFF_COLUMNS = ("id", "code", "name", "home_store_id", "role", "phone", "email", "active")
_USER_COLUMNS = (
    "id",
    "username",
    "display_name",
    "role",
    "store_id",
    "region_id",
    "staff_member_id",
    "active",
    "email",
)
_SALES_COLUMNS = ("store_id", "bucket_start", "orders", "items", "revenue", "batch_id")
_SHIFT_COLUMNS = ("id", "store_id", "staff_id", "starts_at", "ends_at", "role")
_INCIDENT_COLUMNS = (
    "store_id",
    "staff_id",
    "occurred_at",
    "incident_type",
    "customer_type",
    "sensitive_triggers",
    "description",
    "compensation",
)
_CHECK_IN_COLUMNS = ("staff_id", "store_id", "shift_id", "score", "note", "note_shared", "created_at")
_LOAD_ROWS = 500_000  # rows held before they go to the database
_LOADED = (SalesBucket.__table__, RosterShift.__table__, CheckIn.__table__, Incident.__table__)


@dataclass(frozen=True)
class _Calendar:
    """The demo's days: sales history ``first_day``..``anchor`` − 1, rosters to ``roster_end``, with
    each day's local midnight and every 15-minute bucket start as naive UTC and as stored text."""

    first_day: date
    anchor: date
    roster_end: date
    timezone: str

    @property
    def sales_days(self) -> list[date]:
        return [self.first_day + timedelta(days=k) for k in range((self.anchor - self.first_day).days)]

    @property
    def roster_days(self) -> list[date]:
        return [
            self.first_day + timedelta(days=k) for k in range((self.roster_end - self.first_day).days + 1)
        ]

    @cached_property
    def midnights(self) -> np.ndarray:
        """Naive UTC ``datetime64[us]`` of each roster day's local midnight."""
        return np.array(
            [local_midnight(day, self.timezone).replace(tzinfo=None) for day in self.roster_days],
            dtype="datetime64[us]",
        )

    @cached_property
    def bucket_text(self) -> np.ndarray:
        """(sales days, intervals) bucket starts as stored (``storemon.db.bulk.db_timestamps``)."""
        steps = np.arange(INTERVALS_PER_DAY) * np.timedelta64(int(INTERVAL_MINUTES), "m")
        days = len(self.sales_days)
        return db_timestamps(self.midnights[:days, None] + steps[None, :])

    @cached_property
    def surge(self) -> np.ndarray:
        return np.asarray(SurgeCalendar.default().factor_for(self.sales_days), dtype=float)

    @cached_property
    def weekend(self) -> np.ndarray:
        return np.array([day.weekday() >= 5 for day in self.sales_days])

    @property
    def anchor_utc(self) -> datetime:
        return local_midnight(self.anchor, self.timezone)


def _sales(
    rng: np.random.Generator,
    batch_id: int,
    store: Store,
    revenue: float,
    kind: str,
    ticket: float,
    calendar: _Calendar,
) -> list[tuple]:
    """A store's 15-minute sales history, all days at once: rows in ``_SALES_COLUMNS`` order."""
    weekend_factor, morning_weight = STORE_TYPES[kind]
    weekly_trend = rng.normal(0.003, 0.004)
    weekend = calendar.weekend
    n_days = weekend.size
    level = revenue * np.where(weekend, weekend_factor, 1.0) * calendar.surge
    level *= (1 + weekly_trend) ** (np.arange(n_days) / 7) * rng.lognormal(0, 0.06, n_days)
    profiles = np.stack(
        [day_profile(store.opens_at, store.closes_at, flag, morning_weight) for flag in (False, True)]
    )
    orders = rng.poisson((level / ticket)[:, None] * profiles[weekend.astype(int)])
    day_index, interval = np.nonzero(orders)
    n = orders[day_index, interval]
    items = n + rng.poisson(0.45 * n)
    amounts = np.round(n * ticket * rng.normal(1, 0.04, n.size), 2)
    starts = calendar.bucket_text[day_index, interval]
    return list(
        zip(
            itertools.repeat(store.id),
            starts.tolist(),
            n.tolist(),
            items.tolist(),
            amounts.tolist(),
            itertools.repeat(batch_id),
            strict=False,
        )
    )


@dataclass(frozen=True)
class _Roster:
    """One demo store's shifts over the calendar, as arrays (one entry per shift, in id order)."""

    store: Store
    ids: np.ndarray
    staff_ids: np.ndarray
    roles: list[Role]
    starts: np.ndarray
    """Naive UTC ``datetime64[us]``."""
    ends: np.ndarray
    slots: np.ndarray
    """Which shift of the store's template each one is."""
    anchor_utc: np.datetime64
    level: int
    """Staff per shift (``SHIFT_TEMPLATES``)."""

    def rows(self) -> list[tuple]:
        """The shifts in ``_SHIFT_COLUMNS`` order, as stored."""
        return list(
            zip(
                self.ids.tolist(),
                itertools.repeat(self.store.id),
                self.staff_ids.tolist(),
                db_timestamps(self.starts).tolist(),
                db_timestamps(self.ends).tolist(),
                [role.value for role in self.roles],
                strict=False,
            )
        )

    def incident_rows(self, incidents: _Incidents, rng: np.random.Generator) -> list[tuple]:
        """The incident rows (``_INCIDENT_COLUMNS``, as stored): a time inside each chosen shift, a
        type, a customer, maybe a trigger."""
        picked = incidents.shifts
        count = picked.size
        share = rng.uniform(0.2, 0.8, count)
        types = rng.integers(len(INCIDENT_TYPES), size=count)
        customers = rng.integers(len(CUSTOMER_TYPES), size=count)
        sensitive = rng.random(count) < 0.12
        triggers = rng.integers(len(SENSITIVE_TRIGGERS), size=count)
        length = (self.ends[picked] - self.starts[picked]).astype("timedelta64[us]")
        occurred = self.starts[picked] + (length * share).astype("timedelta64[us]")
        return list(
            zip(
                itertools.repeat(self.store.id),
                self.staff_ids[picked].tolist(),
                db_timestamps(occurred).tolist(),
                [INCIDENT_TYPES[kind] for kind in types.tolist()],
                [CUSTOMER_TYPES[customer] for customer in customers.tolist()],
                [
                    json.dumps([SENSITIVE_TRIGGERS[trigger]] if flagged else [])
                    for flagged, trigger in zip(sensitive.tolist(), triggers.tolist(), strict=True)
                ],
                itertools.repeat(""),
                itertools.repeat(0),
                strict=False,
            )
        )


@dataclass(frozen=True)
class _Incidents:
    shifts: np.ndarray
    """Indexes (into the roster) of the shifts that had an incident."""


def _roster(
    store: Store, revenue: float, team: list[_Member], calendar: _Calendar, ids: np.ndarray
) -> _Roster:
    """Shifts from the store's template, rotating through the team so nobody works every day."""
    template = SHIFT_TEMPLATES[_staff_level(revenue)]
    n_days, per_day = len(calendar.midnights), len(template)
    day = np.repeat(np.arange(n_days), per_day)
    slot = np.tile(np.arange(per_day), n_days)
    person = (day * per_day + slot) % len(team)
    minutes = np.array(template, dtype=np.int64)
    start_min = minutes[slot, 0].astype("timedelta64[m]")
    end_min = minutes[slot, 1].astype("timedelta64[m]")
    return _Roster(
        store=store,
        ids=ids,
        staff_ids=np.array([m.id for m in team])[person],
        roles=[team[k].role for k in person.tolist()],
        starts=calendar.midnights[day] + start_min,
        ends=calendar.midnights[day] + end_min,
        slots=slot,
        anchor_utc=np.datetime64(calendar.anchor_utc.replace(tzinfo=None), "us"),
        level=_staff_level(revenue),
    )


def _incidents(roster: _Roster, revenue: float, rng: np.random.Generator) -> _Incidents:
    """A few incidents, likelier in busy and solo stores (placed in the shift by ``incident_rows``)."""
    rate = 0.02 + (0.05 if roster.level == 1 else 0.0) + 0.03 * revenue / 15000
    past = roster.starts < roster.anchor_utc
    return _Incidents(np.flatnonzero(past & (rng.random(past.size) < rate)))


def _check_ins(
    roster: _Roster, incidents: _Incidents, orders: np.ndarray, seed: int, rng: np.random.Generator
) -> list[tuple]:
    """End-of-shift check-ins for about 60 % of past shifts, from a strain that is not the index.

    How hard a shift felt comes from what the person lived through, counted here directly from the
    roster and the expected orders (``orders`` per 15 minutes on a weekday), never from the queue
    model or the pressure index, so calibrating the index against these check-ins is a real test:
    hours with nobody else on the roster, orders per person-hour during the shift, an incident,
    the person's own way of answering (a lasting random effect) and the day's mood (noise).
    """
    past = np.flatnonzero(roster.ends <= roster.anchor_utc)
    answered = past[rng.random(past.size) < 0.6]
    had_incident = np.isin(answered, incidents.shifts)
    people = np.unique(roster.staff_ids)
    lean = {int(p): float(np.random.default_rng([seed, int(p)]).normal(0, 0.5)) for p in people}
    strain = (
        1.3
        + _template_strain(roster, orders)[roster.slots[answered]]
        + 0.9 * had_incident
        + np.array([lean[int(p)] for p in roster.staff_ids[answered]])  # same person, same lean
        + rng.normal(0, 0.7, answered.size)
    )
    scores = np.clip(np.round(strain), 1, 5).astype(int)
    return list(
        zip(
            roster.staff_ids[answered].tolist(),
            itertools.repeat(roster.store.id),
            roster.ids[answered].tolist(),
            scores.tolist(),
            itertools.repeat(""),
            itertools.repeat(False),
            db_timestamps(roster.ends[answered]).tolist(),
            strict=False,
        )
    )


def _template_strain(roster: _Roster, orders: np.ndarray) -> np.ndarray:
    """Per template shift: 0.35 per hour alone plus 0.08 per order per person-hour, over the shift's
    15-minute intervals (every day runs the same template, so a day's counts are every day's)."""
    template = SHIFT_TEMPLATES[roster.level]
    slot = timedelta(minutes=INTERVAL_MINUTES)
    t = np.arange(INTERVALS_PER_DAY) * INTERVAL_MINUTES
    on = np.zeros(INTERVALS_PER_DAY)
    for start, end in template:
        on += (start <= t) & (t < end)
    on = np.maximum(on, 1)
    strains = []
    for start, end in template:
        k0 = max(0, int(timedelta(minutes=start) / slot))
        k1 = min(INTERVALS_PER_DAY, math.ceil(timedelta(minutes=end) / slot))
        solo_hours = float(np.count_nonzero(on[k0:k1] == 1)) * INTERVAL_MINUTES / 60
        per_person = orders[k0:k1] * 4 / on[k0:k1]
        strains.append(0.35 * solo_hours + 0.08 * float(per_person.mean() if per_person.size else 0.0))
    return np.array(strains)
