"""The Audit screen: the tamper-evident audit log, filtered, checked and exported (head office only).

Every sign-in, setting change, policy change, alert action and store call is an entry chained
to the previous one by hash; imports are listed alongside (outside the chain). "Verify chain"
walks the whole log off the GUI thread and names any entry that was changed, removed or inserted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storemon.services.audit import AuditProblem
from storemon.services.audit_view import MAX_ROWS, AuditFilter, AuditList, AuditRow, local_time_text
from ui import palette
from ui.context import AppContext
from ui.format import number
from ui.i18n import fill
from ui.models.audit_table import AuditTableModel
from ui.views.record_list import RecordListView, labelled_row, selectable_label, to_date

if TYPE_CHECKING:
    from storemon.services.access import Actor
    from storemon.services.api import Services

DEFAULT_DAYS = 30
SEARCH_DELAY_MS = 400
MAX_PROBLEMS_SHOWN = 30
INTACT_STYLE = palette.text_style(palette.OK, bold=True)
BROKEN_STYLE = palette.text_style(palette.BAD, bold=True)

STYLE = """
QLabel#detailsHeading { font-weight: bold; font-size: 13pt; }
QLabel#noAccess { font-size: 12pt; padding: 24px; }
"""


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in this PC's time zone, as an aware datetime."""
    return datetime.combine(day, time()).astimezone()


class AuditView(RecordListView):
    """Filterable audit log with a details pane, chain verification and export."""

    view_key = "audit"
    default_days = DEFAULT_DAYS
    export_setting = "audit/export_dir"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
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
        self._build_date_range()
        self._build_status()
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

        row1 = labelled_row(
            [
                *self.date_fields(),
                (self.tr("Action"), self.action_combo),
                (self.tr("User"), self.actor_edit),
                (self.tr("Search"), self.text_edit),
            ],
            8,
        )
        row1.addStretch(1)
        row1.addWidget(self.loading)
        row1.addWidget(self.count_label)

        self.verify_button = QPushButton(self.tr("Verify chain"))
        self.verify_button.setToolTip(
            self.tr("Check every entry's hash: a changed, removed or inserted entry is named here")
        )
        self.verify_label = selectable_label()
        self.export_button.setText(self.tr("Export CSV…"))
        self.export_button.setToolTip(self.tr("Save the listed entries as CSV or Excel"))
        row2 = labelled_row([], 0)
        row2.addWidget(self.verify_button, 0, Qt.AlignmentFlag.AlignTop)
        row2.addWidget(self.verify_label, 1)
        row2.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)

        self._build_list(
            AuditTableModel(self),
            AuditTableModel.TIME,
            self.tr("Audit log"),
            self.tr("No audit entries match these filters."),
        )
        self.details_text = QPlainTextEdit()
        self.details_text.setReadOnly(True)
        self.details_text.setAccessibleName(self.tr("Details"))
        self.details_text.setStyleSheet("font-family: monospace;")
        details = self._build_details(
            [
                ("time", self.tr("Time (local)")),
                ("actor", self.tr("User")),
                ("host", self.tr("Computer")),
                ("subject", self.tr("Subject")),
                ("entry", self.tr("Entry")),
                ("hash", self.tr("Hash")),
                ("prev_hash", self.tr("Previous hash")),
            ],
            self.tr("Select an entry to see everything it recorded."),
            self.details_text,
            min_height=220,
        )
        for key in ("hash", "prev_hash"):
            self.detail_fields[key].setStyleSheet("font-family: monospace;")
        self._lay_out(page, [row1, row2], details, stretch=2, sizes=[460, 300])

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._filters_changed)
        self.action_combo.currentIndexChanged.connect(self._filters_changed)
        for edit in (self.actor_edit, self.text_edit):
            edit.textChanged.connect(lambda _t: self._search_timer.start())
            edit.returnPressed.connect(self._search_now)
        self.verify_button.clicked.connect(self.verify_chain)

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

    # -- loading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the action names and then the list, keeping the filters set."""
        if self.allowed:
            self.load_choices()

    def load_choices(self) -> None:
        services, actor = self.ctx.services, self.ctx.actor
        self.ctx.tasks.op(
            self,
            lambda _c: services.audit.actions(actor),
            self._show_actions,
            key="choices",
            busy=self.loading,
        )

    def _show_actions(self, names: list[str]) -> None:
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
        self.choices_loaded()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            since=local_midnight(to_date(self.from_edit.date())),
            until=local_midnight(to_date(self.to_edit.date()) + timedelta(days=1)),
            actor=self.actor_edit.text().strip(),
            action=self.action_combo.currentData(),
            text=self.text_edit.text().strip(),
        )

    def fetch(self, services: Services, actor: Actor, flt: AuditFilter) -> AuditList:
        return services.audit.entries(actor, flt)

    def resize_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in (AuditTableModel.SUBJECT, AuditTableModel.DETAILS):
            header.resizeSection(column, min(header.sectionSize(column), 360))

    def count_text(self, result: AuditList) -> str:
        if result.more:
            return fill(
                self.tr("Showing the newest %1 entries; narrow the filters to see the rest."),
                number(MAX_ROWS),
            )
        return fill(self.tr("Entries: %1"), number(len(result.rows)))

    def record_key(self, record: AuditRow) -> tuple[int | None, str, str]:
        return (record.entry_id, record.action, record.subject)

    # -- filters ----------------------------------------------------------------------------------
    def _search_now(self) -> None:
        self._search_timer.stop()
        self._filters_changed()

    # -- details ----------------------------------------------------------------------------------
    def selected_row(self) -> AuditRow | None:
        return self.selected_record()

    def fill_details(self, row: AuditRow) -> None:
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

        def done(result: tuple[int, list[AuditProblem]]) -> None:
            self.verify_button.setEnabled(True)
            self._show_verified(*result)

        def failed(exc: BaseException) -> None:
            self.verify_button.setEnabled(True)
            self.verify_label.setText("")
            self.ctx.show_error(self, exc)

        self.ctx.tasks.op(
            self, lambda _c: services.audit.verify(actor), done, on_error=failed, busy=self.loading
        )

    def _show_verified(self, count: int, problems: list[AuditProblem]) -> None:
        if not problems:
            self.verify_label.setStyleSheet(INTACT_STYLE)
            self.verify_label.setText(fill(self.tr("Intact: %1 entries"), number(count)))
            return
        lines = [
            fill(self.tr("Entry %1: %2"), str(p.entry_id), p.problem) for p in problems[:MAX_PROBLEMS_SHOWN]
        ]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(fill(self.tr("…and %1 more"), number(len(problems) - MAX_PROBLEMS_SHOWN)))
        heading = fill(
            self.tr("Tampering detected: %1 problems in %2 entries"),
            number(len(problems)),
            number(count),
        )
        self.verify_label.setStyleSheet(BROKEN_STYLE)
        self.verify_label.setText("\n".join([heading, *lines]))

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        return self.tr("Export audit log")

    def export_file_name(self) -> str:
        first, last = to_date(self.from_edit.date()), to_date(self.to_edit.date())
        return f"audit-{first.isoformat()}-{last.isoformat()}.csv"

    def export_headers(self) -> list[str]:
        return [*self.model.headers(), self.tr("Entry"), self.tr("Hash"), self.tr("Previous hash")]

    def export_records(self, path: Path, rows: list[AuditRow]) -> Callable[[], int]:
        headers = self.export_headers()
        services, actor = self.ctx.services, self.ctx.actor
        return lambda: services.audit.export(actor, path, rows, headers)

    def exported_text(self, count: int, path: Path) -> str:
        return fill(self.tr("Exported %1 entries to %2"), number(count), path)
