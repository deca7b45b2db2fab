"""Schema upgrades with Alembic; the app upgrades an older database on start and says so.

A SQLite file is copied to the backups folder before any migration touches it, so a failed
upgrade never costs a store its history (Vorta does the same before its migrations): one copy
per schema version, the newest ``KEEP_UPGRADE_BACKUPS`` kept. A database written by a newer
Storemon, or a file that is not a database, is refused with a clear message before anything
is written.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError, OperationalError

from storemon.errors import StoremonError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_432_002  # PostgreSQL advisory lock id held while migrating
KEEP_UPGRADE_BACKUPS = 5


class SchemaError(StoremonError):
    """The database cannot be used by this Storemon: newer, unknown or not a database at all."""


@dataclass(frozen=True)
class UpgradeReport:
    """What ``upgrade`` did, for the CLI and the status bar."""

    from_revision: str | None
    to_revision: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision

    def message(self) -> str:
        if not self.changed:
            return f"Database schema is current ({self.to_revision})."
        if self.from_revision is None:
            return f"Created the database schema ({self.to_revision})."
        backup = f"; backup at {self.backup}" if self.backup else ""
        return f"Upgraded the database schema from {self.from_revision} to {self.to_revision}{backup}."


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The schema version stored in the database; a file that is not a database says so."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError:
        raise  # a server that is down or a wrong URL: the caller explains those
    except DatabaseError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise SchemaError(
            f"{engine.url.render_as_string(hide_password=True)} is not a readable Storemon database "
            f"({reason}). Restore a backup with `storemon db restore FILE`, or point --db at the right file."
        ) from exc


def check_revision(revision: str | None, where: str) -> None:
    """Refuse a schema this Storemon does not know (written by a newer version)."""
    if revision is not None and revision not in known_revisions():
        raise SchemaError(
            f"{where} has schema version {revision}, which this Storemon does not know (it knows up to "
            f"{head_revision()}): it was written by a newer Storemon. Install that version or newer; "
            "nothing was changed."
        )


def backup_sqlite(engine: Engine, backup_dir: Path, reason: str) -> Path | None:
    """Copy a SQLite database with the online backup API; returns the copy's path."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = backup_dir / f"{Path(database).stem}-{reason}-{stamp}.sqlite3"
    with sqlite3.connect(database) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    target.chmod(0o600)
    return target


def upgrade_backup(engine: Engine, backup_dir: Path, head: str) -> Path | None:
    """The copy made before upgrading to ``head``: once per version, the newest few kept."""
    stem = Path(engine.url.database or "").stem
    existing = sorted(backup_dir.glob(f"{stem}-before-{head}-*.sqlite3"))
    if existing:
        return existing[-1]
    backup = backup_sqlite(engine, backup_dir, f"before-{head}")
    upgrades = sorted(backup_dir.glob(f"{stem}-before-*.sqlite3"), key=lambda p: p.stat().st_mtime)
    for old in upgrades[:-KEEP_UPGRADE_BACKUPS]:
        old.unlink(missing_ok=True)
    return backup


def upgrade(engine: Engine, backup_dir: Path | None = None) -> UpgradeReport:
    """Bring the schema to the newest revision, backing up a non-empty SQLite file first."""
    before = current_revision(engine)
    check_revision(before, engine.url.render_as_string(hide_password=True))
    head = head_revision()
    backup = None
    if before != head:
        if before is not None and backup_dir is not None:
            backup = upgrade_backup(engine, backup_dir, head)
        cfg = _config()
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two workers starting on an empty database must not both run the migrations.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    report = UpgradeReport(before, head, backup)
    if report.changed:
        log.info(report.message())
    return report
