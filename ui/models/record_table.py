"""One table model for the list screens (Incidents, Audit): rows of records, columns from specs.

A screen describes each column once (header, text, sort value, colour, tooltip); the model does the
Qt plumbing every list would otherwise repeat. ``RowRole`` gives the record, ``SortRole`` a value the
proxy sorts by (numbers for times and amounts, folded text otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

Record = Any
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class ColumnSpec:
    """How one column shows a record; every hook but ``text`` is optional."""

    header: str
    text: Callable[[Record], str]
    sort: Callable[[Record], Any] | None = None
    """The value the column sorts by; the folded text when not given."""
    foreground: Callable[[Record], QColor | QBrush | None] | None = None
    background: Callable[[Record], QColor | QBrush | None] | None = None
    bold: Callable[[Record], bool] | None = None
    tooltip: Callable[[Record], str | None] | None = None
    align_right: bool = False
    """Numbers line up on the right; text stays on the left."""
    header_tooltip: str | None = None


class RecordTableModel(QAbstractTableModel):
    """Records as rows, one ``ColumnSpec`` per column; the list is replaced, never edited."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    SortRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, columns: Sequence[ColumnSpec], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Record] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[Record]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def rows(self) -> list[Record]:
        return list(self._rows)

    def set_columns(self, columns: Sequence[ColumnSpec]) -> None:
        """New column specs with the same columns (a language change): headers and cells redraw."""
        self._columns = list(columns)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1))

    def row_at(self, row: int) -> Record | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def headers(self) -> list[str]:
        return [column.header for column in self._columns]

    def display(self, row: Record, column: int) -> str:
        return self._columns[column].text(row) if 0 <= column < len(self._columns) else ""

    def _sort_value(self, row: Record, column: int) -> Any:
        spec = self._columns[column]
        return spec.sort(row) if spec.sort is not None else spec.text(row).casefold()

    # -- Qt model ---------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        spec = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.text(row)
        if role == self.RowRole:
            return row
        if role == self.SortRole:
            return self._sort_value(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and spec.foreground is not None:
            return spec.foreground(row)
        if role == Qt.ItemDataRole.BackgroundRole and spec.background is not None:
            return spec.background(row)
        if role == Qt.ItemDataRole.FontRole and spec.bold is not None and spec.bold(row):
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if spec.align_right else LEFT
        if role == Qt.ItemDataRole.ToolTipRole and spec.tooltip is not None:
            return spec.tooltip(row)
        return None

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        spec = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.header_tooltip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if spec.align_right else LEFT
        return None
