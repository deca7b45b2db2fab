"""The one error line of an edit dialog, beside its Save button."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton

from ui import palette


def error_line() -> QLabel:
    """The dialog's error line: red, wrapped, hidden until there is something to say."""
    label = QLabel()
    label.setObjectName("errorLabel")
    label.setWordWrap(True)
    label.setStyleSheet(palette.text_style(palette.BAD))
    label.setVisible(False)
    return label


class InlineErrorMixin:
    """Shows what stops a save in ``error_label`` and keeps ``save_button`` off meanwhile (and
    while ``_busy``): a dialog's fields say what is wrong before the click, not after it."""

    error_label: QLabel
    save_button: QPushButton
    _busy: bool

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        self.save_button.setEnabled(not text and not self._busy)

    def error_text(self) -> str:
        return self.error_label.text() if self.error_label.isVisible() else ""
