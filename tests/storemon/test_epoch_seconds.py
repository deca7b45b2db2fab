"""``epoch_seconds``: the database turns stored UTC times into numbers the same way on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storemon.db.models import Region, RosterShift, StaffMember, Store
from storemon.db.types import epoch_seconds


def test_epoch_seconds_of_stored_times_match_python(session_factory):
    starts = [
        datetime(2026, 3, 9, 6, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 15, 30, 250000, tzinfo=UTC),  # a DST night in Europe; fractions
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
    ]
    with session_factory.begin() as session:
        region = Region(code="E", name="East")
        store = Store(code="E1", name="East 1", timezone="Europe/London", region=region)
        person = StaffMember(code="P1", name="Pat", home_store=store)
        session.add_all([region, store, person])
        session.flush()
        for start in starts:
            session.add(
                RosterShift(
                    store_id=store.id, staff_id=person.id, starts_at=start, ends_at=start + timedelta(hours=8)
                )
            )
    with session_factory() as session:
        got = session.execute(
            select(epoch_seconds(RosterShift.starts_at), epoch_seconds(RosterShift.ends_at)).order_by(
                RosterShift.starts_at
            )
        ).all()
    expected = sorted(starts)
    for (start, end), want in zip(got, expected, strict=True):
        assert abs(start - want.timestamp()) < 1e-3
        assert abs(end - (want.timestamp() + 8 * 3600)) < 1e-3
