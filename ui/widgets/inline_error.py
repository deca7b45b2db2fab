"""The one error line of an edit dialog, beside its Save button."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton


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
