"""Where Storemon keeps its files and which database it talks to.

Paths come from platformdirs so each OS gets its conventional locations; ``STOREMON_HOME``
moves all of them under one folder (tests, portable installs). The database URL is chosen
by, in order of precedence: the ``--db`` option, ``STOREMON_DB_URL``, the settings file,
and finally the embedded SQLite file in the user data directory.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs
import tomli_w

from storemon.errors import StoremonError

APP_NAME = "storemon"
DB_URL_ENV = "STOREMON_DB_URL"
HOME_ENV = "STOREMON_HOME"
SETTINGS_HEADER = "# Storemon settings for this PC; business settings live in the database.\n"


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
