"""One code path for SQLite and PostgreSQL: engine creation and the session factory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from storemon.config import ConfigError
from storemon.db.changes import track_changes


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and route them to psycopg 3, the driver we ship."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            f"database URL {url!r} is not valid: use sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"database URL {parsed!r}: only SQLite and PostgreSQL are supported")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the GUI read while the scheduler writes; the busy timeout makes a writer wait
    # for another instead of failing at once; SQLite leaves foreign keys off unless asked.
    # synchronous=FULL syncs the WAL at every commit: a committed call for help survives a
    # power cut (NORMAL may lose the last commits). Sales imports commit every ~50 ms (see
    # importers/staging.py): about one sync per 50 ms of writing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_relaxed(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _create_private_file(path: Path) -> None:
    """Create the SQLite file readable only by its user: it holds people's stress scores."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, stat.S_IRUSR | stat.S_IWUSR)
        os.close(fd)


def make_engine(url: str, *, echo: bool = False, durable: bool = True) -> Engine:
    """An engine for ``url`` with the per-backend settings Storemon relies on.

    ``durable=False`` (SQLite only) syncs the WAL at checkpoints instead of every commit: for
    bookkeeping that can be redone, such as the outbox dispatcher's claims and delivery marks
    (lost marks mean a re-send that receivers drop by its key), never for alerts or calls.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private_file(Path(parsed.database))
        engine = create_engine(url, echo=echo, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        if not durable:
            event.listen(engine, "connect", _sqlite_relaxed)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    track_changes(engine)  # every commit tells the open screens what changed (storemon.db.changes)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions keep loaded values after commit so services can return them to the UI."""
    return sessionmaker(engine, expire_on_commit=False)


def describe(engine: Engine) -> str:
    """The engine's URL with any password masked, for logs and the status bar."""
    return engine.url.render_as_string(hide_password=True)
