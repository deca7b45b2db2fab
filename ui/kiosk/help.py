"""I need help now: a relief request (reason presets, free text, urgency) sent to the shift lead or
store manager; its live status is the next screen (``ui.kiosk.help_status``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLineEdit

from storemon.services.kiosk import ReliefStatus
from ui.kiosk.choices import HELP_REASONS, URGENCIES, relief_reason, translated
from ui.kiosk.page import Page
from ui.kiosk.widgets import CardButton, button, grid, label

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


class HelpPage(Page):
    key = "help"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.reason_buttons = {
            key: CardButton(name=f"reason_{key}", title_px=21) for key, _text, _urgent in HELP_REASONS
        }
        self.details = QLineEdit()
        self.details.setObjectName("helpDetails")
        self.urgency_group = QButtonGroup(self)
        self.urgency_buttons = {}
        for number, (key, _text) in enumerate(URGENCIES):
            choice = button(name=f"urgency_{key}", checkable=True)
            self.urgency_group.addButton(choice, number)
            self.urgency_buttons[key] = choice
        self.send_button = button(kind="danger", name="sendHelp")
        self.send_button.setStyleSheet("min-height: 110px; font-size: 28px;")
        self.reasons_label = label(role="section")
        self.details_label = label(role="section")
        self.urgency_label = label(role="section")
        self.fill(
            self.reasons_label,
            grid(list(self.reason_buttons.values()), 3, 10),
            self.details_label,
            self.details,
        )
        # Urgency and Send share the bottom bar, so the whole request fits one screen without scrolling.
        bar = QGridLayout()
        bar.setHorizontalSpacing(12)
        bar.setVerticalSpacing(6)
        bar.addWidget(self.urgency_label, 0, 0, 1, 3)
        for column, choice in enumerate(self.urgency_buttons.values()):
            bar.addWidget(choice, 1, column)
        bar.addWidget(self.send_button, 0, 3, 2, 1)
        bar.setColumnStretch(3, 2)
        for column in range(3):
            bar.setColumnStretch(column, 1)
        self.layout().addLayout(bar)
        for key, _text, urgent in HELP_REASONS:
            self.reason_buttons[key].toggled.connect(
                lambda checked, u=urgent: self._reason_toggled(checked, u)
            )
        self.details.textChanged.connect(lambda _t: self._update())
        self.send_button.clicked.connect(self.send)
        self.retranslate()
        self.reset()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("I need help now"))
        self.reasons_label.setText(self.tr("What is happening?"))
        self.details_label.setText(self.tr("Anything else? (optional)"))
        self.details.setPlaceholderText(self.tr("e.g. 12 people waiting, espresso machine down"))
        self.urgency_label.setText(self.tr("How soon?"))
        for key, text, _urgent in HELP_REASONS:
            self.reason_buttons[key].set_text(translated(text))
        for key, text in URGENCIES:
            self.urgency_buttons[key].setText(translated(text))
        self.send_button.setText(self.tr("Send for help"))

    def reset(self) -> None:
        super().reset()
        for reason in self.reason_buttons.values():
            reason.setChecked(False)
        self.details.clear()
        self.urgency_buttons["normal"].setChecked(True)
        self._update()

    def _reason_toggled(self, checked: bool, urgent: bool) -> None:
        if checked and urgent:
            self.urgency_buttons["high"].setChecked(True)
        self._update()

    def reason(self) -> str:
        chosen = [key for key, reason in self.reason_buttons.items() if reason.isChecked()]
        return relief_reason(chosen, self.details.text())

    def urgency(self) -> str:
        return next(key for key, choice in self.urgency_buttons.items() if choice.isChecked())

    def _update(self) -> None:
        self.send_button.setEnabled(bool(self.reason()) and not self.kiosk.is_busy("help"))

    def send(self) -> None:
        if not self.reason():
            return
        # The presets travel as codes (each reader sees them in their language), the typed words as typed.
        codes = tuple(key for key, choice in self.reason_buttons.items() if choice.isChecked())
        extra, urgency = self.details.text().strip(), self.urgency()
        store_id = self.kiosk.terminal.store.id

        def work(services, actor, now) -> ReliefStatus:
            alert_id = services.calls.relief_request(actor, store_id, extra, now, urgency, codes)
            return services.kiosk.relief_status(actor, alert_id)

        self.kiosk.call("help", work, self._sent, self)
        self._update()

    def _sent(self, status: ReliefStatus) -> None:
        self.reset()
        self.kiosk.relief_sent(status)
