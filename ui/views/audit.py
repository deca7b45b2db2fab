"""The Audit screen: the tamper-evident audit log, filtered, checked and exported (head office only).

Every sign-in, setting change, policy change, alert action and store call is an entry chained
to the previous one by hash; imports are listed alongside (outside the chain). "Verify chain"
walks the whole log off the GUI thread and names any entry that was changed, removed or inserted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, QLocale, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from storemon.services.audit import AuditProblem
from storemon.services.audit_view import MAX_ROWS, AuditFilter, AuditList, AuditRow, local_time_text
from ui.context import AppContext
from ui.models.audit_table import AuditTableModel
from ui.tasks import TaskControl
from ui.views.base import BaseView
from ui.widgets.record_table import record_table

DEFAULT_DAYS = 30
SEARCH_DELAY_MS = 400
MAX_PROBLEMS_SHOWN = 30
INTACT_STYLE = "color: #1b6e20; font-weight: bold;"
BROKEN_STYLE = "color: #b00020; font-weight: bold;"

STYLE = """
QLabel#detailsHeading { font-weight: bold; font-size: 13pt; }
QLabel#noAccess { font-size: 12pt; padding: 24px; }
"""


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in this PC's time zone, as an aware datetime."""
    return datetime.combine(day, time()).astimezone()


class AuditView(BaseView):
    """Filterable audit log with a details pane, chain verification and export."""

    view_key = "audit"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._choices_loaded = False
        self._generation = 0
        self._keep: tuple[int | None, str, str] | None = None
        self._build()

    def title(self) -> str:
        return self.tr("Audit")

    @property
    def allowed(self) -> bool:
        return self.ctx.actor.sees_chain

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet(STYLE)
        self.no_access = QLabel(
            self.tr(
                "The audit log is for head office only (service director, executive, administrator). "
                "It records every sign-in, setting change, policy change, alert action and import "
                "of the whole chain. Ask head office if you need an entry checked."
            )
        )
        self.no_access.setObjectName("noAccess")
        self.no_access.setWordWrap(True)
        self.no_access.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page = QWidget()
        self.page_stack = QStackedWidget()
        self.page_stack.addWidget(self.page)
        self.page_stack.addWidget(self.no_access)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.page_stack)
        self._build_page(self.page)
        self.page_stack.setCurrentWidget(self.page if self.allowed else self.no_access)

    def _build_page(self, page: QWidget) -> None:
        today = self.ctx.clock().astimezone().date()
        date_format = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
        self.from_edit = QDateEdit(qdate(today - timedelta(days=DEFAULT_DAYS - 1)))
        self.to_edit = QDateEdit(qdate(today))
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_format)
        self.action_combo = QComboBox()
        self.action_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.action_combo.setMinimumWidth(160)
        self._add_kinds()
        self.actor_edit = QLineEdit()
        self.actor_edit.setPlaceholderText(self.tr("Any user"))
        self.actor_edit.setClearButtonEnabled(True)
        self.actor_edit.setMaximumWidth(160)
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText(self.tr("Text in subject or details"))
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.setMinimumWidth(200)
        self.count_label = QLabel()
        self.loading = QProgressBar()
        self.loading.setRange(0, 0)
        self.loading.setMaximumWidth(90)
        self.loading.setTextVisible(False)
        self.loading.setVisible(False)
        self.loading.setAccessibleName(self.tr("Loading"))

        row1 = QHBoxLayout()
        for text, widget in (
            (self.tr("From"), self.from_edit),
            (self.tr("To"), self.to_edit),
            (self.tr("Action"), self.action_combo),
            (self.tr("User"), self.actor_edit),
            (self.tr("Search"), self.text_edit),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            row1.addWidget(label)
            row1.addWidget(widget)
            row1.addSpacing(8)
        row1.addStretch(1)
        row1.addWidget(self.loading)
        row1.addWidget(self.count_label)

        self.verify_button = QPushButton(self.tr("Verify chain"))
        self.verify_button.setToolTip(
            self.tr("Check every entry's hash: a changed, removed or inserted entry is named here")
        )
        self.verify_label = QLabel()
        self.verify_label.setWordWrap(True)
        self.verify_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setToolTip(self.tr("Save the listed entries as CSV or Excel"))
        row2 = QHBoxLayout()
        row2.addWidget(self.verify_button, 0, Qt.AlignmentFlag.AlignTop)
        row2.addWidget(self.verify_label, 1)
        row2.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)

        self.model = AuditTableModel(self)
        self.proxy, self.table = record_table(
            self, self.model, AuditTableModel.SortRole, AuditTableModel.TIME, self.tr("Audit log")
        )
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.empty_label = QLabel(self.tr("No audit entries match these filters."))
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
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([460, 300])

        self.export_status = QLabel()
        self.export_status.setWordWrap(True)
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(page)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.export_status)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._filters_changed)
        self.action_combo.currentIndexChanged.connect(self._filters_changed)
        self.from_edit.dateChanged.connect(self._from_changed)
        self.to_edit.dateChanged.connect(self._to_changed)
        for edit in (self.actor_edit, self.text_edit):
            edit.textChanged.connect(lambda _t: self._search_timer.start())
            edit.returnPressed.connect(self._search_now)
        self.verify_button.clicked.connect(self.verify_chain)
        self.export_button.clicked.connect(self.choose_export_file)
        self._show_details(None)

    def _add_kinds(self) -> None:
        self.action_combo.addItem(self.tr("All actions"), None)
        for text, prefix in (
            (self.tr("Sign-ins"), "auth"),
            (self.tr("Setting changes"), "settings"),
            (self.tr("Policy changes"), "policy"),
            (self.tr("Alert actions"), "alert"),
            (self.tr("Store calls"), "call"),
            (self.tr("Imports"), "import"),
        ):
            self.action_combo.addItem(text, prefix)
        self._kind_count = self.action_combo.count()

    def _build_details(self) -> QGroupBox:
        box = QGroupBox(self.tr("Details"))
        box.setMinimumHeight(220)
        self.details_heading = QLabel()
        self.details_heading.setObjectName("detailsHeading")
        self.details_heading.setWordWrap(True)
        self.detail_fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, text in (
            ("time", self.tr("Time (local)")),
            ("actor", self.tr("User")),
            ("host", self.tr("Computer")),
            ("subject", self.tr("Subject")),
            ("entry", self.tr("Entry")),
            ("hash", self.tr("Hash")),
            ("prev_hash", self.tr("Previous hash")),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key in ("hash", "prev_hash"):
                value.setStyleSheet("font-family: monospace;")
            self.detail_fields[key] = value
            form.addRow(text, value)
        self.details_text = QPlainTextEdit()
        self.details_text.setReadOnly(True)
        self.details_text.setAccessibleName(self.tr("Details"))
        self.details_text.setStyleSheet("font-family: monospace;")
        self.details_placeholder = QLabel(self.tr("Select an entry to see everything it recorded."))
        self.details_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details_placeholder.setWordWrap(True)

        facts = QWidget()
        facts_layout = QVBoxLayout(facts)
        facts_layout.setContentsMargins(0, 0, 0, 0)
        facts_layout.addLayout(form)
        facts_layout.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(facts, 1)
        columns.addSpacing(12)
        columns.addWidget(self.details_text, 1)
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.details_heading)
        inner.addLayout(columns, 1)
        self.details_stack = QStackedWidget()
        self.details_stack.addWidget(self.details_placeholder)
        self.details_stack.addWidget(content)
        layout = QVBoxLayout(box)
        layout.addWidget(self.details_stack)
        return box

    # -- loading ----------------------------------------------------------------------------------
    def _run(self, fn: Callable[[TaskControl], Any], on_done: Callable[[Any], None]) -> None:
        self.run(fn, on_done, busy=self.loading)

    def refresh(self) -> None:
        """Reload the action names and then the list, keeping the filters set."""
        if not self.allowed:
            return
        services, actor = self.ctx.services, self.ctx.actor
        self._run(lambda _c: services.audit_actions(actor), self._show_actions)

    def _show_actions(self, names: list[str]) -> None:
        self._choices_loaded = True
        combo = self.action_combo
        combo.blockSignals(True)
        current = combo.currentData()
        while combo.count() > self._kind_count:
            combo.removeItem(self._kind_count)
        if names:
            combo.insertSeparator(combo.count())
            for name in names:
                combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
        combo.blockSignals(False)
        self._load()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            since=local_midnight(to_date(self.from_edit.date())),
            until=local_midnight(to_date(self.to_edit.date()) + timedelta(days=1)),
            actor=self.actor_edit.text().strip(),
            action=self.action_combo.currentData(),
            text=self.text_edit.text().strip(),
        )

    def _load(self) -> None:
        self._generation += 1
        generation, flt = self._generation, self.current_filter()
        services, actor = self.ctx.services, self.ctx.actor
        selected = self.selected_row()
        if selected is not None:
            self._keep = (selected.entry_id, selected.action, selected.subject)
        self._run(
            lambda _c: services.audit_entries(actor, flt), lambda result: self._show(result, generation)
        )

    def _show(self, result: AuditList, generation: int) -> None:
        if generation != self._generation:
            return
        self.model.set_rows(result.rows)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in (AuditTableModel.SUBJECT, AuditTableModel.DETAILS):
            header.resizeSection(column, min(header.sectionSize(column), 360))
        count = len(result.rows)
        locale = QLocale()
        if result.more:
            text = self.tr("Showing the newest %1 entries; narrow the filters to see the rest.").replace(
                "%1", locale.toString(MAX_ROWS)
            )
        else:
            text = self.tr("Entries: %1").replace("%1", locale.toString(count))
        self.count_label.setText(text)
        self.list_stack.setCurrentWidget(self.table if count else self.empty_label)
        self.export_button.setEnabled(count > 0)
        keep, self._keep = self._keep, None
        for r in range(self.proxy.rowCount()):
            row = self.proxy.index(r, 0).data(AuditTableModel.RowRole)
            if keep is not None and (row.entry_id, row.action, row.subject) == keep:
                self.table.selectRow(r)
                break
        else:
            self._show_details(None)

    # -- filters ----------------------------------------------------------------------------------
    def _filters_changed(self, *_args) -> None:
        if self._choices_loaded:
            self._load()

    def _search_now(self) -> None:
        self._search_timer.stop()
        self._filters_changed()

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
    def visible_rows(self) -> list[AuditRow]:
        """The listed rows in the order the table shows them."""
        return [self.proxy.index(r, 0).data(AuditTableModel.RowRole) for r in range(self.proxy.rowCount())]

    def selected_row(self) -> AuditRow | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(AuditTableModel.RowRole) if rows else None

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details(self.selected_row())

    def _show_details(self, row: AuditRow | None) -> None:
        if row is None:
            self.details_stack.setCurrentWidget(self.details_placeholder)
            return
        self.details_stack.setCurrentIndex(1)
        self.details_heading.setText(row.action)
        outside = self.tr("(an import: not in the hash chain)")
        values = {
            "time": local_time_text(row.at),
            "actor": row.actor or "—",
            "host": row.host or "—",
            "subject": row.subject or "—",
            "entry": str(row.entry_id) if row.chained else outside,
            "hash": row.hash or "—",
            "prev_hash": row.prev_hash or "—",
        }
        for key, value in values.items():
            self.detail_fields[key].setText(value)
        self.details_text.setPlainText(row.details_json(indent=2))

    # -- verify -----------------------------------------------------------------------------------
    def verify_chain(self) -> None:
        """Walk the whole chain off the GUI thread and say whether it is intact."""
        services, actor = self.ctx.services, self.ctx.actor
        self.verify_button.setEnabled(False)
        self.verify_label.setStyleSheet("")
        self.verify_label.setText(self.tr("Checking the chain…"))

        def work(_control: TaskControl) -> tuple[int, list[AuditProblem]] | BaseException:
            try:
                return services.verify_audit(actor)
            except Exception as exc:  # noqa: BLE001 - shown below, after the button is back
                return exc

        def done(result: tuple[int, list[AuditProblem]] | BaseException) -> None:
            self.verify_button.setEnabled(True)
            if isinstance(result, BaseException):
                self.verify_label.setText("")
                self.ctx.show_error(self, result)
            else:
                self._show_verified(*result)

        self.run(work, done, busy=self.loading)

    def _show_verified(self, count: int, problems: list[AuditProblem]) -> None:
        locale = QLocale()
        if not problems:
            self.verify_label.setStyleSheet(INTACT_STYLE)
            self.verify_label.setText(self.tr("Intact: %1 entries").replace("%1", locale.toString(count)))
            return
        lines = [
            self.tr("Entry %1: %2").replace("%1", str(p.entry_id)).replace("%2", p.problem)
            for p in problems[:MAX_PROBLEMS_SHOWN]
        ]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(
                self.tr("…and %1 more").replace("%1", locale.toString(len(problems) - MAX_PROBLEMS_SHOWN))
            )
        heading = (
            self.tr("Tampering detected: %1 problems in %2 entries")
            .replace("%1", locale.toString(len(problems)))
            .replace("%2", locale.toString(count))
        )
        self.verify_label.setStyleSheet(BROKEN_STYLE)
        self.verify_label.setText("\n".join([heading, *lines]))

    # -- export -----------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        folder = self.ctx.settings.value("audit/export_dir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        first, last = to_date(self.from_edit.date()), to_date(self.to_edit.date())
        name = f"audit-{first.isoformat()}-{last.isoformat()}.csv"
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Export audit log"),
            str(Path(folder) / name),
            self.tr("CSV, UTF-8 (*.csv);;Excel workbook (*.xlsx)"),
        )
        if path:
            if not Path(path).suffix:
                path += ".xlsx" if "xlsx" in chosen else ".csv"
            self.ctx.settings.setValue("audit/export_dir", str(Path(path).parent))
            self.export_to(Path(path))

    def export_headers(self) -> list[str]:
        return [*self.model.headers(), self.tr("Entry"), self.tr("Hash"), self.tr("Previous hash")]

    def export_to(self, path: Path) -> None:
        """Write the listed rows, in the table's order, to ``path`` off the GUI thread."""
        rows = self.visible_rows()
        headers = self.export_headers()
        services, actor = self.ctx.services, self.ctx.actor
        self.export_button.setEnabled(False)
        self.export_status.setText(self.tr("Exporting…"))

        def work(_control: TaskControl) -> int:
            return services.export_audit(actor, path, rows, headers)

        def done(count: int) -> None:
            if not isValid(self):
                return
            self.export_button.setEnabled(True)
            text = (
                self.tr("Exported %1 entries to %2")
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
