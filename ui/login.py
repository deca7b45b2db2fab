"""Signing in: the login dialog, and the first-run dialog that creates the administrator.

Both talk to the services only (``sign_in``, ``create_first_admin``: ``storemon.services.auth``),
run the password check off the GUI thread (argon2 takes a noticeable fraction of a second on
purpose), and take a clock so a test can cross a 15-minute lockout without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storemon.errors import StoremonError
from storemon.services.access import Actor
from storemon.services.auth import (
    LOCKOUT,
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordRejected,
    SignInFailed,
    check_password,
    password_strength,
)
from ui.i18n import fill
from ui.tasks import TaskRunner
from ui.widgets.form_helpers import MessageStrip

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class AuthServices(Protocol):
    """What the dialogs need from ``Services`` (``storemon.services.api.Auth``)."""

    def sign_in(self, username: str, password: str, now: datetime) -> Actor: ...

    def create_first_admin(self, username: str, password: str, now: datetime) -> Actor: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _unexpected(widget: QWidget, exc: BaseException) -> str:
    if isinstance(exc, StoremonError):
        return str(exc)
    log.error("sign-in failed unexpectedly", exc_info=exc)
    return widget.tr("Something went wrong; the details are in the log file.")


def _return_is_ours(buttons: QDialogButtonBox) -> None:
    """Return in a field submits through the field's own handler, never twice through a button too:
    each submission of a wrong password counts towards the lockout."""
    for button in buttons.buttons():
        button.setAutoDefault(False)
        button.setDefault(False)


class _AuthDialog(QDialog):
    """What both sign-in dialogs hold: the auth services, a clock, a task runner and the result."""

    def __init__(
        self, services: AuthServices, clock: Clock, tasks: TaskRunner | None, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.clock = clock
        self.tasks = tasks or TaskRunner(self)
        self.actor: Actor | None = None


class LoginDialog(_AuthDialog):
    """User name and password; says how many tries are left, and counts down a lockout."""

    signed_in = Signal(object)
    """The ``Actor``, once the password was right (the dialog then closes with Accepted)."""

    def __init__(
        self,
        services: AuthServices,
        username: str = "",
        clock: Clock = _utc_now,
        tasks: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, clock, tasks, parent)
        self.locked_until: datetime | None = None
        self._locked_name = ""
        self.setWindowTitle(self.tr("Sign in to Storemon"))

        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.username.setMaxLength(100)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(MAX_LENGTH)
        self.message = MessageStrip()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        _return_is_ours(self.buttons)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.try_sign_in)

        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self.refresh_countdown)
        self.username.textEdited.connect(self._name_changed)
        self.password.textEdited.connect(lambda _text: self._update_button())
        (self.password if username else self.username).setFocus()
        self._update_button()

    # -- state ------------------------------------------------------------------------------------
    def _locked(self) -> bool:
        return self.locked_until is not None and self.username.text().strip() == self._locked_name

    def _update_button(self, busy: bool = False) -> None:
        ready = bool(self.username.text().strip()) and bool(self.password.text())
        self.sign_in_button.setEnabled(ready and not busy and not self._locked())

    def _name_changed(self, _text: str) -> None:
        if self.locked_until is not None and not self._locked():
            self.message.clear()  # another name: that one is not known to be locked
        self._update_button()

    # -- signing in -------------------------------------------------------------------------------
    def try_sign_in(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        username, password = self.username.text().strip(), self.password.text()
        now = self.clock()
        self._update_button(busy=True)
        self.message.show_message("info", self.tr("Checking…"))
        self.tasks.op(
            self,
            lambda _control: self.services.sign_in(username, password, now),
            self._signed_in,
            on_error=lambda exc: self._failed(username, exc),
        )

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.password.clear()
        self.message.clear()
        self.signed_in.emit(actor)
        self.accept()

    def _failed(self, username: str, exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, SignInFailed) and exc.locked_until is not None:
            self.locked_until, self._locked_name = exc.locked_until, username
            self.countdown.start()
            self.refresh_countdown()
        elif isinstance(exc, SignInFailed):
            minutes = int(LOCKOUT.total_seconds() // 60)
            text = fill(
                self.tr(
                    "Wrong user name or password. %n more tries before this name is locked for %1 minutes.",
                    "",
                    exc.remaining_tries,
                ),
                str(minutes),
            )
            self.message.show_message("error", text)
        else:
            self.message.show_message("error", _unexpected(self, exc))
        self._update_button()

    def refresh_countdown(self) -> None:
        """Show the time left of a lockout; when it is over, allow another try."""
        if self.locked_until is None:
            self.countdown.stop()
            return
        left = int((self.locked_until - self.clock()).total_seconds() + 0.999)
        if left <= 0:
            self.locked_until, self._locked_name = None, ""
            self.countdown.stop()
            self.message.show_message("info", self.tr("You may try again now."))
        else:
            self.message.show_message(
                "error",
                fill(self.tr("Too many wrong passwords. Try again in %1."), f"{left // 60}:{left % 60:02d}"),
            )
        self._update_button()


class FirstRunDialog(_AuthDialog):
    """The first start of an empty database: create the administrator (password typed twice)."""

    created = Signal(object)

    def __init__(
        self,
        services: AuthServices,
        clock: Clock = _utc_now,
        tasks: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, clock, tasks, parent)
        self._busy = False
        self.setWindowTitle(self.tr("Welcome to Storemon"))

        intro = QLabel(
            self.tr(
                "Nobody can sign in yet. Create the administrator: they set up the chain and give "
                "everyone else their account."
            )
        )
        intro.setWordWrap(True)
        self.username = QLineEdit("admin")
        self.username.setObjectName("username")
        self.username.setMaxLength(100)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeat")
        for field in (self.password, self.repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(MAX_LENGTH)
            field.textEdited.connect(lambda _text: self.validate())
        self.username.textEdited.connect(lambda _text: self.validate())
        self.strength = QLabel()
        self.strength.setObjectName("strength")
        self.message = MessageStrip()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = QPushButton(self.tr("Create administrator"))
        self.buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.create)
        self.buttons.rejected.connect(self.reject)
        _return_is_ours(self.buttons)
        self.repeat.returnPressed.connect(self.create)

        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Password again"), self.repeat)
        form.addRow("", self.strength)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.password.setFocus()
        self.validate()

    def strength_text(self, password: str) -> str:
        score = password_strength(password)
        names = (
            fill(self.tr("too short (at least %1 characters)"), str(MIN_LENGTH)),
            self.tr("weak: longer is better than cleverer"),
            self.tr("fair"),
            self.tr("good"),
            self.tr("strong"),
        )
        return fill(self.tr("Strength: %1"), names[score])

    def validate(self, busy: bool = False) -> bool:
        """Live checks: the rules, the repeat; the button is enabled only when all pass."""
        username, password = self.username.text().strip(), self.password.text()
        self.strength.setText(self.strength_text(password) if password else "")
        problem = ""
        if not username:
            problem = self.tr("Choose a user name.")
        elif password:
            try:
                check_password(username, password)
            except PasswordRejected as exc:
                problem = str(exc)
            else:
                if self.repeat.text() and self.repeat.text() != password:
                    problem = self.tr("The two passwords differ.")
        if problem:
            self.message.show_message("warning", problem)
        elif not busy:
            self.message.clear()
        ok = not problem and bool(password) and self.repeat.text() == password
        self.create_button.setEnabled(ok and not busy)
        return ok

    def create(self) -> None:
        if self._busy or not self.validate():
            return
        self._busy = True
        username, password, now = self.username.text().strip(), self.password.text(), self.clock()
        self.validate(busy=True)
        self.message.show_message("info", self.tr("Creating the administrator…"))
        self.tasks.op(
            self,
            lambda _control: self.services.create_first_admin(username, password, now),
            self._created,
            on_error=self._failed,
        )

    def _created(self, actor: Actor) -> None:
        self.actor = actor
        self.password.clear()
        self.repeat.clear()
        self.created.emit(actor)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.validate()
        self.message.show_message("error", _unexpected(self, exc))


def sign_in(
    services, username: str = "", clock: Clock = _utc_now, parent: QWidget | None = None
) -> Actor | None:
    """The first-run dialog on an empty database, else the login dialog; None if the user cancelled."""
    if services.needs_first_admin():
        dialog: QDialog = FirstRunDialog(services, clock=clock, parent=parent)
    else:
        dialog = LoginDialog(services, username=username, clock=clock, parent=parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.tasks.wait()
    return dialog.actor if accepted else None
