"""Kiosk PINs: argon2id hashes on the staff member, and a lockout every PC of the chain shares.

A PIN has 4-6 digits, so the hash alone would not stop anyone who can read the database; what
protects a PIN at the counter is the lockout: after ``MAX_FAILURES`` wrong tries in a row the
staff member is locked for ``LOCKOUT``. The count lives in the ``lockouts`` table
(``storemon.services.lockouts``, kind ``pin``), not in memory, so trying the other counter PC of
the store, or restarting the kiosk, does not reset it. Time is a
parameter (``now``): tests advance a clock instead of sleeping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from storemon.db.models import StaffMember
from storemon.errors import StoremonError
from storemon.services.lockouts import PIN, LockoutRule, LockoutState

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
_PIN = re.compile(r"^[0-9]{4,6}$")

if TYPE_CHECKING:
    from argon2 import PasswordHasher

OK = "ok"
WRONG = "wrong"
LOCKED = "locked"
NO_PIN = "no_pin"
UNKNOWN = "unknown"


class PinError(StoremonError, ValueError):
    """A PIN that cannot be set as given (not 4-6 digits)."""


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the OWASP Password Storage Cheat Sheet's baseline (19 MiB, 2 passes, 1 lane).

    A few tens of milliseconds on a modest counter PC, so sign-in feels instant and a demo chain
    hashes fast. Imported on first use: everything but PIN sign-in works without argon2-cffi.
    """
    try:
        from argon2 import PasswordHasher, Type
    except ImportError as exc:
        raise StoremonError(
            "kiosk PINs need the argon2-cffi package; install it with: pip install argon2-cffi"
        ) from exc
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


@dataclass(frozen=True)
class PinResult:
    """The answer to one sign-in attempt.

    ``remaining_tries`` before the lockout (0 while locked); ``locked_until`` is set while the
    staff member is locked out; ``reason`` is one of ok, wrong, locked, no_pin, unknown.
    """

    ok: bool
    remaining_tries: int
    locked_until: datetime | None
    reason: str = OK


def check_pin_format(pin: str) -> str:
    if not isinstance(pin, str) or not _PIN.match(pin):
        raise PinError("a PIN has 4 to 6 digits (0-9), nothing else")
    return pin


def hash_pin(pin: str) -> str:
    """The argon2id hash of a 4-6 digit PIN, as stored in ``StaffMember.pin_hash``."""
    return _hasher().hash(check_pin_format(pin))


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"times must be timezone-aware, got the naive {value.isoformat()}")
    return value.astimezone(UTC)


PIN_LOCKOUT = LockoutRule(PIN, MAX_FAILURES, LOCKOUT)


def lockout_state(session: Session, staff_id: int, now: datetime) -> LockoutState:
    """Failures so far and the end of a running lockout (an expired lockout counts as none)."""
    return PIN_LOCKOUT.state(session, staff_id, _utc(now))


def set_pin(session: Session, staff_id: int, pin: str) -> None:
    """Give a staff member a new PIN (and lift any lockout); the caller commits."""
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise PinError(f"staff member {staff_id} does not exist")
    staff.pin_hash = hash_pin(pin)
    PIN_LOCKOUT.clear(session, staff_id)


def verify_pin(session: Session, staff_id: int, pin: str, now: datetime) -> PinResult:
    """Check a PIN, counting failures towards the lockout; the caller commits.

    While locked out the PIN is not even checked, so guessing during a lockout learns nothing.
    """
    now = _utc(now)
    staff = session.get(StaffMember, staff_id)
    if staff is None or not staff.active:
        return PinResult(False, 0, None, UNKNOWN)
    # Row lock on PostgreSQL: two counter PCs trying at once must both count.
    state = PIN_LOCKOUT.state(session, staff_id, now, lock=True)
    if state.locked_until is not None:
        return PinResult(False, 0, state.locked_until, LOCKED)
    if not staff.pin_hash:
        return PinResult(False, MAX_FAILURES - state.failures, None, NO_PIN)
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    try:
        matched = bool(_PIN.match(pin or "")) and hasher.verify(staff.pin_hash, pin)
    except (VerificationError, InvalidHashError):  # a wrong PIN, or a damaged hash: both refuse
        matched = False
    if matched:
        if hasher.check_needs_rehash(staff.pin_hash):
            staff.pin_hash = hasher.hash(pin)
        PIN_LOCKOUT.clear(session, staff_id)
        return PinResult(True, MAX_FAILURES, None, OK)
    failed = PIN_LOCKOUT.failed(session, staff_id, now)
    if failed.locked_until is not None:
        return PinResult(False, 0, failed.locked_until, LOCKED)
    return PinResult(False, MAX_FAILURES - failed.failures, None, WRONG)
