"""The settings table holds settings only: runtime state has its own tables, on both engines.

Migration 0004 moves what older versions kept in ``settings`` (heartbeats, lockouts, live
pictures, approval tokens) to their tables; after using the app, every key in ``settings`` is
a registered setting.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import select, text

from storemon.db.engine import make_engine, make_session_factory
from storemon.db.migrate import _config, current_revision, head_revision, upgrade
from storemon.db.models import ApprovalToken, Heartbeat, LivePicture, Lockout, Setting
from storemon.services.setting_keys import registered

T0 = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
_names = itertools.count()

RUNTIME_ROWS = {
    "worker.heartbeat": {"host-a:41": "2026-03-09T09:59:50+00:00", "host-b:7": "2026-03-09T09:58:00+00:00"},
    "auth.lockout.mgr": {"failures": 5, "locked_until": "2026-03-09T10:15:00+00:00"},
    "pins.lockout.7": {"failures": 2, "locked_until": None},
    "kiosk.approval.tok-123": {
        "approver": "mgr",
        "for": "staff-1",
        "amount": "250.00",
        "until": "2026-03-09T10:10:00+00:00",
    },
}
SETTINGS_ROWS = {
    "staffing.targets": {
        "service_minutes": 2.5,
        "solo_service_share": 0.7,
        "target_wait_minutes": 3.0,
        "target_service_level": 0.8,
        "max_occupancy": 0.85,
    },
    "alerts.channels": [{"name": "ops", "type": "webhook", "settings": {"url": "https://x.example"}}],
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> str:
    """An empty database (no schema at all) on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    server = request.getfixturevalue("pg_server")
    name = f"old{os.getpid()}_{next(_names)}"
    admin = make_engine(server.url("postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.url(name)


def _migrate(engine, revision: str, down: bool = False) -> None:
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _database_at_0003_with_runtime_rows(url: str) -> tuple:
    """A database as version 0003 left it: runtime state among the settings."""
    engine = make_engine(url)
    _migrate(engine, "0003")
    settings = Setting.__table__
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stores (code, name, location, timezone, opens_at, closes_at) "
                "VALUES ('S1', 'One', '', 'Asia/Shanghai', '07:00:00', '21:00:00')"
            )
        )
        store_id = conn.scalar(text("SELECT id FROM stores WHERE code = 'S1'"))
        live = {"wait_minutes": 4.5, "backlog": 3.0, "staff_on_shift": 1, "alone": "Li", "utilisation": 0.9}
        rows = {
            **RUNTIME_ROWS,
            f"live.{store_id}": {**live, "at": "2026-03-09T09:59:00+00:00"},
            **SETTINGS_ROWS,
        }
        conn.execute(settings.insert(), [{"key": k, "value": v} for k, v in rows.items()])
    return engine, store_id, live


def test_upgrade_from_0003_moves_runtime_state_out_of_settings(empty_url):
    engine, store_id, live = _database_at_0003_with_runtime_rows(empty_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with make_session_factory(engine)() as session:
        settings = {s.key: s.value for s in session.scalars(select(Setting))}
        assert settings == SETTINGS_ROWS, "settings keeps the settings, exactly, and nothing else"
        beats = {b.process_id: (b.host, b.role, b.beat_at) for b in session.scalars(select(Heartbeat))}
        assert beats == {
            "host-a:41": ("host-a", "worker", datetime(2026, 3, 9, 9, 59, 50, tzinfo=UTC)),
            "host-b:7": ("host-b", "worker", datetime(2026, 3, 9, 9, 58, tzinfo=UTC)),
        }
        password = session.get(Lockout, ("password", "mgr"))
        assert (password.failures, password.locked_until) == (5, datetime(2026, 3, 9, 10, 15, tzinfo=UTC))
        pin = session.get(Lockout, ("pin", "7"))
        assert (pin.failures, pin.locked_until) == (2, None)
        picture = session.get(LivePicture, store_id)
        assert picture.payload == live and picture.computed_at == datetime(2026, 3, 9, 9, 59, tzinfo=UTC)
        (token,) = session.scalars(select(ApprovalToken)).all()
        assert token.token_hash == hashlib.sha256(b"tok-123").hexdigest(), "only the hash is kept"
        assert (token.approver, token.grantee, token.amount, token.used_at) == (
            "mgr",
            "staff-1",
            Decimal("250.00"),
            None,
        )
        assert token.expires_at == datetime(2026, 3, 9, 10, 10, tzinfo=UTC)
    engine.dispose()


def test_downgrade_to_0003_puts_the_state_back_into_settings(empty_url):
    engine, store_id, live = _database_at_0003_with_runtime_rows(empty_url)
    upgrade(engine)
    _migrate(engine, "0003", down=True)
    with engine.connect() as conn:
        rows = {r.key: r.value for r in conn.execute(select(Setting.__table__))}
    assert rows[f"live.{store_id}"] == {**live, "at": "2026-03-09T09:59:00+00:00"}
    assert rows["auth.lockout.mgr"] == RUNTIME_ROWS["auth.lockout.mgr"]
    assert rows["pins.lockout.7"] == RUNTIME_ROWS["pins.lockout.7"]
    assert rows["worker.heartbeat"] == RUNTIME_ROWS["worker.heartbeat"]
    assert "kiosk.approval.tok-123" not in rows, "a token kept as its hash cannot be given back"
    engine.dispose()


def test_after_demo_rules_and_a_backup_call_settings_holds_only_registered_settings(db_url, capsys):
    from storemon.cli import main
    from storemon.db.engine import make_engine as engine_for
    from storemon.db.models import Role, User
    from storemon.services import auth, pins
    from storemon.services.access import actor_for
    from storemon.services.actions import call_manager
    from storemon.services.auth import SignInFailed
    from storemon.services.database import Database
    from storemon.services.kiosk import approvers, check_approver
    from storemon.worker import Jobs

    assert main(["--db", db_url, "demo", "--stores", "4", "--weeks", "1", "--anchor", "2026-03-09"]) == 0
    assert main(["--db", db_url, "rules", "run", "--at", "2026-03-09T10:00+08:00"]) == 0
    assert main(["--db", db_url, "--as", "staff-sh001", "call", "backup", "--store", "SH001"]) == 0
    capsys.readouterr()

    engine = engine_for(db_url)
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    with sessions.begin() as session:  # a manager call reads the live picture the rules job kept
        call_manager(session, actor_for(session, "staff-sh001"), "SH001", now)
    with sessions() as session:
        with pytest.raises(SignInFailed):
            auth.authenticate(session, "mgr-sh001", "not the password", now)
        session.commit()  # a failed sign-in counts (AuthApi.sign_in commits it too)
    Jobs(Database(engine, sessions, None), clock=lambda: now, worker_id="host:1").heartbeat()
    with sessions.begin() as session:
        staff = actor_for(session, "staff-sh001")
        manager = session.scalars(select(User).where(User.username == "mgr-sh001")).one()
        assert manager.role == Role.STORE_MANAGER and manager.staff_member_id
        pins.set_pin(session, manager.staff_member_id, "4821")
        approver = approvers(session, staff, Decimal("300"), now)[0]
        result, token = check_approver(session, staff, approver.staff_id, "4821", Decimal("300"), now)
        assert result.ok and token
        pins.verify_pin(session, approver.staff_id, "0000", now)

    with sessions() as session:
        keys = set(session.scalars(select(Setting.key)))
        assert keys <= set(registered()), f"not settings: {sorted(keys - set(registered()))}"
        assert session.scalars(select(LivePicture)).first() is not None
        assert session.get(Heartbeat, "host:1").beat_at == now
        assert session.scalars(select(Lockout).where(Lockout.subject_kind == "password")).first()
        assert session.scalars(select(Lockout).where(Lockout.subject_kind == "pin")).first()
        assert session.scalars(select(ApprovalToken)).first() is not None
    engine.dispose()


def test_every_registered_key_round_trips_its_default(session_factory):
    with session_factory() as session:
        for key in registered().values():
            default = key.default()
            assert key.save(session, default) == default, key.name
            assert key.load(session) == default, key.name
        session.flush()
        assert set(session.scalars(select(Setting.key))) == set(registered())
