"""The packaging files as a desktop, systemd and a chain trial read them (packaging/)."""

from __future__ import annotations

import configparser
import functools
import os
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from storemon.cli import build_parser
from storemon.db.engine import make_engine
from storemon.db.outbox import WAKE_CHANNEL

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DESKTOP_FILES = ["storemon.desktop", "storemon-kiosk.desktop"]
ICON_SIZES = [16, 32, 48, 64, 128, 256]
UNIT = PACKAGING / "storemon-worker.service"
COMPOSE = PACKAGING / "compose.yaml"
WORKER_START_S = 60  # one shared deadline for a worker process to start or stop


def storemon_executable() -> str:
    """The ``storemon`` console script of this environment (what ``storemon`` means in the files)."""
    beside = Path(sys.executable).with_name("storemon")
    found = str(beside) if beside.exists() else shutil.which("storemon")
    if not found:
        pytest.skip("the storemon console script is not installed in this environment")
    return found


@functools.cache
def subcommands() -> set[str]:
    """The subcommands ``storemon --help`` lists (its ``{gui,kiosk,...}`` choices)."""
    out = subprocess.run(
        [sys.executable, "-m", "storemon.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    return set(re.search(r"\{([a-z,-]+)\}", out)[1].split(","))


def check_storemon_command(argv: list[str]) -> None:
    """``argv`` is ``storemon SUBCOMMAND ...`` that the real argument parser accepts."""
    assert Path(argv[0]).name == "storemon", argv
    assert argv[1] in subcommands(), f"{argv[1]!r} is not a storemon subcommand"
    build_parser().parse_args(argv[1:])  # exits (fails the test) on an unknown option


def desktop_entry(name: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(PACKAGING / name, encoding="utf-8")
    return dict(parser["Desktop Entry"])


# -- desktop entries and icons ---------------------------------------------------------------------
@pytest.mark.parametrize("name", DESKTOP_FILES)
def test_desktop_entry_has_the_required_keys(name):
    entry = desktop_entry(name)
    for key in ("Type", "Name", "Exec", "Icon", "Categories"):
        assert entry.get(key), f"{name}: {key} is missing"
    assert entry["Type"] == "Application" and entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    assert entry["Icon"] == "storemon" and (PACKAGING / "icons" / "storemon.svg").exists()


@pytest.mark.parametrize("name", DESKTOP_FILES)
def test_desktop_entry_runs_a_real_storemon_subcommand(name):
    argv = [a for a in shlex.split(desktop_entry(name)["Exec"]) if not re.fullmatch(r"%[fFuUick]", a)]
    check_storemon_command(argv)


def test_desktop_entries_pass_desktop_file_validate():
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed (apt-get install desktop-file-utils)")
    result = subprocess.run(
        [tool, *(str(PACKAGING / n) for n in DESKTOP_FILES)], capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def png_size(path: Path) -> tuple[int, int, int]:
    """(width, height, colour type) from a PNG's signature and IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, _depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_exists_at_every_size_as_a_png_of_that_size(size):
    from PySide6.QtGui import QImage

    path = PACKAGING / "icons" / f"storemon-{size}.png"
    assert path.exists(), f"{path.name} missing: run packaging/render_icons.py"
    width, height, colour = png_size(path)
    assert (width, height) == (size, size)
    assert colour == 6, "icons need an alpha channel (RGBA) for their rounded corners"
    image = QImage(str(path))
    assert not image.isNull(), f"{path.name} does not decode"
    centre = image.pixelColor(size // 2, size // 2)
    corner = image.pixelColor(0, 0)
    assert centre.alpha() == 255 and corner.alpha() < 255, "the mark is drawn, the corners are transparent"


# -- the worker's systemd unit ---------------------------------------------------------------------
def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_worker_unit_runs_storemon_worker_hardened_as_its_own_user():
    settings = unit_settings()
    check_storemon_command(shlex.split(settings["ExecStart"][0]))
    assert shlex.split(settings["ExecStart"][0])[1:] == ["worker"]
    assert settings["User"] == ["storemon"] and settings["Restart"] == ["always"]
    assert settings["EnvironmentFile"][0].startswith("/etc/storemon/")
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "read-only",
        "PrivateTmp": "yes",
    }.items():
        assert settings.get(key) == [value], f"{key}={value} is missing"
    sysusers = (PACKAGING / "storemon-sysusers.conf").read_text(encoding="utf-8")
    assert re.search(r"^u storemon ", sysusers, re.MULTILINE)


def test_worker_unit_passes_systemd_analyze_verify(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze not installed (apt-get install systemd)")
    # verify checks that ExecStart exists; point it at this environment's storemon, not /opt.
    exec_start = shlex.split(unit_settings()["ExecStart"][0])[0]
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(exec_start, storemon_executable()))
    result = subprocess.run([tool, "verify", "--man=no", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )

    security = subprocess.run([tool, "security", "--offline=yes", str(unit)], capture_output=True, text=True)
    if security.returncode != 0 and "offline" in security.stderr:
        return  # systemd older than 250 cannot score a unit file offline
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
    assert exposure and float(exposure[1]) <= 2.0, security.stdout[-2000:]


def test_bundle_build_script_is_executable_bash():
    script = ROOT / "scripts" / "build_bundle.sh"
    assert os.access(script, os.X_OK), "chmod +x scripts/build_bundle.sh"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    assert "gui --smoke" in script.read_text(encoding="utf-8")


# -- the compose chain trial ------------------------------------------------------------------------
def compose_file() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads compose.yaml (pip install pyyaml)")
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def command_line(service: dict) -> list[str]:
    """A service's entrypoint + command, as docker compose runs them."""
    entrypoint, command = service.get("entrypoint", []), service.get("command", [])
    as_list = [shlex.split(v) if isinstance(v, str) else list(v) for v in (entrypoint, command)]
    return as_list[0] + as_list[1]


def workers(compose: dict) -> dict[str, dict]:
    return {
        name: service
        for name, service in compose["services"].items()
        if command_line(service)[1:] == ["worker"]
    }


def test_compose_starts_postgresql_a_schema_upgrade_and_two_workers():
    compose = compose_file()
    services = compose["services"]
    db = next(s for s in services.values() if str(s.get("image", "")).startswith("postgres:"))
    assert db["healthcheck"]["test"] and "pg_isready" in " ".join(db["healthcheck"]["test"])
    migrate = next(name for name, s in services.items() if command_line(s)[1:] == ["db", "upgrade"])
    found = workers(compose)
    assert len(found) == 2, f"expected two workers, found {sorted(found)}"
    for name, worker in found.items():
        check_storemon_command(command_line(worker))
        assert worker["depends_on"]["db"]["condition"] == "service_healthy", name
        assert worker["depends_on"][migrate]["condition"] == "service_completed_successfully", name
        assert worker["environment"]["STOREMON_DB_URL"].startswith("postgresql+psycopg://")
        assert "@db:" in worker["environment"]["STOREMON_DB_URL"], "workers reach the db service by name"
        assert worker["restart"] in ("always", "unless-stopped")
        assert worker.get("stop_signal", "SIGTERM") == "SIGTERM"
    build = services[migrate]["build"]
    assert (PACKAGING / build["context"] / "pyproject.toml").exists(), "the image builds from the repository"
    assert (PACKAGING / build["context"] / build["dockerfile"]).exists()
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        result = subprocess.run(
            [docker, "compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr


def _backends(admin, database: str) -> list[str]:
    with admin.connect() as conn:
        return list(
            conn.scalars(
                text("SELECT query FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"),
                {"db": database},
            )
        )


@pytest.mark.postgres
def test_compose_worker_command_runs_against_postgresql_and_stops_on_sigterm(pg_server, tmp_path):
    """The compose services' command lines and environment, run here against a real (empty) database.

    Only the database URL (the ``db`` host exists inside compose's network) and the data folder
    are replaced; the schema upgrade runs first, as the ``migrate`` service does, then both workers.
    """
    compose = compose_file()
    database = f"trial_{os.getpid()}"
    admin = make_engine(pg_server.url("postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {database}"))

    def run_env(service: dict, home: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STOREMON_")}
        env |= {k: str(v) for k, v in service.get("environment", {}).items()}
        return env | {"STOREMON_DB_URL": pg_server.url(database), "STOREMON_HOME": str(tmp_path / home)}

    def argv(service: dict) -> list[str]:
        line = command_line(service)
        return [storemon_executable() if line[0] == "storemon" else line[0], *line[1:]]

    migrate = next(s for s in compose["services"].values() if command_line(s)[1:] == ["db", "upgrade"])
    upgraded = subprocess.run(
        argv(migrate), env=run_env(migrate, "migrate"), capture_output=True, text=True, timeout=WORKER_START_S
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Created the database schema" in upgraded.stdout + upgraded.stderr

    processes = {
        name: subprocess.Popen(
            argv(service),
            env=run_env(service, name),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, service in workers(compose).items()
    }
    try:
        deadline = time.monotonic() + WORKER_START_S
        # Each worker holds one LISTEN connection for the outbox wake-ups once it is running (and
        # another for the change feed, so only the outbox channel's count says all have started).
        wake_listen = f"LISTEN {WAKE_CHANNEL}"
        while sum(q == wake_listen for q in _backends(admin, database)) < len(processes):
            crashed = {n: p for n, p in processes.items() if p.poll() is not None}
            assert not crashed, {n: p.communicate()[1] for n, p in crashed.items()}
            assert time.monotonic() < deadline, f"workers did not connect: {_backends(admin, database)}"
            time.sleep(0.2)
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for name, process in processes.items():
            _out, err = process.communicate(timeout=WORKER_START_S)
            assert process.returncode == 0, f"{name} exited {process.returncode}: {err}"
            assert f"storemon worker on {pg_server.url(database)}" in err, err
            assert "Traceback" not in err, err
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    deadline = time.monotonic() + WORKER_START_S
    while _backends(admin, database) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _backends(admin, database), "a stopped worker left connections open"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP DATABASE {database}"))
    admin.dispose()
