"""Logging to a rotating file in the user log directory, and to stderr with ``-v``."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from storemon.config import ConfigError, load_settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
log = logging.getLogger(__name__)


def file_log_level(settings_file: Path | None) -> tuple[int, str | None]:
    """The ``log_level`` of the settings file (INFO without one), and a problem to log, if any.

    A settings file that cannot be read is reported when the database is opened, with what to
    do; logging starts at INFO rather than failing first with less to say.
    """
    if settings_file is None:
        return logging.INFO, None
    try:
        name = load_settings(settings_file).log_level.strip().upper()
    except ConfigError:
        return logging.INFO, None
    if name not in LEVELS:
        return logging.INFO, (
            f"{settings_file}: log_level {name!r} is not a level; logging INFO and up. "
            f"Use one of {', '.join(LEVELS)}."
        )
    return logging.getLevelNamesMapping()[name], None


def setup_logging(log_dir: Path, verbosity: int = 0, settings_file: Path | None = None) -> Path:
    """Log to ``storemon.log`` (rotating, 5 x 2 MB) from the settings file's ``log_level`` (INFO) up.

    ``-v`` echoes INFO and up to stderr; ``-vv`` logs DEBUG to both.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "storemon.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_storemon", False):
            root.removeHandler(handler)
            handler.close()
    file_level, problem = file_log_level(settings_file)
    if verbosity >= 2:
        file_level = logging.DEBUG
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler.setLevel(file_level)
    file_handler._storemon = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    root.setLevel(file_level)
    if verbosity:
        console_level = logging.DEBUG if verbosity >= 2 else logging.INFO
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        console.setLevel(console_level)
        console._storemon = True  # type: ignore[attr-defined]
        root.addHandler(console)
        root.setLevel(min(file_level, console_level))
    if problem:
        log.warning(problem)
    return log_file
