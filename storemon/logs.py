"""Logging to a rotating file in the user log directory, and to stderr with ``-v``."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_dir: Path, verbosity: int = 0) -> Path:
    """Log INFO and up to ``storemon.log`` (rotating, 5 x 2 MB); ``-v`` echoes INFO, ``-vv`` DEBUG."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "storemon.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_storemon", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler._storemon = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    level = logging.DEBUG if verbosity >= 2 else logging.INFO
    root.setLevel(level)
    if verbosity:
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        console.setLevel(level)
        console._storemon = True  # type: ignore[attr-defined]
        root.addHandler(console)
    return log_file
