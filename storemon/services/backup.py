"""Backups of the embedded SQLite database; PostgreSQL is backed up with pg_dump (said plainly)."""

from __future__ import annotations

import shutil
from pathlib import Path

from storemon.db.migrate import backup_sqlite, upgrade
from storemon.db.restore import check_backup, replace_sqlite_file
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


def restore_database(database: Database, source: Path) -> str:
    """Replace the database with ``source`` once the file checks out; the current one is backed up
    first and the schema upgraded after. A bad file changes nothing (``storemon.db.restore``)."""
    current = _sqlite_path(database)
    check_backup(source)
    safety = backup_sqlite(database.engine, current.parent / "backups", "before-restore")
    database.engine.dispose()
    restored = replace_sqlite_file(current, source)
    report = upgrade(database.engine)
    return (
        f"restored {source} ({restored.summary()}) into {current}; the previous database was saved to "
        f"{safety}" + (f"; {report.message()}" if report.changed else "")
    )
