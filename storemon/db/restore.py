"""Restoring a SQLite backup: check the file completely, then swap it in atomically.

Nothing touches the live database until the copy has passed SQLite's integrity check, carries a
schema version this Storemon knows, and has the tables every version has had. The swap is one
``os.replace`` of a fully written file beside the live one, so a crash leaves either the old
database or the new one, never half of each.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storemon.db.migrate import SchemaError, check_revision

REQUIRED_TABLES = frozenset(
    {
        "alembic_version",
        "regions",
        "stores",
        "users",
        "staff_members",
        "roster_shifts",
        "sales_buckets",
        "alerts",
    }
)
"""Tables every schema version since 0001 has; a file without them is not a Storemon database."""


@dataclass(frozen=True)
class BackupCheck:
    """What a checked backup file holds: its schema version and rows per table."""

    path: Path
    revision: str
    row_counts: dict[str, int]

    def summary(self) -> str:
        rows = ", ".join(f"{count} {table}" for table, count in sorted(self.row_counts.items()) if count)
        return f"schema {self.revision}; {rows or 'no rows'}"


def check_backup(path: Path) -> BackupCheck:
    """Read ``path`` (read-only) and say what is wrong with it as a SchemaError, or what it holds."""
    if not path.is_file():
        raise SchemaError(f"{path}: no such file; give the path of a backup made by `storemon db backup`")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchall()
            if integrity != [("ok",)]:
                problems = "; ".join(str(row[0]) for row in integrity[:3])
                raise SchemaError(f"{path}: the file is damaged ({problems}); use an older backup")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            missing = sorted(REQUIRED_TABLES - tables)
            if missing:
                raise SchemaError(
                    f"{path}: not a Storemon database (missing tables: {', '.join(missing)}); "
                    "nothing was changed"
                )
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            counts = {
                table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in sorted(tables)
                if not table.startswith("sqlite_")
            }
    except sqlite3.DatabaseError as exc:
        raise SchemaError(
            f"{path}: not a Storemon database, or a damaged one (SQLite cannot read it: {exc}); "
            "nothing was changed"
        ) from exc
    if version is None:
        raise SchemaError(f"{path}: not a Storemon database (no schema version); nothing was changed")
    check_revision(version[0], str(path))
    return BackupCheck(path, version[0], counts)


def replace_sqlite_file(live: Path, source: Path) -> BackupCheck:
    """Check ``source``, copy it beside ``live``, check the copy, then swap it in atomically.

    The caller has closed every connection of this process to ``live`` (engine.dispose()).
    """
    check_backup(source)
    staging = live.with_name(f".{live.name}.restoring")
    staging.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(staging) as dst:
        src.backup(dst)
    staging.chmod(0o600)
    checked = check_backup(staging)
    # Fold the live WAL into the file so no stale -wal/-shm is left to pair with the new file.
    with sqlite3.connect(live) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(staging, live)
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    return BackupCheck(live, checked.revision, checked.row_counts)
