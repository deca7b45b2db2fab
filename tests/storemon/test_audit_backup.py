"""The audit log detects tampering; backups restore the same chain the user had."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from storemon.cli import main
from storemon.services.audit import append, verify

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


def test_the_chain_verifies_and_a_direct_edit_is_detected(session_factory):
    with session_factory.begin() as session:
        for k in range(5):
            append(
                session,
                "mgr-sh001",
                "alert.acknowledged",
                f"alert {k}",
                {"level": k, "note": "我来处理"},
                T0 + timedelta(minutes=k),
            )
    with session_factory() as session:
        assert verify(session) == (5, [])
    with session_factory.begin() as session:
        session.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE id = 3"))
    with session_factory() as session:
        count, problems = verify(session)
    assert count == 5 and [(p.entry_id, p.problem) for p in problems] == [
        (3, "content changed after it was written")
    ]


def test_a_deleted_entry_breaks_the_chain(session_factory):
    with session_factory.begin() as session:
        for k in range(4):
            append(session, "admin", "setting.change", "thresholds", {"k": k}, T0)
    with session_factory.begin() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = 2"))
    with session_factory() as session:
        _, problems = verify(session)
    assert [p.entry_id for p in problems] == [3]


def test_audit_verify_command_exit_status(capsys, storemon_home):
    main(["demo", "--stores", "4", "--weeks", "1", "--anchor", "2026-03-09"])
    assert main(["call", "manager", "--store", "SH001"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    assert "audit log intact" in capsys.readouterr().out
    import sqlite3

    with sqlite3.connect(storemon_home / "data" / "storemon.sqlite3") as conn:
        conn.execute("UPDATE audit_log SET details = '{}' WHERE id = (SELECT MIN(id) FROM audit_log)")
    assert main(["audit", "verify"]) == 1
    assert "TAMPERED" in capsys.readouterr().err


def test_backup_and_restore_round_trip_the_demo_with_identical_reports(tmp_path, capsys, storemon_home):
    main(["demo", "--stores", "6", "--weeks", "2", "--anchor", "2026-03-09"])
    capsys.readouterr()
    main(["report", "stores", "--format", "csv"])
    before = capsys.readouterr().out
    backup = tmp_path / "saved" / "chain.sqlite3"
    assert main(["db", "backup", str(backup)]) == 0
    assert backup.stat().st_mode & 0o077 == 0
    # The user then imports something wrong ... and restores.
    with __import__("sqlite3").connect(storemon_home / "data" / "storemon.sqlite3") as conn:
        conn.execute("DELETE FROM roster_shifts")
    capsys.readouterr()
    main(["report", "stores", "--format", "csv"])
    assert capsys.readouterr().out != before
    assert main(["db", "restore", str(backup)]) == 0
    assert "previous database was saved" in capsys.readouterr().out
    main(["report", "stores", "--format", "csv"])
    assert capsys.readouterr().out == before


def test_restore_refuses_a_file_that_is_not_a_storemon_database(tmp_path, capsys):
    main(["db", "upgrade"])
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    assert main(["db", "restore", str(junk)]) == 2
    assert "not a Storemon database" in capsys.readouterr().err


@__import__("pytest").mark.postgres
def test_postgresql_backup_points_to_pg_dump(pg_server, capsys):
    from tests.conftest import _fresh_pg_database

    url = _fresh_pg_database(pg_server)
    assert main(["--db", url, "db", "backup", "/tmp/x.sqlite3"]) == 2
    assert "pg_dump" in capsys.readouterr().err
