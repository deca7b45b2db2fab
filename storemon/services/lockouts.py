"""Lockouts after wrong passwords or PINs, one implementation for both.

After ``max_failures`` wrong tries in a row a subject (a user name as typed, or a staff member)
is locked for ``duration``. The count lives in the ``lockouts`` table, not in memory, so trying
another PC, or restarting the app, does not reset it. Reading with ``lock=True`` takes a row lock
on PostgreSQL, so two PCs trying at once both count. Time is a parameter (``now``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from storemon.db.models import Lockout as LockoutRow

PASSWORD = "password"
PIN = "pin"
_KEY_LIMIT = 100  # Lockout.subject_key is String(100)


@dataclass(frozen=True)
class LockoutState:
    """Failures so far and the end of a running lockout (None: not locked)."""

    failures: int
    locked_until: datetime | None


CLEAR = LockoutState(0, None)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"times must be timezone-aware, got the naive {value.isoformat()}")
    return value.astimezone(UTC)


def subject_key(subject: str | int) -> str:
    """The stored key of a subject; a name too long for the key column is hashed instead."""
    key = str(subject)
    if len(key) <= _KEY_LIMIT:
        return key
    return "#" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class LockoutRule:
    """The lockout of one kind of secret: how many wrong tries lock, and for how long."""

    kind: str
    max_failures: int
    duration: timedelta

    def _row(self, session: Session, subject: str | int, lock: bool = False) -> LockoutRow | None:
        return session.get(LockoutRow, (self.kind, subject_key(subject)), with_for_update=lock)

    def state(self, session: Session, subject: str | int, now: datetime, lock: bool = False) -> LockoutState:
        """The subject's state at ``now``; an expired lockout counts as none."""
        row = self._row(session, subject, lock)
        if row is None:
            return CLEAR
        if row.locked_until is not None and _utc(now) >= row.locked_until:
            return CLEAR
        return LockoutState(max(row.failures, 0), row.locked_until)

    def failed(self, session: Session, subject: str | int, now: datetime) -> LockoutState:
        """Count one more wrong try; the ``max_failures``-th locks until ``now + duration``."""
        failures = self.state(session, subject, now).failures + 1
        until = _utc(now) + self.duration if failures >= self.max_failures else None
        row = self._row(session, subject)
        if row is None:
            row = LockoutRow(subject_kind=self.kind, subject_key=subject_key(subject))
            session.add(row)
        row.failures, row.locked_until = failures, until
        return LockoutState(failures, until)

    def clear(self, session: Session, subject: str | int) -> None:
        """Forget the count (a right password or PIN, or a new one set)."""
        row = self._row(session, subject)
        if row is not None:
            session.delete(row)
