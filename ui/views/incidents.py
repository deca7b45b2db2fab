"""The Incidents screen: service incidents by store, date, type and customer, with details and export.

Incidents where the customer mentioned an escalated complaint, the consumer association or the
media (sensitive triggers, DOMAIN.md section 3) stand out in red and can be listed on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from storemon.services.incidents import MAX_ROWS, IncidentFilter, IncidentList, IncidentRow
from ui import palette
from ui.context import AppContext
from ui.format import number
from ui.i18n import fill
from ui.models.incidents_table import IncidentsTableModel, code_label, local_time_text, money_text
from ui.views.record_list import RecordListView, labelled_row, to_date

if TYPE_CHECKING:
    from storemon.services.access import Actor
    from storemon.services.api import Services

DEFAULT_DAYS = 28

STYLE = (
    palette.box_style("QLabel#sensitiveNote", palette.BAD)
    + "\nQLabel#detailsHeading { font-weight: bold; font-size: 13pt; }\n"
)


class IncidentsView(RecordListView):
    """Filterable list of incidents in the stores the user sees, a details pane and CSV export."""

    view_key = "incidents"
    default_days = DEFAULT_DAYS
    export_setting = "incidents/export_dir"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._build()

    def title(self) -> str:
        return self.tr("Incidents")

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet(STYLE)
        self._build_date_range()
        self._build_status()
        self.store_combo = QComboBox()
        self.store_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.store_combo.setMinimumWidth(180)
        self.type_combo = QComboBox()
        self.type_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.customer_combo = QComboBox()
        self.customer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.type_combo.addItem(self.tr("All types"), None)
        self.customer_combo.addItem(self.tr("All customer types"), None)
        self.sensitive_check = QCheckBox(self.tr("Sensitive trigger mentioned"))
        self.sensitive_check.setToolTip(
            self.tr(
                "Only incidents where the customer mentioned an escalated complaint, the consumer association or the media"
            )
        )
        self.export_button.setText(self.tr("Export…"))
        self.export_button.setToolTip(self.tr("Save the listed incidents as CSV or Excel"))

        row1 = labelled_row([(self.tr("Store"), self.store_combo), *self.date_fields()], 10)
        row1.addStretch(1)
        row1.addWidget(self.loading)
        row1.addWidget(self.count_label)
        row2 = labelled_row(
            [(self.tr("Incident type"), self.type_combo), (self.tr("Customer"), self.customer_combo)], 10
        )
        row2.addWidget(self.sensitive_check)
        row2.addStretch(1)
        row2.addWidget(self.export_button)

        self._build_list(
            IncidentsTableModel(self),
            IncidentsTableModel.TIME,
            self.tr("Incidents"),
            self.tr("No incidents match these filters."),
        )
        self.sensitive_note = QLabel()
        self.sensitive_note.setObjectName("sensitiveNote")
        self.sensitive_note.setWordWrap(True)
        self.description = QPlainTextEdit()
        self.description.setReadOnly(True)
        self.description.setPlaceholderText(self.tr("No description was recorded."))
        self.description.setAccessibleName(self.tr("Description"))
        story = QVBoxLayout()
        story.addWidget(QLabel(self.tr("Description")))
        story.addWidget(self.description, 1)
        details = self._build_details(
            [
                ("time", self.tr("Time (local)")),
                ("store", self.tr("Store")),
                ("staff", self.tr("Staff")),
                ("customer", self.tr("Customer type")),
                ("compensation", self.tr("Compensation")),
                ("approved", self.tr("Approved by")),
            ],
            self.tr("Select an incident to see what happened."),
            story,
            notes=[self.sensitive_note],
            stretch=(2, 3),
        )
        self._lay_out(self, [row1, row2], details, stretch=1, sizes=[480, 260])

        for combo in (self.store_combo, self.type_combo, self.customer_combo):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.sensitive_check.toggled.connect(self._filters_changed)

    # -- loading ----------------------------------------------------------------------------------
    def load_choices(self) -> None:
        services, actor = self.ctx.services, self.ctx.actor
        self.ctx.tasks.op(
            self,
            lambda _c: (services.stores.list(actor), services.incidents.choices(actor)),
            self._show_choices,
            key="choices",
            busy=self.loading,
        )

    def _show_choices(self, loaded: tuple) -> None:
        stores, choices = loaded
        for combo in (self.store_combo, self.type_combo, self.customer_combo):
            combo.blockSignals(True)
        current_store = self.store_combo.currentData()
        self.store_combo.clear()
        if len(stores) != 1:
            self.store_combo.addItem(self.tr("All stores"), None)
        for store in stores:
            self.store_combo.addItem(f"{store.code} · {store.name}", store.id)
        self.store_combo.setCurrentIndex(
            max(0, self.store_combo.findData(current_store)) if current_store else 0
        )
        for combo, kind, codes in (
            (self.type_combo, "incident_type", choices.incident_types),
            (self.customer_combo, "customer_type", choices.customer_types),
        ):
            current = combo.currentData()
            while combo.count() > 1:
                combo.removeItem(1)
            for code in codes:
                combo.addItem(code_label(kind, code), code)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
        for combo in (self.store_combo, self.type_combo, self.customer_combo):
            combo.blockSignals(False)
        self.choices_loaded()

    def current_filter(self) -> IncidentFilter:
        return IncidentFilter(
            store_id=self.store_combo.currentData(),
            first_day=to_date(self.from_edit.date()),
            last_day=to_date(self.to_edit.date()),
            incident_type=self.type_combo.currentData(),
            customer_type=self.customer_combo.currentData(),
            sensitive_only=self.sensitive_check.isChecked(),
        )

    def fetch(self, services: Services, actor: Actor, flt: IncidentFilter) -> IncidentList:
        return services.incidents.list(actor, flt)

    def count_text(self, result: IncidentList) -> str:
        if result.truncated:
            text = fill(
                self.tr("Showing the newest %1 incidents; narrow the filters to see the rest."),
                number(MAX_ROWS),
            )
        else:
            text = fill(self.tr("Incidents: %1"), number(len(result.rows)))
        sensitive = sum(1 for r in result.rows if r.sensitive)
        if sensitive and not self.sensitive_check.isChecked():
            text += " · " + fill(self.tr("%1 with a sensitive trigger"), number(sensitive))
        return text

    def record_key(self, record: IncidentRow) -> int:
        return record.id

    # -- details ----------------------------------------------------------------------------------
    def fill_details(self, row: IncidentRow) -> None:
        self.details_heading.setText(f"{code_label('incident_type', row.incident_type)} · {row.store_name}")
        if row.sensitive:
            triggers = ", ".join(code_label("trigger", t) for t in row.sensitive_triggers)
            self.sensitive_note.setText(
                fill(
                    self.tr(
                        "Sensitive trigger mentioned: %1. Report to your superior at once; "
                        "the escalation skips the first level."
                    ),
                    triggers,
                )
            )
        self.sensitive_note.setVisible(row.sensitive)
        staff = f"{row.staff_name} ({row.staff_code})" if row.staff_code else self.tr("(not recorded)")
        values = {
            "time": local_time_text(row),
            "store": f"{row.store_name} ({row.store_code})",
            "staff": staff,
            "customer": code_label("customer_type", row.customer_type),
            "compensation": money_text(row.compensation) if row.compensation else self.tr("None"),
            "approved": row.approved_by or "—",
        }
        for key, value in values.items():
            self.detail_fields[key].setText(value)
        self.description.setPlainText(row.description)

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        return self.tr("Export incidents")

    def export_file_name(self) -> str:
        flt = self.current_filter()
        return f"incidents-{flt.first_day.isoformat()}-{flt.last_day.isoformat()}.csv"

    def export_records(self, path: Path, rows: list[IncidentRow]) -> Callable[[], int]:
        headers = [*self.model.headers(), self.tr("Description")]
        labels = {
            (kind, code): code_label(kind, code)
            for row in rows
            for kind, code in (
                ("incident_type", row.incident_type),
                ("customer_type", row.customer_type),
                *(("trigger", t) for t in row.sensitive_triggers),
            )
        }
        services, actor = self.ctx.services, self.ctx.actor
        return lambda: services.incidents.export(
            actor, path, rows, headers, lambda kind, code: labels.get((kind, code), code)
        )

    def exported_text(self, count: int, path: Path) -> str:
        return fill(self.tr("Exported %1 incidents to %2"), number(count), path)
