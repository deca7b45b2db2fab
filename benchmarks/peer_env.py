"""A separate Python 3.12 virtualenv for the peer libraries benchmarks compare against.

Peer libraries (pyworkforce, ciw, ...) are not Storemon dependencies and some do not support
the project's Python 3.11, so benchmarks run them in their own interpreter as a subprocess.
The venv lives in benchmarks/.peer-venv-312/ (git-ignored) and is created on first use.

    from peer_env import PeerEnvError, peer_python
    python = peer_python(["pyworkforce==0.5.4"])  # Path of the venv's python

Command line: `python benchmarks/peer_env.py ciw==3.2.7 ...` prints that path.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PEER_VENV_DIR = Path(__file__).resolve().parent / ".peer-venv-312"
BASE_PYTHON = Path(os.environ.get("STOREMON_PEER_PYTHON", "/root/.pyenv/versions/3.12.1/bin/python3.12"))

# Runs inside the peer venv: prints, as JSON, the requirements that are not installed or whose
# installed version does not satisfy the specifier. pip vendors `packaging`, so it is always there.
_PROBE = """
import json, sys, importlib.metadata as md
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
unmet = []
for spec in sys.argv[1:]:
    req = Requirement(spec)
    try:
        version = md.version(req.name)
    except md.PackageNotFoundError:
        unmet.append(spec)
        continue
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        unmet.append(spec)
print(json.dumps(unmet))
"""


class PeerEnvError(RuntimeError):
    """The peer venv could not be created or a package not installed (e.g. no network)."""


def _venv_python(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


@contextlib.contextmanager
def _locked(venv_dir: Path) -> Iterator[None]:
    """Serialise venv creation and pip runs between benchmarks started at the same time."""
    venv_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no lock; run benchmarks one at a time there
        yield
        return
    with open(venv_dir / ".peer-env.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True)


def _tail(proc: subprocess.CompletedProcess[str], lines: int = 5) -> str:
    return "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-lines:])


def peer_python(packages: list[str], venv_dir: Path = PEER_VENV_DIR) -> Path:
    """Make sure the peer venv exists and satisfies `packages` (pip requirement strings,
    e.g. "ciw==3.2.7"); return the path of its python.

    An existing venv is reused and pip only runs for requirements that are missing or at a
    version the specifier rejects, so repeated runs start in a fraction of a second.
    Raises PeerEnvError, with the tail of pip's message, if anything fails.
    """
    python = _venv_python(venv_dir)
    with _locked(venv_dir):
        if not python.exists():
            if not BASE_PYTHON.exists():
                raise PeerEnvError(f"interpreter for the peer venv not found: {BASE_PYTHON}")
            proc = _run([str(BASE_PYTHON), "-m", "venv", str(venv_dir)])
            if proc.returncode != 0 or not python.exists():
                raise PeerEnvError(f"could not create {venv_dir}:\n{_tail(proc)}")
        if not packages:
            return python
        probe = _run([str(python), "-c", _PROBE, *packages])
        if probe.returncode != 0:
            raise PeerEnvError(f"could not inspect {venv_dir}:\n{_tail(probe)}")
        unmet = json.loads(probe.stdout)
        if unmet:
            proc = _run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *unmet])
            if proc.returncode != 0:
                raise PeerEnvError(f"pip could not install {unmet} into {venv_dir}:\n{_tail(proc)}")
    return python


if __name__ == "__main__":
    try:
        print(peer_python(sys.argv[1:]))
    except PeerEnvError as exc:
        sys.exit(str(exc))
