"""The Users screen's dialogs: an account (add or edit), a new password, a kiosk PIN.

Each dialog checks what it can as the user types, hands the change to the services off the GUI
thread through ``submit`` and stays open with the services' message when they refuse (a taken
user name, the last administrator, a PIN that is not 4-6 digits); it closes once the change is in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storemon.services.access import STORE_ROLES, Role
from storemon.services.auth import MAX_LENGTH, MIN_LENGTH, PasswordRejected, check_password
from storemon.services.users import USERNAME, UserRow
from ui.context import AppContext
from ui.i18n import fill, translate
from ui.widgets.form_helpers import MessageStrip, role_name

Submit = Callable[[], Any]
"""The service call a dialog makes (runs off the GUI thread); its result goes to ``done``."""


class _ChangeDialog(QDialog):
    """A form, a message strip and OK/Cancel; OK runs the change and closes when it is in."""

    def __init__(self, ctx: AppContext, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.result_value: Any = None
        self.form = QFormLayout()
        self.message = MessageStrip()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = QPushButton(ok_text)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def change(self) -> Submit | None:
        """The service call for what the form says, or None (with a message) while it is not ready."""
        raise NotImplementedError

    def submit(self) -> None:
        call = self.change()
        if call is None:
            return
        self.ok_button.setEnabled(False)
        self.message.show_message("info", self.tr("Saving…"))
        self.ctx.tasks.op(
            self,
            lambda _control: call(),
            self._done,
            on_user_error=self._refused,
            on_error=lambda exc: (self.ok_button.setEnabled(True), self.ctx.show_error(self, exc)),
        )

    def _done(self, value: Any) -> None:
        self.result_value = value
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self.message.show_message("error", str(exc))


class UserDialog(_ChangeDialog):
    """Add an account, or change one's name, role, store or region and e-mail."""

    def __init__(
        self,
        ctx: AppContext,
        stores: list[tuple[str, str]],
        regions: list[tuple[str, str]],
        user: UserRow | None = None,
        parent: QWidget | None = None,
        *,
        taken: frozenset[str] = frozenset(),
        active_admins: int = 0,
    ) -> None:
        editing = user is not None
        super().__init__(
            ctx,
            fill(self.tr("Change %1"), user.username) if editing else self.tr("Add a user"),
            self.tr("Save") if editing else self.tr("Add user"),
            parent,
        )
        self.user = user
        self.taken = taken
        """User names in use (case-folded), deactivated ones included: never given twice."""
        self.active_admins = active_admins
        self.username = QLineEdit(user.username if user else "")
        self.username.setObjectName("username")
        self.username.setMaxLength(100)
        self.username.setReadOnly(editing)
        if editing:
            self.username.setToolTip(self.tr("A user name never changes: the audit log names people by it"))
        self.display_name = QLineEdit(user.display_name if user else "")
        self.display_name.setObjectName("displayName")
        self.display_name.setMaxLength(200)
        self.email = QLineEdit(user.email if user else "")
        self.email.setMaxLength(200)
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in Role:
            self.role.addItem(role_name(role.value), role.value)
        self.store = QComboBox()
        self.store.setObjectName("store")
        for code, name in stores:
            self.store.addItem(f"{code} — {name}", code)
        self.region = QComboBox()
        self.region.setObjectName("region")
        for code, name in regions:
            self.region.addItem(f"{code} — {name}", code)
        self.scope_hint = QLabel()
        self.scope_hint.setWordWrap(True)
        self.scope_hint.setStyleSheet("color: palette(dark);")
        self.form.addRow(self.tr("User name"), self.username)
        self.form.addRow(self.tr("Name"), self.display_name)
        self.form.addRow(self.tr("Role"), self.role)
        self.form.addRow(self.tr("Store"), self.store)
        self.form.addRow(self.tr("Region"), self.region)
        self.form.addRow("", self.scope_hint)
        self.form.addRow(self.tr("E-mail"), self.email)
        if user is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(user.role)))
            if user.store:
                self.store.setCurrentIndex(max(0, self.store.findData(user.store)))
            if user.region:
                self.region.setCurrentIndex(max(0, self.region.findData(user.region)))
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()

    def chosen_role(self) -> Role:
        return Role(self.role.currentData())

    def _role_changed(self) -> None:
        """A counter role belongs to one store, a supervisor to one region, the rest to the chain."""
        role = self.chosen_role()
        self.store.setEnabled(role in STORE_ROLES)
        self.region.setEnabled(role is Role.OPS_SUPERVISOR)
        if role in STORE_ROLES:
            self.scope_hint.setText(self.tr("Sees and acts for this one store."))
        elif role is Role.OPS_SUPERVISOR:
            self.scope_hint.setText(self.tr("Sees every store of this region."))
        else:
            self.scope_hint.setText(self.tr("Head office: sees the whole chain."))

    def change(self) -> Submit | None:
        username = self.username.text().strip()
        role = self.chosen_role()
        # The services check all of this too; asked here first, the user reads it in their language.
        if not username:
            self.message.show_message("warning", self.tr("Choose a user name."))
            return None
        if self.user is None and not USERNAME.match(username):
            self.message.show_message(
                "warning",
                self.tr(
                    "A user name has 2-100 letters, digits, '.', '_', '@' or '-', and starts with a "
                    "letter or digit."
                ),
            )
            return None
        if self.user is None and username.casefold() in self.taken:
            self.message.show_message(
                "warning", fill(self.tr("%1 is already taken; choose another user name."), username)
            )
            return None
        if self._last_admin() and role is not Role.ADMIN:
            self.message.show_message("warning", last_admin_text())
            return None
        store = self.store.currentData() if role in STORE_ROLES else None
        region = self.region.currentData() if role is Role.OPS_SUPERVISOR else None
        if role in STORE_ROLES and store is None:
            self.message.show_message("warning", self.tr("This role needs a store; there is none to choose."))
            return None
        if role is Role.OPS_SUPERVISOR and region is None:
            self.message.show_message(
                "warning", self.tr("This role needs a region; there is none to choose.")
            )
            return None
        users, actor, now = self.ctx.services.users, self.ctx.actor, self.ctx.clock()
        display_name, email = self.display_name.text().strip(), self.email.text().strip()
        if self.user is None:
            return lambda: users.add(
                actor, username, role, now, display_name=display_name, store=store, region=region, email=email
            )
        return lambda: users.edit(
            actor,
            username,
            now,
            display_name=display_name,
            role=role,
            store=store,
            region=region,
            email=email,
        )

    def _last_admin(self) -> bool:
        return (
            self.user is not None
            and self.user.active
            and self.user.role == Role.ADMIN.value
            and self.active_admins <= 1
        )


def last_admin_text() -> str:
    return translate(
        "UserDialog",
        "This is the last active administrator: make someone else an administrator first.",
    )


class PasswordDialog(_ChangeDialog):
    """A new password for an account, typed twice (the old one is not needed: head office resets it)."""

    def __init__(self, ctx: AppContext, user: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx, fill(self.tr("New password for %1"), user.display_name), self.tr("Set password"), parent
        )
        self.user = user
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeat")
        for field in (self.password, self.repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(MAX_LENGTH)
        self.form.addRow(self.tr("New password"), self.password)
        self.form.addRow(self.tr("Password again"), self.repeat)
        hint = QLabel(self.tr("Tell the person their new password in person or by phone, never by e-mail."))
        hint.setWordWrap(True)
        self.form.addRow("", hint)

    def change(self) -> Submit | None:
        password = self.password.text()
        if len(password) < MIN_LENGTH:
            self.message.show_message(
                "warning", fill(self.tr("A password needs at least %1 characters."), str(MIN_LENGTH))
            )
            return None
        if password.strip().casefold() == self.user.username.casefold():
            self.message.show_message("warning", self.tr("The password must not be the user name."))
            return None
        try:
            check_password(self.user.username, password)  # the service's rule, should it grow
        except PasswordRejected as exc:
            self.message.show_message("warning", str(exc))
            return None
        if self.repeat.text() != password:
            self.message.show_message("warning", self.tr("The two passwords differ."))
            return None
        auth, actor, now, username = (
            self.ctx.services.auth,
            self.ctx.actor,
            self.ctx.clock(),
            self.user.username,
        )
        return lambda: auth.set_password(actor, username, password, now)


class PinDialog(_ChangeDialog):
    """A kiosk PIN (4-6 digits) for the staff member behind an account; a lockout is lifted too."""

    def __init__(self, ctx: AppContext, user: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx, fill(self.tr("Kiosk PIN for %1"), user.display_name), self.tr("Set PIN"), parent
        )
        self.user = user
        digits = QRegularExpressionValidator(QRegularExpression("[0-9]{0,6}"), self)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeatPin")
        for field in (self.pin, self.repeat):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setValidator(digits)
            field.setMaxLength(6)
        self.form.addRow(self.tr("PIN (4-6 digits)"), self.pin)
        self.form.addRow(self.tr("PIN again"), self.repeat)

    def change(self) -> Submit | None:
        pin = self.pin.text()
        if not 4 <= len(pin) <= 6:
            self.message.show_message("warning", self.tr("A PIN has 4 to 6 digits."))
            return None
        if self.repeat.text() != pin:
            self.message.show_message("warning", self.tr("The two PINs differ."))
            return None
        kiosk, actor, now, staff_id = (
            self.ctx.services.kiosk,
            self.ctx.actor,
            self.ctx.clock(),
            self.user.staff_id,
        )
        return lambda: kiosk.set_staff_pin(actor, staff_id, pin, now)
