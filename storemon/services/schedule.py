"""Rosters week by week: who works when, who is on the floor, and shift edits that stay consistent.

The Schedule screen shows a store's week: the people, their shifts, and per day how many are on
the floor in each 15-minute interval, with solo stretches and hours below the store's tier
policy marked. Edits (add, change, delete a shift) are validated here, so every front end gets
the same rules: the shift ends after it starts, one person never has two overlapping shifts,
and the person works at the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from staffing.labour import total_cost
from staffing.policy import GAP, gap_for, staff_for
from staffing.roster import INTERVAL_MINUTES, periods
from storemon.db.models import CheckIn, Role, RosterShift, StaffMember, Store
from storemon.errors import StoremonError
from storemon.services import audit as audit_log
from storemon.services.access import AccessDenied, Actor, NotFound, visible_store
from storemon.services.labour import ShiftCost, whole_shift_costs
from storemon.services.opening_hours import open_days, week_hours
from storemon.services.policies import to_domain
from storemon.services.store_days import shifts_between
from storemon.services.stores import average_daily_revenue, roster_grid
from storemon.services.timegrid import INTERVALS_PER_DAY, local_midnight
from storemon.services.wages import sees_wages

WEEK_DAYS = 7
MAX_SHIFT = timedelta(hours=16)
"""Longer than this is a typing mistake (a wrong day or AM/PM), not a shift."""

ROLE_ORDER = {
    Role.STORE_MANAGER: 0,
    Role.SHIFT_LEAD: 1,
    Role.STAFF: 2,
}


class ScheduleError(StoremonError, ValueError):
    """A shift edit that cannot be saved. ``reason`` is a stable code and ``params`` its details,
    so a front end can word the message in the user's language; ``str()`` is the English message."""

    def __init__(self, reason: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class RosterPerson:
    """A row of the week grid: someone who works at the store, or has a shift there this week."""

    id: int
    code: str
    name: str
    role: str
    works_here: bool
    """False for someone from another store who has a shift here this week."""
    active: bool
    home_store: str = ""
    """The code of the person's home store when it is another store (borrowed staff)."""


@dataclass(frozen=True)
class RosterEntry:
    """One shift as the Schedule screen shows it, in the store's local time."""

    id: int
    store_id: int
    staff_id: int
    staff_code: str
    staff_name: str
    role: str
    day: date
    """The local date the shift starts on (the grid column it sits in)."""
    start: datetime
    end: datetime
    solo_minutes: int = 0
    """Minutes of the shift, while the store is open, with nobody else on the floor."""
    borrowed_from: str = ""
    """The person's home store code when they are borrowed from another store of the region."""
    labour: ShiftCost | None = None
    """What the shift costs and at which wage (``labour.whole_shift_costs``); None for an actor who
    may not see what people are paid (``wages.sees_wages``)."""

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def ends_next_day(self) -> bool:
        return self.end.date() > self.start.date()


@dataclass(frozen=True)
class DayCoverage:
    """Staff on the floor in each 15-minute interval of one local day, and what falls short.

    Periods are ``(first, end)`` interval indexes (end exclusive) during opening hours.
    """

    day: date
    staff: tuple[int, ...]
    open_first: int
    open_end: int
    required: int | None
    solo: tuple[tuple[int, int], ...] = ()
    unstaffed: tuple[tuple[int, int], ...] = ()
    shortfall: tuple[tuple[int, int], ...] = ()
    """Fewer people than the tier policy asks for (unstaffed intervals included)."""

    @property
    def solo_minutes(self) -> int:
        return sum(e - s for s, e in self.solo) * INTERVAL_MINUTES

    @property
    def shortfall_minutes(self) -> int:
        return sum(e - s for s, e in self.shortfall) * INTERVAL_MINUTES


@dataclass(frozen=True)
class PolicyCheck:
    """What the store's tier policy asks for at its current revenue.

    ``status`` is "covered" (the policy gives ``staff_per_shift``), "gap" (the revenue falls
    between the policy's bands: ``gap_low``-``gap_high``), "no_policy" or "no_sales" (no
    revenue history to place the store with).
    """

    status: str
    policy_name: str = ""
    staff_per_shift: int | None = None
    avg_daily_revenue: float | None = None
    gap_low: float | None = None
    gap_high: float | None = None


@dataclass(frozen=True)
class WeekRoster:
    """Everything the Schedule screen shows for one store and week."""

    store_id: int
    store_code: str
    store_name: str
    timezone: str
    first_day: date
    days: tuple[date, ...]
    opens_at: time
    closes_at: time
    people: list[RosterPerson]
    shifts: list[RosterEntry]
    coverage: list[DayCoverage]
    policy: PolicyCheck
    can_edit: bool
    staff_hours: float = 0.0
    solo_hours: float = 0.0
    shortfall_hours: float = 0.0
    notes: list[str] = field(default_factory=list)
    day_hours: tuple[tuple[time, time], ...] = ()
    day_costs: tuple[Decimal, ...] = ()
    """Per day of ``days``, the labour cost of the shifts starting on it."""
    """Opening and closing time of each of ``days`` (its weekday's hours)."""

    def hours_on(self, day: date) -> tuple[time, time]:
        """The opening hours of ``day``: its weekday's, or the store's default outside the week."""
        if day in self.days and self.day_hours:
            return self.day_hours[self.days.index(day)]
        return self.opens_at, self.closes_at


# --------------------------------------------------------------------------- reading


def can_edit_roster(actor: Actor, store: Store) -> bool:
    """Shift leads and everyone above them may change the rosters of the stores they see."""
    return actor.role != Role.STAFF and actor.can_see_store(store)


def policy_check(session: Session, store: Store) -> PolicyCheck:
    """The store's tier policy applied to its average daily revenue (all-day bands)."""
    if store.tier_policy is None:
        return PolicyCheck("no_policy")
    name = store.tier_policy.name
    revenue = average_daily_revenue(session, [store.id]).get(store.id)
    if revenue is None:
        return PolicyCheck("no_sales", name)
    domain = to_domain(store.tier_policy)
    staff = int(staff_for(domain, revenue))
    if staff == GAP:
        gap = gap_for(domain, revenue)
        return PolicyCheck(
            "gap",
            name,
            avg_daily_revenue=round(revenue, 2),
            gap_low=gap.low if gap else None,
            gap_high=gap.high if gap and np.isfinite(gap.high) else None,
        )
    return PolicyCheck("covered", name, staff, round(revenue, 2))


def _day_coverage(day: date, staffed: np.ndarray, is_open: np.ndarray, required: int | None) -> DayCoverage:
    first_open = np.flatnonzero(is_open)
    open_first = int(first_open[0]) if first_open.size else 0
    open_end = int(first_open[-1]) + 1 if first_open.size else 0
    short = is_open & (staffed < required) if required else np.zeros_like(is_open)
    return DayCoverage(
        day=day,
        staff=tuple(int(v) for v in staffed),
        open_first=open_first,
        open_end=open_end,
        required=required,
        solo=tuple(periods(is_open & (staffed == 1))),
        unstaffed=tuple(periods(is_open & (staffed == 0))),
        shortfall=tuple(periods(short)),
    )


def _home_code(person: StaffMember, store_id: int) -> str:
    """The person's home store code when it is not ``store_id`` ("" for the store's own people)."""
    home = person.home_store
    return home.code if home is not None and home.id != store_id else ""


def _entry(shift: RosterShift, tz: ZoneInfo, solo_minutes: int = 0) -> RosterEntry:
    start = shift.starts_at.astimezone(tz)
    return RosterEntry(
        id=shift.id,
        store_id=shift.store_id,
        staff_id=shift.staff_id,
        staff_code=shift.staff.code,
        staff_name=shift.staff.name,
        role=str(shift.role),
        day=start.date(),
        start=start,
        end=shift.ends_at.astimezone(tz),
        solo_minutes=solo_minutes,
        borrowed_from=_home_code(shift.staff, shift.store_id),
    )


def week_roster(
    session: Session, actor: Actor, store_ref: int | str, first_day: date, days: int = WEEK_DAYS
) -> WeekRoster:
    """The store's roster for ``days`` local days from ``first_day``, with coverage per interval."""
    store = visible_store(session, actor, store_ref)
    tz = ZoneInfo(store.timezone)
    # Shifts that started the evening before still put people on the floor after midnight.
    shifts = shifts_between(session, store, first_day, days)
    staffed = roster_grid(store, shifts, first_day, days).reshape(days, INTERVALS_PER_DAY)
    week = [first_day + timedelta(days=k) for k in range(days)]
    is_open = open_days(store, week)
    policy = policy_check(session, store)
    required = policy.staff_per_shift if policy.status == "covered" else None
    coverage = [_day_coverage(day, staffed[k], is_open[k], required) for k, day in enumerate(week)]

    origin = local_midnight(first_day, store.timezone)
    solo_mask = (staffed == 1) & is_open
    solo_flat = solo_mask.reshape(-1)
    entries = []
    for shift in shifts:
        if not first_day <= shift.starts_at.astimezone(tz).date() < first_day + timedelta(days=days):
            continue
        first = max(0, round((shift.starts_at - origin).total_seconds() / 60 / INTERVAL_MINUTES))
        last = min(
            days * INTERVALS_PER_DAY, round((shift.ends_at - origin).total_seconds() / 60 / INTERVAL_MINUTES)
        )
        solo = int(np.count_nonzero(solo_flat[first:last])) * INTERVAL_MINUTES if last > first else 0
        entries.append(_entry(shift, tz, solo))

    members = session.scalars(
        select(StaffMember).where(StaffMember.home_store_id == store.id, StaffMember.active.is_(True))
    ).all()
    people = {m.id: RosterPerson(m.id, m.code, m.name, str(m.role), True, True) for m in members}
    for shift in shifts:
        person = shift.staff
        if person.id not in people:
            people[person.id] = RosterPerson(
                person.id,
                person.code,
                person.name,
                str(person.role),
                person.home_store_id == store.id,
                person.active,
                _home_code(person, store.id),
            )
    ordered = sorted(
        people.values(), key=lambda p: (not p.works_here, ROLE_ORDER.get(Role(p.role), 3), p.code)
    )
    priced = whole_shift_costs(session, shifts)
    day_costs = tuple(total_cost(priced[e.id].cost for e in entries if e.day == day) for day in week)
    if sees_wages(actor):
        entries = [replace(e, labour=priced[e.id]) for e in entries]
    on_open = staffed[is_open]
    return WeekRoster(
        store_id=store.id,
        store_code=store.code,
        store_name=store.name,
        timezone=store.timezone,
        first_day=first_day,
        days=tuple(week),
        opens_at=store.opens_at,
        closes_at=store.closes_at,
        people=ordered,
        shifts=sorted(entries, key=lambda e: (e.start, e.staff_code)),
        coverage=coverage,
        policy=policy,
        can_edit=can_edit_roster(actor, store),
        staff_hours=round(sum(e.minutes for e in entries) / 60, 2),
        solo_hours=round(np.count_nonzero(on_open == 1) * INTERVAL_MINUTES / 60, 2),
        shortfall_hours=round(sum(c.shortfall_minutes for c in coverage) / 60, 2),
        day_hours=tuple(week_hours(store).on(day) for day in week),
        day_costs=day_costs,
    )


# --------------------------------------------------------------------------- editing


def _require_edit(actor: Actor, store: Store) -> None:
    if not can_edit_roster(actor, store):
        raise AccessDenied(f"{actor.username} may view the roster of {store.code} but not change it")


def _as_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """A naive value is the store's wall-clock time; an aware one is converted."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def _clock(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _validate(
    session: Session,
    store: Store,
    staff_id: int,
    starts_at: datetime,
    ends_at: datetime,
    exclude_shift: int | None = None,
) -> tuple[StaffMember, datetime, datetime]:
    tz = ZoneInfo(store.timezone)
    start, end = _as_utc(starts_at, tz), _as_utc(ends_at, tz)
    if end <= start:
        raise ScheduleError(
            "end_not_after_start",
            f"the shift must end after it starts ({_clock(start, tz)} to {_clock(end, tz)})",
            start=start.astimezone(tz),
            end=end.astimezone(tz),
        )
    if end - start > MAX_SHIFT:
        hours = MAX_SHIFT.total_seconds() / 3600
        raise ScheduleError(
            "too_long",
            f"a shift of more than {hours:.0f} hours ({_clock(start, tz)} to {_clock(end, tz)}) "
            "is most likely a typing mistake; check the day and the times",
            hours=hours,
        )
    # Lock the person's row (PostgreSQL) so two PCs cannot slip overlapping shifts in at once.
    person = session.get(StaffMember, staff_id, with_for_update=True)
    if person is None:
        raise ScheduleError("unknown_staff", f"there is no staff member with id {staff_id}")
    if not _may_work_at(session, person, store):
        raise ScheduleError(
            "not_at_store",
            f"{person.name} ({person.code}) does not work at {store.name} ({store.code}) or another "
            "store of its region; only those people can be rostered here",
            name=person.name,
            code=person.code,
            store=store.name,
        )
    if not person.active:
        raise ScheduleError(
            "inactive",
            f"{person.name} ({person.code}) is no longer active",
            name=person.name,
            code=person.code,
        )
    stmt = select(RosterShift).where(
        RosterShift.staff_id == staff_id, RosterShift.starts_at < end, RosterShift.ends_at > start
    )
    if exclude_shift is not None:
        stmt = stmt.where(RosterShift.id != exclude_shift)
    clash = session.scalars(stmt.order_by(RosterShift.starts_at)).first()
    if clash is not None:
        where = session.get(Store, clash.store_id)
        clash_tz = ZoneInfo(where.timezone) if where else tz
        raise ScheduleError(
            "overlap",
            f"{person.name} already works {_clock(clash.starts_at, clash_tz)} to "
            f"{_clock(clash.ends_at, clash_tz)[-5:]} at {where.name if where else '?'}; "
            "one person's shifts cannot overlap",
            name=person.name,
            start=clash.starts_at.astimezone(clash_tz),
            end=clash.ends_at.astimezone(clash_tz),
            store=where.name if where else "",
        )
    return person, start, end


def _may_work_at(session: Session, person: StaffMember, store: Store) -> bool:
    """The store's own people, and people of the other stores of its region (borrowed staff)."""
    if person.home_store_id == store.id:
        return True
    home = session.get(Store, person.home_store_id) if person.home_store_id is not None else None
    return home is not None and store.region_id is not None and home.region_id == store.region_id


def borrowable_people(session: Session, actor: Actor, store_ref: int | str) -> list[RosterPerson]:
    """Active people of the other stores of the store's region, who may be rostered here as borrowed
    staff; by store, then name."""
    store = visible_store(session, actor, store_ref)
    if store.region_id is None:
        return []
    rows = session.execute(
        select(StaffMember, Store)
        .join(Store, Store.id == StaffMember.home_store_id)
        .where(Store.region_id == store.region_id, Store.id != store.id, StaffMember.active.is_(True))
        .order_by(Store.code, StaffMember.name)
    ).all()
    return [RosterPerson(m.id, m.code, m.name, str(m.role), False, True, home.code) for m, home in rows]


def place_shift(
    session: Session, store: Store, staff_id: int, starts_at: datetime, ends_at: datetime
) -> RosterShift:
    """Validate and add a shift with no rights check (the caller has decided it may): the store's
    own people or borrowed ones, never overlapping another of the person's shifts."""
    person, start, end = _validate(session, store, staff_id, starts_at, ends_at)
    return _insert_shift(session, store, person, start, end)


def _insert_shift(
    session: Session, store: Store, person: StaffMember, start: datetime, end: datetime
) -> RosterShift:
    shift = RosterShift(store_id=store.id, staff_id=person.id, starts_at=start, ends_at=end, role=person.role)
    session.add(shift)
    session.flush()
    return shift


def _refuse_past(store: Store, start: datetime, now: datetime | None, allow_past: bool) -> None:
    """A shift that starts before ``now`` rewrites pressure that already happened: asked for on purpose
    only (``allow_past``, after the front end asked "add it anyway?")."""
    if now is None or allow_past or start >= now:
        return
    tz = ZoneInfo(store.timezone)
    raise ScheduleError(
        "starts_in_past",
        f"the shift starts at {_clock(start, tz)}, before now ({_clock(now, tz)}); adding it changes "
        "the waits and pressure already recorded for that time. Start it later, or confirm that you "
        "are recording a shift that was worked",
        start=start.astimezone(tz),
        now=now.astimezone(tz),
    )


def add_shift(
    session: Session,
    actor: Actor,
    store_ref: int | str,
    staff_id: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
    allow_past: bool = False,
) -> RosterEntry:
    """Add a shift (the caller commits). Naive times are the store's local wall-clock time.

    Given ``now``, a shift starting before it is refused unless ``allow_past`` (see ``_refuse_past``).
    """
    store = visible_store(session, actor, store_ref)
    _require_edit(actor, store)
    person, start, end = _validate(session, store, staff_id, starts_at, ends_at)
    _refuse_past(store, start, now, allow_past)
    shift = _insert_shift(session, store, person, start, end)
    return _entry(shift, ZoneInfo(store.timezone))


def _editable_shift(session: Session, actor: Actor, shift_id: int) -> tuple[RosterShift, Store]:
    shift = session.get(RosterShift, shift_id)
    if shift is None:
        raise NotFound(f"shift {shift_id} does not exist (someone may have deleted it)")
    store = visible_store(session, actor, shift.store_id)
    _require_edit(actor, store)
    return shift, store


def update_shift(
    session: Session, actor: Actor, shift_id: int, staff_id: int, starts_at: datetime, ends_at: datetime
) -> RosterEntry:
    """Change who works a shift and when (the caller commits); the store stays the same."""
    shift, store = _editable_shift(session, actor, shift_id)
    person, start, end = _validate(session, store, staff_id, starts_at, ends_at, exclude_shift=shift.id)
    shift.staff_id, shift.starts_at, shift.ends_at, shift.role = person.id, start, end, person.role
    session.flush()
    session.refresh(shift)
    return _entry(shift, ZoneInfo(store.timezone))


def delete_shift(session: Session, actor: Actor, shift_id: int) -> None:
    """Remove a shift (the caller commits); its check-ins stay, without the shift."""
    shift, _store = _editable_shift(session, actor, shift_id)
    session.execute(update(CheckIn).where(CheckIn.shift_id == shift.id).values(shift_id=None))
    session.delete(shift)
    session.flush()


@dataclass(frozen=True)
class NewShift:
    """One shift to add: who, and when (naive times are the store's wall-clock time)."""

    staff_id: int
    starts_at: datetime
    ends_at: datetime


def add_shifts(
    session: Session,
    actor: Actor,
    store_ref: int | str,
    shifts: list[NewShift],
    now: datetime,
    reason: str = "",
    allow_past: bool = False,
) -> list[RosterEntry]:
    """Add several shifts at once, all or none (advice's "Add these shifts"), checked like
    ``add_shift`` (shifts starting before ``now`` refused unless ``allow_past``) and audited."""
    if not shifts:
        raise ScheduleError("no_shifts", "no shift to add; tick at least one")
    store = visible_store(session, actor, store_ref)
    added = [
        add_shift(session, actor, store.id, s.staff_id, s.starts_at, s.ends_at, now, allow_past)
        for s in shifts
    ]
    audit_log.append(
        session,
        actor.username,
        "roster.add_shifts",
        f"store {store.code}",
        {
            "reason": reason,
            "shifts": [
                {"id": e.id, "staff": e.staff_code, "start": e.start.isoformat(), "end": e.end.isoformat()}
                for e in added
            ],
        },
        now,
    )
    return added
