"""The incident list of the Incidents screen: one row per incident, newest first."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject

from ui import palette
from ui.format import date_time, money
from ui.i18n import translate
from ui.models.record_table import ColumnSpec, RecordTableModel

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


def code_label(kind: str, code: str) -> str:
    """An incident type, customer type or trigger code as the user reads it; unknown codes tidied."""
    known = _KINDS.get(kind, {}).get(code)
    if known:
        return translate(CONTEXT, known)
    return code.replace("_", " ").strip().capitalize()


def local_time_text(row: IncidentRow) -> str:
    """The incident's store-local time in the locale's short date-time format."""
    return date_time(row.occurred_at)


def money_text(amount: Decimal) -> str:
    return money(amount, 2) if amount else "—"


class IncidentsTableModel(RecordTableModel):
    """Incidents as rows; ``RowRole`` gives the ``IncidentRow``, ``SortRole`` a sortable value."""

    TIME, STORE, STAFF, TYPE, CUSTOMER, TRIGGERS, COMPENSATION, APPROVED = range(8)

    def __init__(self, parent: QObject | None = None) -> None:
        def sensitive(row: IncidentRow) -> bool:
            return row.sensitive

        super().__init__(
            [
                ColumnSpec(
                    self.tr("Time (local)"), local_time_text, sort=lambda r: r.occurred_at.timestamp()
                ),
                ColumnSpec(
                    self.tr("Store"),
                    lambda r: r.store_name,
                    tooltip=lambda r: f"{r.store_name} ({r.store_code})",
                ),
                ColumnSpec(
                    self.tr("Staff"),
                    lambda r: r.staff_name or self.tr("(not recorded)"),
                    tooltip=lambda r: f"{r.staff_name} ({r.staff_code})" if r.staff_code else None,
                ),
                ColumnSpec(self.tr("Incident type"), lambda r: code_label("incident_type", r.incident_type)),
                ColumnSpec(self.tr("Customer type"), lambda r: code_label("customer_type", r.customer_type)),
                ColumnSpec(
                    self.tr("Sensitive triggers"),
                    lambda r: ", ".join(code_label("trigger", t) for t in r.sensitive_triggers),
                    sort=lambda r: len(r.sensitive_triggers),
                    foreground=lambda r: palette.BAD.qtext() if r.sensitive else None,
                    bold=sensitive,
                    tooltip=lambda r: (
                        self.tr("A sensitive trigger was mentioned: report to your superior at once.")
                        if r.sensitive
                        else None
                    ),
                ),
                ColumnSpec(
                    self.tr("Compensation"),
                    lambda r: money_text(r.compensation),
                    sort=lambda r: float(r.compensation),
                    align_right=True,
                ),
                ColumnSpec(self.tr("Approved by"), lambda r: r.approved_by),
            ],
            parent,
        )
