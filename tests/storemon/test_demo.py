"""The demo chain: realistic enough to show every tier, deterministic for a given seed."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from storemon.db.engine import make_engine, make_session_factory
from storemon.db.migrate import upgrade
from storemon.db.models import (
    Base,
    CheckIn,
    Incident,
    Role,
    RosterShift,
    SalesBucket,
    StaffMember,
    Store,
    User,
)
from storemon.services import demo
from storemon.services.access import SYSTEM
from storemon.services.demo import build_demo
from storemon.services.stores import store_summaries
from storemon.services.timegrid import local_midnight
from tests.conftest import _fresh_pg_database


def _fingerprint(session) -> str:
    """A digest of what a user would see: every bucket and shift, in order."""
    digest = hashlib.sha256()
    for row in session.execute(
        select(Store.code, SalesBucket.bucket_start, SalesBucket.orders, SalesBucket.revenue)
        .join(Store, Store.id == SalesBucket.store_id)
        .order_by(Store.code, SalesBucket.bucket_start)
    ):
        digest.update(repr(tuple(row)).encode())
    for row in session.execute(
        select(Store.code, RosterShift.starts_at, RosterShift.ends_at)
        .join(Store, Store.id == RosterShift.store_id)
        .order_by(Store.code, RosterShift.starts_at, RosterShift.ends_at)
    ):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_same_seed_gives_the_same_chain_and_another_seed_does_not(tmp_path):
    from storemon.services.database import open_database

    prints = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        db = open_database(f"sqlite:///{tmp_path / name}.sqlite3")
        with db.sessions() as session:
            build_demo(session, stores=6, weeks=2, seed=seed, anchor=date(2026, 5, 4))
            session.commit()
            prints.append(_fingerprint(session))
        db.close()
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


def test_default_demo_has_every_tier_gap_stores_rushes_and_people(session_factory):
    with session_factory() as session:
        summary = build_demo(session, anchor=date(2026, 3, 9))
        session.commit()
        assert summary.stores >= 30 and summary.regions == 3
        rows = store_summaries(session, SYSTEM)
        revenues = [r.avg_daily_revenue for r in rows]
        assert min(revenues) < 3000 and max(revenues) > 13000
        statuses = {r.policy_status for r in rows}
        assert "gap" in statuses
        assert any(r.policy_staff_per_shift == 1 for r in rows) and any(
            r.policy_staff_per_shift == 2 for r in rows
        )
        assert any(r.solo_hours_per_week >= 70 for r in rows), "small stores run solo all day"
        roles = set(session.scalars(select(User.role)).all())
        assert roles == set(Role)
        assert session.scalar(select(func.count()).select_from(Incident)) > 0
        assert session.scalar(select(func.count()).select_from(CheckIn)) > 0
        # History ends the day before the anchor; rosters run to the end of next week.
        assert summary.last_sales_day == date(2026, 3, 8)
        assert summary.last_roster_day == date(2026, 3, 22)


def test_demo_day_has_a_morning_rush_and_surge_season_lifts_demand(demo_sessions):
    with demo_sessions() as session:
        store = session.scalars(select(Store).order_by(Store.code)).first()

        def orders_between(day: date, start_h: float, end_h: float) -> int:
            base = local_midnight(day, store.timezone)
            from datetime import timedelta

            return session.scalar(
                select(func.coalesce(func.sum(SalesBucket.orders), 0)).where(
                    SalesBucket.store_id == store.id,
                    SalesBucket.bucket_start >= base + timedelta(hours=start_h),
                    SalesBucket.bucket_start < base + timedelta(hours=end_h),
                )
            )

        weekdays = [
            date(2026, 2, 23),
            date(2026, 2, 24),
            date(2026, 2, 25),
            date(2026, 3, 2),
            date(2026, 3, 3),
        ]
        rush = sum(orders_between(d, 7.5, 9.5) for d in weekdays)
        afternoon = sum(orders_between(d, 16.5, 18.5) for d in weekdays)
        assert rush > 1.5 * afternoon


def test_a_shift_added_after_the_demo_gets_a_fresh_id(demo_sessions):
    """The demo chooses its shifts' ids itself (check-ins point at them); the next shift a user
    adds must not collide with them (PostgreSQL's id sequence was moved past them)."""
    with demo_sessions() as session:
        _assert_a_new_shift_gets_a_fresh_id(session)


def _assert_a_new_shift_gets_a_fresh_id(session) -> None:
    """A shift a user adds after the demo gets an id past every id the demo chose itself."""
    member = session.scalars(select(StaffMember).order_by(StaffMember.id)).first()
    shift = RosterShift(
        store_id=member.home_store_id,
        staff_id=member.id,
        starts_at=datetime(2026, 4, 1, 1, 0, tzinfo=UTC),
        ends_at=datetime(2026, 4, 1, 5, 0, tzinfo=UTC),
    )
    session.add(shift)
    session.flush()
    assert shift.id > session.scalar(select(func.max(CheckIn.shift_id)))


def _schema(connection) -> set[str]:
    """Every table's constraints and indexes as the database describes them."""
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
            "UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
    else:
        query = "SELECT coalesce(sql, name) FROM sqlite_master WHERE type IN ('table', 'index')"
    return {row[0] for row in connection.exec_driver_sql(query)}


def _build_small_demo(engine, **options) -> None:
    with make_session_factory(engine)() as session:
        build_demo(session, stores=4, weeks=1, seed=2, anchor=date(2026, 3, 9), **options)
        session.commit()


def test_the_demo_leaves_every_constraint_and_index_as_migrated_and_enforced(engine):
    """On PostgreSQL the bulk load drops the big tables' foreign keys, unique constraints and
    indexes; they must all come back, and hold."""
    with engine.connect() as connection:
        migrated = _schema(connection)
    _build_small_demo(engine)
    with engine.connect() as connection:
        assert _schema(connection) == migrated
    with make_session_factory(engine)() as session:
        bucket = session.scalars(select(SalesBucket).order_by(SalesBucket.id)).first()
        shift = session.scalars(select(RosterShift).order_by(RosterShift.id)).first()
        twin = {c: getattr(bucket, c) for c in ("store_id", "bucket_start", "orders", "items", "revenue")}
        # The same bucket of the same batch twice; a check-in for a shift that does not exist.
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(SalesBucket(**twin, batch_id=bucket.batch_id))
        orphan = CheckIn(
            staff_id=shift.staff_id,
            store_id=shift.store_id,
            shift_id=10**9,
            score=3,
            created_at=shift.ends_at,
        )
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(orphan)


def test_a_demo_that_fails_midway_leaves_nothing_and_the_constraints(engine, monkeypatch):
    """The dropped constraints belong to the demo's transaction: a failure rolls them back too."""
    with engine.connect() as connection:
        migrated = _schema(connection)
    check_ins = demo._check_ins
    calls = []

    def failing(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return check_ins(*args)

    monkeypatch.setattr(demo, "_check_ins", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        _build_small_demo(engine)
    with engine.connect() as connection:
        assert _schema(connection) == migrated
        assert connection.execute(select(func.count()).select_from(Store)).scalar() == 0


def _every_row(session) -> dict[str, list[tuple]]:
    """Every row of every table, by id; hashes with a random salt and the import's clock left out."""
    salted = {"pin_hash", "password_hash", "imported_at"}
    rows = {}
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name not in salted]
        order = list(table.primary_key.columns) or columns
        rows[table.name] = [tuple(r) for r in session.execute(select(*columns).order_by(*order))]
    return rows


@pytest.mark.postgres
def test_the_same_seed_gives_the_same_rows_on_sqlite_and_postgresql(tmp_path, pg_server):
    """COPY on PostgreSQL and executemany on SQLite load the same generated values."""
    found = []
    for url in (f"sqlite:///{tmp_path / 'demo.sqlite3'}", _fresh_pg_database(pg_server)):
        engine = make_engine(url)
        upgrade(engine)
        _build_small_demo(engine)
        with make_session_factory(engine)() as session:
            found.append(_every_row(session))
        engine.dispose()
    sqlite_rows, pg_rows = found
    assert len(sqlite_rows["sales_buckets"]) > 1000 and sqlite_rows["incidents"] and sqlite_rows["check_ins"]
    for table, rows in sqlite_rows.items():
        assert pg_rows[table] == rows, table


@pytest.mark.postgres
def test_the_application_role_fills_an_empty_chain_database_with_the_demo(pg_server, tmp_path):
    """The least-privilege role of docs/security.md may not alter tables nor move sequences with
    setval: the demo still loads (with the checks in place), and later rows get fresh ids."""
    from tests.storemon.test_secrets import _doc_sql, _roles, _statements

    roles = _roles(pg_server, tmp_path)
    owner = make_engine(roles["owner"])
    upgrade(owner)
    with owner.begin() as connection:
        for statement in _statements(_doc_sql("after-upgrade"), roles["names"]):
            connection.execute(text(statement))
        migrated = _schema(connection)
    owner.dispose()
    app = make_engine(roles["app"])
    try:
        _build_small_demo(app)
        with app.connect() as connection:
            assert _schema(connection) == migrated
        with make_session_factory(app)() as session:
            _assert_a_new_shift_gets_a_fresh_id(session)
            assert session.scalar(select(func.count()).select_from(SalesBucket)) > 1000
    finally:
        app.dispose()
