"""The live status of a relief request: who was paged, who acknowledged, what happens next."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storemon.services.kiosk import ReliefStatus
from ui.i18n import fill
from ui.kiosk.page import Page
from ui.kiosk.widgets import button, label
from ui.models.alerts_table import LEVEL_NAMES, name_of

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


class HelpStatusPage(Page):
    key = "help_status"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.headline = label(role="big", name="reliefHeadline")
        self.paged_label = label(name="reliefPaged")
        self.status_label = label(role="huge", name="reliefStatus")
        self.status_label.setMinimumHeight(120)
        self.note = label(role="hint")
        self.home_button = button(kind="primary", name="backHome")
        self.fill(self.headline, self.paged_label, 16, self.status_label, self.note)
        self.layout().addWidget(self.home_button)
        self.home_button.clicked.connect(lambda: kiosk.open_page("home"))
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Your help request"))
        self.home_button.setText(self.tr("Back to start"))
        self.show_status(self.kiosk.relief)

    def show_status(self, status: ReliefStatus | None) -> None:
        if status is None:
            return
        self.headline.setText(self.tr("Sent — your shift lead / store manager has been paged."))
        paged = ", ".join(status.paged)
        self.paged_label.setText(fill(self.tr("Paged: %1"), paged) if paged else "")
        self.paged_label.setVisible(bool(paged))
        zone = ZoneInfo(self.kiosk.terminal.store.timezone)
        if status.status == "resolved":
            text = self.tr("Resolved. Thank you for asking.")
            colour = "#2e6b4f"
            note = ""
        elif status.owner:
            at = status.acknowledged_at.astimezone(zone).strftime("%H:%M") if status.acknowledged_at else ""
            text = fill(self.tr("%1 is on it (since %2)."), status.owner_name or status.owner, at)
            for name, expected in status.coming:
                text += " " + fill(
                    self.tr("%1 is coming, expected %2."), name, expected.astimezone(zone).strftime("%H:%M")
                )
            colour = "#2e6b4f"
            note = self.tr("Stay safe. If it gets worse, step back from the counter.")
        elif status.coming:  # a colleague accepted the store's backup call before anyone answered
            text = " ".join(
                fill(self.tr("%1 is coming, expected %2."), name, expected.astimezone(zone).strftime("%H:%M"))
                for name, expected in status.coming
            )
            colour = "#2e6b4f"
            note = self.tr("Stay safe. If it gets worse, step back from the counter.")
        else:
            text = self.tr("Waiting for an answer…")
            colour = "#b26a00"
            note = ""
            if status.deadline is not None and status.next_level_name:
                note = fill(
                    self.tr("If nobody answers by %1, it goes up to: %2."),
                    status.deadline.astimezone(zone).strftime("%H:%M"),
                    name_of(LEVEL_NAMES, status.next_level_name),
                )
            if status.level > 2:
                note = fill(
                    self.tr("No answer yet, so it went up to: %1."), name_of(LEVEL_NAMES, status.level_name)
                ) + (" " + note if note else "")
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {colour};")
        self.note.setText(note)
