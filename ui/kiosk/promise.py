"""Promise a callback: what and when, tracked as a commitment (reminded 15 minutes before; the
manager is told if the time passes)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QTimeEdit

from storemon.services.kiosk import PromiseView
from ui import palette
from ui.i18n import fill
from ui.kiosk.page import Page
from ui.kiosk.widgets import button, label

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


class PromisePage(Page):
    key = "promise"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.text = QLineEdit()
        self.text.setObjectName("promiseText")
        self.quick = {
            30: button(name="due_30"),
            60: button(name="due_60"),
            120: button(name="due_120"),
        }
        self.tomorrow_button = button(name="due_tomorrow", checkable=True)
        self.time_edit = QTimeEdit()
        self.time_edit.setObjectName("promiseTime")
        self.time_edit.setDisplayFormat("HH:mm")
        # The arrows are hidden by the stylesheet (−15/+15 buttons are the touch way to change it);
        # NoButtons together with a styled frame collapses the edit field to one pixel in Qt 6.
        self.time_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_edit.setMinimumWidth(180)
        self.minus = button("−15", name="timeMinus")
        self.plus = button("+15", name="timePlus")
        self.due_label = label(role="big", name="promiseDue")
        self.reminder_note = label(role="hint")
        self.save_button = button(kind="primary", name="savePromise")
        self.open_label = label(role="section")
        self.open_list = label(name="openPromises")
        self.what_label = label(role="section")
        self.when_label = label(role="section")
        quick_row = QHBoxLayout()
        quick_row.setSpacing(12)
        for quick in self.quick.values():
            quick_row.addWidget(quick)
        quick_row.addWidget(self.tomorrow_button)
        time_row = QHBoxLayout()
        time_row.setSpacing(12)
        time_row.addWidget(self.minus)
        time_row.addWidget(self.time_edit)
        time_row.addWidget(self.plus)
        time_row.addWidget(self.due_label, 1)
        self.fill(
            self.what_label,
            self.text,
            self.when_label,
            quick_row,
            time_row,
            self.reminder_note,
            self.open_label,
            self.open_list,
        )
        self.layout().addWidget(self.save_button)
        for minutes, quick in self.quick.items():
            quick.clicked.connect(lambda _c=False, m=minutes: self.set_due_in(m))
        self.tomorrow_button.toggled.connect(lambda _c: self._update())
        self.minus.clicked.connect(lambda: self.time_edit.setTime(self.time_edit.time().addSecs(-15 * 60)))
        self.plus.clicked.connect(lambda: self.time_edit.setTime(self.time_edit.time().addSecs(15 * 60)))
        self.time_edit.timeChanged.connect(lambda _t: self._update())
        self.text.textChanged.connect(lambda _t: self._update())
        self.save_button.clicked.connect(self.save)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Promise a callback"))
        self.what_label.setText(self.tr("What did you promise?"))
        self.text.setPlaceholderText(self.tr("e.g. Call Ms Wang back about the refund: 138 0000 0000"))
        self.when_label.setText(self.tr("When?"))
        self.quick[30].setText(self.tr("In 30 min"))
        self.quick[60].setText(self.tr("In 1 hour"))
        self.quick[120].setText(self.tr("In 2 hours"))
        self.tomorrow_button.setText(self.tr("Tomorrow"))
        self.reminder_note.setText(
            self.tr(
                "You are reminded 15 minutes before. If the time passes, your manager is told, so the promise is kept."
            )
        )
        self.save_button.setText(self.tr("Save promise"))
        self.open_label.setText(self.tr("Your open promises"))

    def _local_now(self) -> datetime:
        return self.kiosk.now().astimezone(self.kiosk.zone)

    def reset(self) -> None:
        super().reset()
        self.text.clear()
        self.tomorrow_button.setChecked(False)
        self.set_due_in(60)

    def entered(self) -> None:
        self.kiosk.call(
            "promises", lambda services, actor, _now: services.kiosk.promises(actor), self._show_open, self
        )
        self._update()

    def set_due_in(self, minutes: int) -> None:
        due = self._local_now() + timedelta(minutes=minutes)
        due = due.replace(second=0, microsecond=0)
        self.tomorrow_button.setChecked(due.date() > self._local_now().date())
        self.time_edit.setTime(QTime(due.hour, due.minute))
        self._update()

    def due_at(self) -> datetime:
        local = self._local_now()
        day = local.date() + timedelta(days=1 if self.tomorrow_button.isChecked() else 0)
        t = self.time_edit.time()
        return datetime.combine(day, time(t.hour(), t.minute()), tzinfo=local.tzinfo)

    def _update(self) -> None:
        due = self.due_at()
        past = due <= self.kiosk.now()
        when = self.tr("tomorrow at %1") if self.tomorrow_button.isChecked() else self.tr("today at %1")
        self.due_label.setText(
            self.tr("That time has passed")
            if past
            else fill(self.tr("Due %1"), fill(when, due.strftime("%H:%M")))
        )
        self.due_label.setStyleSheet(palette.text_style(palette.BAD) if past else "")
        self.save_button.setEnabled(
            bool(self.text.text().strip()) and not past and not self.kiosk.is_busy("promise")
        )

    def tick(self, now: datetime) -> None:
        self._update()

    def _show_open(self, promises: list[PromiseView]) -> None:
        zone = self.kiosk.zone
        today = self._local_now().date()
        lines = []
        for promise in promises:
            due = promise.due_at.astimezone(zone)
            day = "" if due.date() == today else due.strftime("%m-%d ")
            lines.append(f"• {day}{due:%H:%M}  {promise.description}")
        self.open_list.setText(
            "\n".join(lines) if lines else self.tr("None. Promises you make here are listed until kept.")
        )

    def save(self) -> None:
        description, due = self.text.text().strip(), self.due_at()
        if not description:
            return
        store_id = self.kiosk.terminal.store.id

        def done(_commitment_id: int) -> None:
            self.reset()
            self.kiosk.open_page(
                "home",
                fill(
                    self.tr("Promise saved for %1. You will be reminded."),
                    due.astimezone(self.kiosk.zone).strftime("%H:%M"),
                ),
            )

        self.kiosk.call(
            "promise",
            lambda services, actor, now: services.kiosk.promise(actor, store_id, description, due, now),
            done,
            self,
        )
        self._update()
