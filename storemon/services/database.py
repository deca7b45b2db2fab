"""Opening the database: engine, schema upgrade, session factory, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from storemon.config import ConfigError, Paths, app_paths, resolve_database_url
from storemon.db.engine import describe, make_engine, make_session_factory
from storemon.db.migrate import UpgradeReport, upgrade
from storemon.db.models import Store


@dataclass
class Database:
    """An open, up-to-date database and the factory for its sessions."""

    engine: Engine
    sessions: sessionmaker[Session]
    upgrade_report: UpgradeReport

    @property
    def description(self) -> str:
        return describe(self.engine)

    def is_empty(self) -> bool:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(Store)) == 0

    def close(self) -> None:
        self.engine.dispose()


def open_database(cli_url: str | None = None, paths: Paths | None = None) -> Database:
    """Open the database chosen by precedence, upgrading its schema (with a backup) if older."""
    paths = paths or app_paths()
    url = resolve_database_url(cli_url, paths)
    engine = make_engine(url)
    try:
        report = upgrade(engine, backup_dir=paths.backup_dir)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(
            f"cannot open the database {describe(engine)}: {reason}. "
            "Check that the server is running and the URL (--db, STOREMON_DB_URL or the settings file) is right."
        ) from exc
    except ProgrammingError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(
            f"the database {describe(engine)} needs a schema upgrade, and its user may not change the "
            f"schema ({reason}). Upgrade it as the owner role: "
            "storemon --db postgresql://OWNER@HOST/DB db upgrade, then start again."
        ) from exc
    return Database(engine, make_session_factory(engine), report)
