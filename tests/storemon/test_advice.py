"""Advice made into actions: draft shifts that never start in the past, saved all or none and
audited; a backup call for the cover's window; and no shift slipped in before now unasked."""

from __future__ import annotations

from contextlib import closing
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storemon.db.models import Alert, AuditEntry, CoverOffer, RosterShift
from storemon.services.access import SYSTEM
from storemon.services.actions import ActionRefused
from storemon.services.api import Services
from storemon.services.database import open_database
from storemon.services.schedule import NewShift, ScheduleError
from tests.storemon.test_services_staffing import NOW, _solo_store

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def services(demo_url):
    with closing(open_database(demo_url)) as database:
        yield Services(database)


def _solo(services: Services) -> str:
    with services.database.sessions() as session:
        return _solo_store(session)


def test_the_cover_for_today_becomes_drafts_from_now_on_and_adding_them_is_audited(services, demo_sessions):
    code = _solo(services)
    manager = services.auth.actor(f"mgr-{code.lower()}")
    today = NOW.astimezone(SHANGHAI).date()
    advice = services.staffing.advise(manager, code, today, NOW)
    assert advice.additions and advice.before.minutes_over_target > 0
    drafts = advice.actions.drafts
    assert drafts, "some cover is still ahead at noon"
    assert all(d.start >= NOW and d.end > d.start for d in drafts), "nothing starts in the past"
    assert advice.actions.backup_window == (drafts[0].start, drafts[0].end)
    assert all(d.staff_id in {p.id for p in advice.actions.people} for d in drafts)

    with demo_sessions() as session:
        before = len(session.scalars(select(RosterShift)).all())
    added = services.schedule.add_shifts(
        manager,
        code,
        [NewShift(d.staff_id, d.start, d.end) for d in drafts],
        NOW,
        "today.find_cover",
    )
    assert [(e.staff_id, e.start, e.end) for e in added] == [(d.staff_id, d.start, d.end) for d in drafts]
    with demo_sessions() as session:
        assert len(session.scalars(select(RosterShift)).all()) == before + len(drafts)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.add_shifts")).one()
    assert entry.actor == manager.username and entry.details["reason"] == "today.find_cover"
    assert [s["id"] for s in entry.details["shifts"]] == [e.id for e in added]

    again = services.staffing.advise(manager, code, today, NOW)
    assert again.before.staff_hours == pytest.approx(advice.before.staff_hours + sum(d.hours for d in drafts))


def test_add_shifts_is_all_or_none(services, demo_sessions):
    code = _solo(services)
    manager = services.auth.actor(f"mgr-{code.lower()}")
    drafts = services.staffing.advise(manager, code, NOW.astimezone(SHANGHAI).date(), NOW).actions
    first = drafts.drafts[0]
    clash = NewShift(first.staff_id, first.start, first.end)
    with demo_sessions() as session:
        before = len(session.scalars(select(RosterShift)).all())
    with pytest.raises(ScheduleError) as refused:
        services.schedule.add_shifts(manager, code, [clash, clash], NOW)
    assert refused.value.reason == "overlap"
    with demo_sessions() as session:
        assert len(session.scalars(select(RosterShift)).all()) == before


def test_a_shift_starting_before_now_is_refused_unless_confirmed(services):
    code = _solo(services)
    manager = services.auth.actor(f"mgr-{code.lower()}")
    person = services.staffing.window_drafts(manager, code, 7 * 60, 10 * 60, NOW).people[-1].id
    morning = NOW.astimezone(SHANGHAI).replace(hour=5, minute=0)  # before opening: nobody works then
    with pytest.raises(ScheduleError) as refused:
        services.schedule.add_shift(manager, code, person, morning, morning + timedelta(hours=2), NOW)
    assert refused.value.reason == "starts_in_past"
    assert "before now" in str(refused.value) and refused.value.params["now"] == NOW
    entry = services.schedule.add_shift(
        manager, code, person, morning, morning + timedelta(hours=2), NOW, allow_past=True
    )
    assert entry.start == morning


def test_the_roster_what_if_drafts_the_person_on_the_coming_open_days(services):
    code = _solo(services)
    drafts = services.staffing.window_drafts(SYSTEM, code, 7 * 60, 10 * 60, NOW)
    # 07:00 is before noon: today's is left out, the next six days are drafted.
    assert drafts.left_out == 1 and len(drafts.drafts) == 6
    assert [(d.start.hour, d.end.hour) for d in drafts.drafts] == [(7, 10)] * 6
    assert drafts.backup_window is None
    later = services.staffing.window_drafts(SYSTEM, code, 14 * 60, 16 * 60, NOW)
    assert later.backup_window == (later.drafts[0].start, later.drafts[0].end)
    assert later.drafts[0].start.date() == NOW.astimezone(SHANGHAI).date()


def test_call_backup_for_a_window_keeps_it_and_names_it_in_the_offer(services, demo_sessions):
    code = _solo(services)
    manager = services.auth.actor(f"mgr-{code.lower()}")
    start = datetime(2026, 3, 9, 14, 0, tzinfo=SHANGHAI)
    alert_id = services.calls.call_backup(manager, code, NOW, window=(start, start + timedelta(hours=2)))
    with demo_sessions() as session:
        alert = session.get(Alert, alert_id)
        window = alert.details["window"]
        offers = session.scalars(select(CoverOffer).where(CoverOffer.alert_id == alert_id)).all()
    assert datetime.fromisoformat(window["start"]) == start
    assert datetime.fromisoformat(window["end"]) == start + timedelta(hours=2)
    assert offers
    with pytest.raises(ActionRefused, match="must end after it starts"):
        services.calls.call_backup(manager, code, NOW, window=(start, start))


def test_the_tier_what_if_drafts_bring_the_coming_days_up_to_the_candidates_staff(services):
    code = _solo(services)
    drafts = services.staffing.policy_drafts(SYSTEM, code, 3, NOW)
    tomorrow = NOW.astimezone(SHANGHAI).date() + timedelta(days=1)
    coverage = services.schedule.week_roster(SYSTEM, code, tomorrow, 1).coverage[0]
    staff = list(coverage.staff)
    for d in drafts.drafts:
        assert d.hours <= 8 and d.start >= NOW
        if d.day == tomorrow:
            first = (d.start.hour * 60 + d.start.minute) // 15
            end = first + round(d.hours * 4)
            staff[first:end] = [n + 1 for n in staff[first:end]]
    open_staff = staff[coverage.open_first : coverage.open_end]
    assert open_staff and min(open_staff) >= 3 and coverage.staff[coverage.open_first] < 3
