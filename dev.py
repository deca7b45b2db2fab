#!/usr/bin/env python3
"""Set up Storemon on a fresh machine and run it or its tests: ``python3 dev.py run|test``.

Needs only Python >= 3.11. On Debian/Ubuntu it installs the system libraries headless Qt,
CJK text, the PostgreSQL tests and the browser tests (Chromium) need (with apt, when run as
root; otherwise it prints the apt-get line to run). It creates ``.venv`` beside this file, installs Storemon into it (again
only when pyproject.toml changed), then runs the app or the whole test suite.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")

# Qt's offscreen and xcb platforms, fonts for Chinese, and the PostgreSQL server for the chain-mode tests.
APT_RUN = [
    "libegl1",
    "libgl1",
    "libglib2.0-0",
    "libfontconfig1",
    "libdbus-1-3",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "fonts-wqy-microhei",
]
# chromium: the browser tests of storemon web drive Debian's headless Chromium through Playwright
# (over CDP, so no chromium-driver, and never `playwright install`).
APT_TEST = ["postgresql", "poppler-utils", "desktop-file-utils", "systemd", "chromium"]


def say(message: str) -> None:
    print(f"[dev] {message}", file=sys.stderr, flush=True)


def missing_debs(packages: list[str]) -> list[str]:
    missing = []
    for package in packages:
        probe = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
        if "install ok installed" not in probe.stdout:
            missing.append(package)
    return missing


def ensure_system_packages(packages: list[str]) -> None:
    """Install what apt lacks, or say how; other systems ship these with Qt already."""
    if not sys.platform.startswith("linux") or shutil.which("dpkg-query") is None:
        return
    missing = missing_debs(packages)
    if not missing:
        return
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if os.geteuid() != 0:
        say("missing system packages; please run:  sudo " + " ".join(command))
        return
    say("installing " + " ".join(missing))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


def ensure_venv() -> None:
    if (BIN / "python").exists():
        return
    say(f"creating {VENV}")
    try:
        venv.create(VENV, with_pip=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(VENV, ignore_errors=True)
        if shutil.which("apt-get") and os.geteuid() == 0:
            ensure_system_packages([f"python3.{sys.version_info.minor}-venv"])
            venv.create(VENV, with_pip=True)
        else:
            sys.exit(
                f"[dev] cannot create a virtual environment ({exc}); on Debian: sudo apt-get install python3-venv"
            )


def ensure_installed(extras: str) -> None:
    """pip install the project (editable) unless this exact pyproject.toml is already installed."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".storemon-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing storemon[{extras}] into {VENV}")
    pip = [str(BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f".[{extras}]"], check=True, cwd=ROOT)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"[dev] Storemon needs Python >= 3.11; this is {sys.version.split()[0]}")
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    action, rest = argv[0], argv[1:]
    if action == "run":
        ensure_system_packages(APT_RUN)
        ensure_venv()
        ensure_installed("postgres")
        return subprocess.call([str(BIN / "storemon"), *rest])
    ensure_system_packages(APT_RUN + APT_TEST)
    ensure_venv()
    ensure_installed("test,postgres")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    code = subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT, env=env)
    if code == 5:
        say("pytest collected no tests: that is a failure here")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
