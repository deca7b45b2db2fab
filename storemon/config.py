"""Where Storemon keeps its files and which database it talks to.

Paths come from platformdirs so each OS gets its conventional locations; ``STOREMON_HOME``
moves all of them under one folder (tests, portable installs). The database URL is chosen
by, in order of precedence: the ``--db`` option, ``STOREMON_DB_URL``, the settings file,
and finally the embedded SQLite file in the user data directory.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import platformdirs
import tomli_w
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from storemon.errors import StoremonError

APP_NAME = "storemon"
DB_URL_ENV = "STOREMON_DB_URL"
HOME_ENV = "STOREMON_HOME"
SETTINGS_HEADER = "# Storemon settings for this PC; business settings live in the database.\n"
CONNECT_TIMEOUT_SECONDS = 5


class ConfigError(StoremonError, ValueError):
    """A settings file or option a user wrote cannot be used; the message says where and what to do."""


@dataclass(frozen=True)
class Paths:
    """The folders Storemon writes to."""

    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def default_database(self) -> Path:
        return self.data_dir / "storemon.sqlite3"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"


def app_paths() -> Paths:
    """The folders for this user, honouring ``STOREMON_HOME`` when it is set."""
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home)
        return Paths(root / "data", root / "config", root / "logs")
    return Paths(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )


@dataclass(frozen=True)
class Settings:
    """Per-PC settings from the settings file. Business settings live in the database."""

    database_url: str | None = None
    log_level: str = "INFO"


def load_settings(path: Path) -> Settings:
    """Read the TOML settings file; a missing file means defaults."""
    if not path.exists():
        return Settings()
    try:
        # utf-8-sig: Notepad (before Windows 10 1903) starts UTF-8 files with a byte order mark.
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML ({exc}). Fix the file or delete it to use defaults."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text. Save the file as UTF-8.") from exc
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be read ({exc.strerror or exc}). Check that it is a file this user may read."
        ) from exc
    known = {"database_url": str, "log_level": str}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown setting {key!r}; known settings are {', '.join(known)}.")
        if not isinstance(value, known[key]):
            raise ConfigError(f"{path}: setting {key!r} must be a {known[key].__name__}, got {value!r}.")
    return Settings(**raw)


def save_settings(path: Path, settings: Settings) -> Path:
    """Write the settings file (tomli-w): only values that differ from the defaults, atomically.

    The file is readable by its user only, because a PostgreSQL URL may carry a password.
    """
    defaults = asdict(Settings())
    values = {k: v for k, v in asdict(settings).items() if v is not None and v != defaults[k]}
    content = SETTINGS_HEADER + tomli_w.dumps(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".toml.tmp")
    fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.replace(temp, path)
    return path


def resolve_database_url(cli_url: str | None, paths: Paths | None = None) -> str:
    """The database URL by precedence: ``--db``, ``STOREMON_DB_URL``, settings file, embedded SQLite."""
    if cli_url:
        return cli_url
    env_url = os.environ.get(DB_URL_ENV)
    if env_url:
        return env_url
    paths = paths or app_paths()
    settings = load_settings(paths.settings_file)
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{paths.default_database}"


# ------------------------------------------------------------------------------------ database connection


@dataclass(frozen=True)
class ConnectionReport:
    """What "Test connection" found: the server and whether it already holds a Storemon schema."""

    url: str
    """The URL tested, password masked."""
    backend: str
    server_version: str
    schema_revision: str | None
    """Alembic revision of a Storemon database there; None for an empty or new database."""
    note: str = ""


@dataclass(frozen=True)
class DatabaseLocation:
    """Which database this PC uses, and where that choice comes from."""

    in_use: str
    """The URL of the open database, password masked."""
    settings_file: Path
    configured: str | None
    """The URL in the settings file (masked), None when the file names none."""
    overridden_by: str | None
    """``STOREMON_DB_URL`` when that environment variable wins over the settings file."""
    default_url: str


def mask_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def url_from_input(value: str) -> str:
    """A database URL from what a user typed: a URL as is, or a file path as a SQLite URL."""
    value = value.strip()
    if not value:
        raise ConfigError("enter a SQLite file path or a PostgreSQL URL (postgresql://USER:PASSWORD@HOST/DB)")
    if "://" not in value:
        path = Path(value).expanduser()
        if path.is_dir():
            raise ConfigError(f"{path} is a folder; enter the path of a database file inside it")
        return f"sqlite:///{path.resolve()}"
    from storemon.db.engine import normalise_url  # storemon.db.engine reads this module

    return normalise_url(value)


def _first_line(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


def check_connection(value: str, timeout: float = CONNECT_TIMEOUT_SECONDS) -> ConnectionReport:
    """Connect, run ``SELECT 1`` and report the server version; never creates or upgrades anything.

    Raises ``ConfigError`` with a message a user can act on when the database cannot be reached.
    """
    url = url_from_input(value)
    parsed = make_url(url)
    masked = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        return _check_sqlite(parsed.database or "", masked, timeout)
    engine = create_engine(
        url,
        poolclass=NullPool,
        connect_args={
            "connect_timeout": max(1, int(timeout)),
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        },
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            version = str(conn.execute(text("SHOW server_version")).scalar())
            revision = None
            if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is not None:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        host = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        raise ConfigError(
            f"cannot connect to {masked}: {_first_line(exc)}. Check that the server at {host} is running "
            "and reachable from this PC, and that the user name, password and database name are right."
        ) from exc
    finally:
        engine.dispose()
    return ConnectionReport(masked, "PostgreSQL", version, revision)


def _check_sqlite(database: str, masked: str, timeout: float) -> ConnectionReport:
    if not database or database == ":memory:":
        raise ConfigError("a SQLite URL needs a file path: sqlite:///PATH/TO/storemon.sqlite3")
    path = Path(database)
    if not path.exists():
        if not path.parent.exists():
            raise ConfigError(f"the folder {path.parent} does not exist; create it or choose another path")
        return ConnectionReport(
            masked,
            "SQLite",
            sqlite3.sqlite_version,
            None,
            "the file does not exist yet; Storemon will create an empty database there on the next start",
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
        try:
            conn.execute("SELECT 1")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            elif tables:
                raise ConfigError(f"{path} is a SQLite database but not a Storemon one; choose another file")
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path} cannot be opened as a SQLite database: {exc}") from exc
    return ConnectionReport(masked, "SQLite", sqlite3.sqlite_version, revision)


def database_location(in_use: str, paths: Paths | None = None) -> DatabaseLocation:
    paths = paths or app_paths()
    try:
        configured = load_settings(paths.settings_file).database_url
    except ConfigError:
        configured = None
    env = os.environ.get("STOREMON_DB_URL")
    return DatabaseLocation(
        in_use=in_use,
        settings_file=paths.settings_file,
        configured=None if configured is None else mask_url(configured),
        overridden_by="STOREMON_DB_URL" if env else None,
        default_url=f"sqlite:///{paths.default_database}",
    )


def save_database_url(value: str | None, paths: Paths | None = None) -> Path:
    """Write ``database_url`` to this PC's settings file (None: back to the embedded SQLite file).

    Other settings in the file are kept; the file is readable by its user only, because a
    PostgreSQL URL may carry a password. Takes effect on the next start.
    """
    paths = paths or app_paths()
    current = load_settings(paths.settings_file)
    url = None if value is None else url_from_input(value)
    return save_settings(paths.settings_file, replace(current, database_url=url))
