"""Backups of the embedded SQLite database; PostgreSQL is backed up with pg_dump (said plainly)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from storemon.db.migrate import backup_sqlite, head_revision, upgrade
from storemon.errors import StoremonError
from storemon.services.database import Database

PG_GUIDANCE = (
    "this is a PostgreSQL database: back it up on the server with "
    "`pg_dump -Fc -d storemon -f storemon.dump` and restore with `pg_restore -d storemon storemon.dump` "
    "(see docs/deployment.md)"
)


class BackupError(StoremonError):
    """A backup or restore that cannot be done as asked."""


def _sqlite_path(database: Database) -> Path:
    if database.engine.dialect.name != "sqlite":
        raise BackupError(PG_GUIDANCE)
    return Path(database.engine.url.database)


def backup_database(database: Database, target: Path) -> Path:
    """A consistent copy made with SQLite's online backup API, readable only by the user."""
    _sqlite_path(database)
    if target.is_dir():
        raise BackupError(
            f"{target} is a folder; give a file name such as {target / 'storemon-backup.sqlite3'}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    copy = backup_sqlite(database.engine, target.parent, "manual")
    shutil.move(copy, target)
    target.chmod(0o600)
    return target


def _revision_of(path: Path) -> str:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a Storemon database ({exc})") from exc
    if row is None:
        raise BackupError(f"{path}: not a Storemon database (no schema version)")
    return row[0]


def restore_database(database: Database, source: Path) -> str:
    """Replace the database with ``source``; the current one is backed up first, the schema upgraded after."""
    current = _sqlite_path(database)
    if not source.exists():
        raise BackupError(f"{source}: no such file")
    revision = _revision_of(source)
    if revision > head_revision():
        raise BackupError(
            f"{source} was written by a newer Storemon (schema {revision}); upgrade Storemon first"
        )
    safety = backup_sqlite(database.engine, current.parent / "backups", "before-restore")
    database.engine.dispose()
    with sqlite3.connect(source) as src, sqlite3.connect(current) as dst:
        src.backup(dst)
    report = upgrade(database.engine)
    return (
        f"restored {source} (schema {revision}) into {current}; the previous database was saved to {safety}"
        + (f"; {report.message()}" if report.changed else "")
    )
