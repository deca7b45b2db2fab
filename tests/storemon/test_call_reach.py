"""Who a call button says it will page is who the call then pages, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import CoverOffer, Notification, User
from storemon.services.api import Services
from storemon.services.database import Database

NOW = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)


def _names(session, usernames) -> set[str]:
    return set(session.scalars(select(User.display_name).where(User.username.in_(list(usernames)))))


def test_the_reach_shown_before_a_call_is_who_the_call_pages(demo_url):
    engine = make_engine(demo_url)
    sessions = make_session_factory(engine)
    try:
        services = Services(Database(engine, sessions, None))
        reach = services.calls.reach("staff-sh001", "SH001", NOW)
        manager = reach["manager"]
        assert manager.first.number == 2 and manager.then.number == 3 and manager.first.people
        assert manager.first.ack_minutes == 5

        alert_id = services.calls.call_manager("staff-sh001", "SH001", NOW)
        with sessions() as session:
            paged = session.scalars(
                select(Notification.username).where(
                    Notification.alert_id == alert_id, Notification.username.is_not(None)
                )
            )
            assert _names(session, paged) == set(manager.first.people)

        backup = reach["backup"]
        alert_id = services.calls.call_backup("staff-sh001", "SH001", NOW)
        with sessions() as session:
            offered = session.scalars(select(CoverOffer.username).where(CoverOffer.alert_id == alert_id))
            assert _names(session, offered) == set(backup.cover_offered_to) and backup.cover_offered_to
    finally:
        engine.dispose()
