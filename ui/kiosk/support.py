"""Where to get support: the hotline, mutual-aid contacts, mental-health sessions and training."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from storemon.services.kiosk import SupportInfo
from ui.kiosk.page import Page
from ui.kiosk.widgets import label
from ui.widgets.form_helpers import role_name

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


class SupportPage(Page):
    key = "support"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.hotline_label = label(role="section")
        self.hotline = label(role="huge", name="hotline")
        self.hotline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hotline_note = label(role="hint")
        self.contacts_label = label(role="section")
        self.contacts = label(name="contacts")
        self.sessions_label = label(role="section")
        self.sessions = label(name="sessions")
        self.training_label = label(role="section")
        self.training = label()
        self.closing = label(role="hint")
        for widget in (
            self.hotline_label,
            self.hotline,
            self.hotline_note,
            self.contacts_label,
            self.contacts,
            self.sessions_label,
            self.sessions,
            self.training_label,
            self.training,
            self.closing,
        ):
            self.body_layout.addWidget(widget)
        self.body_layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Where to get support"))
        self.hotline_label.setText(self.tr("Staff support hotline"))
        self.contacts_label.setText(self.tr("Colleagues you can call"))
        self.sessions_label.setText(self.tr("Mental-health sessions"))
        self.training_label.setText(self.tr("Stress-management training"))
        self.closing.setText(
            self.tr("Hard shifts are not your fault. Asking for help is part of the job, never a weakness.")
        )

    def entered(self) -> None:
        self.kiosk.call(
            "support", lambda services, actor, _now: services.kiosk.support(actor), self.show_support, self
        )

    def show_support(self, info: SupportInfo) -> None:
        self.hotline.setText(info.hotline_number)
        if info.hotline_default:
            self.hotline_note.setText(self.tr("National psychological assistance hotline, free of charge."))
        else:
            self.hotline_note.setText(info.hotline_hours)
        self.hotline_note.setVisible(bool(self.hotline_note.text()))
        lines = []
        for contact in info.contacts:
            note = role_name(contact.note) if info.contacts_default else contact.note
            lines.append(f"{contact.name}   {contact.phone}" + (f"   ({note})" if note else ""))
        self.contacts.setText("\n".join(lines) if lines else self.tr("Ask your store manager who to call."))
        self.sessions.setText(info.sessions or self.tr("Ask your store manager when the next session is."))
        self.training.setText(
            info.stress_training or self.tr("Ask your store manager about the next training.")
        )
