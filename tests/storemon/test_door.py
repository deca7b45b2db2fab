"""The one door: front ends call use cases, never sessions; a use case is written once.

The CLI (``storemon/cli/``) and the GUI (``ui/``) reach the database only through
``storemon.services.api.Services``; a command that opened its own session would bypass the actor
resolution and role check of ``storemon.services.door``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from storemon.db.models import Role
from storemon.services import api, door
from storemon.services.access import HEAD_OFFICE, AccessDenied, Actor
from storemon.services.api import Services
from storemon.services.database import Database

ROOT = Path(__file__).resolve().parents[2]
SESSION_USE = re.compile(r"\bsessions\s*\(|sessions\.begin|\bSession\b|\bsessionmaker\b|\.session\(\)")


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_no_cli_command_opens_a_database_session():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _python_files("storemon/cli")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SESSION_USE.search(line)
    ]
    assert offenders == [], "CLI commands call services, never sessions:\n" + "\n".join(offenders)


@pytest.mark.parametrize("folder", ["storemon/cli", "ui"])
def test_front_ends_import_no_sqlalchemy(folder):
    offenders = []
    for path in _python_files(folder):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {n}"
                for n in names
                if n.split(".")[0] == "sqlalchemy"
            ]
    assert offenders == []


def test_no_service_mixins_or_facade_left():
    services = ROOT / "storemon" / "services"
    assert not list(services.glob("api_*.py")), "the api_*.py mixins are replaced by the area objects"
    assert not (services / "chain_settings.py").exists()
    for shadow in ("alerts.py", "staffing.py"):
        assert not (services / shadow).exists(), f"services/{shadow} would shadow a top-level package"


def test_every_area_use_case_is_a_door():
    """Each area's use cases are ``UseCase`` objects (session, actor and role handled by the door)."""
    areas = [
        v
        for v in vars(api).values()
        if isinstance(v, type) and issubclass(v, door.Area) and v is not door.Area
    ]
    assert len(areas) >= 15
    count = sum(isinstance(value, door.UseCase) for area in areas for value in vars(area).values())
    assert count >= 90


class _Recorder:
    """A session factory that records whether the door committed."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def __call__(self):
        return _FakeSession(self.events, "read")

    def begin(self):
        return _FakeSession(self.events, "write")


class _FakeSession:
    def __init__(self, events: list[str], kind: str) -> None:
        self.events, self.kind = events, kind

    def __enter__(self):
        self.events.append(f"open {self.kind}")
        return self

    def __exit__(self, exc_type, *_):
        self.events.append(f"close {self.kind}" + (" after error" if exc_type else ""))
        return False


ADMIN = Actor("admin", Role.ADMIN)
MANAGER = Actor("mgr", Role.STORE_MANAGER, store_id=1)


@door.use_case(write=True, needs=HEAD_OFFICE, doing="change the thing")
def _change(session, actor: Actor, value: int) -> int:
    session.events.append(f"body {actor.username} {value}")
    return value * 2


class _Things(door.Area):
    change = _change


def test_the_door_opens_a_transaction_checks_the_role_and_runs_the_body_once():
    recorder = _Recorder()
    things = _Things(Database(None, recorder, None))
    assert things.change(ADMIN, 21) == 42
    assert recorder.events == ["open write", "body admin 21", "close write"]
    recorder.events.clear()
    with pytest.raises(AccessDenied, match="mgr .store_manager. may not change the thing: only head-office"):
        things.change(MANAGER, 1)
    assert recorder.events == ["open write", "close write after error"]
    # Inside an open session it composes without a second transaction, and still checks the role.
    session = _FakeSession([], "outer")
    assert _change(session, ADMIN, 2) == 4 and session.events == ["body admin 2"]
    with pytest.raises(AccessDenied):
        _change(session, MANAGER, 2)


def test_a_username_is_resolved_to_the_actor_inside_the_use_case_session(demo_sessions):
    services = Services(Database(None, demo_sessions, None))
    by_name = services.stores.list("mgr-sh001")
    assert [s.code for s in by_name] == [
        s.code for s in services.stores.list(services.auth.actor("mgr-sh001"))
    ]
    with pytest.raises(AccessDenied, match="no active user named 'nobody'"):
        services.alerts.list("nobody")
    with pytest.raises(AccessDenied, match="head-office"):
        services.policies.save_surge_calendar("mgr-sh001", services.policies.surge_calendar())
    assert services.alerts.unread_count("admin") >= 0
