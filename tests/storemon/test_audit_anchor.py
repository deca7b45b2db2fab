"""Checkpoints outside the database catch what the hash chain alone cannot: the newest entries
deleted, or the whole chain rewritten and re-hashed by someone who can write to the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storemon.db.models import AuditEntry
from storemon.services.audit import GENESIS, append, entry_hash, verify
from storemon.services.audit_anchor import (
    KEY_ENV,
    AuditAnchorError,
    check,
    load_key,
    write_checkpoint,
)

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
KEY = bytes(range(32))


def _entries(session_factory, count: int, start: int = 0) -> None:
    with session_factory.begin() as session:
        for k in range(start, start + count):
            append(
                session, "mgr-sh001", "alert.acknowledged", f"alert {k}", {"k": k}, T0 + timedelta(minutes=k)
            )


def _rehash(session_factory) -> None:
    """What an attacker with database access does after editing: recompute every hash."""
    with session_factory.begin() as session:
        prev = GENESIS
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
            entry.prev_hash = prev
            entry.hash = entry_hash(
                prev, entry.at, entry.actor, entry.host, entry.action, entry.subject, entry.details
            )
            prev = entry.hash


def test_a_deleted_newest_entry_passes_the_chain_but_not_the_checkpoint(session_factory, tmp_path):
    log = tmp_path / "audit-checkpoints.jsonl"
    _entries(session_factory, 5)
    with session_factory() as session:
        write_checkpoint(session, log, KEY, T0 + timedelta(hours=1))
    with session_factory.begin() as session:
        newest = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        session.delete(newest)
    with session_factory() as session:
        assert verify(session) == (4, [])  # the chain alone cannot tell
        problems = check(session, log, KEY)
    assert [p.line for p in problems] == [1] and "is gone" in problems[0].problem


def test_a_rewritten_and_rehashed_chain_is_caught_by_the_checkpoint(session_factory, tmp_path):
    log = tmp_path / "audit-checkpoints.jsonl"
    _entries(session_factory, 6)
    with session_factory() as session:
        write_checkpoint(session, log, KEY, T0 + timedelta(hours=1))
    _entries(session_factory, 2, start=6)  # later entries are fine
    with session_factory.begin() as session:
        first = session.scalars(select(AuditEntry).order_by(AuditEntry.id).limit(1)).one()
        first.actor = "someone-else"
    _rehash(session_factory)
    with session_factory() as session:
        assert verify(session)[1] == []
        problems = check(session, log, None)  # detected even without the key
    assert len(problems) == 1 and "was rewritten" in problems[0].problem


def test_an_edited_checkpoint_line_is_caught_by_its_signature(session_factory, tmp_path):
    log = tmp_path / "audit-checkpoints.jsonl"
    _entries(session_factory, 3)
    with session_factory() as session:
        write_checkpoint(session, log, KEY, T0)
        write_checkpoint(session, log, KEY, T0 + timedelta(minutes=5))
    lines = log.read_text().splitlines()
    forged = json.loads(lines[1])
    forged["entries"] = 2
    log.write_text(lines[0] + "\n" + json.dumps(forged) + "\n")
    with session_factory() as session:
        problems = check(session, log, KEY)
    assert [(p.line, "signature" in p.problem) for p in problems] == [(2, True)]


def test_the_key_lives_outside_the_database_readable_only_by_its_user(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert load_key(tmp_path) is None
    key = load_key(tmp_path, create=True)
    assert len(key) == 32 and (tmp_path / "audit.key").stat().st_mode & 0o077 == 0
    assert load_key(tmp_path) == key
    monkeypatch.setenv(KEY_ENV, "zz")
    with pytest.raises(AuditAnchorError, match="must be hex"):
        load_key(tmp_path)
    monkeypatch.setenv(KEY_ENV, KEY.hex())
    assert load_key(tmp_path) == KEY


def test_a_damaged_checkpoint_file_names_its_line(session_factory, tmp_path):
    log = tmp_path / "audit-checkpoints.jsonl"
    log.write_text('{"at": "2026-03-09T02:00:00+00:00", "entries": 1}\n')
    with session_factory() as session, pytest.raises(AuditAnchorError, match=r"audit-checkpoints.jsonl:1:"):
        check(session, log, KEY)


def test_audit_verify_anchors_the_chain_and_then_catches_a_deleted_newest_entry(storemon_home, capsys):
    import sqlite3

    from storemon.cli import main

    main(["demo", "--stores", "3", "--weeks", "1", "--anchor", "2026-03-09"])
    assert main(["call", "manager", "--store", "SH001"]) == 0
    assert main(["audit", "key"]) == 0
    assert main(["audit", "verify"]) == 0  # intact; writes the first checkpoint
    assert "against 0 checkpoint(s)" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "against 1 checkpoint(s)" in capsys.readouterr().out
    with sqlite3.connect(storemon_home / "data" / "storemon.sqlite3") as conn:
        conn.execute("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
    assert main(["audit", "verify"]) == 1  # the chain alone would say intact
    captured = capsys.readouterr()
    assert "TAMPERED" in captured.err and "is gone" in captured.out
