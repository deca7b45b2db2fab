"""Signing in as a user meets it: wrong passwords, the lockout countdown, the first start.

The dialogs take a clock: the 15-minute lockout is crossed by moving the clock, not by waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, Type
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from storemon.db.models import Role, User
from storemon.services import auth
from storemon.services.api import Auth
from storemon.services.auth import set_password
from storemon.services.database import open_database
from tests.ui.conftest import WAIT_MS
from ui.login import FirstRunDialog, LoginDialog

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(
        auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    )


@pytest.fixture
def database(sqlite_url):
    db = open_database(sqlite_url)
    yield db
    db.close()


@pytest.fixture
def services(database) -> Auth:
    with database.sessions.begin() as session:
        session.add(User(username="mgr-sh001", display_name="店长", role=Role.STORE_MANAGER))
        session.flush()
        set_password(session, "mgr-sh001", PASSWORD, T0)
    return Auth(database)


def _try(qtbot, dialog: LoginDialog, password: str) -> None:
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() != "Checking…", timeout=WAIT_MS)


def test_a_wrong_password_says_how_many_tries_are_left(qtbot, services):
    dialog = LoginDialog(services, clock=Clock(T0))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.username, "mgr-sh001")
    assert not dialog.sign_in_button.isEnabled(), "nothing to check without a password"
    _try(qtbot, dialog, "not my password")
    assert "Wrong user name or password" in dialog.message.text()
    assert "4 more tries" in dialog.message.text() and "15 minutes" in dialog.message.text()
    assert dialog.password.text() == "" and dialog.actor is None
    _try(qtbot, dialog, "still not it")
    assert "3 more tries" in dialog.message.text()


def test_five_wrong_passwords_lock_the_name_and_count_down(qtbot, services):
    clock = Clock(T0)
    dialog = LoginDialog(services, username="mgr-sh001", clock=clock)
    qtbot.addWidget(dialog)
    for k in range(5):
        _try(qtbot, dialog, f"wrong {k}")
    assert "Try again in 15:00" in dialog.message.text()
    qtbot.keyClicks(dialog.password, PASSWORD)
    assert not dialog.sign_in_button.isEnabled(), "no point trying while locked"
    assert dialog.countdown.isActive()
    clock.now = T0 + timedelta(minutes=6, seconds=30)
    dialog.refresh_countdown()
    assert "Try again in 8:30" in dialog.message.text()
    clock.now = T0 + timedelta(minutes=15, seconds=1)
    dialog.refresh_countdown()
    assert "You may try again now" in dialog.message.text() and not dialog.countdown.isActive()
    assert dialog.sign_in_button.isEnabled()
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS) as signed:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert signed.args[0].username == "mgr-sh001"


def test_the_lock_is_shared_by_a_second_window(qtbot, services):
    """Another dialog (another PC) sees the same lock: it is in the database."""
    first = LoginDialog(services, username="mgr-sh001", clock=Clock(T0))
    qtbot.addWidget(first)
    for k in range(5):
        _try(qtbot, first, f"wrong {k}")
    second = LoginDialog(services, username="mgr-sh001", clock=Clock(T0 + timedelta(minutes=1)))
    qtbot.addWidget(second)
    _try(qtbot, second, PASSWORD)
    assert "Try again in 14:00" in second.message.text() and second.actor is None


def test_the_right_password_returns_the_actor(qtbot, services):
    dialog = LoginDialog(services, username="mgr-sh001", clock=Clock(T0))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Return signs in
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (dialog.actor.username, dialog.actor.role) == ("mgr-sh001", Role.STORE_MANAGER)
    assert dialog.password.text() == "", "the password does not linger in the widget"


def test_the_first_start_creates_the_administrator(qtbot, database):
    services = Auth(database)
    assert services.needs_first_admin()
    dialog = FirstRunDialog(services, clock=Clock(T0))
    qtbot.addWidget(dialog)
    assert dialog.username.text() == "admin" and not dialog.create_button.isEnabled()
    qtbot.keyClicks(dialog.password, "short")
    assert "at least 10 characters" in dialog.message.text() and "too short" in dialog.strength.text()
    qtbot.keyClicks(dialog.password, " but now long enough")
    assert dialog.message.text() == "" and "Strength:" in dialog.strength.text()
    qtbot.keyClicks(dialog.repeat, "short but now long enougH")
    assert "differ" in dialog.message.text() and not dialog.create_button.isEnabled()
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.repeat, "h")
    assert dialog.create_button.isEnabled()
    with qtbot.waitSignal(dialog.created, timeout=WAIT_MS) as created:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert created.args[0].role == Role.ADMIN and dialog.result() == QDialog.DialogCode.Accepted
    assert not services.needs_first_admin()
    login = LoginDialog(services, username="admin", clock=Clock(T0))
    qtbot.addWidget(login)
    qtbot.keyClicks(login.password, "short but now long enough")
    with qtbot.waitSignal(login.signed_in, timeout=WAIT_MS):
        qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)


def test_the_password_may_not_be_the_user_name(qtbot, database):
    dialog = FirstRunDialog(Auth(database), clock=Clock(T0))
    qtbot.addWidget(dialog)
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, "storemon-boss")
    qtbot.keyClicks(dialog.password, "Storemon-Boss")
    qtbot.keyClicks(dialog.repeat, "Storemon-Boss")
    assert "must not be the user name" in dialog.message.text() and not dialog.create_button.isEnabled()


def test_sign_in_shows_the_first_run_dialog_only_while_there_is_no_administrator(qtbot, database):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.login import sign_in

    services = Auth(database)
    seen = []

    def fill(password_fields: tuple[str, ...], button: str) -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(type(dialog).__name__)
        for name in password_fields:
            getattr(dialog, name).setText(PASSWORD)
            getattr(dialog, name).textEdited.emit(PASSWORD)
        getattr(dialog, button).click()

    QTimer.singleShot(0, lambda: fill(("password", "repeat"), "create_button"))
    first = sign_in(services, clock=Clock(T0))
    QTimer.singleShot(0, lambda: fill(("password",), "sign_in_button"))
    again = sign_in(services, "admin", clock=Clock(T0))
    assert seen == ["FirstRunDialog", "LoginDialog"]
    assert first.username == again.username == "admin" and again.role == Role.ADMIN
