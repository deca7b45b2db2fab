"""Small building blocks the settings-like screens share.

- ``MessageStrip``: a coloured, word-wrapped message (info, success, warning, error) shown in the
  screen instead of a modal box, so a user keeps their edits in view while reading it.
- ``RowGrid``: an editable list of rows whose fields line up in columns, with a note under each
  row (used for validation messages and for markers *between* rows).
- ``BusyBar``: a thin indeterminate bar shown while a service call runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from ui import palette

STRIP_COLOURS = {kind: (tone.fill, tone.edge, tone.text) for kind, tone in palette.MESSAGE_TONES.items()}

ROLE_NAMES = {
    "staff": QT_TRANSLATE_NOOP("Roles", "Frontline staff"),
    "shift_lead": QT_TRANSLATE_NOOP("Roles", "Shift lead"),
    "store_manager": QT_TRANSLATE_NOOP("Roles", "Store manager"),
    "ops_supervisor": QT_TRANSLATE_NOOP("Roles", "Operations supervisor"),
    "service_director": QT_TRANSLATE_NOOP("Roles", "Service director"),
    "executive": QT_TRANSLATE_NOOP("Roles", "Executive"),
    "admin": QT_TRANSLATE_NOOP("Roles", "Administrator"),
}


def role_name(role: str) -> str:
    """The translated name of a role key ("shift_lead" -> "Shift lead")."""
    source = ROLE_NAMES.get(role)
    return QCoreApplication.translate("Roles", source) if source else role


def format_amount(value: float | None, decimals: int = 0) -> str:
    """A number with the UI locale's digit grouping ("5,000"); "∞" for an open end."""
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "∞"
    return QLocale().toString(float(value), "f", decimals)


def parse_number(text: str) -> float | None:
    """What a user typed as an amount: "" is None (open end), "5,000" and "5 000" are 5000.

    Raises ValueError for anything else, so the caller can say which field is wrong.
    """
    raw = text.strip().replace(",", "").replace(" ", "").replace("\u00a0", "").replace("，", "")
    if not raw:
        return None
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def set_issue(widget: QWidget, kind: str) -> None:
    """Mark a field for the stylesheet: "", "gap"/"error" (red) or "overlap"/"warning" (amber).

    A spin or date box is marked on its line edit, so it keeps its native frame and arrows.
    """
    if isinstance(widget, QAbstractSpinBox):
        widget = widget.lineEdit()
    if widget.property("issue") == kind:
        return
    widget.setProperty("issue", kind)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


ISSUE_STYLE = f"""
QLineEdit[issue="error"], QLineEdit[issue="gap"], QPlainTextEdit[issue="error"] {{
    border: 2px solid {palette.BAD.edge}; border-radius: 3px; background: {palette.BAD.fill}; }}
QLineEdit[issue="overlap"], QLineEdit[issue="warning"] {{
    border: 2px solid {palette.WARN.edge}; border-radius: 3px; background: {palette.WARN.fill}; }}
"""
"""Stylesheet for ``set_issue``; set it on the editor that holds the fields."""


class MessageStrip(QFrame):
    """A coloured message in the layout; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageStrip")
        self.kind = ""
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.label)
        self.setVisible(False)

    def show_message(self, kind: str, text: str) -> None:
        background, border, colour = STRIP_COLOURS[kind]
        self.kind = kind
        self.setStyleSheet(
            f"QFrame#messageStrip {{ background: {background}; border: 1px solid {border};"
            f" border-radius: 4px; }} QFrame#messageStrip QLabel {{ color: {colour}; }}"
        )
        self.label.setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.kind = ""
        self.label.clear()
        self.setVisible(False)

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()


class BusyBar(QProgressBar):
    """A thin indeterminate bar; the task runner shows it while an op started with ``busy=`` runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setFixedHeight(4)
        self.setVisible(False)

    @property
    def busy(self) -> bool:
        return not self.isHidden()


class ValidatedEditor(QWidget):
    """A form that checks itself on every edit: ``changed`` after each edit, ``validity_changed``
    when it turns valid or invalid. Subclasses define ``validate()`` and set ``_loading`` while
    they fill the fields, so loading is not an edit."""

    changed = Signal()
    validity_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ISSUE_STYLE)
        self._valid = True
        self._loading = False

    def validate(self) -> bool:
        raise NotImplementedError

    def _edited(self) -> None:
        if self._loading:
            return
        self.validate()
        self.changed.emit()

    def _set_valid(self, valid: bool) -> bool:
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        return valid


class GridRow:
    """One row of a ``RowGrid``: its field widgets and the note shown beneath them."""

    def __init__(self, widgets: Sequence[QWidget], remove_button: QToolButton | None) -> None:
        self.widgets = list(widgets)
        self.remove_button = remove_button
        self.number = QLabel()
        self.number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.number.setStyleSheet("color: palette(mid);")
        self.note = MessageStrip()

    def all_widgets(self) -> list[QWidget]:
        extra = [self.remove_button] if self.remove_button is not None else []
        return [self.number, *self.widgets, *extra, self.note]


class RowGrid(QWidget):
    """Rows of fields lined up under column headers, with a note (message strip) under each row.

    ``top_note`` sits above the first row (a marker before everything, e.g. a gap from 0).
    """

    row_removed = Signal(int)

    def __init__(
        self,
        headers: Sequence[str],
        stretches: Sequence[int],
        *,
        removable: bool = True,
        remove_tip: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.stretches = list(stretches)
        self.removable = removable
        self.remove_tip = remove_tip
        self.rows: list[GridRow] = []
        self.top_note = MessageStrip()
        self.header_labels = []
        for text in self.headers:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setStyleSheet("font-weight: 600;")
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
            # Wrap long headers, but never narrower than a short one (Chinese wraps per character).
            label.setMinimumWidth(min(label.fontMetrics().horizontalAdvance(text) + 4, 110))
            self.header_labels.append(label)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(8)
        self._layout.setVerticalSpacing(4)
        self._relayout()

    @property
    def columns(self) -> int:
        return len(self.headers) + 2  # number, fields..., remove button

    def add_row(self, widgets: Sequence[QWidget]) -> GridRow:
        button = None
        if self.removable:
            button = QToolButton()
            button.setIcon(QIcon.fromTheme("list-remove"))
            button.setText("✕")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setToolTip(self.remove_tip)
            button.setAutoRaise(True)
        row = GridRow(widgets, button)
        if button is not None:
            button.clicked.connect(lambda _checked=False, r=row: self.remove_row(r))
        self.rows.append(row)
        self._relayout()
        return row

    def remove_row(self, row: GridRow) -> None:
        index = self.rows.index(row)
        self.rows.remove(row)
        for widget in row.all_widgets():
            widget.setParent(None)
            widget.deleteLater()
        self._relayout()
        self.row_removed.emit(index)

    def clear(self) -> None:
        for row in list(self.rows):
            for widget in row.all_widgets():
                widget.setParent(None)
                widget.deleteLater()
        self.rows.clear()
        self._relayout()

    def _relayout(self) -> None:
        """Place every widget again (rows were added or removed); widgets are kept, not recreated."""
        while self._layout.count():
            self._layout.takeAt(0)
        for grid_row in range(self._layout.rowCount()):
            self._layout.setRowStretch(grid_row, 0)
        for column, label in enumerate(self.header_labels, start=1):
            self._layout.addWidget(label, 0, column)
        self._layout.addWidget(self.top_note, 1, 0, 1, self.columns)
        for index, row in enumerate(self.rows):
            grid_row = 2 + 2 * index
            row.number.setText(str(index + 1))
            self._layout.addWidget(row.number, grid_row, 0)
            for column, widget in enumerate(row.widgets, start=1):
                self._layout.addWidget(widget, grid_row, column)
            if row.remove_button is not None:
                self._layout.addWidget(row.remove_button, grid_row, self.columns - 1)
            self._layout.addWidget(row.note, grid_row + 1, 1, 1, self.columns - 1)
        for column, stretch in enumerate(self.stretches, start=1):
            self._layout.setColumnStretch(column, stretch)
        self._layout.setRowStretch(2 + 2 * len(self.rows), 1)
