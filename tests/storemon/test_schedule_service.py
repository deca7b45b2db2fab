"""Roster weeks, shift edits and incident lists through the service API, on both engines."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from storemon.db.models import CheckIn, Incident, RosterShift
from storemon.services.access import SYSTEM, AccessDenied, NotFound
from storemon.services.api import Services
from storemon.services.database import Database, open_database
from storemon.services.demo import build_demo
from storemon.services.incidents import IncidentFilter
from storemon.services.schedule import ScheduleError
from tests.storemon.conftest import DEMO_ANCHOR

MONDAY = DEMO_ANCHOR  # 2026-03-09


@pytest.fixture
def services(demo_url) -> Iterator[Services]:
    """The service API on a private copy of the 12-store demo chain (``tests/storemon/conftest.py``).

    ``demo_sessions`` (from the same conftest) opens the same copy.
    """
    with closing(open_database(demo_url)) as database:
        yield Services(database)


def store_with(services: Services, status: str, staff: int | None = None, solo: bool = False):
    """The first demo store whose tier-policy status (staff asked for, solo hours) match."""
    for store in services.stores.summaries(SYSTEM):
        if (
            store.policy_status == status
            and (staff is None or store.policy_staff_per_shift == staff)
            and (not solo or store.solo_hours_per_week > 0)
        ):
            return store
    raise AssertionError(f"the demo chain has no store with policy status {status!r}")


def solo_store(services: Services):
    return next(s for s in services.stores.summaries(SYSTEM) if s.rostered_staff_per_shift == 1.0)


def free_and_busy(services: Services, actor, code: str, day: date):
    week = services.schedule.week_roster(actor, code, day)
    working = {s.staff_id for s in week.shifts if s.day == day}
    busy = next(p for p in week.people if p.id in working)
    free = next(p for p in week.people if p.id not in working and p.works_here)
    return week, free, busy


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def test_a_solo_week_shows_solo_intervals_and_no_shortfall_where_the_policy_asks_for_one(services):
    store = store_with(services, "covered", staff=1)
    week = services.schedule.week_roster(SYSTEM, store.code, MONDAY)
    assert week.days == tuple(MONDAY + timedelta(days=k) for k in range(7))
    assert week.policy.status == "covered" and week.policy.staff_per_shift == 1
    monday = week.coverage[0]
    assert monday.solo == ((monday.open_first, monday.open_end),)
    assert monday.shortfall == () and monday.unstaffed == ()
    assert week.solo_hours == pytest.approx(7 * (monday.open_end - monday.open_first) / 4)
    assert all(entry.solo_minutes > 0 for entry in week.shifts)
    assert week.can_edit


def test_hours_below_the_tier_policy_are_shortfalls(services):
    store = store_with(services, "covered", staff=2, solo=True)
    week = services.schedule.week_roster(SYSTEM, store.code, MONDAY)
    monday = week.coverage[0]
    assert monday.required == 2
    assert monday.shortfall and monday.shortfall == monday.solo  # one person where two are asked for
    assert week.shortfall_hours == pytest.approx(sum(c.shortfall_minutes for c in week.coverage) / 60)


def test_a_store_in_a_policy_gap_says_so_and_marks_no_shortfall(services):
    store = store_with(services, "gap")
    week = services.schedule.week_roster(SYSTEM, store.code, MONDAY)
    assert week.policy.status == "gap"
    assert (week.policy.gap_low, week.policy.gap_high) == (5000.0, 6000.0)
    assert 5000 <= week.policy.avg_daily_revenue < 6000
    assert all(c.required is None and not c.shortfall for c in week.coverage)
    assert week.solo_hours > 0


def test_a_valid_shift_is_saved_and_ends_solo_time_while_it_lasts(services):
    store = solo_store(services)
    manager = services.auth.actor(f"mgr-{store.code.lower()}")
    week, free, _busy = free_and_busy(services, manager, store.code, MONDAY)
    entry = services.schedule.add_shift(manager, store.code, free.id, local(MONDAY, 10), local(MONDAY, 12))
    assert (entry.start.hour, entry.end.hour, entry.day) == (10, 12, MONDAY)
    assert entry.start.utcoffset() == timedelta(hours=8)

    again = services.schedule.week_roster(manager, store.code, MONDAY)
    assert len(again.shifts) == len(week.shifts) + 1
    solo = again.coverage[0].solo
    assert (40, 48) not in solo and all(not (s < 48 and e > 40) for s, e in solo)
    assert again.coverage[0].staff[44] == 2


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ((12, 0), (10, 0), "end_not_after_start"),
        ((10, 0), (10, 0), "end_not_after_start"),
        ((6, 0), None, "too_long"),
    ],
)
def test_impossible_times_are_refused(services, start, end, reason):
    store = solo_store(services)
    manager = services.auth.actor(f"mgr-{store.code.lower()}")
    _week, free, _busy = free_and_busy(services, manager, store.code, MONDAY)
    begin = local(MONDAY, *start)
    finish = local(MONDAY, *end) if end else begin + timedelta(hours=17)
    with pytest.raises(ScheduleError) as refused:
        services.schedule.add_shift(manager, store.code, free.id, begin, finish)
    assert refused.value.reason == reason


def test_overlapping_shifts_of_one_person_are_refused_and_nothing_is_written(services, demo_sessions):
    store = solo_store(services)
    manager = services.auth.actor(f"mgr-{store.code.lower()}")
    week, _free, busy = free_and_busy(services, manager, store.code, MONDAY)
    shift = next(s for s in week.shifts if s.staff_id == busy.id and s.day == MONDAY)
    with demo_sessions() as session:
        before = len(session.scalars(select(RosterShift)).all())
    with pytest.raises(ScheduleError) as refused:
        services.schedule.add_shift(
            manager, store.code, busy.id, shift.start + timedelta(hours=1), shift.end + timedelta(hours=1)
        )
    assert refused.value.reason == "overlap"
    assert busy.name in str(refused.value) and "cannot overlap" in str(refused.value)
    assert refused.value.params["start"] == shift.start
    with demo_sessions() as session:
        assert len(session.scalars(select(RosterShift)).all()) == before
    # Back to back is fine: the next shift may start when this one ends.
    services.schedule.add_shift(manager, store.code, busy.id, shift.end, shift.end + timedelta(hours=2))


def test_people_of_another_region_cannot_be_rostered(services):
    store = solo_store(services)
    other = next(
        s for s in services.stores.summaries(SYSTEM) if s.code != store.code and s.region != store.region
    )
    stranger = services.schedule.week_roster(SYSTEM, other.code, MONDAY).people[0]
    with pytest.raises(ScheduleError) as refused:
        services.schedule.add_shift(SYSTEM, store.code, stranger.id, local(MONDAY, 10), local(MONDAY, 12))
    assert refused.value.reason == "not_at_store"
    assert stranger.id not in {p.id for p in services.schedule.borrowable_people(SYSTEM, store.code)}


def test_staff_of_another_store_of_the_region_are_rostered_as_borrowed(services):
    store = solo_store(services)
    manager = services.auth.actor(f"mgr-{store.code.lower()}")
    neighbours = services.schedule.borrowable_people(manager, store.code)
    assert neighbours, "the demo region has other stores"
    assert all(p.home_store and p.home_store != store.code and not p.works_here for p in neighbours)
    busy_that_day = {
        s.staff_id
        for s in services.schedule.week_roster(SYSTEM, neighbours[0].home_store, MONDAY).shifts
        if s.day == MONDAY
    }
    person = next(p for p in neighbours if p.id not in busy_that_day)
    entry = services.schedule.add_shift(manager, store.code, person.id, local(MONDAY, 10), local(MONDAY, 12))
    assert entry.borrowed_from == person.home_store
    week = services.schedule.week_roster(manager, store.code, MONDAY)
    shown = next(s for s in week.shifts if s.id == entry.id)
    assert shown.borrowed_from == person.home_store
    row = next(p for p in week.people if p.id == person.id)
    assert not row.works_here and row.home_store == person.home_store
    # The store's own people are not "borrowed".
    assert all(not s.borrowed_from for s in week.shifts if s.id != entry.id)


def test_a_shift_can_be_moved_and_deleted(services, demo_sessions):
    store = solo_store(services)
    manager = services.auth.actor(f"mgr-{store.code.lower()}")
    week, free, busy = free_and_busy(services, manager, store.code, MONDAY)
    shift = next(s for s in week.shifts if s.staff_id == busy.id and s.day == MONDAY)
    # Moving a shift within its own time is not an overlap with itself.
    moved = services.schedule.update_shift(
        manager, shift.id, busy.id, shift.start + timedelta(minutes=15), shift.end
    )
    assert moved.start == shift.start + timedelta(minutes=15)
    # Giving it to someone else.
    given = services.schedule.update_shift(manager, shift.id, free.id, moved.start, moved.end)
    assert given.staff_id == free.id and given.staff_name == free.name

    # A check-in of a deleted shift stays, without its shift.
    with demo_sessions() as session:
        old = session.scalars(
            select(RosterShift).where(RosterShift.store_id == store.id).order_by(RosterShift.starts_at)
        ).first()
        checkin = CheckIn(
            staff_id=old.staff_id, store_id=store.id, shift_id=old.id, score=4, created_at=old.ends_at
        )
        session.add(checkin)
        session.commit()
        old_id, checkin_id = old.id, checkin.id
    services.schedule.delete_shift(manager, old_id)
    services.schedule.delete_shift(manager, shift.id)
    with demo_sessions() as session:
        assert session.get(RosterShift, shift.id) is None
        assert session.get(RosterShift, old_id) is None
        assert session.get(CheckIn, checkin_id).shift_id is None
    with pytest.raises(NotFound):
        services.schedule.delete_shift(manager, shift.id)


def test_who_may_read_and_change_a_roster(services):
    lead_store = store_with(services, "covered", staff=2)
    code = lead_store.code.lower()
    staff, lead = services.auth.actor(f"staff-{code}"), services.auth.actor(f"lead-{code}")
    week, free, _busy = free_and_busy(services, staff, lead_store.code, MONDAY)
    assert not week.can_edit
    with pytest.raises(AccessDenied):
        services.schedule.add_shift(staff, lead_store.code, free.id, local(MONDAY, 9), local(MONDAY, 10))
    with pytest.raises(AccessDenied):
        services.schedule.delete_shift(staff, week.shifts[0].id)
    other = next(s for s in services.stores.summaries(SYSTEM) if s.code != lead_store.code)
    with pytest.raises(NotFound):
        services.schedule.week_roster(staff, other.code, MONDAY)
    with pytest.raises(NotFound):
        services.schedule.week_roster(lead, other.code, MONDAY)
    assert services.schedule.week_roster(lead, lead_store.code, MONDAY).can_edit
    services.schedule.add_shift(lead, lead_store.code, free.id, local(MONDAY, 9), local(MONDAY, 10))


def test_shift_edits_commit_on_both_engines(engine, session_factory):
    with session_factory() as session:
        build_demo(session, stores=3, weeks=1, seed=3, anchor=DEMO_ANCHOR)
        session.commit()
    services = Services(Database(engine, session_factory, None))
    store = solo_store(services)
    manager = services.auth.actor(f"mgr-{store.code.lower()}")
    _week, free, busy = free_and_busy(services, manager, store.code, MONDAY)
    entry = services.schedule.add_shift(manager, store.code, free.id, local(MONDAY, 10), local(MONDAY, 12))
    with pytest.raises(ScheduleError):
        services.schedule.add_shift(manager, store.code, free.id, local(MONDAY, 11), local(MONDAY, 13))
    services.schedule.update_shift(manager, entry.id, free.id, local(MONDAY, 11), local(MONDAY, 13))
    assert services.schedule.week_roster(manager, store.code, MONDAY).coverage[0].staff[11 * 4] == 2
    services.schedule.delete_shift(manager, entry.id)
    assert services.schedule.week_roster(manager, store.code, MONDAY).coverage[0].staff[11 * 4] == 1


# --------------------------------------------------------------------------- incidents


def test_incidents_filter_by_sensitive_trigger_type_and_local_day(services, demo_sessions):
    everything = services.incidents.list(SYSTEM, IncidentFilter()).rows
    assert everything == sorted(everything, key=lambda r: r.occurred_at, reverse=True)
    sensitive = services.incidents.list(SYSTEM, IncidentFilter(sensitive_only=True)).rows
    assert 0 < len(sensitive) < len(everything) and all(r.sensitive_triggers for r in sensitive)
    kind = everything[0].incident_type
    of_kind = services.incidents.list(SYSTEM, IncidentFilter(incident_type=kind)).rows
    assert of_kind and {r.incident_type for r in of_kind} == {kind}
    # A local day starts at local midnight: 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai.
    store = solo_store(services)
    with demo_sessions() as session:
        session.add(
            Incident(
                store_id=store.id,
                occurred_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
                incident_type="queue_dispute",
                customer_type="irritable",
                sensitive_triggers=["media"],
                description="A customer filmed the queue.",
                compensation=Decimal("50"),
                approved_by="mgr",
            )
        )
        session.commit()
    day = date(2026, 3, 2)
    rows = services.incidents.list(
        SYSTEM, IncidentFilter(store_id=store.id, first_day=day, last_day=day)
    ).rows
    filmed = [r for r in rows if r.description == "A customer filmed the queue."]
    assert len(filmed) == 1 and filmed[0].occurred_at.hour == 7 and filmed[0].compensation == Decimal("50.00")
    assert all(r.occurred_at.date() == day for r in rows)
    assert services.incidents.choices(SYSTEM).sensitive_triggers


def test_incidents_are_scoped_and_exports_keep_to_the_scope(services, tmp_path):
    manager = services.auth.actor("mgr-sh001")
    mine = services.incidents.list(manager, IncidentFilter()).rows
    assert mine and {r.store_code for r in mine} == {"SH001"}
    other = next(s for s in services.stores.summaries(SYSTEM) if s.code != "SH001")
    with pytest.raises(NotFound):
        services.incidents.list(manager, IncidentFilter(store_id=other.id))
    everyone = services.incidents.list(SYSTEM, IncidentFilter()).rows
    path = tmp_path / "incidents.csv"
    count = services.incidents.export(manager, path, everyone)
    assert count == len(mine)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert header[0] == "Time (local)" and header[-1] == "Description"
    assert len(rows) == len(mine) and {r[1] for r in rows} == {mine[0].store_name}
