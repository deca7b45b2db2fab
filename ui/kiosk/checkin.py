"""End-of-shift check-in: how hard was this shift (1-5), a private note, optionally shared."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QButtonGroup, QCheckBox, QHBoxLayout, QPlainTextEdit

from storemon.services.kiosk import CheckInReceipt, OwnCheckIn
from ui.i18n import fill
from ui.kiosk.choices import SCORES, translated
from ui.kiosk.page import Page
from ui.kiosk.widgets import CardButton, button, label, uncheck

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


class CheckInPage(Page):
    key = "checkin"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.score_group = QButtonGroup(self)
        self.score_buttons: dict[int, CardButton] = {}
        for score, _label_text in SCORES:
            card = CardButton(name=f"score_{score}")
            card.set_floor(96)
            self.score_group.addButton(card, score)
            self.score_buttons[score] = card
        self.note = QPlainTextEdit()
        self.note.setObjectName("checkInNote")
        self.note.setMaximumHeight(120)
        self.share = QCheckBox()
        self.share.setObjectName("shareNote")
        self.privacy = label(role="hint")
        self.save_button = button(kind="primary", name="saveCheckIn")
        self.recent_label = label(role="section")
        self.recent = label(name="myCheckIns")
        self.question = label(role="section")
        self.note_label = label(role="section")
        row = QHBoxLayout()
        row.setSpacing(12)
        for score_button in self.score_buttons.values():
            row.addWidget(score_button)
        self.fill(
            self.question,
            row,
            self.note_label,
            self.note,
            self.share,
            self.privacy,
            self.recent_label,
            self.recent,
        )
        self.layout().addWidget(self.save_button)
        self.score_group.idToggled.connect(lambda _i, _c: self._update())
        self.note.textChanged.connect(self._update)
        self.save_button.clicked.connect(self.save)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("End-of-shift check-in"))
        self.question.setText(self.tr("How hard was this shift?"))
        for score, text in SCORES:
            self.score_buttons[score].set_text(str(score), translated(text))
        self.note_label.setText(self.tr("Anything on your mind? (optional, private)"))
        self.share.setText(self.tr("Share this note with my manager"))
        self.privacy.setText(
            self.tr(
                "Your score helps the team see which shifts are too hard. Your note stays private unless you share it."
            )
        )
        self.save_button.setText(self.tr("Save check-in"))
        self.recent_label.setText(self.tr("Your recent check-ins"))

    def reset(self) -> None:
        super().reset()
        uncheck(self.score_group)
        self.note.clear()
        self.share.setChecked(False)
        self.recent.clear()
        self._update()

    def entered(self) -> None:
        since = self.kiosk.now() - timedelta(days=14)
        self.kiosk.call(
            "check_ins",
            lambda services, actor, _now: services.kiosk.my_check_ins(actor, since),
            self._show_recent,
            self,
        )

    def _show_recent(self, rows: list[OwnCheckIn]) -> None:
        zone = self.kiosk.zone
        lines = []
        for row in rows[:7]:
            when = row.created_at.astimezone(zone).strftime("%m-%d %H:%M")
            lines.append(f"• {when}   {row.score}/5   {translated(dict(SCORES)[row.score])}")
        self.recent.setText("\n".join(lines) if lines else self.tr("None in the last two weeks."))

    def _update(self) -> None:
        self.share.setEnabled(bool(self.note.toPlainText().strip()))
        self.save_button.setEnabled(self.score_group.checkedId() != -1 and not self.kiosk.is_busy("checkin"))

    def save(self) -> None:
        score = self.score_group.checkedId()
        if score == -1:
            return
        note, share = self.note.toPlainText().strip(), self.share.isChecked()

        def done(receipt: CheckInReceipt) -> None:
            zone = self.kiosk.zone
            if receipt.shift_start and receipt.shift_end:
                shift = (
                    f"{receipt.shift_start.astimezone(zone):%H:%M}–{receipt.shift_end.astimezone(zone):%H:%M}"
                )
                text = fill(self.tr("Thank you. Saved for your shift %1."), shift)
            else:
                text = self.tr("Thank you. Saved.")
            if receipt.updated:
                text += " " + self.tr("(It replaces your earlier check-in for this shift.)")
            self.reset()
            self.kiosk.open_page("home", text)

        self.kiosk.call(
            "checkin",
            lambda services, actor, now: services.kiosk.check_in(actor, score, note, share, now),
            done,
            self,
        )
        self._update()
