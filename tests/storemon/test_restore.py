"""Restore and start-up refuse what they cannot use, before touching anything: a file that only
looks like a backup, a damaged one, one from a newer Storemon; pre-upgrade backups stay bounded."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from storemon.cli import main
from storemon.db.migrate import KEEP_UPGRADE_BACKUPS, head_revision, upgrade_backup


def _live(home: Path) -> Path:
    return home / "data" / "storemon.sqlite3"


def _stores(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM stores").fetchone()[0]


@pytest.fixture
def demo_home(storemon_home, capsys):
    main(["demo", "--stores", "3", "--weeks", "1", "--anchor", "2026-03-09"])
    capsys.readouterr()
    return storemon_home


def _only_a_version_row(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
    return path


def _damaged_copy(live: Path, path: Path) -> Path:
    with sqlite3.connect(live) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, min(len(data), 12 * page), page):  # wreck a few b-tree pages
        data[offset : offset + 64] = os.urandom(64)
    path.write_bytes(bytes(data))
    return path


def _newer_copy(live: Path, path: Path) -> Path:
    with sqlite3.connect(live) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda live, tmp: _only_a_version_row(tmp / "fake.sqlite3"), "not a Storemon database"),
        (lambda live, tmp: _damaged_copy(live, tmp / "damaged.sqlite3"), "damaged"),
        (lambda live, tmp: _newer_copy(live, tmp / "newer.sqlite3"), "newer Storemon"),
    ],
    ids=["only-alembic-version", "damaged", "newer-schema"],
)
def test_restore_refuses_a_bad_file_with_exit_2_and_the_live_data_intact(
    demo_home, tmp_path, capsys, make, says
):
    live = _live(demo_home)
    before = _stores(live)
    bad = make(live, tmp_path)
    assert main(["db", "restore", str(bad)]) == 2
    error = capsys.readouterr().err
    assert says in error and "Traceback" not in error
    assert _stores(live) == before
    assert main(["report", "stores", "--format", "json"]) == 0  # the app still works on it


def test_a_database_from_a_newer_storemon_is_refused_at_start_without_a_backup_copy(tmp_path, capsys):
    path = tmp_path / "newer.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('9999')")
    engine.dispose()
    for _ in range(2):
        assert main(["--db", f"sqlite:///{path}", "report", "stores"]) == 2
        error = capsys.readouterr().err
        assert "newer Storemon" in error and "nothing was changed" in error
    assert list(tmp_path.glob("**/*before-*")) == []


def test_a_file_that_is_not_a_database_is_refused_at_start(tmp_path, capsys):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 200)
    assert main(["--db", f"sqlite:///{path}", "report", "stores"]) == 2
    error = capsys.readouterr().err
    assert "not a readable Storemon database" in error and "Traceback" not in error


def test_pre_upgrade_backups_are_made_once_per_version_and_pruned(tmp_path):
    live = tmp_path / "shop.sqlite3"
    with sqlite3.connect(live) as conn:
        conn.execute("CREATE TABLE t (x)")
    backups = tmp_path / "backups"
    backups.mkdir()
    for n in range(7):
        old = backups / f"shop-before-000{n}-2026010{n}T000000000000.sqlite3"
        old.write_bytes(b"old")
        os.utime(old, (1_700_000_000 + n, 1_700_000_000 + n))
    engine = create_engine(f"sqlite:///{live}")
    first = upgrade_backup(engine, backups, "0042")
    again = upgrade_backup(engine, backups, "0042")
    engine.dispose()
    assert again == first
    kept = sorted(p.name for p in backups.glob("shop-before-*"))
    assert len(kept) == KEEP_UPGRADE_BACKUPS and first.name in kept
    assert "shop-before-0000-20260100T000000000000.sqlite3" not in kept  # the oldest went first
