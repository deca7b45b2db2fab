"""A throw-away PostgreSQL server for the test session, from the apt-installed binaries.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user.
It listens on 127.0.0.1 and a socket in its own temporary directory, and is removed after.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/N/bin`` holding initdb, or wherever initdb is on PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True)

    @classmethod
    def start(cls, bindir: Path) -> PgServer:
        root = Path(tempfile.mkdtemp(prefix="storemon-pg-"))
        user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        server = cls(bindir, root, _free_port(), user)
        data, sock = root / "data", root / "sock"
        server._run(bindir / "initdb", "-D", data, "-U", user, "-A", "trust", "-E", "UTF8", "--no-sync")
        server._run("mkdir", "-p", sock)
        opts = f"-p {server.port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        server._run(bindir / "pg_ctl", "-D", data, "-o", opts, "-l", root / "log", "-w", "-t", "30", "start")
        return server

    def stop(self) -> None:
        try:
            self._run(self.bindir / "pg_ctl", "-D", self.root / "data", "-m", "immediate", "-w", "stop")
        finally:
            time.sleep(0.1)
            shutil.rmtree(self.root, ignore_errors=True)
