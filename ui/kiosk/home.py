"""The start screen after sign-in: "I need help now" first and largest, then the other tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storemon.services.kiosk import ReliefStatus
from ui.i18n import fill
from ui.kiosk.page import Page
from ui.kiosk.widgets import CardButton, grid

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


class HomePage(Page):
    key = "home"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.greeting = self.title_label
        self.greeting.setObjectName("greeting")
        self.help_tile = CardButton(checkable=False, name="helpTile", title_px=34)
        self.help_tile.setProperty("kind", "danger")
        self.help_tile.set_floor(150)
        self.status_tile = CardButton(checkable=False, name="helpStatusTile", title_px=24)
        self.status_tile.setVisible(False)
        self.tiles = {
            "incident": CardButton(checkable=False, name="incidentTile", title_px=26),
            "promise": CardButton(checkable=False, name="promiseTile", title_px=26),
            "checkin": CardButton(checkable=False, name="checkInTile", title_px=26),
            "support": CardButton(checkable=False, name="supportTile", title_px=26),
        }
        for tile in self.tiles.values():
            tile.set_floor(130)
        self.fill(self.help_tile, self.status_tile, grid(list(self.tiles.values()), 2, 14))
        self.help_tile.clicked.connect(lambda: kiosk.open_page("help"))
        self.status_tile.clicked.connect(lambda: kiosk.open_page("help_status"))
        for page, tile in self.tiles.items():
            tile.clicked.connect(lambda _c=False, p=page: kiosk.open_page(p))
        self.retranslate()

    def retranslate(self) -> None:
        self.help_tile.set_text(
            self.tr("I need help now"),
            self.tr("Page your shift lead / store manager to step in or relieve you"),
        )
        self.tiles["incident"].set_text(
            self.tr("Log an incident"), self.tr("A difficult customer, a complaint, a refund")
        )
        self.tiles["promise"].set_text(
            self.tr("Promise a callback"), self.tr("Book a time to call a customer back")
        )
        self.tiles["checkin"].set_text(self.tr("End-of-shift check-in"), self.tr("How hard was this shift?"))
        self.tiles["support"].set_text(
            self.tr("Where to get support"), self.tr("Hotline, colleagues, sessions")
        )

    def entered(self) -> None:
        profile = self.kiosk.profile
        if profile is not None:
            self.greeting.setText(fill(self.tr("Hello %1, what do you need?"), profile.name))
        self.show_status(self.kiosk.relief)

    def show_status(self, status: ReliefStatus | None) -> None:
        if status is None or status.status == "resolved":
            self.status_tile.setVisible(False)
            return
        if status.coming:
            name, expected = status.coming[0]
            zone = ZoneInfo(self.kiosk.terminal.store.timezone)
            text = fill(
                self.tr("%1 is coming, expected %2"), name, expected.astimezone(zone).strftime("%H:%M")
            )
        elif status.owner:
            text = fill(self.tr("%1 is on it"), status.owner_name or status.owner)
        else:
            text = self.tr("Waiting for someone to answer…")
        self.status_tile.set_text(self.tr("Your help request"), text)
        self.status_tile.setVisible(True)
