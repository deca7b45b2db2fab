"""Advice you can act on: a recommendation or a what-if turned into draft shifts and a backup window.

"Find the cover" and the roster what-if used to end in a table. Here their answer becomes what a
manager does next: draft shifts (who, when), confirmed in a dialog and saved through
``schedule.add_shifts``; and the window a backup call should ask cover for. Drafts never start
in the past: the part of a cover block before now is left out (it would rewrite pressure that
already happened), and a block that is over is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from staffing.recommend import Shift
from staffing.roster import INTERVAL_MINUTES, periods
from storemon.db.models import Role, RosterShift, StaffMember, Store
from storemon.services.access import Actor, require_role, visible_store
from storemon.services.day_figures import DayFigures, still_missing
from storemon.services.opening_hours import open_days
from storemon.services.schedule import ROLE_ORDER, RosterPerson
from storemon.services.store_days import shifts_between
from storemon.services.stores import roster_grid
from storemon.services.timegrid import INTERVALS_PER_DAY, local_midnight
from storemon.services.whatif import modelled_week, recommend_for_day

WINDOW_DAYS = 7
"""A roster what-if's person is drafted on this many days from today."""


@dataclass(frozen=True)
class DraftShift:
    """A shift the advice proposes, in the store's local time; nothing is saved until confirmed."""

    day: date
    start: datetime
    end: datetime
    staff_id: int | None
    """Who is suggested: someone of the store free then; None when nobody is."""

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class ShiftDrafts:
    """Draft shifts for one store, the people who may work them, and the window to call backup for."""

    store_id: int
    store_code: str
    store_name: str
    timezone: str
    drafts: tuple[DraftShift, ...]
    people: tuple[RosterPerson, ...]
    backup_window: tuple[datetime, datetime] | None
    """Today's first cover still ahead (from now on): what "Call backup for 07:30–09:30" asks for."""
    left_out: int = 0
    """Cover blocks (or parts) left out because they were already over."""


@dataclass(frozen=True)
class CoverAdvice:
    """ "What would fix today": the cover, the day as rostered and with it, and what is still missing."""

    store_id: int
    day: date
    additions: tuple[Shift, ...]
    """The recommender's cover blocks (intervals of the day), as it found them."""
    before: DayFigures
    after: DayFigures
    """The day as rostered (Today's figures) and with every cover block (``day_figures``)."""
    missing: tuple[str, ...]
    """Why the day with the cover is still not fixed (``day_figures.still_missing``); empty when fixed."""
    amber_at: float
    actions: ShiftDrafts
    added_cost: Decimal = Decimal(0)
    """What the cover costs in wages, at the staff wage (``wages.added_person_cost``)."""


def _ceil_quarter(moment: datetime) -> datetime:
    step = timedelta(minutes=INTERVAL_MINUTES)
    floor = moment.replace(second=0, microsecond=0) - timedelta(minutes=moment.minute % INTERVAL_MINUTES)
    return floor if floor == moment else floor + step


def _people(session: Session, store: Store) -> list[StaffMember]:
    return list(
        session.scalars(
            select(StaffMember)
            .where(StaffMember.home_store_id == store.id, StaffMember.active.is_(True))
            .order_by(StaffMember.code)
        )
    )


def _suggest(
    session: Session, members: list[StaffMember], blocks: list[tuple[datetime, datetime]]
) -> list[int | None]:
    """Someone free for each block: no overlapping shift (anywhere) nor another block; those with
    the fewest hours that day first, staff before shift leads before managers."""
    if not blocks:
        return []
    first, last = min(b[0] for b in blocks), max(b[1] for b in blocks)
    shifts = session.scalars(
        select(RosterShift).where(
            RosterShift.staff_id.in_([m.id for m in members]),
            RosterShift.starts_at < last + timedelta(days=1),
            RosterShift.ends_at > first - timedelta(days=1),
        )
    ).all()
    busy: dict[int, list[tuple[datetime, datetime]]] = {m.id: [] for m in members}
    for shift in shifts:
        busy[shift.staff_id].append((shift.starts_at, shift.ends_at))
    chosen: list[int | None] = []
    for start, end in blocks:

        def load(member: StaffMember, start=start) -> tuple:
            same_day = sum(
                (e - s).total_seconds()
                for s, e in busy[member.id]
                if abs((s - start).total_seconds()) < 86400
            )
            rank = {Role.STAFF: 0, Role.SHIFT_LEAD: 1}.get(member.role, 2)
            return same_day, rank, member.code

        free = [m for m in members if all(e <= start or s >= end for s, e in busy[m.id])]
        pick = min(free, key=load, default=None)
        chosen.append(pick.id if pick else None)
        if pick is not None:
            busy[pick.id].append((start, end))
    return chosen


def _drafts(
    session: Session,
    store: Store,
    blocks: list[tuple[date, int, int]],
    now: datetime,
) -> ShiftDrafts:
    """Drafts from cover blocks ``(day, first interval, end interval)``, cut to start from now on."""
    tz = ZoneInfo(store.timezone)
    step = timedelta(minutes=INTERVAL_MINUTES)
    earliest = _ceil_quarter(now.astimezone(tz))
    times, left_out = [], 0
    for day, first, end in blocks:
        origin = local_midnight(day, store.timezone).astimezone(tz)
        start, stop = origin + first * step, origin + end * step
        if stop <= earliest:
            left_out += 1
            continue
        if start < earliest:
            left_out += 1
            start = earliest
        times.append((day, start, stop))
    members = _people(session, store)
    who = _suggest(session, members, [(s, e) for _d, s, e in times])
    drafts = tuple(DraftShift(d, s, e, w) for (d, s, e), w in zip(times, who, strict=True))
    today = now.astimezone(tz).date()
    todays = [d for d in drafts if d.day == today]
    people = tuple(
        sorted(
            (RosterPerson(m.id, m.code, m.name, str(m.role), True, True) for m in members),
            key=lambda p: (ROLE_ORDER.get(Role(p.role), 3), p.code),
        )
    )
    return ShiftDrafts(
        store_id=store.id,
        store_code=store.code,
        store_name=store.name,
        timezone=store.timezone,
        drafts=drafts,
        people=people,
        backup_window=(todays[0].start, todays[0].end) if todays else None,
        left_out=left_out,
    )


def advise_day(session: Session, actor: Actor, store_ref: int | str, day: date, now: datetime) -> CoverAdvice:
    """The recommender's cover for a store-day, judged on the day's own figures, with its actions."""
    store = visible_store(session, actor, store_ref)
    recommendation = recommend_for_day(session, actor, store.id, day, now)
    week = modelled_week(session, actor, store, [day], now)
    before = week.figures[0]
    additions = tuple(recommendation.additions)
    after = week.replay([week.shifts[0] + list(additions)])[0] if additions else before
    return CoverAdvice(
        store_id=store.id,
        day=day,
        additions=additions,
        before=before,
        after=after,
        missing=tuple(still_missing(after, week.config.amber_at)),
        amber_at=week.config.amber_at,
        actions=_drafts(session, store, [(day, a.first, a.end) for a in additions], now),
        added_cost=recommendation.added_cost,
    )


def window_drafts(
    session: Session,
    actor: Actor,
    store_ref: int | str,
    start_minute: int,
    end_minute: int,
    now: datetime,
    days: int = WINDOW_DAYS,
) -> ShiftDrafts:
    """One more person from ``start_minute`` to ``end_minute`` (local) on the store's open days from
    today: the roster what-if made into drafts."""
    require_role(actor, Role.SHIFT_LEAD, "plan shifts")
    store = visible_store(session, actor, store_ref)
    first, end = start_minute // INTERVAL_MINUTES, -(-end_minute // INTERVAL_MINUTES)
    today = now.astimezone(ZoneInfo(store.timezone)).date()
    span = [today + timedelta(days=k) for k in range(days)]
    is_open = open_days(store, span)
    blocks = [(d, first, end) for d, mask in zip(span, is_open, strict=True) if mask[first:end].any()]
    return _drafts(session, store, blocks, now)


MAX_DRAFT_HOURS = 8
"""A shortfall longer than this is drafted as consecutive shifts (a day is two, as policies roster it)."""


def _layers(short: np.ndarray) -> list[tuple[int, int]]:
    """``short[i]`` people missing per interval, as blocks of one person each (longest first), cut at
    ``MAX_DRAFT_HOURS``."""
    blocks = []
    longest = MAX_DRAFT_HOURS * 60 // INTERVAL_MINUTES
    for level in range(1, int(short.max(initial=0)) + 1):
        for first, end in periods(short >= level):
            pieces = -(-(end - first) // longest)
            step = -(-(end - first) // pieces)
            blocks += [(a, min(a + step, end)) for a in range(first, end, step)]
    return blocks


def policy_drafts(
    session: Session,
    actor: Actor,
    store_ref: int | str,
    staff_per_shift: int,
    now: datetime,
    days: int = WINDOW_DAYS,
) -> ShiftDrafts:
    """The shifts that bring the store's coming days up to ``staff_per_shift`` people while open: the
    tier what-if's candidate made into drafts (on top of the roster as it stands)."""
    require_role(actor, Role.SHIFT_LEAD, "plan shifts")
    store = visible_store(session, actor, store_ref)
    today = now.astimezone(ZoneInfo(store.timezone)).date()
    span = [today + timedelta(days=k) for k in range(days)]
    staffed = roster_grid(store, shifts_between(session, store, today, days), today, days).reshape(
        days, INTERVALS_PER_DAY
    )
    is_open = open_days(store, span)
    short = np.where(is_open, np.clip(staff_per_shift - staffed, 0, None), 0)
    blocks = [(day, a, b) for day, row in zip(span, short, strict=True) for a, b in _layers(row)]
    return _drafts(session, store, sorted(blocks), now)
