"""Calls you can follow: a backup call's state (who was asked, who is coming and when, who
acknowledged) comes from the database with people's names; an accepted cover is a real roster
shift the day model counts, marked as cover and, for another store's person, as borrowed
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from storemon.db.models import RosterShift, Store, User
from storemon.services.access import SYSTEM
from storemon.services.actions import ActionRefused
from storemon.services.api import Services
from storemon.services.database import open_database
from storemon.services.demo import build_demo

NOW = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai
DAY = date(2026, 3, 9)


@pytest.fixture
def services(db_url):
    """Four stores: SH001 and SH004 share the East region, so SH004's shift lead can be borrowed."""
    database = open_database(db_url)
    with database.sessions() as session:
        build_demo(session, stores=4, weeks=1, seed=3, anchor=DAY)
        session.commit()
    yield Services(database)
    database.close()


def _names(services: Services) -> dict[str, str]:
    return services.alerts.display_names(SYSTEM)


def _sh001(services: Services) -> int:
    with services.database.sessions() as session:
        return session.scalars(select(Store.id).where(Store.code == "SH001")).one()


def _state(services: Services, who: str = "mgr-sh001"):
    (state,) = [s for s in services.calls.states(who, _sh001(services)) if s.kind == "backup"]
    return state


def test_a_backup_call_names_who_was_asked_and_who_asked(services):
    services.calls.call_backup("mgr-sh001", "SH001", NOW, "rush")
    names = _names(services)
    state = _state(services)
    asked = {o.username: o for o in state.offers}
    assert set(asked) == {"staff-sh001", "lead-sh004"}, "off-shift people of the store and its region"
    assert all(o.name == names[o.username] and o.name != o.username for o in state.offers)
    assert asked["lead-sh004"].store_code == "SH004" and asked["staff-sh001"].store_code == "SH001"
    assert state.requested_by == names["mgr-sh001"]
    assert state.offers_open == 2 and not state.coming and not state.acknowledged_by
    assert state.cover_shift is None


def test_an_accepted_cover_is_a_borrowed_roster_shift_and_the_state_says_who_comes_when(services):
    call = services.calls.call_backup("mgr-sh001", "SH001", NOW, "rush")
    before = services.staffing.today_picture(SYSTEM, "SH001", DAY, NOW)
    arrival = NOW + timedelta(minutes=30)
    services.calls.accept_cover("lead-sh004", call, NOW + timedelta(minutes=2), arrival)
    names = _names(services)
    borrowed = names["lead-sh004"]

    state = _state(services)
    assert [(a.name, a.expected_at, a.borrowed_from) for a in state.coming] == [(borrowed, arrival, "SH004")]
    assert state.covered_by == borrowed and state.acknowledged_by == borrowed
    assert {o.username: o.status for o in state.offers} == {
        "lead-sh004": "accepted",
        "staff-sh001": "withdrawn",
    }
    cover = state.cover_shift
    assert cover is not None and cover.start == arrival and cover.borrowed_from == "SH004"
    assert timedelta(minutes=15) <= cover.end - cover.start <= timedelta(hours=3)

    # A real shift at SH001, so the day model counts one more person from 12:00.
    with services.database.sessions() as session:
        lead = session.scalars(select(User).where(User.username == "lead-sh004")).one()
        shift = session.get(RosterShift, cover.shift_id)
        assert (shift.store_id, shift.staff_id) == (_sh001(services), lead.staff_member_id)
    after = services.staffing.today_picture(SYSTEM, "SH001", DAY, NOW)
    noon = next(i for i, v in enumerate(after.store_day.intervals) if v.start.hour == 12)
    assert (
        after.store_day.intervals[noon].rostered_staff == before.store_day.intervals[noon].rostered_staff + 1
    )
    (marked,) = after.covers
    assert (marked.shift_id, marked.name, marked.cover, marked.borrowed_from) == (
        cover.shift_id,
        borrowed,
        True,
        "SH004",
    )
    # The kiosk's line: who is coming to this store.
    terminal = services.kiosk.terminal(SYSTEM, "SH001")
    assert [(a.name, a.expected_at) for a in services.kiosk.arrivals(terminal.actor, _sh001(services))] == [
        (borrowed, arrival)
    ]

    # The first acceptance wins; the second is refused and places nothing.
    with pytest.raises(ActionRefused):
        services.calls.accept_cover("staff-sh001", call, NOW + timedelta(minutes=3))
    assert len(services.staffing.today_picture(SYSTEM, "SH001", DAY, NOW).covers) == 1


def test_a_cover_stops_at_the_persons_next_shift_and_accept_without_a_time_means_twenty_minutes(services):
    call = services.calls.call_backup("mgr-sh001", "SH001", NOW, "rush")
    with services.database.sessions() as session:
        staff_id = session.scalars(select(User.staff_member_id).where(User.username == "staff-sh001")).one()
        next_start = NOW + timedelta(hours=1, minutes=30)
        clash = session.scalars(
            select(RosterShift).where(
                RosterShift.staff_id == staff_id,
                RosterShift.starts_at < NOW + timedelta(hours=4),
                RosterShift.ends_at > NOW,
            )
        ).all()
        for old in clash:
            session.delete(old)
        session.add(
            RosterShift(
                store_id=_sh001(services),
                staff_id=staff_id,
                starts_at=next_start,
                ends_at=next_start + timedelta(hours=4),
            )
        )
        session.commit()
    services.calls.accept_cover("staff-sh001", call, NOW)
    state = _state(services)
    assert state.coming[0].expected_at == NOW + timedelta(minutes=20)
    assert state.coming[0].borrowed_from == "", "the store's own person is not borrowed"
    assert (state.cover_shift.start, state.cover_shift.end) == (NOW + timedelta(minutes=20), next_start)


def test_pressing_call_backup_again_keeps_who_is_coming_and_asks_nobody_new(services):
    call = services.calls.call_backup("mgr-sh001", "SH001", NOW, "rush")
    services.calls.accept_cover("lead-sh004", call, NOW, NOW + timedelta(minutes=10))
    before = _state(services)
    again = services.calls.call_backup("mgr-sh001", "SH001", NOW + timedelta(minutes=5), "still busy")
    assert again == call
    after = _state(services)
    assert (after.coming, after.covered_by, after.cover_shift, after.offers) == (
        before.coming,
        before.covered_by,
        before.cover_shift,
        before.offers,
    )
    assert after.alert.status == "acknowledged"


def test_storemon_cover_says_when_you_arrive(capsys, storemon_home):
    from storemon.cli import main

    assert main(["demo", "--stores", "4", "--weeks", "1", "--anchor", "2026-03-09"]) == 0
    assert main(["--as", "mgr-sh001", "call", "backup", "--store", "SH001"]) == 0
    alert_id = int(capsys.readouterr().out.rsplit("alert ", 1)[1])
    database = open_database(f"sqlite:///{storemon_home / 'data' / 'storemon.sqlite3'}")
    try:
        services = Services(database)
        asked = _state(services).offers[0]
        assert main(["--as", asked.username, "cover", str(alert_id), "--minutes", "500"]) == 2
        assert "--minutes 500" in capsys.readouterr().err
        started = datetime.now(UTC)
        assert main(["--as", asked.username, "cover", str(alert_id), "--minutes", "30"]) == 0
        assert "expected in 30 minutes" in capsys.readouterr().out
        (arrival,) = _state(services).coming
        assert arrival.name == asked.name
        assert timedelta(0) <= arrival.expected_at - started - timedelta(minutes=30) < timedelta(minutes=1)
    finally:
        database.close()
