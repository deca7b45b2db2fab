"""Passwords and sign-in: argon2id hashes on the user, a lockout every PC of the chain shares.

A password has at least ``MIN_LENGTH`` characters and is not the user name. After
``MAX_FAILURES`` wrong passwords in a row the user name is locked for ``LOCKOUT``; the count
lives in the ``lockouts`` table (``storemon.services.lockouts``, kind ``password``), not in
memory, so another PC or a restart does not reset it.
While locked, the password is not even checked. Unknown user names are counted like known
ones and get the same answer, so the dialog does not tell a guesser which names exist.

Every sign-in, good or bad, is an audit entry (never with the password). Time is a parameter
(``now``): tests advance a clock instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from storemon.db.models import Role, User
from storemon.errors import StoremonError
from storemon.services import audit
from storemon.services.access import AccessDenied, Actor
from storemon.services.lockouts import PASSWORD, LockoutRule, LockoutState, subject_key

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_LENGTH = 10
MAX_LENGTH = 256
"""Longer input is refused before hashing: nobody types it, and it would only cost CPU."""
DEMO_PASSWORD = "storemon-demo"
"""The password ``demo_passwords`` gives every user of the demo chain (documented in the README)."""

_FIRST_ADMIN_LOCK = 7_432_002  # PostgreSQL advisory lock id: two PCs running the first start at once

# argon2id with argon2-cffi's RFC 9106 "low memory" profile (64 MiB, 3 passes): 50-200 ms a check.
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, type=Type.ID)
_dummy: dict[tuple[int, int, int], str] = {}


def _dummy_hash() -> str:
    """Verified against for unknown user names, so that answer takes as long as a wrong password."""
    key = (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism)
    if key not in _dummy:
        _dummy[key] = _hasher.hash("storemon: no such user")
    return _dummy[key]


WRONG = "wrong"
LOCKED = "locked"


class PasswordRejected(StoremonError, ValueError):
    """A new password that breaks the rules; the message says which rule."""


class SignInFailed(AccessDenied):
    """Wrong user name or password, or locked out.

    ``remaining_tries`` before the lockout (0 while locked); ``locked_until`` (UTC) while the
    user name is locked; ``reason`` is ``"wrong"`` or ``"locked"``.
    """

    def __init__(self, reason: str, remaining_tries: int, locked_until: datetime | None) -> None:
        self.reason = reason
        self.remaining_tries = remaining_tries
        self.locked_until = locked_until
        if reason == LOCKED and locked_until is not None:
            message = (
                f"too many wrong passwords: signing in with this user name is locked until "
                f"{locked_until:%H:%M} UTC; try again then, or ask an administrator"
            )
        else:
            tries = "1 try" if remaining_tries == 1 else f"{remaining_tries} tries"
            minutes = int(LOCKOUT.total_seconds() // 60)
            message = f"wrong user name or password; {tries} left before a {minutes}-minute lock"
        super().__init__(message)


# ------------------------------------------------------------------------------------ passwords


def check_password(username: str, password: str) -> str:
    """The password if it may be used for ``username``; ``PasswordRejected`` saying why otherwise."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise PasswordRejected(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"a password may have at most {MAX_LENGTH} characters")
    if password.strip().casefold() == username.strip().casefold():
        raise PasswordRejected("the password must not be the user name")
    return password


def password_strength(password: str) -> int:
    """A rough 0-4 score for the "strength" hint: length and kinds of characters, nothing more."""
    if len(password) < MIN_LENGTH:
        return 0
    kinds = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    score = 1 + (len(password) >= 14) + (len(password) >= 20) + (kinds >= 3)
    if len(set(password)) <= 3:
        score = 1  # "aaaaaaaaaa", "abababab..."
    return min(score, 4)


def hash_password(password: str) -> str:
    """The argon2id hash (salt and parameters included) as stored in ``User.password_hash``."""
    return _hasher.hash(password)


# ------------------------------------------------------------------------------------ lockout


PASSWORD_LOCKOUT = LockoutRule(PASSWORD, MAX_FAILURES, LOCKOUT)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"times must be timezone-aware, got the naive {value.isoformat()}")
    return value.astimezone(UTC)


def lockout_key(username: str) -> str:
    """The user name as the lockout's subject; a name too long for the key column is hashed."""
    return subject_key(username)


def lockout_state(session: Session, username: str, now: datetime) -> LockoutState:
    """Failures so far and the end of a running lockout (an expired lockout counts as none)."""
    return PASSWORD_LOCKOUT.state(session, username, _utc(now))


def _audit(session: Session, username: str, action: str, details: dict, now: datetime) -> None:
    audit.append(session, username[:100] or "?", action, f"user {username}"[:200], details, now)


# ------------------------------------------------------------------------------------ use cases


def _user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def set_password(session: Session, username: str, password: str, now: datetime, by: str = "system") -> None:
    """Give an existing user a new password and lift any lockout (the caller commits)."""
    user = _user(session, username)
    if user is None:
        raise AccessDenied(f"no user named {username!r}")
    user.password_hash = hash_password(check_password(username, password))
    PASSWORD_LOCKOUT.clear(session, username)
    _audit(session, by, "auth.password_set", {"user": username}, _utc(now))


def authenticate(session: Session, username: str, password: str, now: datetime) -> Actor:
    """The actor for a correct user name and password; ``SignInFailed`` otherwise.

    Counts failures towards the lockout and audits the attempt in the caller's transaction:
    the caller must commit whether this returns or raises (``sign_in`` does).
    """
    now = _utc(now)
    username = username.strip()
    # Row lock on PostgreSQL: two PCs trying at once must both count.
    state = PASSWORD_LOCKOUT.state(session, username, now, lock=True)
    if state.locked_until is not None:
        _audit(session, username, "auth.sign_in_refused", {"reason": LOCKED}, now)
        raise SignInFailed(LOCKED, 0, state.locked_until)
    user = _user(session, username) if username else None
    usable = user is not None and user.active and bool(user.password_hash)
    try:
        if usable and len(password) <= MAX_LENGTH:
            matched = _hasher.verify(user.password_hash, password)
        else:
            _hasher.verify(_dummy_hash(), password[:MAX_LENGTH] + "\x00")  # same time, never matches
            matched = False
    except (VerificationError, InvalidHashError):  # a wrong password, or a damaged hash: both refuse
        matched = False
    if matched:
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        PASSWORD_LOCKOUT.clear(session, username)
        _audit(session, username, "auth.sign_in", {"role": user.role.value}, now)
        return Actor(user.username, user.role, user.store_id, user.region_id)
    failed = PASSWORD_LOCKOUT.failed(session, username, now)
    locked = failed.locked_until is not None
    _audit(session, username, "auth.sign_in_failed", {"failures": failed.failures, "locked": locked}, now)
    if locked:
        raise SignInFailed(LOCKED, 0, failed.locked_until)
    raise SignInFailed(WRONG, MAX_FAILURES - failed.failures, None)


def needs_first_admin(session: Session) -> bool:
    """True while no active administrator has a password: the first start creates one."""
    found = session.scalar(
        select(User.id)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.password_hash.is_not(None))
        .limit(1)
    )
    return found is None


def create_first_admin(session: Session, username: str, password: str, now: datetime) -> Actor:
    """Create the administrator on the first start (the caller commits); refused once one exists.

    An existing administrator without a password (the demo chain's ``admin``) gets the password.
    """
    now = _utc(now)
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() or not c.isprintable() for c in username):
        raise PasswordRejected("choose a user name of 1 to 100 characters without spaces")
    check_password(username, password)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FIRST_ADMIN_LOCK})
    if not needs_first_admin(session):
        raise AccessDenied("an administrator already exists; sign in, or ask them for an account")
    user = _user(session, username)
    if user is None:
        user = User(username=username, display_name=username, role=Role.ADMIN, active=True)
        session.add(user)
    elif user.role != Role.ADMIN:
        raise PasswordRejected(f"{username!r} is the name of a {user.role.value} user; choose another name")
    user.active = True
    user.password_hash = hash_password(password)
    session.flush()
    _audit(session, username, "auth.first_admin", {}, now)
    return Actor(user.username, user.role, user.store_id, user.region_id)


def demo_passwords(session: Session, password: str = DEMO_PASSWORD) -> int:
    """Give every user without a password ``password``; returns how many (the caller commits).

    One argon2 hash serves all of them (the salt is inside the hash string), so a demo chain of
    a hundred users takes one hash, not seconds. For demo databases only.
    """
    result = session.execute(
        update(User).where(User.password_hash.is_(None)).values(password_hash=hash_password(password))
    )
    return result.rowcount or 0


# ------------------------------------------------------------------------------------ the facade
