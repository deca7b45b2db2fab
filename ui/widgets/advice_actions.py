"""What a manager does with advice: "Add these shifts…" (drafts confirmed in a dialog) and "Call backup
for 07:30–09:30" (the backup call, with that window).

Used under "What would fix today" on Today and under the roster what-if on Region. The drafts and
the window come from ``storemon.services.advice``; saving goes through the schedule service
(``add_shifts``: all or none, audited), calling through the calls service, both off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storemon.services.advice import ShiftDrafts
from storemon.services.schedule import NewShift, RosterEntry
from ui.context import AppContext
from ui.format import clock, short_date
from ui.i18n import fill
from ui.models.roster_table import role_label
from ui.tasks import TaskControl
from ui.views.shift_dialog import schedule_error_text
from ui.widgets.inline_error import InlineErrorMixin, error_line

BackupCaller = Callable[[datetime, datetime], None]


class AddShiftsDialog(InlineErrorMixin, QDialog):
    """The draft shifts of some advice: tick the ones to add, choose who works each, confirm."""

    saved = Signal(list)
    """The ``RosterEntry`` list created."""

    INCLUDE, DAY, START, END, PERSON = range(5)

    def __init__(
        self, ctx: AppContext, drafts: ShiftDrafts, reason: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.drafts, self.reason = ctx, drafts, reason
        self._busy = False
        self.setWindowTitle(self.tr("Add these shifts"))
        self.setModal(True)
        intro = QLabel(
            fill(
                self.tr("Draft shifts for %1 (%2). Nothing is saved until you confirm."),
                drafts.store_name,
                drafts.store_code,
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(drafts.drafts), 5)
        self.table.setObjectName("draftShifts")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Add"), self.tr("Day"), self.tr("From"), self.tr("To"), self.tr("Who")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.PERSON, QHeaderView.ResizeMode.Stretch)
        self.person_combos: list[QComboBox] = []
        for row, draft in enumerate(drafts.drafts):
            include = QTableWidgetItem()
            include.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            include.setCheckState(Qt.CheckState.Checked)
            self.table.setItem(row, self.INCLUDE, include)
            for column, text in (
                (self.DAY, short_date(draft.day)),
                (self.START, clock(draft.start)),
                (self.END, clock(draft.end)),
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))
            combo = QComboBox()
            combo.addItem(self.tr("Choose who…"), None)
            for person in drafts.people:
                combo.addItem(f"{person.name} · {role_label(person.role)}", person.id)
            combo.setCurrentIndex(max(0, combo.findData(draft.staff_id)) if draft.staff_id else 0)
            combo.currentIndexChanged.connect(self._check)
            self.table.setCellWidget(row, self.PERSON, combo)
            self.person_combos.append(combo)
        self.table.itemChanged.connect(self._check)
        self.note = QLabel()
        self.note.setWordWrap(True)
        if drafts.left_out:
            self.note.setText(
                self.tr(
                    "Cover that is already over is left out: a shift starting before now would rewrite "
                    "the waits and pressure already recorded."
                )
            )
        self.note.setVisible(bool(drafts.left_out))
        self.error_label = error_line()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self._check()

    def chosen(self) -> list[NewShift | None]:
        """The ticked drafts as shifts to add (None where nobody is chosen yet)."""
        result: list[NewShift | None] = []
        for row, draft in enumerate(self.drafts.drafts):
            if self.table.item(row, self.INCLUDE).checkState() != Qt.CheckState.Checked:
                continue
            staff_id = self.person_combos[row].currentData()
            result.append(None if staff_id is None else NewShift(staff_id, draft.start, draft.end))
        return result

    def _check(self, *_args) -> None:
        chosen = self.chosen()
        self.save_button.setText(
            self.tr("Add %n shift(s)", "", len(chosen)) if chosen else self.tr("Add shifts")
        )
        if not chosen:
            self._show_error(self.tr("Tick at least one shift to add."))
        elif None in chosen:
            self._show_error(self.tr("Choose who works each ticked shift."))
        else:
            self._show_error("")

    def save(self) -> None:
        chosen = self.chosen()
        if self._busy or not chosen or None in chosen:
            return
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()
        store_id, reason = self.drafts.store_id, self.reason

        def work(_control: TaskControl) -> list[RosterEntry]:
            return services.schedule.add_shifts(actor, store_id, chosen, now, reason)

        self._busy = True
        self.save_button.setEnabled(False)
        self.table.setEnabled(False)
        self.ctx.tasks.op(self, work, self._saved, on_error=self._failed)

    def _saved(self, entries: list[RosterEntry]) -> None:
        self._busy = False
        self.saved.emit(entries)
        self.ctx.events.status_message.emit(
            fill(
                self.tr("%1 shift(s) added to the roster of %2"),
                QLocale().toString(len(entries)),
                self.drafts.store_name,
            )
        )
        self.ctx.events.data_changed.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.table.setEnabled(True)
        text = schedule_error_text(exc)
        if text is None:
            self._show_error("")
            self.ctx.show_error(self, exc)
        else:
            self._show_error(text)


class AdviceActions(QWidget):
    """The two actions under a piece of advice; hidden until there is something to act on."""

    shifts_added = Signal(list)
    backup_called = Signal(int)
    """The alert id of a backup call sent by this widget itself (no ``caller`` set)."""

    def __init__(self, ctx: AppContext, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.reason = ctx, reason
        self.drafts: ShiftDrafts | None = None
        self.caller: BackupCaller | None = None
        """Sends the backup call for a window (Today: its call buttons, which follow the call live)."""
        self.dialog: AddShiftsDialog | None = None
        self.add_button = QPushButton()
        self.add_button.setObjectName("addTheseShifts")
        self.add_button.clicked.connect(self.open_dialog)
        self.call_button = QPushButton()
        self.call_button.setObjectName("callBackupFor")
        self.call_button.clicked.connect(self.call_backup)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.add_button)
        row.addWidget(self.call_button)
        row.addWidget(self.status, 1)
        self.set_drafts(None)

    def set_drafts(self, drafts: ShiftDrafts | None, can_edit: bool = True) -> None:
        """Offer these drafts and backup window (None: nothing to act on, the widget hides)."""
        self.drafts = drafts
        self.status.clear()
        self.add_button.setVisible(bool(drafts and drafts.drafts))
        self.add_button.setEnabled(can_edit)
        window = drafts.backup_window if drafts else None
        self.call_button.setVisible(window is not None)
        self.call_button.setEnabled(True)
        self.retranslate()
        self.setVisible(bool(drafts and (drafts.drafts or window)))

    def retranslate(self) -> None:
        drafts = self.drafts
        count = len(drafts.drafts) if drafts else 0
        self.add_button.setText(self.tr("Add these %n shift(s)…", "", count))
        self.add_button.setToolTip(self.tr("Review the draft shifts, choose who works them, then add them"))
        window = drafts.backup_window if drafts else None
        if window is not None:
            self.call_button.setText(
                fill(self.tr("Call backup for %1–%2"), clock(window[0]), clock(window[1]))
            )
            self.call_button.setToolTip(
                self.tr(
                    "Offer the cover to off-shift colleagues of the store and the region; the first to accept comes"
                )
            )

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def open_dialog(self) -> AddShiftsDialog | None:
        """Show the drafts for confirmation (non-blocking; returns the dialog)."""
        if not (self.drafts and self.drafts.drafts):
            return None
        dialog = AddShiftsDialog(self.ctx, self.drafts, self.reason, self)
        dialog.saved.connect(self.shifts_added.emit)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: AddShiftsDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def call_backup(self) -> None:
        window = self.drafts.backup_window if self.drafts else None
        if window is None:
            return
        if self.caller is not None:
            self.caller(*window)
            return
        services, actor, now, store_id = (
            self.ctx.services,
            self.ctx.actor,
            self.ctx.clock(),
            self.drafts.store_id,
        )
        self.call_button.setEnabled(False)
        self.status.setText(self.tr("Sending..."))

        def done(alert_id: int) -> None:
            self.call_button.setEnabled(True)
            self.status.setText(self.tr("Sent: waiting for someone to acknowledge"))
            self.backup_called.emit(alert_id)
            self.ctx.events.alerts_changed.emit()

        def failed(exc: BaseException) -> None:
            self.call_button.setEnabled(True)
            self.status.setText(self.tr("Not sent"))
            self.ctx.show_error(self, exc)

        self.ctx.tasks.op(
            self,
            lambda _c: services.calls.call_backup(actor, store_id, now, window=window),
            done,
            on_error=failed,
        )
