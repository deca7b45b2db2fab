"""The Users screen (head office): who may sign in, with which role, for which store or region.

Lists the accounts (name, user name, role, store or region, kiosk PIN, active) and, through the
same services as `storemon user ...`, adds an account, changes its role and scope, sets a new
password, sets or resets the kiosk PIN of the staff member behind it, and deactivates it. A
button a role may not use is disabled with a tooltip saying who may.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storemon.services.access import Role, allows
from storemon.services.users import UserRow
from ui import palette
from ui.context import AppContext
from ui.i18n import fill
from ui.views.base import BaseView
from ui.views.user_dialogs import PasswordDialog, PinDialog, UserDialog, last_admin_text
from ui.widgets.form_helpers import BusyBar, MessageStrip, role_name
from ui.widgets.read_only import who_may

COLUMNS = ("name", "username", "role", "scope", "pin", "active")


class UsersView(BaseView):
    """The accounts table and what head office does with an account."""

    view_key = "users"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.rows: list[UserRow] = []
        """The accounts shown (deactivated ones only with the box ticked)."""
        self.everyone: list[UserRow] = []
        self._stores: list[tuple[str, str]] = []
        self._regions: list[tuple[str, str]] = []
        self.dialog: UserDialog | PasswordDialog | PinDialog | None = None
        self.confirm_box: QMessageBox | None = None
        title = QLabel(self.title())
        title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.busy = BusyBar()
        self.message = MessageStrip()
        self.show_inactive = QCheckBox(self.tr("Show deactivated accounts"))
        self.show_inactive.toggled.connect(
            lambda _on: self._show_rows(self.everyone, self._stores, self._regions)
        )
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("User name"),
                self.tr("Role"),
                self.tr("Store or region"),
                self.tr("Kiosk PIN"),
                self.tr("Active"),
            ]
        )
        tips = (
            self.tr("The name people see in alerts and on the kiosk"),
            self.tr("What the person types to sign in; it never changes"),
            self.tr("What the account may see and do"),
            self.tr("A counter role belongs to one store, an operations supervisor to one region"),
            self.tr("Whether the staff member behind the account can sign in at the counter"),
            self.tr("A deactivated account can no longer sign in or be paged; its history stays"),
        )
        for column, tip in enumerate(tips):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.edit_user())

        self.add_button = QPushButton(self.tr("Add user…"))
        self.edit_button = QPushButton(self.tr("Change role or store…"))
        self.password_button = QPushButton(self.tr("Set new password…"))
        self.pin_button = QPushButton(self.tr("Set kiosk PIN…"))
        self.deactivate_button = QPushButton(self.tr("Deactivate"))
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.password_button.clicked.connect(self.set_password)
        self.pin_button.clicked.connect(self.set_pin)
        self.deactivate_button.clicked.connect(self.deactivate_user)
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.password_button,
            self.pin_button,
            self.deactivate_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.show_inactive)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self._may = {
            "add": ctx.services.users.may(ctx.actor, "add"),
            "edit": ctx.services.users.may(ctx.actor, "edit"),
            "deactivate": ctx.services.users.may(ctx.actor, "deactivate"),
        }
        self._update_buttons()

    def title(self) -> str:
        return self.tr("Users")

    # -- loading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        services, actor = self.ctx.services, self.ctx.actor

        def load(_control):
            rows = services.users.list(actor, include_inactive=True)  # every name stays taken
            stores = [(s.code, s.name) for s in services.stores.list(actor)]
            regions = [(r.code, r.name) for r in services.stores.regions(actor)]
            return rows, stores, regions

        self.ctx.tasks.op(
            self,
            load,
            lambda result: self._show_rows(*result),
            key="load",
            on_user_error=lambda exc: self.message.show_message("error", str(exc)),
            busy=self.busy,
        )

    def _show_rows(self, everyone: list[UserRow], stores, regions) -> None:
        selected = self.selected_user()
        self.everyone, self._stores, self._regions = everyone, stores, regions
        rows = everyone if self.show_inactive.isChecked() else [r for r in everyone if r.active]
        self.rows = rows
        self.table.setRowCount(len(rows))
        muted = QBrush(palette.MUTED.qtext())
        for index, row in enumerate(rows):
            scope = row.store or row.region or self.tr("Whole chain")
            if not row.staff_id:
                pin = self.tr("No staff record")
            else:
                pin = self.tr("Set") if row.has_pin else self.tr("Not set")
            cells = (
                row.display_name,
                row.username,
                role_name(row.role),
                scope,
                pin,
                self.tr("Active") if row.active else self.tr("Deactivated"),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.username)
                if not row.active:
                    item.setForeground(muted)
                self.table.setItem(index, column, item)
        if selected is not None:
            self.select_user(selected.username)
        self._update_buttons()

    # -- selection --------------------------------------------------------------------------------
    def selected_user(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        username = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.rows if r.username == username), None)

    def select_user(self, username: str) -> None:
        for index in range(self.table.rowCount()):
            if self.table.item(index, 0).data(Qt.ItemDataRole.UserRole) == username:
                self.table.selectRow(index)
                return

    def _set(self, button: QPushButton, enabled: bool, why: str) -> None:
        """Enable ``button``, or disable it with ``why`` (who may, or what is missing) as its tooltip."""
        button.setEnabled(enabled)
        button.setToolTip("" if enabled else why)

    def _update_buttons(self) -> None:
        user, actor = self.selected_user(), self.ctx.actor
        pick = self.tr("Select a user first.")
        head_office = who_may(self.ctx.services.users.needs("add"))
        self._set(self.add_button, self._may["add"], head_office)
        self._set(
            self.edit_button, user is not None and self._may["edit"], pick if user is None else head_office
        )
        own = user is not None and user.username == actor.username
        may_password = own or allows(actor, Role.ADMIN)
        self._set(
            self.password_button,
            user is not None and may_password,
            pick if user is None else self.tr("Only an administrator may set other people's passwords."),
        )
        if user is None:
            self._set(self.pin_button, False, pick)
        elif not user.staff_id:
            self._set(
                self.pin_button,
                False,
                fill(
                    self.tr(
                        "%1 has no staff record, so cannot sign in at the kiosk: import them with the "
                        "staff file first."
                    ),
                    user.display_name,
                ),
            )
        else:
            self._set(self.pin_button, True, "")
            self.pin_button.setText(
                self.tr("Reset kiosk PIN…") if user.has_pin else self.tr("Set kiosk PIN…")
            )
        if user is None:
            self._set(self.deactivate_button, False, pick)
        elif not user.active:
            self._set(self.deactivate_button, False, self.tr("This account is already deactivated."))
        elif own:
            self._set(self.deactivate_button, False, self.tr("You cannot deactivate your own account."))
        elif user.role == Role.ADMIN.value and self._active_admins() <= 1:
            self._set(self.deactivate_button, False, last_admin_text())
        else:
            self._set(self.deactivate_button, self._may["deactivate"], head_office)

    def _active_admins(self) -> int:
        return sum(r.active and r.role == Role.ADMIN.value for r in self.everyone)

    def _taken(self) -> frozenset[str]:
        return frozenset(r.username.casefold() for r in self.everyone)

    # -- actions ----------------------------------------------------------------------------------
    def _open(self, dialog: UserDialog | PasswordDialog | PinDialog, done_text: str) -> None:
        """Show ``dialog`` (not modal-blocking: tests answer it like a user); reload once it saved."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(result: int) -> None:
            self.dialog = None
            if result:
                self.message.show_message("success", done_text)
                self.ctx.events.status_message.emit(done_text)
                self.refresh()

        dialog.finished.connect(finished)
        dialog.open()

    def add_user(self) -> None:
        dialog = UserDialog(self.ctx, self._stores, self._regions, parent=self, taken=self._taken())
        self._open(dialog, self.tr("User added. Set their password next, so they can sign in."))

    def edit_user(self) -> None:
        user = self.selected_user()
        if user is None or not self.edit_button.isEnabled():
            return
        dialog = UserDialog(
            self.ctx, self._stores, self._regions, user, parent=self, active_admins=self._active_admins()
        )
        self._open(dialog, fill(self.tr("%1 changed."), user.display_name))

    def set_password(self) -> None:
        user = self.selected_user()
        if user is not None and self.password_button.isEnabled():
            self._open(
                PasswordDialog(self.ctx, user, self),
                fill(self.tr("New password set for %1."), user.display_name),
            )

    def set_pin(self) -> None:
        user = self.selected_user()
        if user is not None and self.pin_button.isEnabled():
            self._open(
                PinDialog(self.ctx, user, self), fill(self.tr("Kiosk PIN set for %1."), user.display_name)
            )

    def deactivate_user(self) -> None:
        user = self.selected_user()
        if user is None or not self.deactivate_button.isEnabled():
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Deactivate user"),
            fill(
                self.tr("Deactivate %1 (%2)? They can no longer sign in or be paged; their history stays."),
                user.display_name,
                user.username,
            ),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        yes = box.addButton(self.tr("Deactivate"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        services, actor, now, username = self.ctx.services, self.ctx.actor, self.ctx.clock(), user.username

        def answered(button) -> None:
            if button is not yes:
                return
            self.ctx.tasks.op(
                self,
                lambda _c: services.users.deactivate(actor, username, now),
                lambda row: (
                    self.message.show_message("success", fill(self.tr("%1 deactivated."), row.display_name)),
                    self.refresh(),
                ),
                on_user_error=lambda exc: self.message.show_message("error", str(exc)),
                busy=self.busy,
            )

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "confirm_box", None))
        self.confirm_box = box
        box.open()
