"""The Incidents screen: service incidents by store, date, type and customer, with details and export.

Incidents where the customer mentioned an escalated complaint, the consumer association or the
media (sensitive triggers, DOMAIN.md section 3) stand out in red and can be listed on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, QLocale, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from storemon.services.incidents import MAX_ROWS, IncidentFilter, IncidentList, IncidentRow
from ui.context import AppContext
from ui.models.incidents_table import IncidentsTableModel, code_label, local_time_text, money_text
from ui.tasks import TaskControl
from ui.views.base import BaseView
from ui.widgets.record_table import record_table

DEFAULT_DAYS = 28

STYLE = """
QLabel#sensitiveNote { background: #fdecee; border: 1px solid #e5a3ad; border-radius: 4px;
                       color: #7a0016; padding: 6px 8px; }
QLabel#detailsHeading { font-weight: bold; font-size: 13pt; }
"""


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class IncidentsView(BaseView):
    """Filterable list of incidents in the stores the user sees, a details pane and CSV export."""

    view_key = "incidents"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._choices_loaded = False
        self._generation = 0
        self._keep_id: int | None = None
        self._build()

    def title(self) -> str:
        return self.tr("Incidents")

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet(STYLE)
        today = self.ctx.clock().astimezone().date()
        locale = QLocale()
        date_format = locale.dateFormat(QLocale.FormatType.ShortFormat)

        self.store_combo = QComboBox()
        self.store_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.store_combo.setMinimumWidth(180)
        self.from_edit = QDateEdit(qdate(today - timedelta(days=DEFAULT_DAYS - 1)))
        self.to_edit = QDateEdit(qdate(today))
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_format)
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
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setToolTip(self.tr("Save the listed incidents as CSV or Excel"))
        self.count_label = QLabel()
        self.loading = QProgressBar()
        self.loading.setRange(0, 0)
        self.loading.setMaximumWidth(90)
        self.loading.setTextVisible(False)
        self.loading.setVisible(False)

        row1 = QHBoxLayout()
        for text, widget in (
            (self.tr("Store"), self.store_combo),
            (self.tr("From"), self.from_edit),
            (self.tr("To"), self.to_edit),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            row1.addWidget(label)
            row1.addWidget(widget)
            row1.addSpacing(10)
        row1.addStretch(1)
        row1.addWidget(self.loading)
        row1.addWidget(self.count_label)
        row2 = QHBoxLayout()
        for text, widget in (
            (self.tr("Incident type"), self.type_combo),
            (self.tr("Customer"), self.customer_combo),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            row2.addWidget(label)
            row2.addWidget(widget)
            row2.addSpacing(10)
        row2.addWidget(self.sensitive_check)
        row2.addStretch(1)
        row2.addWidget(self.export_button)

        self.model = IncidentsTableModel(self)
        self.proxy, self.table = record_table(
            self, self.model, IncidentsTableModel.SortRole, IncidentsTableModel.TIME, self.tr("Incidents")
        )
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.empty_label = QLabel(self.tr("No incidents match these filters."))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

        self.details = self._build_details()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list_stack)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([480, 260])

        self.export_status = QLabel()
        self.export_status.setWordWrap(True)
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.export_status)

        self.store_combo.currentIndexChanged.connect(self._filters_changed)
        self.type_combo.currentIndexChanged.connect(self._filters_changed)
        self.customer_combo.currentIndexChanged.connect(self._filters_changed)
        self.sensitive_check.toggled.connect(self._filters_changed)
        self.from_edit.dateChanged.connect(self._from_changed)
        self.to_edit.dateChanged.connect(self._to_changed)
        self.export_button.clicked.connect(self.choose_export_file)
        self._show_details(None)

    def _build_details(self) -> QGroupBox:
        box = QGroupBox(self.tr("Details"))
        box.setMinimumHeight(200)
        self.details_heading = QLabel()
        self.details_heading.setObjectName("detailsHeading")
        self.details_heading.setWordWrap(True)
        self.sensitive_note = QLabel()
        self.sensitive_note.setObjectName("sensitiveNote")
        self.sensitive_note.setWordWrap(True)
        self.detail_fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, text in (
            ("time", self.tr("Time (local)")),
            ("store", self.tr("Store")),
            ("staff", self.tr("Staff")),
            ("customer", self.tr("Customer type")),
            ("compensation", self.tr("Compensation")),
            ("approved", self.tr("Approved by")),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.detail_fields[key] = value
            form.addRow(text, value)
        self.description = QPlainTextEdit()
        self.description.setReadOnly(True)
        self.description.setPlaceholderText(self.tr("No description was recorded."))
        self.description.setAccessibleName(self.tr("Description"))
        self.details_placeholder = QLabel(self.tr("Select an incident to see what happened."))
        self.details_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details_placeholder.setWordWrap(True)

        facts = QWidget()
        facts_layout = QVBoxLayout(facts)
        facts_layout.setContentsMargins(0, 0, 0, 0)
        facts_layout.addLayout(form)
        facts_layout.addStretch(1)
        facts_scroll = QScrollArea()
        facts_scroll.setWidget(facts)
        facts_scroll.setWidgetResizable(True)
        facts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        story = QVBoxLayout()
        story.addWidget(QLabel(self.tr("Description")))
        story.addWidget(self.description, 1)
        columns = QHBoxLayout()
        columns.addWidget(facts_scroll, 2)
        columns.addSpacing(12)
        columns.addLayout(story, 3)
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.details_heading)
        inner.addWidget(self.sensitive_note)
        inner.addLayout(columns, 1)
        self.details_stack = QStackedWidget()
        self.details_stack.addWidget(self.details_placeholder)
        self.details_stack.addWidget(content)
        layout = QVBoxLayout(box)
        layout.addWidget(self.details_stack)
        return box

    # -- loading ----------------------------------------------------------------------------------
    def _run(self, fn: Callable[[TaskControl], Any], on_done: Callable[[Any], None]) -> None:
        """Run ``fn`` off the GUI thread with the busy bar showing until every load is back."""
        self.run(fn, on_done, busy=self.loading)

    def refresh(self) -> None:
        """Reload the filter choices (stores, types) and then the list, keeping the filters set."""
        services, actor = self.ctx.services, self.ctx.actor
        self._run(lambda _c: (services.stores(actor), services.incident_choices(actor)), self._show_choices)

    def _show_choices(self, loaded: tuple) -> None:
        stores, choices = loaded
        self._choices_loaded = True
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
        self._load()

    def current_filter(self) -> IncidentFilter:
        return IncidentFilter(
            store_id=self.store_combo.currentData(),
            first_day=to_date(self.from_edit.date()),
            last_day=to_date(self.to_edit.date()),
            incident_type=self.type_combo.currentData(),
            customer_type=self.customer_combo.currentData(),
            sensitive_only=self.sensitive_check.isChecked(),
        )

    def _load(self) -> None:
        self._generation += 1
        generation, flt = self._generation, self.current_filter()
        services, actor = self.ctx.services, self.ctx.actor
        selected = self.selected_incident()
        if selected is not None:
            self._keep_id = selected.id
        self._run(
            lambda _c: services.list_incidents(actor, flt), lambda result: self._show(result, generation)
        )

    def _show(self, result: IncidentList, generation: int) -> None:
        if generation != self._generation:
            return
        self.model.set_rows(result.rows)
        self.table.resizeColumnsToContents()
        count = len(result.rows)
        locale = QLocale()
        if result.truncated:
            text = self.tr("Showing the newest %1 incidents; narrow the filters to see the rest.").replace(
                "%1", locale.toString(MAX_ROWS)
            )
        else:
            text = self.tr("Incidents: %1").replace("%1", locale.toString(count))
        sensitive = sum(1 for r in result.rows if r.sensitive)
        if sensitive and not self.sensitive_check.isChecked():
            text += " · " + self.tr("%1 with a sensitive trigger").replace("%1", locale.toString(sensitive))
        self.count_label.setText(text)
        self.list_stack.setCurrentWidget(self.table if count else self.empty_label)
        self.export_button.setEnabled(count > 0)
        keep, self._keep_id = self._keep_id, None
        for row in range(self.proxy.rowCount()):
            incident = self.proxy.index(row, 0).data(IncidentsTableModel.RowRole)
            if keep is not None and incident.id == keep:
                self.table.selectRow(row)
                break
        else:
            self._show_details(None)

    # -- filters ----------------------------------------------------------------------------------
    def _filters_changed(self, *_args) -> None:
        if self._choices_loaded:
            self._load()

    def _from_changed(self, value: QDate) -> None:
        if value > self.to_edit.date():
            self.to_edit.blockSignals(True)
            self.to_edit.setDate(value)
            self.to_edit.blockSignals(False)
        self._filters_changed()

    def _to_changed(self, value: QDate) -> None:
        if value < self.from_edit.date():
            self.from_edit.blockSignals(True)
            self.from_edit.setDate(value)
            self.from_edit.blockSignals(False)
        self._filters_changed()

    # -- details ----------------------------------------------------------------------------------
    def visible_rows(self) -> list[IncidentRow]:
        """The listed incidents in the order the table shows them."""
        return [
            self.proxy.index(r, 0).data(IncidentsTableModel.RowRole) for r in range(self.proxy.rowCount())
        ]

    def selected_incident(self) -> IncidentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(IncidentsTableModel.RowRole) if rows else None

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details(self.selected_incident())

    def _show_details(self, row: IncidentRow | None) -> None:
        if row is None:
            self.details_stack.setCurrentWidget(self.details_placeholder)
            return
        self.details_stack.setCurrentIndex(1)
        self.details_heading.setText(f"{code_label('incident_type', row.incident_type)} · {row.store_name}")
        if row.sensitive:
            triggers = ", ".join(code_label("trigger", t) for t in row.sensitive_triggers)
            self.sensitive_note.setText(
                self.tr(
                    "Sensitive trigger mentioned: %1. Report to your superior at once; "
                    "the escalation skips the first level."
                ).replace("%1", triggers)
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
    def choose_export_file(self) -> None:
        folder = self.ctx.settings.value("incidents/export_dir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        flt = self.current_filter()
        name = f"incidents-{flt.first_day.isoformat()}-{flt.last_day.isoformat()}.csv"
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export incidents"),
            str(Path(folder) / name),
            self.tr("CSV, UTF-8 (*.csv);;Excel workbook (*.xlsx)"),
        )
        if path:
            if not Path(path).suffix:
                path += ".xlsx" if "xlsx" in _filter else ".csv"
            self.ctx.settings.setValue("incidents/export_dir", str(Path(path).parent))
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the listed incidents, in the table's order, to ``path`` off the GUI thread."""
        rows = self.visible_rows()
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
        self.export_button.setEnabled(False)
        self.export_status.setText(self.tr("Exporting…"))

        def work(_control: TaskControl) -> int:
            return services.export_incidents(
                actor, path, rows, headers, lambda kind, code: labels.get((kind, code), code)
            )

        def done(count: int) -> None:
            if not isValid(self):
                return
            self.export_button.setEnabled(True)
            text = (
                self.tr("Exported %1 incidents to %2")
                .replace("%1", QLocale().toString(count))
                .replace("%2", str(path))
            )
            self.export_status.setText(text)
            self.ctx.events.status_message.emit(text)

        def failed(exc: BaseException) -> None:
            if not isValid(self):
                return
            self.export_button.setEnabled(True)
            self.export_status.setText("")
            self.ctx.show_error(self, exc)

        self.ctx.tasks.run(work, done, failed)
