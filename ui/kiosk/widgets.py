"""The kiosk's building blocks: labels and buttons sized for a finger, the card button, and the
helpers every screen uses to lay out and reset groups of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TypeVar

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from storemon.services.kiosk import KioskPerson
from ui.kiosk.style import MIN_TOUCH
from ui.widgets.form_helpers import role_name

QWidgetT = TypeVar("QWidgetT", bound=QWidget)


def money(amount: Decimal, currency: str) -> str:
    """An amount as people at the counter say it: "¥40", "¥12.50"; other currencies by code."""
    whole = amount == amount.to_integral_value()
    number = QLocale().toString(float(amount), "f", 0 if whole else 2)
    return f"¥{number}" if currency == "CNY" else f"{number} {currency}"


def repolish(widget: QWidget) -> None:
    """Apply the style sheet again after a property it selects on changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _styled(widget: QWidgetT, name: str, **properties: str) -> QWidgetT:
    """Set the style-sheet properties that are given and the object name (tests find widgets by it)."""
    for key, value in properties.items():
        if value:
            widget.setProperty(key, value)
    if name:
        widget.setObjectName(name)
    return widget


def label(text: str = "", role: str = "", wrap: bool = True, name: str = "") -> QLabel:
    """A label; ``role`` picks its look in the style sheet (title, section, hint, big, huge)."""
    widget = QLabel(text)
    widget.setWordWrap(wrap)
    return _styled(widget, name, role=role)


def button(text: str = "", kind: str = "", name: str = "", checkable: bool = False) -> QPushButton:
    """A push button at least a finger high; ``kind`` is "primary", "danger" or plain."""
    widget = QPushButton(text)
    widget.setMinimumHeight(MIN_TOUCH)
    widget.setCheckable(checkable)
    return _styled(widget, name, kind=kind)


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
        self.title_label = label(title)
        self.title_label.setStyleSheet(
            "font-weight: 600;" + (f" font-size: {title_px}px;" if title_px else "")
        )
        self.subtitle_label = label(subtitle, "hint")
        self.subtitle_label.setVisible(bool(subtitle))
        for part in (self.title_label, self.subtitle_label):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
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

    def text(self) -> str:
        return self.title_label.text()

    def _toggled(self, checked: bool) -> None:
        for part in (self.title_label, self.subtitle_label):
            part.setProperty("on", checked)
            repolish(part)

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


def grid(buttons: Sequence[QWidget], columns: int, spacing: int = 12) -> QGridLayout:
    """Buttons row by row in equally wide columns."""
    layout = QGridLayout()
    layout.setSpacing(spacing)
    for k, widget in enumerate(buttons):
        layout.addWidget(widget, k // columns, k % columns)
    for column in range(columns):
        layout.setColumnStretch(column, 1)
    return layout


def uncheck(group: QButtonGroup) -> None:
    """Leave an exclusive group with nothing chosen (Qt keeps its last checked button otherwise)."""
    checked = group.checkedButton()
    if checked is not None:
        group.setExclusive(False)
        checked.setChecked(False)
        group.setExclusive(True)


def remove_buttons(group: QButtonGroup, buttons: Iterable[QAbstractButton]) -> None:
    """Take generated buttons out of their group and delete them, before a fresh set is made."""
    for old in buttons:
        group.removeButton(old)
        old.deleteLater()


def person_cards(
    people: Sequence[KioskPerson], group: QButtonGroup, layout: QGridLayout, columns: int, prefix: str
) -> dict[int, CardButton]:
    """A card per person (name and role) in ``group`` under their staff id, laid out in ``layout``."""
    buttons = {}
    for k, person in enumerate(people):
        card = CardButton(person.name, role_name(person.role), name=f"{prefix}_{person.staff_id}")
        group.addButton(card, person.staff_id)
        buttons[person.staff_id] = card
        layout.addWidget(card, k // columns, k % columns)
    return buttons
