"""What every kiosk screen shares: a title, an inline message, a scrollable body."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLayout, QScrollArea, QVBoxLayout, QWidget

from storemon.errors import StoremonError
from storemon.services.problems import problem_text
from ui.i18n import fill
from ui.kiosk.widgets import label
from ui.models.alerts_table import ui_language
from ui.widgets.form_helpers import MessageStrip

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow

log = logging.getLogger(__name__)


class Page(QWidget):
    """One kiosk screen: a title, an inline message and a scrollable body."""

    key = ""

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.title_label = label(role="title")
        self.message = MessageStrip()
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 8, 0)
        self.body_layout.setSpacing(14)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.body)
        self.scroll = scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 18, 28, 18)
        layout.setSpacing(12)
        layout.addWidget(self.title_label)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)

    def fill(self, *items: QWidget | QLayout | int) -> None:
        """Lay out the body top to bottom (a number is that much space); the rest of it stays empty."""
        for item in items:
            if isinstance(item, QLayout):
                self.body_layout.addLayout(item)
            elif isinstance(item, int):
                self.body_layout.addSpacing(item)
            else:
                self.body_layout.addWidget(item)
        self.body_layout.addStretch(1)

    def reset(self) -> None:
        """Forget everything typed (sign-out, or starting again)."""
        self.message.clear()

    def entered(self) -> None:
        """The screen was opened."""

    def tick(self, now: datetime) -> None:
        """Once a second while the screen is shown."""

    def failed(self, exc: BaseException) -> None:
        if isinstance(exc, StoremonError):
            self.message.show_message("error", problem_text(exc, ui_language()))
        else:
            log.error("kiosk call failed", exc_info=exc)
            self.message.show_message(
                "error",
                fill(
                    QCoreApplication.translate(
                        "Page", "Something went wrong. Try again, or ask your shift lead. (%1)"
                    ),
                    type(exc).__name__,
                ),
            )
