"""The audit log: append-only, each entry chained to the previous one by a SHA-256 hash.

Changing, deleting or inserting a row directly in the database breaks the chain, which
``verify`` (``storemon audit verify``) reports by entry. Appends are serialised (a PostgreSQL
advisory lock; SQLite has one writer at a time) so concurrent workers never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storemon.db.models import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 7_432_001  # PostgreSQL advisory lock id for audit appends


def entry_hash(
    prev_hash: str, at: datetime, actor: str, host: str, action: str, subject: str, details: dict[str, Any]
) -> str:
    """The hash of an entry's content and its predecessor's hash (canonical JSON, UTC time)."""
    body = json.dumps(
        [prev_hash, at.isoformat(), actor, host, action, subject, details],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
    now: datetime,
    host: str | None = None,
) -> AuditEntry:
    """Add an entry at the end of the chain (in the caller's transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    session.flush()
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    prev = last.hash if last else GENESIS
    host = host if host is not None else socket.gethostname()
    details = json.loads(json.dumps(details, default=str))  # what is stored is what was hashed
    at = now.astimezone(UTC)
    entry = AuditEntry(
        at=at,
        actor=actor,
        host=host,
        action=action,
        subject=subject,
        details=details,
        prev_hash=prev,
        hash=entry_hash(prev, at, actor, host, action, subject, details),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditProblem:
    entry_id: int
    problem: str


def verify(session: Session) -> tuple[int, list[AuditProblem]]:
    """Walk the chain; returns (entries checked, problems found)."""
    problems = []
    prev = GENESIS
    count = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        count += 1
        if entry.prev_hash != prev:
            problems.append(
                AuditProblem(entry.id, "does not follow the previous entry (one was removed or inserted)")
            )
        expected = entry_hash(
            entry.prev_hash, entry.at, entry.actor, entry.host, entry.action, entry.subject, entry.details
        )
        if entry.hash != expected:
            problems.append(AuditProblem(entry.id, "content changed after it was written"))
        prev = entry.hash
    return count, problems
