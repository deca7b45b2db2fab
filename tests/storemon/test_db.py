"""The schema on both engines: migrations from empty, round-trips, constraints."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from storemon.db.engine import make_engine
from storemon.db.migrate import current_revision, head_revision, upgrade
from storemon.db.models import Base, Region, Role, SalesBucket, Store, TierBand, TierPolicy, User


def test_migrations_from_empty_create_every_model_table(db_url):
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revision(engine) == head_revision()


def test_upgrade_of_a_current_database_changes_nothing(db_url):
    report = upgrade(make_engine(db_url))
    assert not report.changed
    assert "current" in report.message()


def test_first_upgrade_reports_creation_and_sqlite_file_is_private(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    report = upgrade(make_engine(f"sqlite:///{path}"), backup_dir=tmp_path / "backups")
    assert report.from_revision is None and report.changed
    assert "Created" in report.message()
    assert path.stat().st_mode & 0o077 == 0


def test_store_with_policy_round_trips_times_and_money(session_factory):
    with session_factory() as session:
        policy = TierPolicy(
            name="Source rule",
            bands=[
                TierBand(position=0, min_revenue=None, max_revenue=Decimal("5000"), staff_per_shift=1),
                TierBand(position=1, min_revenue=Decimal("6000"), max_revenue=None, staff_per_shift=2),
            ],
        )
        region = Region(code="E", name="East 华东")
        store = Store(
            code="S1",
            name="人民广场店",
            region=region,
            tier_policy=policy,
            opens_at=time(7),
            closes_at=time(21),
        )
        session.add(store)
        session.flush()
        shanghai = timezone(timedelta(hours=8))
        session.add(
            SalesBucket(
                store_id=store.id,
                bucket_start=datetime(2026, 3, 2, 8, 15, tzinfo=shanghai),
                orders=12,
                items=19,
                revenue=Decimal("431.50"),
                batch_id=_batch(session),
            )
        )
        session.commit()
    with session_factory() as session:
        store = session.scalars(select(Store)).one()
        assert store.name == "人民广场店" and store.region.name == "East 华东"
        assert [b.staff_per_shift for b in store.tier_policy.bands] == [1, 2]
        bucket = session.scalars(select(SalesBucket)).one()
        assert bucket.bucket_start == datetime(2026, 3, 2, 0, 15, tzinfo=UTC)
        assert bucket.revenue == Decimal("431.50")


def _batch(session) -> int:
    from storemon.db.models import ImportBatch

    batch = ImportBatch(
        kind="sales", source_name="t.csv", fingerprint="f" * 64, imported_at=datetime.now(UTC)
    )
    session.add(batch)
    session.flush()
    return batch.id


def test_naive_datetimes_are_refused(session_factory):
    with session_factory() as session, pytest.raises(Exception, match="naive"):
        session.add(
            SalesBucket(
                store_id=1,
                bucket_start=datetime(2026, 3, 2, 8),
                orders=1,
                items=1,
                revenue=Decimal(1),
                batch_id=1,
            )
        )
        session.flush()


def test_foreign_keys_are_enforced(session_factory):
    with session_factory() as session, pytest.raises(IntegrityError):
        session.add(User(username="u", display_name="U", role=Role.STORE_MANAGER, store_id=999))
        session.flush()


def test_unique_usernames(session_factory):
    with session_factory() as session, pytest.raises(IntegrityError):
        session.add_all(
            [
                User(username="li", display_name="A", role=Role.STAFF),
                User(username="li", display_name="B", role=Role.STAFF),
            ]
        )
        session.flush()


def test_an_older_database_is_upgraded_on_start_with_a_backup_and_says_so(tmp_path, capsys):
    from alembic import command

    from storemon.cli import main
    from storemon.db.migrate import _config

    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO regions (code, name) VALUES ('E', 'East')")
    engine.dispose()

    assert main(["--db", f"sqlite:///{path}", "report", "stores"]) == 0
    err = capsys.readouterr().err
    assert "Upgraded the database schema from 0001 to" in err and "backup at" in err
    assert current_revision(make_engine(f"sqlite:///{path}")) == head_revision()
    backups = list((tmp_path / "storemon-home" / "data" / "backups").glob("old-before-*.sqlite3"))
    assert len(backups) == 1 and backups[0].stat().st_mode & 0o077 == 0
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("SELECT name FROM regions").fetchall() == [("East",)]


def test_migrations_match_the_models(db_url):
    """A model changed without a migration shows up here as a difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with make_engine(db_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
