"""The audit viewer's service: head office only, filters, imports listed, export reads back."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import ImportBatch, Role, User
from storemon.services.access import AccessDenied
from storemon.services.api import Services
from storemon.services.audit import append
from storemon.services.audit_view import EXPORT_HEADERS, AuditFilter
from storemon.services.database import Database

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


@pytest.fixture
def services(demo_url):
    engine = make_engine(demo_url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        append(session, "admin", "auth.sign_in", "user admin", {"role": "admin"}, T0, host="HQ-PC1")
        append(
            session,
            "mgr-sh001",
            "auth.sign_in_failed",
            "user mgr-sh001",
            {"failures": 1},
            T0 + timedelta(minutes=1),
        )
        append(
            session,
            "admin",
            "settings.save",
            "thresholds",
            {"note": "午高峰 lunch"},
            T0 + timedelta(minutes=2),
        )
        append(session, "director", "policy.save", "tier policy A", {}, T0 + timedelta(minutes=3))
        append(
            session,
            "mgr-sh001",
            "alert.acknowledged",
            "alert 7",
            {"level": 1, "note": "我来处理"},
            T0 + timedelta(minutes=4),
        )
        session.add(
            ImportBatch(
                kind="roster",
                source_name="roster-march.xlsx",
                fingerprint="f" * 64,
                row_count=42,
                imported_at=T0 + timedelta(minutes=5),
                imported_by="director",
            )
        )
    yield Services(Database(engine, sessions, None))
    engine.dispose()


def window(**kw) -> AuditFilter:
    return AuditFilter(since=T0 - timedelta(hours=1), until=T0 + timedelta(hours=1), **kw)


def test_entries_come_newest_first_with_imports_merged_in(services):
    admin = services.auth.actor("admin")
    result = services.audit.entries(admin, window())
    assert not result.more
    assert [r.action for r in result.rows] == [
        "import.roster",
        "alert.acknowledged",
        "policy.save",
        "settings.save",
        "auth.sign_in_failed",
        "auth.sign_in",
    ]
    imported = result.rows[0]
    assert imported.entry_id is None and not imported.chained
    assert (imported.actor, imported.subject, imported.details["rows"]) == (
        "director",
        "roster-march.xlsx",
        42,
    )
    assert all(r.hash and r.prev_hash for r in result.rows[1:])
    # The demo's own import batch is listed too, when the dates take it in.
    assert "import.demo" in {r.action for r in services.audit.entries(admin, AuditFilter()).rows}
    assert {"auth.sign_in", "policy.save", "import.roster", "import.demo"} <= set(
        services.audit.actions(admin)
    )


def test_filters_by_action_kind_actor_and_text(services):
    director = services.auth.actor("director")
    actions = lambda **kw: [r.action for r in services.audit.entries(director, window(**kw)).rows]  # noqa: E731
    assert actions(action="auth.") == ["auth.sign_in_failed", "auth.sign_in"]
    assert actions(action="auth") == ["auth.sign_in_failed", "auth.sign_in"]
    assert actions(action="auth.sign_in") == ["auth.sign_in"]
    assert actions(action="import") == ["import.roster"]
    assert actions(action="settings.") == ["settings.save"]
    assert actions(actor="MGR-SH") == ["alert.acknowledged", "auth.sign_in_failed"]
    assert actions(text="我来") == ["alert.acknowledged"]  # in the details
    assert actions(text="TIER POLICY") == ["policy.save"]  # in the subject
    assert actions(text="march") == ["import.roster"]
    assert actions(text="100%") == []
    later = AuditFilter(since=T0 + timedelta(minutes=3), until=T0 + timedelta(minutes=5))
    assert [r.action for r in services.audit.entries(director, later).rows] == [
        "alert.acknowledged",
        "policy.save",
    ]


def test_the_list_is_capped_with_a_more_flag(services, monkeypatch):
    from storemon.services import audit_view

    monkeypatch.setattr(audit_view, "MAX_ROWS", 3)
    with services.database.sessions() as session:
        result = audit_view.list_entries(session, services.auth.actor("admin"), window(), limit=3)
    assert result.more and len(result.rows) == 3


@pytest.mark.parametrize("role", [Role.STORE_MANAGER, Role.OPS_SUPERVISOR])
def test_only_head_office_reads_the_audit_log(services, role, tmp_path):
    with services.database.sessions() as session:
        username = session.scalars(select(User.username).where(User.role == role).limit(1)).one()
    actor = services.auth.actor(username)
    with pytest.raises(AccessDenied):
        services.audit.entries(actor, window())
    with pytest.raises(AccessDenied):
        services.audit.actions(actor)
    with pytest.raises(AccessDenied):
        services.audit.verify(actor)
    with pytest.raises(AccessDenied):
        services.audit.export(actor, tmp_path / "a.csv", [])


def test_verify_reports_the_chain(services):
    count, problems = services.audit.verify(services.auth.actor("admin"))
    assert count >= 5 and problems == []


def test_export_reads_back_as_csv_and_xlsx(services, tmp_path):
    admin = services.auth.actor("admin")
    rows = services.audit.entries(admin, window()).rows
    target = tmp_path / "audit.csv"
    assert services.audit.export(admin, target, rows) == len(rows)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as fh:
        header, *written = list(csv.reader(fh))
    assert header == list(EXPORT_HEADERS)
    assert [w[3] for w in written] == [r.action for r in rows]
    ack = written[1]
    assert ack[0] == rows[1].at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert (ack[1], ack[4], ack[7]) == ("mgr-sh001", "alert 7", rows[1].hash)
    assert "我来处理" in ack[5]
    assert written[0][6] == "" and written[0][4] == "roster-march.xlsx"

    book = tmp_path / "audit.xlsx"
    assert services.audit.export(admin, book, rows) == len(rows)
    sheet = load_workbook(book).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(EXPORT_HEADERS) and len(values) == len(rows) + 1
