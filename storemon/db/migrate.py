"""Schema upgrades with Alembic; the app upgrades an older database on start and says so.

A SQLite file is copied to the backups folder before any migration touches it, so a failed
upgrade never costs a store its history (Vorta does the same before its migrations).
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

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 7_432_002  # PostgreSQL advisory lock id held while migrating


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


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


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


def upgrade(engine: Engine, backup_dir: Path | None = None) -> UpgradeReport:
    """Bring the schema to the newest revision, backing up a non-empty SQLite file first."""
    before = current_revision(engine)
    head = head_revision()
    backup = None
    if before != head:
        if before is not None and backup_dir is not None:
            backup = backup_sqlite(engine, backup_dir, f"before-{head}")
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
