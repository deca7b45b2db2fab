"""Store reports and who may read them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storemon.db.models import Store, User
from storemon.services.access import SYSTEM, NotFound, actor_for
from storemon.services.stores import sales_for_day, store_summaries
from tests.storemon.conftest import DEMO_ANCHOR


def test_store_manager_sees_only_their_store(demo_sessions):
    with demo_sessions() as session:
        manager = session.scalars(
            select(User).where(User.username.like("mgr-%")).order_by(User.username)
        ).first()
        actor = actor_for(session, manager.username)
        rows = store_summaries(session, actor)
        assert [r.id for r in rows] == [manager.store_id]
        other = session.scalars(select(Store).where(Store.id != manager.store_id)).first()
        with pytest.raises(NotFound):
            sales_for_day(session, actor, other.code, DEMO_ANCHOR)
        assert sales_for_day(session, actor, manager.store_id, DEMO_ANCHOR.replace(day=2))


def test_regional_manager_sees_their_region_and_head_office_sees_all(demo_sessions):
    with demo_sessions() as session:
        everything = store_summaries(session, SYSTEM)
        supervisor = actor_for(session, "sup-east")
        east = store_summaries(session, supervisor)
        assert 0 < len(east) < len(everything)
        assert {r.region for r in east} == {"华东区 East"}
        assert len(store_summaries(session, actor_for(session, "exec"))) == len(everything)


def test_gap_stores_are_flagged_not_assigned(demo_sessions):
    with demo_sessions() as session:
        rows = store_summaries(session, SYSTEM)
    gap = [r for r in rows if r.policy_status == "gap"]
    assert gap, "the demo puts stores in the 5,000-6,000 band"
    for row in gap:
        assert 5000 <= row.avg_daily_revenue < 6000
        assert row.policy_staff_per_shift is None
        assert "5,000-6,000" in row.policy_note
    for row in rows:
        if row.policy_status != "gap":
            assert not 5000 <= row.avg_daily_revenue < 6000


def test_sales_for_day_is_local_time_and_sums_batches(demo_sessions):
    with demo_sessions() as session:
        store = session.scalars(select(Store).order_by(Store.code)).first()
        rows = sales_for_day(session, SYSTEM, store.code, DEMO_ANCHOR.replace(day=2))
    assert rows[0].start.hour == 7 and rows[0].start.utcoffset().total_seconds() == 8 * 3600
    assert all(r.start.minute % 15 == 0 for r in rows)
    assert sum(r.orders for r in rows) > 20


def test_unknown_user_is_refused(demo_sessions):
    from storemon.services.access import AccessDenied

    with demo_sessions() as session, pytest.raises(AccessDenied):
        actor_for(session, "nobody")
