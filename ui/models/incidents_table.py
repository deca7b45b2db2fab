"""The incident list of the Incidents screen: one row per incident, newest first."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
)
from PySide6.QtGui import QColor, QFont

from ui.i18n import translate

if TYPE_CHECKING:
    from storemon.services.incidents import IncidentRow

CONTEXT = "Incidents"
INCIDENT_TYPES = {
    "slow_order": QT_TRANSLATE_NOOP("Incidents", "Slow order"),
    "queue_dispute": QT_TRANSLATE_NOOP("Incidents", "Queue dispute"),
    "prep_area_intrusion": QT_TRANSLATE_NOOP("Incidents", "Customer in the prep area"),
    "refund_demand": QT_TRANSLATE_NOOP("Incidents", "Refund demand"),
    "complaint": QT_TRANSLATE_NOOP("Incidents", "Complaint"),
}
CUSTOMER_TYPES = {
    "irritable": QT_TRANSLATE_NOOP("Incidents", "Irritable"),
    "repetitive": QT_TRANSLATE_NOOP("Incidents", "Repetitive"),
    "rational_demanding": QT_TRANSLATE_NOOP("Incidents", "Rational, demanding"),
    "opportunistic": QT_TRANSLATE_NOOP("Incidents", "Opportunistic"),
}
SENSITIVE_TRIGGERS = {
    "escalated_complaint": QT_TRANSLATE_NOOP("Incidents", "Escalated complaint"),
    "consumer_association": QT_TRANSLATE_NOOP("Incidents", "Consumer association"),
    "media": QT_TRANSLATE_NOOP("Incidents", "Media exposure"),
}
_KINDS = {"incident_type": INCIDENT_TYPES, "customer_type": CUSTOMER_TYPES, "trigger": SENSITIVE_TRIGGERS}

SENSITIVE_TEXT = QColor("#b00020")


def code_label(kind: str, code: str) -> str:
    """An incident type, customer type or trigger code as the user reads it; unknown codes tidied."""
    known = _KINDS.get(kind, {}).get(code)
    if known:
        return translate(CONTEXT, known)
    return code.replace("_", " ").strip().capitalize()


def local_time_text(row: IncidentRow) -> str:
    """The incident's store-local time in the locale's short date-time format."""
    t = row.occurred_at
    value = QDateTime(QDate(t.year, t.month, t.day), QTime(t.hour, t.minute))
    return QLocale().toString(value, QLocale.FormatType.ShortFormat)


def money_text(amount: Decimal) -> str:
    if not amount:
        return "—"
    return QLocale().toCurrencyString(float(amount), "¥", 2)


class IncidentsTableModel(QAbstractTableModel):
    """Incidents as rows; ``RowRole`` gives the ``IncidentRow``, ``SortRole`` a sortable value."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    SortRole = Qt.ItemDataRole.UserRole + 2
    TIME, STORE, STAFF, TYPE, CUSTOMER, TRIGGERS, COMPENSATION, APPROVED = range(8)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[IncidentRow] = []
        self._headers = [
            self.tr("Time (local)"),
            self.tr("Store"),
            self.tr("Staff"),
            self.tr("Incident type"),
            self.tr("Customer type"),
            self.tr("Sensitive triggers"),
            self.tr("Compensation"),
            self.tr("Approved by"),
        ]

    def set_rows(self, rows: list[IncidentRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[IncidentRow]:
        return list(self._rows)

    def row_at(self, row: int) -> IncidentRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def headers(self) -> list[str]:
        return list(self._headers)

    def display(self, row: IncidentRow, column: int) -> str:
        if column == self.TIME:
            return local_time_text(row)
        if column == self.STORE:
            return row.store_name
        if column == self.STAFF:
            return row.staff_name or self.tr("(not recorded)")
        if column == self.TYPE:
            return code_label("incident_type", row.incident_type)
        if column == self.CUSTOMER:
            return code_label("customer_type", row.customer_type)
        if column == self.TRIGGERS:
            return ", ".join(code_label("trigger", t) for t in row.sensitive_triggers)
        if column == self.COMPENSATION:
            return money_text(row.compensation)
        if column == self.APPROVED:
            return row.approved_by
        return ""

    def _sort_value(self, row: IncidentRow, column: int) -> Any:
        if column == self.TIME:
            return row.occurred_at.timestamp()
        if column == self.COMPENSATION:
            return float(row.compensation)
        if column == self.TRIGGERS:
            return len(row.sensitive_triggers)
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
        if role == Qt.ItemDataRole.ForegroundRole and column == self.TRIGGERS and row.sensitive:
            return SENSITIVE_TEXT
        if role == Qt.ItemDataRole.FontRole and column == self.TRIGGERS and row.sensitive:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COMPENSATION:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.STORE:
                return f"{row.store_name} ({row.store_code})"
            if column == self.STAFF and row.staff_code:
                return f"{row.staff_name} ({row.staff_code})"
            if column == self.TRIGGERS and row.sensitive:
                return self.tr("A sensitive trigger was mentioned: report to your superior at once.")
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None
