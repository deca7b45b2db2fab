"""Sign-in: tap your name, type your PIN; five wrong PINs lock the person for five minutes with a
visible countdown (the count lives in the database, so another PC of the store sees it)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from storemon.services import pins
from storemon.services.kiosk import KioskPerson
from ui.i18n import fill
from ui.kiosk.page import Page
from ui.kiosk.widgets import CardButton, button, label, person_cards, remove_buttons, uncheck
from ui.widgets.keypad import PinPad

if TYPE_CHECKING:
    from ui.kiosk.window import KioskWindow


class LoginPage(Page):
    key = "login"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self._feedback = ""
        self.people: list[KioskPerson] = []
        self.locked: dict[int, datetime] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.person_buttons: dict[int, CardButton] = {}
        self.people_grid = QGridLayout()
        self.people_grid.setSpacing(12)
        self.people_hint = label(role="hint")
        self.loading = label(role="hint")
        self.pin_pad = PinPad()
        self.pin_status = label(name="pinStatus")
        self.pin_status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_status.setMinimumHeight(60)
        self.sign_in_button = button(kind="primary", name="signInButton")

        left = QVBoxLayout()
        self.who_label = label(role="section")
        left.addWidget(self.who_label)
        left.addWidget(self.loading)
        left.addLayout(self.people_grid)
        left.addStretch(1)
        left.addWidget(self.people_hint)
        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(self.pin_status)
        right.addWidget(self.pin_pad, 1)
        right.addWidget(self.sign_in_button)
        right_box = QWidget()
        right_box.setLayout(right)
        right_box.setMaximumWidth(420)
        row = QHBoxLayout()
        row.setSpacing(28)
        row.addLayout(left, 3)
        row.addWidget(right_box, 2)
        self.body_layout.addLayout(row, 1)

        self.group.idToggled.connect(self._person_toggled)
        self.pin_pad.changed.connect(lambda _n: self._update())
        self.pin_pad.submitted.connect(lambda _pin: self.sign_in())
        self.sign_in_button.clicked.connect(self.sign_in)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Sign in"))
        self.who_label.setText(self.tr("Who are you?"))
        self.people_hint.setText(
            self.tr("Not on the list? Ask your store manager for a Storemon account and a PIN.")
        )
        self.loading.setText(self.tr("Loading names…"))
        self.sign_in_button.setText(self.tr("Sign in"))
        self._update()

    def set_people(self, people: list[KioskPerson]) -> None:
        selected = self.selected_staff_id()
        self.people = people
        self.locked = {p.staff_id: p.locked_until for p in people if p.locked_until}
        remove_buttons(self.group, self.person_buttons.values())
        columns = 2 if len(people) <= 8 else 3
        self.person_buttons = person_cards(people, self.group, self.people_grid, columns, "person")
        self.loading.setVisible(False)
        if not people:
            self.loading.setText(self.tr("Nobody of this store can sign in here yet."))
            self.loading.setVisible(True)
        if selected in self.person_buttons:
            self.person_buttons[selected].setChecked(True)
        self._update()

    def selected_staff_id(self) -> int | None:
        checked = self.group.checkedId()
        return None if checked == -1 else checked

    def selected_person(self) -> KioskPerson | None:
        staff_id = self.selected_staff_id()
        return next((p for p in self.people if p.staff_id == staff_id), None)

    def reset(self) -> None:
        super().reset()
        self.pin_pad.clear()
        uncheck(self.group)
        self._feedback = ""
        self._update()

    def entered(self) -> None:
        self.kiosk.load_people()
        self.pin_pad.setFocus()

    def _person_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self.pin_pad.clear()
            self._feedback = ""
            self._update()
            self.pin_pad.setFocus()

    def _locked_until(self) -> datetime | None:
        person = self.selected_person()
        if person is None:
            return None
        until = self.locked.get(person.staff_id)
        if until is not None and self.kiosk.now() >= until:
            del self.locked[person.staff_id]
            self._feedback = self.tr("You can try again now.")
            return None
        return until

    def _update(self) -> None:
        person = self.selected_person()
        until = self._locked_until()
        busy = self.kiosk.busy_signing_in
        if person is None:
            text = self.tr("Tap your name, then type your PIN.")
        elif until is not None:
            left = max(0, int((until - self.kiosk.now()).total_seconds()))
            text = fill(self.tr("Too many wrong PINs. Try again in %1."), f"{left // 60}:{left % 60:02d}")
        elif not person.has_pin:
            text = self.tr("You have no PIN yet. Ask your store manager to set one.")
        else:
            text = self._feedback or fill(self.tr("Hello %1, type your PIN."), person.name)
        self.pin_status.setText(text)
        usable = person is not None and until is None and person.has_pin and not busy
        self.pin_pad.setEnabled(usable)
        self.sign_in_button.setEnabled(usable and self.pin_pad.complete)

    def tick(self, now: datetime) -> None:
        if self.selected_person() is not None and self.selected_staff_id() in self.locked:
            self._update()

    def sign_in(self) -> None:
        person = self.selected_person()
        if person is None or not self.sign_in_button.isEnabled():
            return
        self.kiosk.sign_in(person, self.pin_pad.pin)

    def show_result(self, person: KioskPerson, result: pins.PinResult) -> None:
        self.pin_pad.clear()
        if result.locked_until is not None:
            self.locked[person.staff_id] = result.locked_until
            self._feedback = ""
        elif result.reason == pins.WRONG:
            left = result.remaining_tries
            self._feedback = (
                self.tr("Wrong PIN. 1 try left before a 5-minute lock.")
                if left == 1
                else self.tr("Wrong PIN. %n tries left before a 5-minute lock.", "", left)
            )
        elif result.reason == pins.NO_PIN:
            self._feedback = self.tr("You have no PIN yet. Ask your store manager to set one.")
        else:
            self._feedback = self.tr("You cannot sign in here. Ask your store manager.")
        self._update()
