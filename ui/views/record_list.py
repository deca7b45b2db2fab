"""The shape the list screens share: filters over a date range, a sortable list, details, export.

Incidents and Audit (and any later list screen) are a ``RecordListView``: the base builds the date
range, the busy bar, the list with its empty state, the details pane and the export flow, and keeps
the selected record across reloads. A screen adds its own filters and detail fields and says how
to fetch, count, name and export its records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QItemSelection, QLocale, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.i18n import translate
from ui.models.record_table import RecordTableModel
from ui.views.base import BaseView
from ui.widgets.record_table import record_table
from ui.widgets.splitter import splitter

if TYPE_CHECKING:
    from storemon.services.access import Actor
    from storemon.services.api import Services


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def labelled_row(fields: Sequence[tuple[str, QWidget]], spacing: int) -> QHBoxLayout:
    """A row of filter fields, each after its label (the label's buddy, for keyboard users)."""
    row = QHBoxLayout()
    for text, widget in fields:
        label = QLabel(text)
        label.setBuddy(widget)
        row.addWidget(label)
        row.addWidget(widget)
        row.addSpacing(spacing)
    return row


def selectable_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class RecordListView(BaseView):
    """A filtered list of records with a details pane and export (see the module docstring).

    Subclasses call the ``_build_*`` helpers, then define ``current_filter``, ``fetch``,
    ``count_text``, ``record_key``, ``fill_details``, ``export_title``, ``export_file_name``,
    ``export_records`` and ``exported_text``; ``load_choices`` reloads what the filters offer before the list.
    """

    default_days = 28
    export_setting = ""
    """The ``QSettings`` key remembering the folder of the last export."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._choices_loaded = False
        self._keep: Any = None

    # -- building ---------------------------------------------------------------------------------
    def _build_date_range(self) -> None:
        today = self.ctx.clock().astimezone().date()
        self.from_edit = QDateEdit(qdate(today - timedelta(days=self.default_days - 1)))
        self.to_edit = QDateEdit(qdate(today))
        date_format = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_format)
        self.from_edit.dateChanged.connect(self._from_changed)
        self.to_edit.dateChanged.connect(self._to_changed)

    def date_fields(self) -> list[tuple[str, QWidget]]:
        return [
            (translate("RecordListView", "From"), self.from_edit),
            (translate("RecordListView", "To"), self.to_edit),
        ]

    def _build_status(self) -> None:
        """The busy bar, the count and the export button and its status line."""
        self.count_label = QLabel()
        self.loading = QProgressBar()
        self.loading.setRange(0, 0)
        self.loading.setMaximumWidth(90)
        self.loading.setTextVisible(False)
        self.loading.setVisible(False)
        self.loading.setAccessibleName(translate("RecordListView", "Loading"))
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.choose_export_file)
        self.export_status = selectable_label()

    def _build_list(self, model: RecordTableModel, sort_column: int, name: str, empty_text: str) -> None:
        self.model = model
        self.proxy, self.table = record_table(self, model, RecordTableModel.SortRole, sort_column, name)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.empty_label = QLabel(empty_text)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)

    def _build_details(
        self,
        fields: Sequence[tuple[str, str]],
        placeholder: str,
        body: QWidget | QLayout,
        notes: Sequence[QWidget] = (),
        stretch: tuple[int, int] = (1, 1),
        min_height: int = 200,
    ) -> QGroupBox:
        """The details pane: a heading, ``notes``, the ``fields`` (key, label) beside ``body``."""
        box = QGroupBox(translate("RecordListView", "Details"))
        box.setMinimumHeight(min_height)
        self.details_heading = QLabel()
        self.details_heading.setObjectName("detailsHeading")
        self.details_heading.setWordWrap(True)
        self.detail_fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, text in fields:
            self.detail_fields[key] = selectable_label()
            form.addRow(text, self.detail_fields[key])
        self.details_placeholder = QLabel(placeholder)
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
        columns = QHBoxLayout()
        columns.addWidget(facts_scroll, stretch[0])
        columns.addSpacing(12)
        if isinstance(body, QLayout):
            columns.addLayout(body, stretch[1])
        else:
            columns.addWidget(body, stretch[1])
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.details_heading)
        for note in notes:
            inner.addWidget(note)
        inner.addLayout(columns, 1)
        self.details_stack = QStackedWidget()
        self.details_stack.addWidget(self.details_placeholder)
        self.details_stack.addWidget(content)
        layout = QVBoxLayout(box)
        layout.addWidget(self.details_stack)
        return box

    def _lay_out(
        self, page: QWidget, rows: Sequence[QBoxLayout], details: QGroupBox, stretch: int, sizes: list[int]
    ) -> None:
        """Filter rows on top, the list over the details in a splitter, the export status below."""
        panes = splitter(Qt.Orientation.Vertical, (self.list_stack, details), (3, stretch), sizes)
        layout = QVBoxLayout(page)
        for row in rows:
            layout.addLayout(row)
        layout.addWidget(panes, 1)
        layout.addWidget(self.export_status)
        self._show_details(None)

    # -- what a screen defines --------------------------------------------------------------------
    def current_filter(self) -> Any:
        raise NotImplementedError

    def fetch(self, services: Services, actor: Actor, flt: Any) -> Any:
        """The list for ``flt`` (runs off the GUI thread): an object with ``rows``."""
        raise NotImplementedError

    def count_text(self, result: Any) -> str:
        raise NotImplementedError

    def record_key(self, record: Any) -> Any:
        """What identifies a record across reloads (to keep it selected)."""
        raise NotImplementedError

    def fill_details(self, record: Any) -> None:
        raise NotImplementedError

    def export_title(self) -> str:
        raise NotImplementedError

    def export_file_name(self) -> str:
        raise NotImplementedError

    def export_records(self, path: Path, records: list[Any]) -> Callable[[], int]:
        """The export of ``records`` to ``path``, to run off the GUI thread; returns the count."""
        raise NotImplementedError

    def exported_text(self, count: int, path: Path) -> str:
        raise NotImplementedError

    def load_choices(self) -> None:
        """Reload what the filters offer, then call ``choices_loaded``; by default there is nothing."""
        self.choices_loaded()

    def resize_columns(self) -> None:
        self.table.resizeColumnsToContents()

    # -- loading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the filter choices and then the list, keeping the filters set."""
        self.load_choices()

    def choices_loaded(self) -> None:
        self._choices_loaded = True
        self._load()

    def _load(self) -> None:
        flt, services, actor = self.current_filter(), self.ctx.services, self.ctx.actor
        selected = self.selected_record()
        if selected is not None:
            self._keep = self.record_key(selected)
        self.ctx.tasks.op(
            self, lambda _c: self.fetch(services, actor, flt), self._show, key="list", busy=self.loading
        )

    def _show(self, result: Any) -> None:
        self.model.set_rows(result.rows)
        self.resize_columns()
        count = len(result.rows)
        self.count_label.setText(self.count_text(result))
        self.list_stack.setCurrentWidget(self.table if count else self.empty_label)
        self.export_button.setEnabled(count > 0)
        keep, self._keep = self._keep, None
        for row in range(self.proxy.rowCount()):
            record = self.proxy.index(row, 0).data(RecordTableModel.RowRole)
            if keep is not None and self.record_key(record) == keep:
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

    # -- selection and details --------------------------------------------------------------------
    def visible_rows(self) -> list[Any]:
        """The listed records in the order the table shows them."""
        return [self.proxy.index(r, 0).data(RecordTableModel.RowRole) for r in range(self.proxy.rowCount())]

    def selected_record(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(RecordTableModel.RowRole) if rows else None

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details(self.selected_record())

    def _show_details(self, record: Any | None) -> None:
        if record is None:
            self.details_stack.setCurrentWidget(self.details_placeholder)
            return
        self.details_stack.setCurrentIndex(1)
        self.fill_details(record)

    # -- export -----------------------------------------------------------------------------------
    def choose_export_file(self) -> None:
        folder = self.ctx.settings.value(self.export_setting, "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.export_title(),
            str(Path(folder) / self.export_file_name()),
            translate("RecordListView", "CSV, UTF-8 (*.csv);;Excel workbook (*.xlsx)"),
        )
        if path:
            if not Path(path).suffix:
                path += ".xlsx" if "xlsx" in chosen else ".csv"
            self.ctx.settings.setValue(self.export_setting, str(Path(path).parent))
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the listed records, in the table's order, to ``path`` off the GUI thread."""
        work = self.export_records(path, self.visible_rows())
        self.export_button.setEnabled(False)
        self.export_status.setText(translate("RecordListView", "Exporting…"))

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            text = self.exported_text(count, path)
            self.export_status.setText(text)
            self.ctx.events.status_message.emit(text)

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.export_status.setText("")
            self.ctx.show_error(self, exc)

        self.ctx.tasks.op(self, lambda _c: work(), done, on_error=failed)
