"""The kiosk at the counter (``storemon kiosk --store ID``): "I need help *now*", for staff on shift.

Full screen, large touch targets (every button at least 64 px high), big type. Until someone
signs in with their PIN the kiosk acts as nobody (the store's terminal actor may only list the
names on the picker); after sign-in it acts as that person's user account. Screens:

- sign-in: tap your name, type your PIN; five wrong PINs lock the person for five minutes with
  a visible countdown (the count lives in the database, so another PC of the store sees it);
- I need help now: a relief request (reason presets, free text, urgency), then its live status:
  who was paged, who acknowledged;
- log an incident: type, customer type (with one-line hints), sensitive triggers (which escalate
  at once), the type's playbook, compensation within the person's authority limit, or approved
  by a colleague's PIN, or sent for approval;
- promise a callback: what and when, tracked as a commitment;
- end-of-shift check-in: how hard was this shift (1-5), a private note, optionally shared;
- where to get support: hotline, mutual-aid contacts, mental-health sessions;
- sign out, and automatic sign-out after two minutes without a touch.

Every service call runs through the task runner; answers that arrive after a sign-out are
dropped. Time comes from ``ctx.clock`` (tests advance it instead of sleeping).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QLocale,
    QObject,
    QRegularExpression,
    Qt,
    QTime,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from storemon.errors import StoremonError
from storemon.services import pins
from storemon.services.access import SYSTEM, Actor
from storemon.services.chain_settings import Playbook
from storemon.services.database import Database
from storemon.services.kiosk import (
    CheckInReceipt,
    IncidentReceipt,
    KioskPerson,
    KioskProfile,
    KioskTerminal,
    OwnCheckIn,
    PromiseView,
    ReliefStatus,
    SignIn,
    SupportInfo,
)
from storemon.services.problems import problem_text
from ui.context import AppContext
from ui.models.alerts_table import LEVEL_NAMES, name_of, ui_language
from ui.widgets.form_helpers import BusyBar, MessageStrip, role_name
from ui.widgets.keypad import PinPad

log = logging.getLogger(__name__)

TICK_MS = 1000
STATUS_POLL_MS = 1000
IDLE_SIGN_OUT = timedelta(minutes=2)
IDLE_WARNING = timedelta(seconds=20)
MIN_TOUCH = 64

CUSTOMER_TYPES = (
    ("irritable", QT_TRANSLATE_NOOP("Kiosk", "Irritable"), QT_TRANSLATE_NOOP("Kiosk", "Shouting, insults")),
    (
        "repetitive",
        QT_TRANSLATE_NOOP("Kiosk", "Repetitive"),
        QT_TRANSLATE_NOOP("Kiosk", "Retells the story, cannot focus"),
    ),
    (
        "rational_demanding",
        QT_TRANSLATE_NOOP("Kiosk", "Rational but demanding"),
        QT_TRANSLATE_NOOP("Kiosk", "Sharp questions, wants an answer now"),
    ),
    (
        "opportunistic",
        QT_TRANSLATE_NOOP("Kiosk", "Opportunistic"),
        QT_TRANSLATE_NOOP("Kiosk", "Uses a loss to get extra compensation"),
    ),
)
"""DOMAIN.md section 3: the four kinds of emotionally charged customer."""

TRIGGERS = (
    ("escalated_complaint", QT_TRANSLATE_NOOP("Kiosk", "Escalated complaint")),
    ("consumer_association", QT_TRANSLATE_NOOP("Kiosk", "Consumer association")),
    ("media", QT_TRANSLATE_NOOP("Kiosk", "Media exposure")),
)
HELP_REASONS = (
    ("queue", QT_TRANSLATE_NOOP("Kiosk", "The queue is too long"), False),
    ("alone", QT_TRANSLATE_NOOP("Kiosk", "I am alone at the counter"), False),
    ("customer", QT_TRANSLATE_NOOP("Kiosk", "A difficult customer"), False),
    ("break", QT_TRANSLATE_NOOP("Kiosk", "I need a break"), False),
    ("unwell", QT_TRANSLATE_NOOP("Kiosk", "I feel unwell"), False),
    ("unsafe", QT_TRANSLATE_NOOP("Kiosk", "I feel unsafe"), True),
    ("equipment", QT_TRANSLATE_NOOP("Kiosk", "Equipment is broken"), False),
)
"""Reason presets; the last field says the preset makes the request urgent by itself."""
URGENCIES = (
    ("low", QT_TRANSLATE_NOOP("Kiosk", "When someone can")),
    ("normal", QT_TRANSLATE_NOOP("Kiosk", "Soon")),
    ("high", QT_TRANSLATE_NOOP("Kiosk", "Right now")),
)
SCORES = (
    (1, QT_TRANSLATE_NOOP("Kiosk", "Easy")),
    (2, QT_TRANSLATE_NOOP("Kiosk", "Fine")),
    (3, QT_TRANSLATE_NOOP("Kiosk", "Busy")),
    (4, QT_TRANSLATE_NOOP("Kiosk", "Hard")),
    (5, QT_TRANSLATE_NOOP("Kiosk", "Very hard")),
)

STYLE = """
QWidget#kiosk { background: #f5f2ec; }
QWidget#kiosk QWidget { font-size: 20px; }
QWidget#kiosk QLabel { color: #2b2a27; }
QWidget#kiosk QLabel[role="title"] { font-size: 30px; font-weight: 700; }
QWidget#kiosk QLabel[role="section"] { font-size: 22px; font-weight: 700; margin-top: 6px; }
QWidget#kiosk QLabel[role="hint"] { color: #6d675c; font-size: 17px; }
QWidget#kiosk QLabel[role="big"] { font-size: 28px; font-weight: 700; }
QWidget#kiosk QLabel[role="huge"] { font-size: 44px; font-weight: 700; }
QWidget#kiosk QLabel[on="true"] { color: white; }
QWidget#kiosk QFrame#header { background: #2e6b4f; }
QWidget#kiosk QFrame#header QLabel { color: white; font-size: 20px; }
QWidget#kiosk QFrame#header QPushButton { background: #ffffff; color: #2e6b4f; border: none; }
QWidget#kiosk QPushButton {
    min-height: 64px; padding: 6px 18px; border-radius: 12px; background: white;
    border: 2px solid #cfc7b8; color: #2b2a27; }
QWidget#kiosk QPushButton:pressed { background: #e4ddd0; }
QWidget#kiosk QPushButton:checked { background: #2e6b4f; border-color: #2e6b4f; color: white; }
QWidget#kiosk QPushButton:disabled { color: #a39d92; border-color: #e0dad0; background: #f0ece5; }
QWidget#kiosk QPushButton[keypad="true"] { font-size: 30px; font-weight: 600; }
QWidget#kiosk QPushButton[kind="primary"] { background: #2e6b4f; border-color: #2e6b4f; color: white; font-weight: 700; }
QWidget#kiosk QPushButton[kind="primary"]:disabled { background: #a9c4b6; border-color: #a9c4b6; color: #eef4f0; }
QWidget#kiosk QPushButton[kind="danger"] { background: #c62828; border-color: #c62828; color: white; font-weight: 700; }
QWidget#kiosk QPushButton[kind="danger"]:disabled { background: #e6a9a9; border-color: #e6a9a9; }
QWidget#kiosk QPushButton[kind="danger"] QLabel { color: white; }
QWidget#kiosk QLineEdit, QWidget#kiosk QPlainTextEdit, QWidget#kiosk QTimeEdit {
    min-height: 56px; font-size: 22px; padding: 4px 10px; border: 2px solid #cfc7b8; border-radius: 10px;
    background: white; }
QWidget#kiosk QTimeEdit { font-size: 30px; }
QWidget#kiosk QTimeEdit::up-button, QWidget#kiosk QTimeEdit::down-button { width: 0px; border: none; }
QWidget#kiosk QAbstractSpinBox QLineEdit { border: none; padding: 0; margin: 0; min-height: 0; background: transparent; }
QWidget#kiosk QCheckBox { font-size: 21px; spacing: 14px; min-height: 56px; }
QWidget#kiosk QCheckBox::indicator { width: 36px; height: 36px; }
QWidget#kiosk QLabel#pinDots { font-size: 40px; letter-spacing: 6px; }
QWidget#kiosk QScrollArea { background: transparent; border: none; }
QWidget#kiosk QScrollBar:vertical { width: 22px; background: #ebe6dc; border-radius: 11px; margin: 0; }
QWidget#kiosk QScrollBar::handle:vertical { background: #b9b1a2; border-radius: 11px; min-height: 60px; }
QWidget#kiosk QScrollBar::add-line:vertical, QWidget#kiosk QScrollBar::sub-line:vertical { height: 0; }
QWidget#kiosk QScrollBar::add-page:vertical, QWidget#kiosk QScrollBar::sub-page:vertical { background: none; }
QWidget#kiosk QScrollArea > QWidget > QWidget { background: transparent; }
"""


def _tr(text: str) -> str:
    """Translate a string marked with ``QT_TRANSLATE_NOOP("Kiosk", ...)`` in the tables above."""
    return QCoreApplication.translate("Kiosk", text)


def money(amount: Decimal, currency: str) -> str:
    """An amount as people at the counter say it: "¥40", "¥12.50"; other currencies by code."""
    whole = amount == amount.to_integral_value()
    number = QLocale().toString(float(amount), "f", 0 if whole else 2)
    return f"¥{number}" if currency == "CNY" else f"{number} {currency}"


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _label(text: str = "", role: str = "", wrap: bool = True, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if role:
        label.setProperty("role", role)
    if name:
        label.setObjectName(name)
    return label


def _button(text: str = "", kind: str = "", name: str = "", checkable: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setMinimumHeight(MIN_TOUCH)
    if kind:
        button.setProperty("kind", kind)
    if name:
        button.setObjectName(name)
    button.setCheckable(checkable)
    return button


class CardButton(QPushButton):
    """A large touch button with a wrapped title and an optional smaller line under it."""

    def __init__(
        self,
        title: str = "",
        subtitle: str = "",
        *,
        checkable: bool = True,
        name: str = "",
        title_px: int = 0,
    ) -> None:
        super().__init__()
        self._floor_height = MIN_TOUCH
        self.setCheckable(checkable)
        if name:
            self.setObjectName(name)
        self.title_label = _label(title)
        self.title_label.setStyleSheet(
            "font-weight: 600;" + (f" font-size: {title_px}px;" if title_px else "")
        )
        self.subtitle_label = _label(subtitle, "hint")
        self.subtitle_label.setVisible(bool(subtitle))
        for label in (self.title_label, self.subtitle_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(2)
        layout.addStretch(1)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addStretch(1)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.toggled.connect(self._toggled)

    def set_text(self, title: str, subtitle: str = "") -> None:
        self.title_label.setText(title)
        self.subtitle_label.setText(subtitle)
        self.subtitle_label.setVisible(bool(subtitle))
        self.updateGeometry()

    def text(self) -> str:  # noqa: D102 - the visible title, for people and tests
        return self.title_label.text()

    def _toggled(self, checked: bool) -> None:
        for label in (self.title_label, self.subtitle_label):
            label.setProperty("on", checked)
            _repolish(label)

    def set_floor(self, height: int) -> None:
        """The least height (the stylesheet's min-height would override ``setMinimumHeight``)."""
        self._floor_height = height
        # Layouts ask the button's own layout for its height and clamp it to minimumHeight(); the
        # kiosk stylesheet's min-height sets that, so the button's own stylesheet must raise it.
        self.setStyleSheet(f"CardButton {{ min-height: {height}px; }}")
        self.updateGeometry()

    def _floor(self) -> int:
        return max(MIN_TOUCH, self._floor_height)

    def sizeHint(self):  # noqa: N802 - Qt override
        hint = self.layout().sizeHint()
        hint.setHeight(max(self._floor(), hint.height()))
        return hint

    def minimumSizeHint(self):  # noqa: N802 - Qt override
        hint = self.layout().minimumSize()
        hint.setHeight(max(self._floor(), hint.height()))
        return hint

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return max(self._floor(), self.layout().totalHeightForWidth(width))


def _grid(buttons: list[QWidget], columns: int, spacing: int = 12) -> QGridLayout:
    grid = QGridLayout()
    grid.setSpacing(spacing)
    for k, button in enumerate(buttons):
        grid.addWidget(button, k // columns, k % columns)
    for column in range(columns):
        grid.setColumnStretch(column, 1)
    return grid


class Page(QWidget):
    """One kiosk screen: a title, an inline message and a scrollable body."""

    key = ""

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.title_label = _label(role="title")
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
                QCoreApplication.translate(
                    "Page", "Something went wrong. Try again, or ask your shift lead. (%1)"
                ).replace("%1", type(exc).__name__),
            )


# ------------------------------------------------------------------------------------ sign-in


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
        self.people_hint = _label(role="hint")
        self.loading = _label(role="hint")
        self.pin_pad = PinPad()
        self.pin_status = _label(name="pinStatus")
        self.pin_status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_status.setMinimumHeight(60)
        self.sign_in_button = _button(kind="primary", name="signInButton")

        left = QVBoxLayout()
        self.who_label = _label(role="section")
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
        for button in self.person_buttons.values():
            self.group.removeButton(button)
            button.deleteLater()
        self.person_buttons.clear()
        columns = 2 if len(people) <= 8 else 3
        for k, person in enumerate(people):
            button = CardButton(person.name, role_name(person.role), name=f"person_{person.staff_id}")
            self.group.addButton(button, person.staff_id)
            self.person_buttons[person.staff_id] = button
            self.people_grid.addWidget(button, k // columns, k % columns)
        self.loading.setVisible(False)
        if not people:
            self.loading.setText(self.tr("Nobody of this store can sign in here yet."))
            self.loading.setVisible(True)
        if selected in self.person_buttons:
            self.person_buttons[selected].setChecked(True)
        self._update()

    def select_person(self, staff_id: int) -> None:
        self.person_buttons[staff_id].click()

    def selected_staff_id(self) -> int | None:
        checked = self.group.checkedId()
        return None if checked == -1 else checked

    def selected_person(self) -> KioskPerson | None:
        staff_id = self.selected_staff_id()
        return next((p for p in self.people if p.staff_id == staff_id), None)

    def reset(self) -> None:
        super().reset()
        self.pin_pad.clear()
        checked = self.group.checkedButton()
        if checked is not None:
            self.group.setExclusive(False)
            checked.setChecked(False)
            self.group.setExclusive(True)
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
            text = self.tr("Too many wrong PINs. Try again in %1.").replace(
                "%1", f"{left // 60}:{left % 60:02d}"
            )
        elif not person.has_pin:
            text = self.tr("You have no PIN yet. Ask your store manager to set one.")
        else:
            text = self._feedback or self.tr("Hello %1, type your PIN.").replace("%1", person.name)
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


# ------------------------------------------------------------------------------------ home


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
        self.body_layout.addWidget(self.help_tile)
        self.body_layout.addWidget(self.status_tile)
        self.body_layout.addLayout(_grid(list(self.tiles.values()), 2, 14))
        self.body_layout.addStretch(1)
        self.help_tile.clicked.connect(lambda: kiosk.open_page("help"))
        self.status_tile.clicked.connect(lambda: kiosk.open_page("help_status"))
        for key, page in (
            ("incident", "incident"),
            ("promise", "promise"),
            ("checkin", "checkin"),
            ("support", "support"),
        ):
            self.tiles[key].clicked.connect(lambda _c=False, p=page: kiosk.open_page(p))
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
            self.greeting.setText(self.tr("Hello %1, what do you need?").replace("%1", profile.name))
        self.show_status(self.kiosk.relief)

    def show_status(self, status: ReliefStatus | None) -> None:
        if status is None or status.status == "resolved":
            self.status_tile.setVisible(False)
            return
        if status.owner:
            text = self.tr("%1 is on it").replace("%1", status.owner_name or status.owner)
        else:
            text = self.tr("Waiting for someone to answer…")
        self.status_tile.set_text(self.tr("Your help request"), text)
        self.status_tile.setVisible(True)


# ------------------------------------------------------------------------------------ help


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
            button = _button(name=f"urgency_{key}", checkable=True)
            self.urgency_group.addButton(button, number)
            self.urgency_buttons[key] = button
        self.send_button = _button(kind="danger", name="sendHelp")
        self.send_button.setStyleSheet("min-height: 110px; font-size: 28px;")
        self.reasons_label = _label(role="section")
        self.details_label = _label(role="section")
        self.urgency_label = _label(role="section")
        self.body_layout.addWidget(self.reasons_label)
        self.body_layout.addLayout(_grid(list(self.reason_buttons.values()), 3, 10))
        self.body_layout.addWidget(self.details_label)
        self.body_layout.addWidget(self.details)
        self.body_layout.addStretch(1)
        # Urgency and Send share the bottom bar, so the whole request fits one screen without scrolling.
        bar = QGridLayout()
        bar.setHorizontalSpacing(12)
        bar.setVerticalSpacing(6)
        bar.addWidget(self.urgency_label, 0, 0, 1, 3)
        for column, button in enumerate(self.urgency_buttons.values()):
            bar.addWidget(button, 1, column)
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
            self.reason_buttons[key].set_text(_tr(text))
        for key, text in URGENCIES:
            self.urgency_buttons[key].setText(_tr(text))
        self.send_button.setText(self.tr("Send for help"))

    def reset(self) -> None:
        super().reset()
        for button in self.reason_buttons.values():
            button.setChecked(False)
        self.details.clear()
        self.urgency_buttons["normal"].setChecked(True)
        self._update()

    def _reason_toggled(self, checked: bool, urgent: bool) -> None:
        if checked and urgent:
            self.urgency_buttons["high"].setChecked(True)
        self._update()

    def reason(self) -> str:
        parts = [_tr(text) for key, text, _u in HELP_REASONS if self.reason_buttons[key].isChecked()]
        extra = self.details.text().strip()
        if extra:
            parts.append(extra)
        return "; ".join(parts)

    def urgency(self) -> str:
        return next(key for key, button in self.urgency_buttons.items() if button.isChecked())

    def _update(self) -> None:
        self.send_button.setEnabled(bool(self.reason()) and not self.kiosk.is_busy("help"))

    def send(self) -> None:
        if not self.reason():
            return
        # The presets travel as codes (each reader sees them in their language), the typed words as typed.
        codes = tuple(key for key, _t, _u in HELP_REASONS if self.reason_buttons[key].isChecked())
        extra, urgency = self.details.text().strip(), self.urgency()
        kiosk = self.kiosk
        store_id = kiosk.terminal.store.id

        def work(services, actor, now):
            alert_id = services.relief_request(actor, store_id, extra, now, urgency, codes)
            return services.relief_status(actor, alert_id)

        kiosk.call("help", work, self._sent, self)
        self._update()

    def _sent(self, status: ReliefStatus) -> None:
        self.reset()
        self.kiosk.relief_sent(status)


class HelpStatusPage(Page):
    key = "help_status"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.headline = _label(role="big", name="reliefHeadline")
        self.paged_label = _label(name="reliefPaged")
        self.status_label = _label(role="huge", name="reliefStatus")
        self.status_label.setMinimumHeight(120)
        self.note = _label(role="hint")
        self.home_button = _button(kind="primary", name="backHome")
        self.body_layout.addWidget(self.headline)
        self.body_layout.addWidget(self.paged_label)
        self.body_layout.addSpacing(16)
        self.body_layout.addWidget(self.status_label)
        self.body_layout.addWidget(self.note)
        self.body_layout.addStretch(1)
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
        self.paged_label.setText(self.tr("Paged: %1").replace("%1", paged) if paged else "")
        self.paged_label.setVisible(bool(paged))
        zone = ZoneInfo(self.kiosk.terminal.store.timezone)
        if status.status == "resolved":
            text = self.tr("Resolved. Thank you for asking.")
            colour = "#2e6b4f"
            note = ""
        elif status.owner:
            at = status.acknowledged_at.astimezone(zone).strftime("%H:%M") if status.acknowledged_at else ""
            text = (
                self.tr("%1 is on it (since %2).")
                .replace("%1", status.owner_name or status.owner)
                .replace("%2", at)
            )
            colour = "#2e6b4f"
            note = self.tr("Stay safe. If it gets worse, step back from the counter.")
        else:
            text = self.tr("Waiting for an answer…")
            colour = "#b26a00"
            note = ""
            if status.deadline is not None and status.next_level_name:
                note = (
                    self.tr("If nobody answers by %1, it goes up to: %2.")
                    .replace("%1", status.deadline.astimezone(zone).strftime("%H:%M"))
                    .replace("%2", name_of(LEVEL_NAMES, status.next_level_name))
                )
            if status.level > 2:
                note = self.tr("No answer yet, so it went up to: %1.").replace(
                    "%1", name_of(LEVEL_NAMES, status.level_name)
                ) + (" " + note if note else "")
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {colour};")
        self.note.setText(note)


# ------------------------------------------------------------------------------------ incidents


class IncidentPage(Page):
    key = "incident"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.playbooks: tuple[Playbook, ...] = ()
        self._approver_feedback = ""
        self.approval_token: str | None = None
        """The one-time approval token of a colleague's PIN approval (``kiosk_check_approver``)."""
        self.approved_name = ""
        self.approved_amount: Decimal | None = None
        self.type_group = QButtonGroup(self)
        self.type_buttons: dict[str, CardButton] = {}
        self.type_grid = QGridLayout()
        self.type_grid.setSpacing(12)
        self.customer_group = QButtonGroup(self)
        self.customer_buttons: dict[str, CardButton] = {}
        for number, (key, _name, _hint) in enumerate(CUSTOMER_TYPES):
            button = CardButton(name=f"customer_{key}")
            self.customer_group.addButton(button, number)
            self.customer_buttons[key] = button
        self.trigger_boxes = {key: QCheckBox() for key, _name in TRIGGERS}
        for key, box in self.trigger_boxes.items():
            box.setObjectName(f"trigger_{key}")
        self.trigger_note = MessageStrip()
        self.playbook_label = _label(role="section")
        self.playbook_box = QVBoxLayout()
        self.playbook_box.setSpacing(10)
        self.response_group = QButtonGroup(self)
        self.response_buttons: list[CardButton] = []
        self.compensation = QLineEdit()
        self.compensation.setObjectName("compensation")
        self.compensation.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"^[0-9]{0,6}([.][0-9]{0,2})?$"), self)
        )
        self.compensation.setMaximumWidth(220)
        self.limit_label = _label(role="hint", name="authorityLimit")
        self.approval_strip = MessageStrip()
        self.approve_here = _button(name="approveHere")
        self.approval_panel = QFrame()
        self.approval_panel.setObjectName("approvalPanel")
        self.approval_panel.setStyleSheet(
            "QFrame#approvalPanel { background: white; border: 2px solid #cfc7b8; border-radius: 12px; }"
        )
        self.approver_group = QButtonGroup(self)
        self.approver_buttons: dict[int, CardButton] = {}
        self.approver_grid = QGridLayout()
        self.approver_pad = PinPad()
        self.approver_pad.setMaximumWidth(360)
        self.approver_status = _label(name="approverStatus")
        self.approve_button = _button(kind="primary", name="approveButton")
        self.approve_cancel = _button(name="approveCancel")
        self.description = QPlainTextEdit()
        self.description.setObjectName("incidentDescription")
        self.description.setMaximumHeight(110)
        self.submit_button = _button(kind="primary", name="recordIncident")

        self.type_label = _label(role="section")
        self.customer_label = _label(role="section")
        self.trigger_label = _label(role="section")
        self.compensation_label = _label(role="section")
        self.description_label = _label(role="section")
        self.body_layout.addWidget(self.type_label)
        self.body_layout.addLayout(self.type_grid)
        self.body_layout.addWidget(self.customer_label)
        self.body_layout.addLayout(_grid(list(self.customer_buttons.values()), 2))
        self.body_layout.addWidget(self.trigger_label)
        for box in self.trigger_boxes.values():
            self.body_layout.addWidget(box)
        self.body_layout.addWidget(self.trigger_note)
        self.body_layout.addWidget(self.playbook_label)
        self.body_layout.addLayout(self.playbook_box)
        self.body_layout.addWidget(self.compensation_label)
        money_row = QHBoxLayout()
        money_row.addWidget(self.compensation)
        money_row.addWidget(self.limit_label, 1)
        self.body_layout.addLayout(money_row)
        self.body_layout.addWidget(self.approval_strip)
        self.body_layout.addWidget(self.approve_here, 0, Qt.AlignmentFlag.AlignLeft)
        panel = QVBoxLayout(self.approval_panel)
        panel.setContentsMargins(16, 12, 16, 12)
        self.approver_title = _label(role="section")
        panel.addWidget(self.approver_title)
        panel.addLayout(self.approver_grid)
        panel_row = QHBoxLayout()
        panel_row.addWidget(self.approver_pad)
        side = QVBoxLayout()
        side.addWidget(self.approver_status)
        side.addStretch(1)
        side.addWidget(self.approve_button)
        side.addWidget(self.approve_cancel)
        panel_row.addLayout(side, 1)
        panel.addLayout(panel_row)
        self.approval_panel.setVisible(False)
        self.body_layout.addWidget(self.approval_panel)
        self.body_layout.addWidget(self.description_label)
        self.body_layout.addWidget(self.description)
        self.body_layout.addStretch(1)
        self.layout().addWidget(self.submit_button)

        self.type_group.idToggled.connect(lambda _i, checked: checked and self._type_chosen())
        self.customer_group.idToggled.connect(lambda _i, _c: self._update())
        for box in self.trigger_boxes.values():
            box.toggled.connect(lambda _c: self._update())
        self.response_group.idToggled.connect(self._response_chosen)
        self.compensation.textChanged.connect(lambda _t: self._update())
        self.approve_here.clicked.connect(self._open_approval)
        self.approve_cancel.clicked.connect(self._close_approval)
        self.approver_group.idToggled.connect(lambda _i, _c: self._update_approval())
        self.approver_pad.changed.connect(lambda _n: self._update_approval())
        self.approver_pad.submitted.connect(lambda _p: self._approve())
        self.approve_button.clicked.connect(self._approve)
        self.submit_button.clicked.connect(self.submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("Log an incident"))
        self.type_label.setText(self.tr("What kind of incident?"))
        self.customer_label.setText(self.tr("What kind of customer?"))
        for key, name, hint in CUSTOMER_TYPES:
            self.customer_buttons[key].set_text(_tr(name), _tr(hint))
        self.trigger_label.setText(self.tr("Did the customer mention any of these?"))
        for key, name in TRIGGERS:
            self.trigger_boxes[key].setText(_tr(name))
        self.playbook_label.setText(self.tr("What you can do (pre-approved responses)"))
        self.compensation_label.setText(self.tr("Compensation given"))
        self.compensation.setPlaceholderText("0")
        self.approve_here.setText(self.tr("A colleague approves it here"))
        self.approver_title.setText(self.tr("Who approves? They confirm with their own PIN."))
        self.approve_button.setText(self.tr("Approve"))
        self.approve_cancel.setText(self.tr("Cancel"))
        self.description_label.setText(self.tr("What happened? (optional)"))
        self.submit_button.setText(self.tr("Record incident"))
        self._update()

    def reset(self) -> None:
        super().reset()
        for group in (self.type_group, self.customer_group, self.response_group):
            checked = group.checkedButton()
            if checked is not None:
                group.setExclusive(False)
                checked.setChecked(False)
                group.setExclusive(True)
        for box in self.trigger_boxes.values():
            box.setChecked(False)
        self.compensation.clear()
        self.description.clear()
        self._clear_responses()
        self._clear_approval()
        self._close_approval()
        self._update()

    def entered(self) -> None:
        # Loaded on every visit: head office may have edited the playbooks since.
        self.kiosk.call(
            "incident",
            lambda s, a, _now: s.kiosk_playbooks(a, self.kiosk.language),
            self.set_playbooks,
            self,
        )

    def set_playbooks(self, playbooks: tuple[Playbook, ...]) -> None:
        if playbooks == self.playbooks:
            return
        chosen = self.incident_type()
        self.playbooks = playbooks
        for button in self.type_buttons.values():
            self.type_group.removeButton(button)
            button.deleteLater()
        self.type_buttons.clear()
        for number, book in enumerate(playbooks):
            button = CardButton(book.label, name=f"type_{book.incident_type}")
            self.type_group.addButton(button, number)
            self.type_buttons[book.incident_type] = button
            self.type_grid.addWidget(button, number // 3, number % 3)
        for column in range(3):
            self.type_grid.setColumnStretch(column, 1)
        if chosen in self.type_buttons:
            self.type_buttons[chosen].click()
        else:
            self._clear_responses()
        self._update()

    def choose_type(self, incident_type: str) -> None:
        self.type_buttons[incident_type].click()

    def incident_type(self) -> str | None:
        checked = self.type_group.checkedId()
        return None if checked == -1 else self.playbooks[checked].incident_type

    def customer_type(self) -> str | None:
        checked = self.customer_group.checkedId()
        return None if checked == -1 else CUSTOMER_TYPES[checked][0]

    def triggers(self) -> list[str]:
        return [key for key, box in self.trigger_boxes.items() if box.isChecked()]

    def amount(self) -> Decimal | None:
        text = self.compensation.text().strip()
        if not text:
            return Decimal("0")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        return value if value >= 0 else None

    def playbook(self) -> Playbook | None:
        checked = self.type_group.checkedId()
        return None if checked == -1 else self.playbooks[checked]

    def response_texts(self) -> list[str]:
        return [button.text() for button in self.response_buttons]

    def _clear_responses(self) -> None:
        for button in self.response_buttons:
            self.response_group.removeButton(button)
            button.deleteLater()
        self.response_buttons.clear()

    def _type_chosen(self) -> None:
        self._clear_responses()
        book = self.playbook()
        if book is None:
            return
        currency = self.kiosk.profile.currency if self.kiosk.profile else "CNY"
        for number, response in enumerate(book.responses):
            extra = (
                self.tr("up to %1").replace("%1", money(response.compensation, currency))
                if response.compensation is not None
                else ""
            )
            button = CardButton(f"{number + 1}. {response.text}", extra, name=f"response_{number}")
            self.response_group.addButton(button, number)
            self.response_buttons.append(button)
            self.playbook_box.addWidget(button)
        self._update()

    def _response_chosen(self, number: int, checked: bool) -> None:
        book = self.playbook()
        if not checked or book is None or number >= len(book.responses):
            return
        amount = book.responses[number].compensation
        if amount is not None:
            self.compensation.setText(format(amount.normalize(), "f"))
        self._update()

    def _limit(self) -> Decimal:
        return self.kiosk.profile.authority_limit if self.kiosk.profile else Decimal("0")

    def _update(self) -> None:
        profile = self.kiosk.profile
        currency = profile.currency if profile else "CNY"
        limit = self._limit()
        self.limit_label.setText(
            self.tr("Your authority limit: %1, no personal liability").replace("%1", money(limit, currency))
        )
        if self.triggers():
            self.trigger_note.show_message(
                "warning",
                self.tr("Your superior is told at once: a sensitive incident skips the first level."),
            )
        else:
            self.trigger_note.show_message(
                "info", self.tr("Ticking one of these tells your superior at once.")
            )
        self.playbook_label.setVisible(bool(self.response_buttons))
        amount = self.amount()
        over = amount is not None and amount > limit
        if self.approval_token and self.approved_amount != amount:
            self._clear_approval()
        if over and self.approval_token:
            self.approval_strip.show_message(
                "success",
                self.tr("Approved by %1 for %2.")
                .replace("%1", self.approved_name)
                .replace("%2", money(amount, currency)),
            )
        elif over:
            self.approval_strip.show_message(
                "warning",
                self.tr(
                    "Above your limit of %1: this needs approval. A colleague who may grant it can approve it here with their PIN; otherwise it is recorded and your manager is asked to approve it."
                ).replace("%1", money(limit, currency)),
            )
        else:
            self.approval_strip.clear()
        self.approve_here.setVisible(over and not self.approval_token)
        if not over:
            self._close_approval()
        ready = self.incident_type() is not None and self.customer_type() is not None and amount is not None
        self.submit_button.setEnabled(ready and not self.kiosk.is_busy("incident"))
        if over and not self.approval_token:
            self.submit_button.setText(self.tr("Record and ask for approval"))
        else:
            self.submit_button.setText(self.tr("Record incident"))

    # -- approval by a colleague's PIN ------------------------------------------------------------
    def _clear_approval(self) -> None:
        self.approval_token, self.approved_name, self.approved_amount = None, "", None

    def _open_approval(self) -> None:
        amount = self.amount()
        if amount is None:
            return
        self.approval_panel.setVisible(True)
        self.approver_status.setText(self.tr("Loading colleagues…"))
        self.kiosk.call(
            "approvers", lambda s, a, now: s.kiosk_approvers(a, amount, now), self._set_approvers, self
        )

    def _set_approvers(self, people: list[KioskPerson]) -> None:
        for button in self.approver_buttons.values():
            self.approver_group.removeButton(button)
            button.deleteLater()
        self.approver_buttons.clear()
        for number, person in enumerate(people):
            button = CardButton(person.name, role_name(person.role), name=f"approver_{person.staff_id}")
            self.approver_group.addButton(button, person.staff_id)
            self.approver_buttons[person.staff_id] = button
            self.approver_grid.addWidget(button, number // 3, number % 3)
        self.approver_pad.clear()
        self._approver_feedback = (
            "" if people else self.tr("Nobody here may approve this amount; it will be sent for approval.")
        )
        self._update_approval()
        self.kiosk.make_visible(self.approval_panel)

    def _update_approval(self) -> None:
        chosen = self.approver_group.checkedId() != -1
        self.approver_status.setText(
            self._approver_feedback or (self.tr("Type your PIN.") if chosen else self.tr("Tap your name."))
        )
        self.approver_pad.setEnabled(chosen)
        self.approve_button.setEnabled(
            chosen and self.approver_pad.complete and not self.kiosk.is_busy("approve")
        )

    def _close_approval(self) -> None:
        self.approval_panel.setVisible(False)
        self.approver_pad.clear()
        self._approver_feedback = ""

    def _approve(self) -> None:
        staff_id = self.approver_group.checkedId()
        amount = self.amount()
        if staff_id == -1 or amount is None or not self.approver_pad.complete:
            return
        pin = self.approver_pad.pin
        self.approver_pad.clear()
        name = self.approver_buttons[staff_id].text()

        def done(answer: tuple[pins.PinResult, str | None]) -> None:
            result, token = answer
            if result.ok and token:
                self.approval_token, self.approved_name, self.approved_amount = token, name, amount
                self._close_approval()
            elif result.locked_until is not None:
                self._approver_feedback = self.tr("Too many wrong PINs: %1 is locked for 5 minutes.").replace(
                    "%1", name
                )
            else:
                left = result.remaining_tries
                self._approver_feedback = (
                    self.tr("Wrong PIN. 1 try left.")
                    if left == 1
                    else self.tr("Wrong PIN. %n tries left.", "", left)
                )
            self._update_approval()
            self._update()

        self.kiosk.call(
            "approve", lambda s, a, now: s.kiosk_check_approver(a, staff_id, pin, amount, now), done, self
        )
        self._update_approval()

    # -- recording --------------------------------------------------------------------------------
    def submit(self) -> None:
        incident_type, customer_type, amount = self.incident_type(), self.customer_type(), self.amount()
        if incident_type is None or customer_type is None or amount is None:
            return
        triggers, approval_token = self.triggers(), self.approval_token
        parts = [self.description.toPlainText().strip()]
        response = self.response_group.checkedId()
        book = self.playbook()
        if response != -1 and book is not None:
            parts.append(self.tr("Response used: %1").replace("%1", book.responses[response].text))
        description = "\n".join(p for p in parts if p)

        def work(services, actor, now) -> IncidentReceipt:
            return services.kiosk_report_incident(
                actor,
                incident_type=incident_type,
                customer_type=customer_type,
                triggers=triggers,
                description=description,
                compensation=amount,
                now=now,
                approval_token=approval_token,
            )

        self.kiosk.call("incident", work, self._recorded, self)
        self._update()

    def _recorded(self, receipt: IncidentReceipt) -> None:
        lines = [self.tr("Incident recorded. Thank you for writing it down.")]
        if receipt.alert_id is not None:
            lines.append(self.tr("Your superior has been told at once."))
        if receipt.approval_alert_id is not None:
            lines.append(self.tr("The compensation was sent for approval; your manager has been asked."))
        elif receipt.approved_by:
            lines.append(self.tr("Approved by %1.").replace("%1", self.approved_name))
        self.reset()
        self.kiosk.open_page("home", " ".join(lines))


# ------------------------------------------------------------------------------------ promises


class PromisePage(Page):
    key = "promise"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.text = QLineEdit()
        self.text.setObjectName("promiseText")
        self.quick = {
            30: _button(name="due_30"),
            60: _button(name="due_60"),
            120: _button(name="due_120"),
        }
        self.tomorrow_button = _button(name="due_tomorrow", checkable=True)
        self.time_edit = QTimeEdit()
        self.time_edit.setObjectName("promiseTime")
        self.time_edit.setDisplayFormat("HH:mm")
        # The arrows are hidden by the stylesheet (−15/+15 buttons are the touch way to change it);
        # NoButtons together with a styled frame collapses the edit field to one pixel in Qt 6.
        self.time_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_edit.setMinimumWidth(180)
        self.minus = _button("−15", name="timeMinus")
        self.plus = _button("+15", name="timePlus")
        self.due_label = _label(role="big", name="promiseDue")
        self.reminder_note = _label(role="hint")
        self.save_button = _button(kind="primary", name="savePromise")
        self.open_label = _label(role="section")
        self.open_list = _label(name="openPromises")
        self.what_label = _label(role="section")
        self.when_label = _label(role="section")
        self.body_layout.addWidget(self.what_label)
        self.body_layout.addWidget(self.text)
        self.body_layout.addWidget(self.when_label)
        quick_row = QHBoxLayout()
        quick_row.setSpacing(12)
        for button in self.quick.values():
            quick_row.addWidget(button)
        quick_row.addWidget(self.tomorrow_button)
        self.body_layout.addLayout(quick_row)
        time_row = QHBoxLayout()
        time_row.setSpacing(12)
        time_row.addWidget(self.minus)
        time_row.addWidget(self.time_edit)
        time_row.addWidget(self.plus)
        time_row.addWidget(self.due_label, 1)
        self.body_layout.addLayout(time_row)
        self.body_layout.addWidget(self.reminder_note)
        self.body_layout.addWidget(self.open_label)
        self.body_layout.addWidget(self.open_list)
        self.body_layout.addStretch(1)
        self.layout().addWidget(self.save_button)
        for minutes, button in self.quick.items():
            button.clicked.connect(lambda _c=False, m=minutes: self.set_due_in(m))
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
        return self.kiosk.now().astimezone(ZoneInfo(self.kiosk.terminal.store.timezone))

    def reset(self) -> None:
        super().reset()
        self.text.clear()
        self.tomorrow_button.setChecked(False)
        self.set_due_in(60)

    def entered(self) -> None:
        self.kiosk.call("promises", lambda s, a, _now: s.kiosk_promises(a), self._show_open, self)
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
            else self.tr("Due %1").replace("%1", when.replace("%1", due.strftime("%H:%M")))
        )
        self.due_label.setStyleSheet("color: #c62828;" if past else "")
        self.save_button.setEnabled(
            bool(self.text.text().strip()) and not past and not self.kiosk.is_busy("promise")
        )

    def tick(self, now: datetime) -> None:
        self._update()

    def _show_open(self, promises: list[PromiseView]) -> None:
        zone = ZoneInfo(self.kiosk.terminal.store.timezone)
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
            zone = ZoneInfo(self.kiosk.terminal.store.timezone)
            self.reset()
            self.kiosk.open_page(
                "home",
                self.tr("Promise saved for %1. You will be reminded.").replace(
                    "%1", due.astimezone(zone).strftime("%H:%M")
                ),
            )

        self.kiosk.call(
            "promise", lambda s, a, now: s.kiosk_promise(a, store_id, description, due, now), done, self
        )
        self._update()


# ------------------------------------------------------------------------------------ check-in


class CheckInPage(Page):
    key = "checkin"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.score_group = QButtonGroup(self)
        self.score_buttons: dict[int, CardButton] = {}
        for score, _label_text in SCORES:
            button = CardButton(name=f"score_{score}")
            button.set_floor(96)
            self.score_group.addButton(button, score)
            self.score_buttons[score] = button
        self.note = QPlainTextEdit()
        self.note.setObjectName("checkInNote")
        self.note.setMaximumHeight(120)
        self.share = QCheckBox()
        self.share.setObjectName("shareNote")
        self.privacy = _label(role="hint")
        self.save_button = _button(kind="primary", name="saveCheckIn")
        self.recent_label = _label(role="section")
        self.recent = _label(name="myCheckIns")
        self.question = _label(role="section")
        self.note_label = _label(role="section")
        self.body_layout.addWidget(self.question)
        row = QHBoxLayout()
        row.setSpacing(12)
        for button in self.score_buttons.values():
            row.addWidget(button)
        self.body_layout.addLayout(row)
        self.body_layout.addWidget(self.note_label)
        self.body_layout.addWidget(self.note)
        self.body_layout.addWidget(self.share)
        self.body_layout.addWidget(self.privacy)
        self.body_layout.addWidget(self.recent_label)
        self.body_layout.addWidget(self.recent)
        self.body_layout.addStretch(1)
        self.layout().addWidget(self.save_button)
        self.score_group.idToggled.connect(lambda _i, _c: self._update())
        self.note.textChanged.connect(self._update)
        self.save_button.clicked.connect(self.save)
        self.retranslate()

    def retranslate(self) -> None:
        self.title_label.setText(self.tr("End-of-shift check-in"))
        self.question.setText(self.tr("How hard was this shift?"))
        for score, text in SCORES:
            self.score_buttons[score].set_text(str(score), _tr(text))
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
        checked = self.score_group.checkedButton()
        if checked is not None:
            self.score_group.setExclusive(False)
            checked.setChecked(False)
            self.score_group.setExclusive(True)
        self.note.clear()
        self.share.setChecked(False)
        self.recent.clear()
        self._update()

    def entered(self) -> None:
        since = self.kiosk.now() - timedelta(days=14)
        self.kiosk.call(
            "check_ins", lambda s, a, _now: s.kiosk_my_check_ins(a, since), self._show_recent, self
        )

    def _show_recent(self, rows: list[OwnCheckIn]) -> None:
        zone = ZoneInfo(self.kiosk.terminal.store.timezone)
        lines = []
        for row in rows[:7]:
            when = row.created_at.astimezone(zone).strftime("%m-%d %H:%M")
            lines.append(f"• {when}   {row.score}/5   {_tr(dict(SCORES)[row.score])}")
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
            zone = ZoneInfo(self.kiosk.terminal.store.timezone)
            if receipt.shift_start and receipt.shift_end:
                shift = (
                    f"{receipt.shift_start.astimezone(zone):%H:%M}–{receipt.shift_end.astimezone(zone):%H:%M}"
                )
                text = self.tr("Thank you. Saved for your shift %1.").replace("%1", shift)
            else:
                text = self.tr("Thank you. Saved.")
            if receipt.updated:
                text += " " + self.tr("(It replaces your earlier check-in for this shift.)")
            self.reset()
            self.kiosk.open_page("home", text)

        self.kiosk.call("checkin", lambda s, a, now: s.kiosk_check_in(a, score, note, share, now), done, self)
        self._update()


# ------------------------------------------------------------------------------------ support


class SupportPage(Page):
    key = "support"

    def __init__(self, kiosk: KioskWindow) -> None:
        super().__init__(kiosk)
        self.hotline_label = _label(role="section")
        self.hotline = _label(role="huge", name="hotline")
        self.hotline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hotline_note = _label(role="hint")
        self.contacts_label = _label(role="section")
        self.contacts = _label(name="contacts")
        self.sessions_label = _label(role="section")
        self.sessions = _label(name="sessions")
        self.training_label = _label(role="section")
        self.training = _label()
        self.closing = _label(role="hint")
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
        self.kiosk.call("support", lambda s, a, _now: s.kiosk_support(a), self.show_support, self)

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


# ------------------------------------------------------------------------------------ the window


class KioskWindow(QWidget):
    """The kiosk (see the module docstring): a header, the screens, and the session of whoever signed in.

    It acts as ``terminal.actor`` (nobody) until a PIN sign-in, then as that person; ``ctx.actor``
    is not used.
    """

    signed_in = Signal(str)
    signed_out = Signal()
    page_changed = Signal(str)
    relief_changed = Signal(object)
    """The live status of this session's relief request (``ReliefStatus``)."""
    call_finished = Signal(str)
    """A service call finished (its key, e.g. "help"); for tests and status displays."""

    def __init__(self, ctx: AppContext, terminal: KioskTerminal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.setWindowTitle(
            self.tr("Storemon kiosk — %1").replace("%1", f"{terminal.store.code} {terminal.store.name}")
        )
        self.ctx = ctx
        self.terminal = terminal
        self.actor: Actor = terminal.actor
        self.profile: KioskProfile | None = None
        self.relief: ReliefStatus | None = None
        self.language = "zh_CN" if QLocale().name().startswith("zh") else "en"
        self._session = 0
        self._busy: set[str] = set()
        self._last_activity = self.now()
        self._status_in_flight = False
        self.busy_signing_in = False
        self._build()
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self._tick)
        self._tick_timer.start()
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_POLL_MS)
        self._status_timer.timeout.connect(self._poll_relief)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, activated=self.close)
        self.open_page("login")

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        header = QFrame()
        header.setObjectName("header")
        self.store_label = QLabel(f"{self.terminal.store.code}  {self.terminal.store.name}")
        self.store_label.setObjectName("storeName")
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clock")
        self.user_label = QLabel()
        self.user_label.setObjectName("signedInAs")
        self.home_button = _button(name="homeButton")
        self.sign_out_button = _button(name="signOutButton")
        row = QHBoxLayout(header)
        row.setContentsMargins(20, 4, 12, 4)
        row.setSpacing(16)
        row.addWidget(self.store_label)
        row.addStretch(1)
        row.addWidget(self.clock_label)
        row.addSpacing(12)
        row.addWidget(self.user_label)
        row.addWidget(self.home_button)
        row.addWidget(self.sign_out_button)
        self.busy = BusyBar()
        self.busy.setFixedHeight(6)
        self.idle_strip = MessageStrip()
        self.pages: dict[str, Page] = {}
        self.stack = QStackedWidget()
        for cls in (
            LoginPage,
            HomePage,
            HelpPage,
            HelpStatusPage,
            IncidentPage,
            PromisePage,
            CheckInPage,
            SupportPage,
        ):
            page = cls(self)
            self.pages[page.key] = page
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.busy)
        strip_box = QVBoxLayout()
        strip_box.setContentsMargins(28, 8, 28, 0)
        strip_box.addWidget(self.idle_strip)
        layout.addLayout(strip_box)
        layout.addWidget(self.stack, 1)
        self.home_button.clicked.connect(lambda: self.open_page("home"))
        self.sign_out_button.clicked.connect(self.sign_out)
        self.home_button.setText(self.tr("Home"))
        self.sign_out_button.setText(self.tr("Sign out"))
        self._show_clock()

    @property
    def login(self) -> LoginPage:
        return self.pages["login"]  # type: ignore[return-value]

    def page(self, key: str) -> Page:
        return self.pages[key]

    def current_page(self) -> str:
        return self.stack.currentWidget().key

    def now(self) -> datetime:
        return self.ctx.clock()

    def is_busy(self, key: str) -> bool:
        return key in self._busy

    # -- navigation ---------------------------------------------------------------------------------
    def open_page(self, key: str, message: str = "") -> None:
        if key != "login" and self.profile is None:
            key = "login"
        page = self.pages[key]
        if key in ("help", "incident", "promise", "checkin") and self.current_page() != key:
            page.message.clear()
        self.stack.setCurrentWidget(page)
        signed = self.profile is not None
        self.home_button.setVisible(signed and key != "home")
        self.sign_out_button.setVisible(signed)
        self.user_label.setVisible(signed)
        page.entered()
        if message:
            page.message.show_message("success", message)
        elif key == "home":
            page.message.clear()
        if key in ("help_status", "home") and self.relief is not None:
            self._poll_relief()
        self.page_changed.emit(key)

    def make_visible(self, widget: QWidget) -> None:
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            page.scroll.ensureWidgetVisible(widget)

    # -- service calls --------------------------------------------------------------------------
    def call(
        self,
        key: str,
        fn: Callable[[Any, Actor, datetime], Any],
        on_done: Callable[[Any], None],
        page: Page | None = None,
    ) -> None:
        """Run ``fn(services, actor, now)`` off the GUI thread as the signed-in person.

        The answer is dropped if the person signed out meanwhile; errors show on ``page``.
        """
        session, services, actor, now = self._session, self.ctx.services, self.actor, self.now()
        self._busy.add(key)
        self.busy.push()

        def finish() -> bool:
            if not isValid(self):
                return False
            self._busy.discard(key)
            self.busy.pop()
            return session == self._session

        def done(result: Any) -> None:
            if finish():
                on_done(result)
                self.call_finished.emit(key)
                self._refresh_current()

        def failed(exc: BaseException) -> None:
            if finish():
                (page or self.stack.currentWidget()).failed(exc)
                self.call_finished.emit(key)
                self._refresh_current()

        self.ctx.tasks.run(lambda _c: fn(services, actor, now), done, failed)

    def _refresh_current(self) -> None:
        page = self.stack.currentWidget()
        updater = getattr(page, "_update", None)
        if callable(updater):
            updater()

    # -- sign-in and sign-out -------------------------------------------------------------------
    def load_people(self) -> None:
        terminal, services, now = self.terminal, self.ctx.services, self.now()
        session = self._session

        def done(people: list[KioskPerson]) -> None:
            if isValid(self) and session == self._session:
                self.login.set_people(people)
                self.call_finished.emit("people")

        self.ctx.tasks.run(
            lambda _c: services.kiosk_people(terminal.actor, terminal.store.id, now),
            done,
            lambda exc: isValid(self) and self.login.failed(exc),
        )

    def sign_in(self, person: KioskPerson, pin: str) -> None:
        terminal, services, now = self.terminal, self.ctx.services, self.now()
        self.busy_signing_in = True
        self.busy.push()
        self.login._update()

        def work(_c) -> tuple[SignIn, KioskProfile | None]:
            result = services.kiosk_sign_in(terminal.actor, terminal.store.id, person.staff_id, pin, now)
            profile = services.kiosk_profile(result.actor) if result.actor is not None else None
            return result, profile

        def done(answer: tuple[SignIn, KioskProfile | None]) -> None:
            if not isValid(self):
                return
            self.busy_signing_in = False
            self.busy.pop()
            result, profile = answer
            if result.actor is None or profile is None:
                self.login.show_result(person, result.result)
                self.call_finished.emit("sign_in")
                return
            self.start_session(result.actor, profile)
            self.call_finished.emit("sign_in")

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return
            self.busy_signing_in = False
            self.busy.pop()
            self.login.failed(exc)
            self.login._update()
            self.call_finished.emit("sign_in")

        self.ctx.tasks.run(work, done, failed)

    def start_session(self, actor: Actor, profile: KioskProfile) -> None:
        self._session += 1
        self.actor, self.profile, self.relief = actor, profile, None
        self._last_activity = self.now()
        self.user_label.setText(f"{profile.name} · {role_name(profile.role)}")
        for page in self.pages.values():
            page.reset()
        self.open_page("home")
        self.signed_in.emit(actor.username)

    def sign_out(self, reason: str = "") -> None:
        """End the session: forget the person and everything they typed; back to the name picker."""
        was_signed_in = self.profile is not None
        self._session += 1
        self.actor, self.profile, self.relief = self.terminal.actor, None, None
        self._status_timer.stop()
        self.idle_strip.clear()
        for page in self.pages.values():
            page.reset()
        self.open_page("login")
        if reason:
            self.login.message.show_message("info", reason)
        if was_signed_in:
            self.signed_out.emit()

    # -- relief status ----------------------------------------------------------------------------
    def relief_sent(self, status: ReliefStatus) -> None:
        """Show the request's live status; it keeps polling until it is resolved or the person signs out."""
        self.relief = status
        self._status_timer.start()
        self.open_page("help_status")
        self.pages["help_status"].show_status(status)
        self.relief_changed.emit(status)

    def _poll_relief(self) -> None:
        if self.relief is None or self._status_in_flight:
            return
        self._status_in_flight = True
        session, services, actor, alert_id = (
            self._session,
            self.ctx.services,
            self.actor,
            self.relief.alert_id,
        )

        def done(status: ReliefStatus) -> None:
            if not isValid(self):
                return
            self._status_in_flight = False
            if session != self._session:
                return
            changed = status != self.relief
            self.relief = status
            if status.status == "resolved":
                self._status_timer.stop()
            if changed:
                self.pages["help_status"].show_status(status)
                self.pages["home"].show_status(status)
                self.relief_changed.emit(status)

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self._status_in_flight = False
                log.warning("relief status poll failed: %s", exc)

        self.ctx.tasks.run(lambda _c: services.relief_status(actor, alert_id), done, failed)

    # -- time: clock, lockout countdown, idle sign-out ------------------------------------------
    def _show_clock(self) -> None:
        local = self.now().astimezone(ZoneInfo(self.terminal.store.timezone))
        self.clock_label.setText(local.strftime("%H:%M"))

    def _waiting_for_help(self) -> bool:
        """Someone who asked for help and is watching for the answer is never signed out under them."""
        return (
            self.current_page() == "help_status"
            and self.relief is not None
            and self.relief.status == "open"
            and not self.relief.owner
        )

    def _tick(self) -> None:
        now = self.now()
        self._show_clock()
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            page.tick(now)
        if self.profile is None:
            return
        if self._waiting_for_help():
            self._last_activity = now
            self.idle_strip.clear()
            return
        idle = now - self._last_activity
        if idle >= IDLE_SIGN_OUT:
            self.sign_out(self.tr("Signed out after 2 minutes without activity."))
        elif idle >= IDLE_SIGN_OUT - IDLE_WARNING:
            left = int((IDLE_SIGN_OUT - idle).total_seconds())
            self.idle_strip.show_message(
                "warning",
                self.tr("No activity: signing out in %1 s. Touch the screen to stay.").replace(
                    "%1", str(left)
                ),
            )
        else:
            self.idle_strip.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.KeyPress,
            QEvent.Type.TouchBegin,
            QEvent.Type.Wheel,
        ):
            self._last_activity = self.now()
            if self.idle_strip.isVisible():
                self.idle_strip.clear()
        return False

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._tick_timer.stop()
        self._status_timer.stop()
        super().closeEvent(event)


def run_kiosk(database: Database, store_ref: str | int, smoke: bool = False) -> int:
    """Open the kiosk of a store full screen; ``smoke`` renders it once and quits (install check).

    The person starting it needs access to the database (like ``storemon gui``); the kiosk itself
    then acts as nobody until a staff member signs in with their PIN.
    """
    from storemon.services.api import Services
    from ui.app import build_context, ensure_app

    app = ensure_app()
    terminal = Services(database).kiosk_terminal(SYSTEM, store_ref)
    ctx = build_context(database, terminal.actor, app)
    window = KioskWindow(ctx, terminal)
    window.showFullScreen()
    if smoke:
        QTimer.singleShot(0, lambda: (window.grab(), window.close(), app.quit()))
    code = app.exec()
    ctx.tasks.wait()
    return code
