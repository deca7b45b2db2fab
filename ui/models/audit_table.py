"""The list of the Audit screen: one row per audit entry (or import), newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from storemon.services.audit_view import local_time_text

if TYPE_CHECKING:
    from storemon.services.audit_view import AuditRow

IMPORT_TEXT = QColor("#555555")


class AuditTableModel(QAbstractTableModel):
    """Audit rows; ``RowRole`` gives the ``AuditRow``, ``SortRole`` a sortable value."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    SortRole = Qt.ItemDataRole.UserRole + 2
    TIME, ACTOR, HOST, ACTION, SUBJECT, DETAILS = range(6)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRow] = []
        self._headers = [
            self.tr("Time (local)"),
            self.tr("User"),
            self.tr("Computer"),
            self.tr("Action"),
            self.tr("Subject"),
            self.tr("Details"),
        ]

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[AuditRow]:
        return list(self._rows)

    def row_at(self, row: int) -> AuditRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def headers(self) -> list[str]:
        return list(self._headers)

    def display(self, row: AuditRow, column: int) -> str:
        if column == self.TIME:
            return local_time_text(row.at)
        if column == self.ACTOR:
            return row.actor
        if column == self.HOST:
            return row.host or "—"
        if column == self.ACTION:
            return row.action
        if column == self.SUBJECT:
            return row.subject
        if column == self.DETAILS:
            return row.details_summary()
        return ""

    def _sort_value(self, row: AuditRow, column: int) -> Any:
        if column == self.TIME:
            return row.at.timestamp()
        return self.display(row, column).casefold()

    # -- Qt model ---------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == self.RowRole:
            return row
        if role == self.SortRole:
            return self._sort_value(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and not row.chained:
            return IMPORT_TEXT
        if role == Qt.ItemDataRole.ToolTipRole:
            if not row.chained:
                return self.tr("An imported file: recorded as an import, outside the hash chain")
            if column == self.DETAILS:
                return row.details_json(indent=2)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None
