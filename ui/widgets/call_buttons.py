"""The two one-click buttons of the Today screen: Call backup (应急补位) and Manager intervention.

A click sends the call off the GUI thread; the buttons then follow the store's open calls live
(read from the database whenever the change feed says alerts of the store changed, on any PC, and
when the screen shows a store, so a refresh or a restart keeps it) and say where each stands, with
names: who was asked, who is coming and when, who acknowledged. Pressing a button again while its
call is open shows that state instead of sending a second call.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from storemon.services.call_state import CallState
from storemon.services.changes import ALERTS
from ui.context import AppContext
from ui.widgets.call_tips import explain_reach
from ui.widgets.call_words import live_text


class CallButtons(QWidget):
    """Big buttons plus a live status line per call."""

    call_sent = Signal(str, int)
    """(kind, alert id) once the call is in the database."""
    states_shown = Signal()
    """The calls' live state was read and is on screen."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store_id: int | None = None
        self.zone = ZoneInfo("UTC")
        self.alert_ids: dict[str, int] = {}
        self.backup_button = QPushButton(self.tr("Call backup"))
        self.backup_button.setObjectName("callBackup")
        self.manager_button = QPushButton(self.tr("Manager intervention"))
        self.manager_button.setObjectName("callManager")
        for button, colour in ((self.backup_button, "#c62828"), (self.manager_button, "#ef6c00")):
            button.setMinimumHeight(44)
            button.setStyleSheet(
                f"QPushButton {{ background: {colour}; color: white; font-weight: bold; font-size: 15px;"
                " padding: 6px 18px; border-radius: 6px; } QPushButton:disabled { background: #9e9e9e; }"
            )
        self.backup_status = QLabel()
        self.manager_status = QLabel()
        for label in (self.backup_status, self.manager_status):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for button, status in (
            (self.backup_button, self.backup_status),
            (self.manager_button, self.manager_status),
        ):
            column = QVBoxLayout()
            column.addWidget(button)
            column.addWidget(status)
            row.addLayout(column)
        self.backup_button.clicked.connect(lambda: self._call("backup"))
        self.manager_button.clicked.connect(lambda: self._call("manager"))
        ctx.changes.changed.connect(self._on_change)  # what becomes of a call, from any PC
        self.set_store(None)

    def set_store(self, store_id: int | None, timezone: str = "UTC") -> None:
        """Follow another store (its times shown in ``timezone``); the same store again just rereads."""
        if store_id is not None and store_id == self.store_id and ZoneInfo(timezone) == self.zone:
            self._poll()
            return
        self.store_id = store_id
        self.zone = ZoneInfo(timezone)
        self.alert_ids.clear()
        for button in (self.backup_button, self.manager_button):
            button.setEnabled(store_id is not None)
        self.backup_status.setText("")
        self.manager_status.setText("")
        self._poll()  # a call still open from before (another PC, a restart) shows at once
        explain_reach(self)  # tooltips: who each call would page (ui.widgets.call_tips)

    def _status(self, kind: str) -> QLabel:
        return self.backup_status if kind == "backup" else self.manager_status

    def _button(self, kind: str) -> QPushButton:
        return self.backup_button if kind == "backup" else self.manager_button

    def call_backup_for(self, start: datetime, end: datetime) -> None:
        """Call backup for a window (advice's "Call backup for 07:30–09:30"); followed like any call."""
        self._call("backup", (start, end))

    def _call(self, kind: str, window: tuple[datetime, datetime] | None = None) -> None:
        if self.store_id is None:
            return
        store_id, actor, now = self.store_id, self.ctx.actor, self.ctx.clock()
        calls = self.ctx.services.calls
        call = partial(calls.call_backup, window=window) if kind == "backup" else calls.call_manager
        self._button(kind).setEnabled(False)
        self._status(kind).setText(self.tr("Sending..."))

        def done(alert_id: int) -> None:
            if store_id != self.store_id:
                return
            known = self.alert_ids.get(kind) == alert_id  # pressed again: the open call, not a new one
            self.alert_ids[kind] = alert_id
            if not known:
                self._status(kind).setText(self.tr("Sent: waiting for someone to acknowledge"))
            self._button(kind).setEnabled(True)
            self.call_sent.emit(kind, alert_id)
            self.ctx.events.alerts_changed.emit()
            self._poll()

        def failed(exc: BaseException) -> None:
            self._button(kind).setEnabled(True)
            self._status(kind).setText(self.tr("Not sent"))
            self.ctx.show_error(self, exc)

        self.ctx.tasks.op(self, lambda _c: call(actor, store_id, now), done, on_error=failed)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._poll()  # what happened while another screen was shown

    def _on_change(self, kinds: frozenset[str], store_ids: frozenset[int]) -> None:
        if ALERTS in kinds and self.ctx.changes.concerns(store_ids, self.store_id):
            self._poll()

    def _poll(self) -> None:
        if self.store_id is None or not self.isVisible():
            return
        store_id, actor, calls = self.store_id, self.ctx.actor, self.ctx.services.calls
        self.ctx.tasks.op(
            self,
            lambda _c: (store_id, calls.states(actor, store_id)),
            self._show_states,
            key="poll",
            on_error=lambda _exc: None,  # the next change asks again
        )

    def _show_states(self, answer: tuple[int, list[CallState]]) -> None:
        store_id, states = answer
        if store_id != self.store_id:
            return
        for kind in ("backup", "manager"):
            # The newest open call of the kind (a call is deduplicated per store, so there is one).
            state = max((s for s in states if s.kind == kind), key=lambda s: s.alert.fired_at, default=None)
            if state is not None:
                self.alert_ids[kind] = state.alert.id
                text = live_text(state, self.zone)
            elif kind in self.alert_ids:
                text = self.tr("Resolved")
            else:
                text = ""
            self._status(kind).setText(text)
        self.states_shown.emit()
