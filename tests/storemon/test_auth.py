"""Passwords, sign-in and lockout, the first administrator, demo passwords: on SQLite and PostgreSQL.

The clock is a parameter; a 15-minute lockout is crossed by passing a later ``now``, not by sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import func, select

from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import AuditEntry, Lockout, Role, User
from storemon.services import audit
from storemon.services import auth as auth_module
from storemon.services.access import AccessDenied
from storemon.services.api import Auth
from storemon.services.auth import (
    DEMO_PASSWORD,
    LOCKOUT,
    MAX_FAILURES,
    PasswordRejected,
    SignInFailed,
    check_password,
    create_first_admin,
    demo_passwords,
    hash_password,
    lockout_key,
    needs_first_admin,
    password_strength,
    set_password,
)
from storemon.services.database import Database

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
GOOD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """argon2id with minimal cost: the production parameters are checked once, below."""
    monkeypatch.setattr(
        auth_module, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    )


def _seed(session_factory) -> None:
    with session_factory.begin() as session:
        session.add_all(
            [
                User(username="mgr", display_name="Store manager", role=Role.STORE_MANAGER),
                User(username="gone", display_name="Left", role=Role.STAFF, active=False),
                User(username="nopass", display_name="No password yet", role=Role.STAFF),
            ]
        )
        session.flush()
        set_password(session, "mgr", GOOD, T0)
        set_password(session, "gone", GOOD, T0)


@pytest.fixture
def api(engine, session_factory) -> Auth:
    """On both engines: for what the database does (row locks, key lengths, advisory locks)."""
    _seed(session_factory)
    return Auth(Database(engine, session_factory, None))


@pytest.fixture
def lite_factory(sqlite_url):
    engine = make_engine(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def lite_api(lite_factory) -> Auth:
    """SQLite only: for rules that do not depend on the engine."""
    _seed(lite_factory)
    return Auth(Database(None, lite_factory, None))


@pytest.mark.parametrize(
    ("username", "password", "accepted"),
    [
        ("mgr", "short", False),
        ("mgr", "123456789", False),  # 9 characters
        ("mgr", "1234567890", True),
        ("li.wei.manager", "Li.Wei.Manager", False),  # the user name, in other case
        ("li.wei.manager", " li.wei.manager ", False),
        ("mgr", "店长的密码很长很长很长", True),  # 11 Chinese characters
        ("mgr", "x" * 257, False),
    ],
)
def test_password_rules(username, password, accepted):
    if accepted:
        assert check_password(username, password) == password
    else:
        with pytest.raises(PasswordRejected):
            check_password(username, password)


def test_strength_hint_grows_with_length_and_variety():
    assert password_strength("short") == 0
    assert password_strength("aaaaaaaaaaaa") == 1
    assert password_strength("abcdefghij") < password_strength("Abcdefgh1!xyz-2026") <= 4


def test_hashes_are_argon2id_salted_and_never_the_password(monkeypatch):
    monkeypatch.undo()  # the production hasher: RFC 9106 low-memory argon2id
    first = hash_password(GOOD)
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and GOOD not in first
    assert hash_password.__module__ == "storemon.services.auth"
    monkeypatch.setattr(auth_module, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    assert hash_password(GOOD) != hash_password(GOOD), "each hash has its own salt"


def test_the_right_password_signs_in_as_the_user(lite_api):
    actor = lite_api.sign_in("mgr", GOOD, T0)
    assert (actor.username, actor.role) == ("mgr", Role.STORE_MANAGER)
    assert lite_api.sign_in(" mgr ", GOOD, T0).username == "mgr", "stray spaces around the name are ignored"


def test_five_wrong_passwords_lock_the_name_for_fifteen_minutes(api, session_factory):
    remaining = []
    for k in range(MAX_FAILURES - 1):
        with pytest.raises(SignInFailed) as failed:
            api.sign_in("mgr", f"wrong password {k}", T0 + timedelta(seconds=k))
        assert failed.value.reason == "wrong" and failed.value.locked_until is None
        remaining.append(failed.value.remaining_tries)
    assert remaining == [4, 3, 2, 1]
    assert "1 try left" in str(failed.value)
    with pytest.raises(SignInFailed) as locked:
        api.sign_in("mgr", "wrong again", T0 + timedelta(minutes=1))
    assert locked.value.reason == "locked" and locked.value.remaining_tries == 0
    assert locked.value.locked_until == T0 + timedelta(minutes=1) + LOCKOUT
    with session_factory() as session:  # shared by every PC: it is in the database
        stored = session.get(Lockout, ("password", "mgr"))
        assert stored.failures == MAX_FAILURES and stored.locked_until
    with pytest.raises(SignInFailed) as still:
        api.sign_in("mgr", GOOD, T0 + timedelta(minutes=15))
    assert still.value.reason == "locked", "while locked even the right password is refused"
    actor = api.sign_in("mgr", GOOD, T0 + timedelta(minutes=16, seconds=1))
    assert actor.username == "mgr"
    with session_factory() as session:
        assert session.get(Lockout, ("password", "mgr")) is None, "a good sign-in clears the count"


def test_a_good_sign_in_resets_the_count(lite_api):
    for _ in range(3):
        with pytest.raises(SignInFailed):
            lite_api.sign_in("mgr", "nope nope nope", T0)
    lite_api.sign_in("mgr", GOOD, T0)
    with pytest.raises(SignInFailed) as failed:
        lite_api.sign_in("mgr", "nope nope nope", T0)
    assert failed.value.remaining_tries == MAX_FAILURES - 1


@pytest.mark.parametrize("username", ["nobody", "gone", "nopass", ""])
def test_unknown_inactive_and_passwordless_users_get_the_same_answer(lite_api, lite_factory, username):
    with pytest.raises(SignInFailed) as failed:
        lite_api.sign_in(username, GOOD, T0)
    assert (failed.value.reason, failed.value.remaining_tries) == ("wrong", MAX_FAILURES - 1)
    assert "wrong user name or password" in str(failed.value)
    with lite_factory() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 3, "no user is created"


def test_every_attempt_is_audited_and_the_password_never_is(lite_api, lite_factory):
    with pytest.raises(SignInFailed):
        lite_api.sign_in("mgr", "Secret-Typo-123", T0)
    lite_api.sign_in("mgr", GOOD, T0 + timedelta(seconds=5))
    with lite_factory() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action.like("auth.%"))).all()
        actions = [(r.actor, r.action) for r in rows]
        assert ("mgr", "auth.sign_in_failed") in actions and ("mgr", "auth.sign_in") in actions
        dumped = repr([(r.actor, r.subject, r.details) for r in rows])
        assert "Secret-Typo-123" not in dumped and GOOD not in dumped
        count, problems = audit.verify(session)
        assert count >= 2 and problems == []


def test_a_very_long_user_name_still_has_a_lockout_key_that_fits(api):
    name = "u" * 100
    assert len(lockout_key(name)) <= 100 and lockout_key(name) != lockout_key("u" * 99 + "v")
    with pytest.raises(SignInFailed):
        api.sign_in(name, "whatever it is", T0)  # PostgreSQL would refuse a key over 100 characters


def test_the_first_start_creates_the_administrator_once(engine, session_factory):
    api = Auth(Database(engine, session_factory, None))
    assert api.needs_first_admin()
    with pytest.raises(PasswordRejected):
        api.create_first_admin("boss", "boss", T0)
    actor = api.create_first_admin("boss", "a long admin password", T0)
    assert actor.role == Role.ADMIN and not api.needs_first_admin()
    assert api.sign_in("boss", "a long admin password", T0).role == Role.ADMIN
    with pytest.raises(AccessDenied):
        api.create_first_admin("second", "another long password", T0)


def test_the_demo_administrator_without_a_password_gets_one(lite_factory):
    with lite_factory.begin() as session:
        session.add(User(username="admin", display_name="Administrator", role=Role.ADMIN))
        session.add(User(username="staff-1", display_name="Staff", role=Role.STAFF))
    with lite_factory.begin() as session:
        assert needs_first_admin(session)
        with pytest.raises(PasswordRejected):
            create_first_admin(session, "staff-1", "a long admin password", T0)
    with lite_factory.begin() as session:
        create_first_admin(session, "admin", "a long admin password", T0)
        assert not needs_first_admin(session)


def test_demo_passwords_hash_once_for_the_whole_chain(lite_factory, monkeypatch):
    hashed = []

    class CountingHasher(PasswordHasher):
        def hash(self, password, *, salt=None):
            hashed.append(password)
            return super().hash(password, salt=salt)

    with lite_factory.begin() as session:
        session.add_all(User(username=f"u{k}", display_name="x", role=Role.STAFF) for k in range(80))
        session.add(
            User(username="own", display_name="x", role=Role.STAFF, password_hash=hash_password(GOOD))
        )
    monkeypatch.setattr(auth_module, "_hasher", CountingHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with lite_factory.begin() as session:
        assert demo_passwords(session) == 80
    assert hashed == [DEMO_PASSWORD], "one hash for eighty users: argon2 hashes carry their salt"
    with lite_factory() as session:
        hashes = set(session.scalars(select(User.password_hash).where(User.username != "own")))
        assert len(hashes) == 1
        assert session.scalar(select(User.password_hash).where(User.username == "own")) != hashes.pop(), (
            "a real password is never overwritten"
        )
    api = Auth(Database(None, lite_factory, None))
    assert api.sign_in("u7", DEMO_PASSWORD, T0).username == "u7"
    assert api.sign_in("u42", DEMO_PASSWORD, T0).username == "u42"


def test_a_new_password_follows_the_rules_and_lifts_the_lock(lite_api, lite_factory):
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInFailed):
            lite_api.sign_in("mgr", "wrong wrong wrong", T0)
    with lite_factory.begin() as session, pytest.raises(PasswordRejected):
        set_password(session, "mgr", "mgr", T0)
    with lite_factory.begin() as session:
        set_password(session, "mgr", "a brand new password", T0, by="admin")
    assert lite_api.sign_in("mgr", "a brand new password", T0).username == "mgr"


# ------------------------------------------------------------------------------------ the command line (see the CLI patch)


def test_the_demo_chain_signs_in_with_the_documented_password(capsys, storemon_home):
    from storemon.cli import main
    from storemon.services.database import open_database

    assert main(["demo", "--stores", "3", "--weeks", "1", "--anchor", "2026-03-09"]) == 0
    assert DEMO_PASSWORD in capsys.readouterr().err
    database = open_database()
    try:
        api = Auth(database)
        assert not api.needs_first_admin(), "the demo administrator has a password: no first-run dialog"
        assert api.sign_in("mgr-sh001", DEMO_PASSWORD, T0).role == Role.STORE_MANAGER
        assert api.sign_in("admin", DEMO_PASSWORD, T0).role == Role.ADMIN
    finally:
        database.close()


def test_storemon_user_passwd_asks_twice_and_sets_the_password(capsys, monkeypatch, sqlite_url):
    from storemon.cli import main

    engine = make_engine(sqlite_url)
    with make_session_factory(engine).begin() as session:
        session.add(User(username="mgr", display_name="Store manager", role=Role.STORE_MANAGER))
        session.add(User(username="staff", display_name="Staff", role=Role.STAFF))
    typed = iter(["a new long password", "a new long password", "x" * 12, "y" * 12])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert main(["--db", sqlite_url, "user", "passwd", "mgr"]) == 0
    assert main(["--db", sqlite_url, "user", "passwd", "mgr"]) == 2, "two different entries"
    assert "differ" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "--as", "staff", "user", "passwd", "mgr"]) == 2, "not theirs to set"
    api = Auth(Database(engine, make_session_factory(engine), None))
    assert api.sign_in("mgr", "a new long password", T0).username == "mgr"
    engine.dispose()
