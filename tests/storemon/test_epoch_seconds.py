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


def test_number_rows_reads_numbers_as_the_orm_would_within_the_session(demo_sessions):
    """``number_rows`` (the driver's cursor, no Row per row) gives the values ``session.execute``
    gives, sees the session's own uncommitted writes, and answers an empty (0, columns) array."""
    from sqlalchemy import func, select

    from storemon.db.models import SalesBucket
    from storemon.db.types import epoch_seconds, number_rows

    statement = select(
        SalesBucket.store_id, epoch_seconds(SalesBucket.bucket_start), SalesBucket.orders
    ).order_by(SalesBucket.id)
    with demo_sessions() as session:
        expected = [tuple(map(float, row)) for row in session.execute(statement)]
        fast = number_rows(session, statement)
        assert fast.shape == (len(expected), 3) and len(expected) > 1000
        assert [tuple(row) for row in fast.tolist()] == expected
        session.execute(SalesBucket.__table__.delete())
        assert number_rows(session, statement).shape == (0, 3)  # the session's own transaction
        assert session.scalar(select(func.count()).select_from(SalesBucket)) == 0
