"""A numeric keypad for touch screens and the PIN pad built on it (the kiosk's sign-in and approvals).

Keys are large (at least 64 px) and the pad also takes digits, Backspace and Enter from a real
keyboard. The PIN pad shows one dot per digit, never the digits themselves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

MIN_KEY = 64


class Keypad(QWidget):
    """Digits 1-9, 0, a clear key and a backspace key in a 3 × 4 grid."""

    digit_pressed = Signal(str)
    backspace_pressed = Signal()
    clear_pressed = Signal()

    def __init__(self, parent: QWidget | None = None, key_size: int = 80) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(10)
        layout = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"]
        for position, key in enumerate(layout):
            button = QPushButton(key if key.isdigit() else "")
            button.setObjectName(f"key_{key}")
            button.setProperty("keypad", True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumSize(max(MIN_KEY, key_size), max(MIN_KEY, key_size * 3 // 4))
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setAutoRepeat(key == "back")
            if key.isdigit():
                button.clicked.connect(lambda _c=False, d=key: self.digit_pressed.emit(d))
            elif key == "back":
                button.clicked.connect(self.backspace_pressed.emit)
            else:
                button.clicked.connect(self.clear_pressed.emit)
            self.buttons[key] = button
            grid.addWidget(button, position // 3, position % 3)
        self.retranslate()

    def retranslate(self) -> None:
        self.buttons["clear"].setText(self.tr("Clear"))
        self.buttons["back"].setText("⌫")
        self.buttons["back"].setToolTip(self.tr("Delete the last digit"))
        self.buttons["back"].setAccessibleName(self.tr("Delete the last digit"))


class PinPad(QWidget):
    """A PIN entry: dots for the digits typed so far, and the keypad; ``submitted`` on Enter."""

    changed = Signal(int)
    """The number of digits entered."""
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None, max_digits: int = 6, min_digits: int = 4) -> None:
        super().__init__(parent)
        self.max_digits, self.min_digits = max_digits, min_digits
        self._pin = ""
        self.dots = QLabel()
        self.dots.setObjectName("pinDots")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setMinimumHeight(56)
        self.keypad = Keypad()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.dots)
        layout.addWidget(self.keypad, 1)
        self.keypad.digit_pressed.connect(self.add_digit)
        self.keypad.backspace_pressed.connect(self.backspace)
        self.keypad.clear_pressed.connect(self.clear)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._show()

    @property
    def pin(self) -> str:
        return self._pin

    @property
    def complete(self) -> bool:
        return len(self._pin) >= self.min_digits

    def add_digit(self, digit: str) -> None:
        if self.isEnabled() and len(self._pin) < self.max_digits and digit.isdigit():
            self._pin += digit
            self._show()

    def backspace(self) -> None:
        self._pin = self._pin[:-1]
        self._show()

    def clear(self) -> None:
        self._pin = ""
        self._show()

    def submit(self) -> None:
        if self.isEnabled() and self.complete:
            self.submitted.emit(self._pin)

    def _show(self) -> None:
        filled = "●" * len(self._pin)
        empty = "○" * max(0, self.min_digits - len(self._pin))
        self.dots.setText(" ".join(filled + empty))
        self.changed.emit(len(self._pin))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        text = event.text()
        if text and text in "0123456789":
            self.add_digit(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self.backspace()
        elif event.key() == Qt.Key.Key_Escape:
            self.clear()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        else:
            super().keyPressEvent(event)
