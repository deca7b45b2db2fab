"""Start Storemon when the user signs in to this computer, so escalations keep running.

On one PC the escalation of a relief request needs some Storemon process to be running; the
simplest guarantee is that Storemon starts with the session. Linux (and other XDG desktops): a
``.desktop`` file in ``$XDG_CONFIG_HOME/autostart`` (freedesktop Autostart spec); Windows: a
``.cmd`` in the user's Startup folder. Elsewhere this says it cannot, and changes nothing.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from storemon.errors import StoremonError

NAME = "storemon"


class AutostartError(StoremonError):
    """Autostart cannot be set on this system."""


def entry_path() -> Path | None:
    """Where the autostart entry lives on this system, or None where there is no such place."""
    if sys.platform.startswith("win"):
        appdata = os.environ.get("APPDATA")
        if not appdata:
            return None
        return Path(appdata) / "Microsoft/Windows/Start Menu/Programs/Startup" / f"{NAME}.cmd"
    if sys.platform == "darwin":
        return None
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "autostart" / f"{NAME}.desktop"


def command() -> list[str]:
    """The command that starts the main window: this interpreter running this Storemon."""
    return [sys.executable, "-m", "storemon.cli", "gui"]


def is_enabled() -> bool:
    path = entry_path()
    return path is not None and path.exists()


def enable() -> Path:
    path = entry_path()
    if path is None:
        raise AutostartError(
            "this system has no autostart folder Storemon knows; add Storemon to your login items yourself"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".cmd":
        path.write_text(f'@start "" {subprocess.list2cmdline(command())}\r\n', encoding="utf-8")
    else:
        path.write_text(
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=Storemon\n"
            "Comment=Keeps calls for help escalating on this PC\n"
            f"Exec={shlex.join(command())}\n"
            "X-GNOME-Autostart-enabled=true\n",
            encoding="utf-8",
        )
    return path


def disable() -> None:
    path = entry_path()
    if path is not None:
        path.unlink(missing_ok=True)
