"""The import wizard: choose a file, check what Storemon reads, match columns, import, see the result.

Reading the preview and the import itself run off the GUI thread. The import is all or nothing:
a file with problems lists them by line and writes nothing, and cancelling rolls everything back.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QLocale, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from storemon.errors import StoremonError
from storemon.importers import ImportCancelled, ImportFailed, ImportResult, Preview, Problem
from ui import palette
from ui.context import AppContext
from ui.i18n import fill, translate
from ui.tasks import TaskControl, TaskHandle

log = logging.getLogger(__name__)

CONTEXT = "ImportWizard"
IGNORE = "ignore"
KINDS = ("sales", "roster", "staff")

FIELD_LABELS = {
    "order_id": QT_TRANSLATE_NOOP("ImportWizard", "Order / receipt number"),
    "datetime": QT_TRANSLATE_NOOP("ImportWizard", "Date and time"),
    "date": QT_TRANSLATE_NOOP("ImportWizard", "Date"),
    "time": QT_TRANSLATE_NOOP("ImportWizard", "Time of day"),
    "store_code": QT_TRANSLATE_NOOP("ImportWizard", "Store code"),
    "store_name": QT_TRANSLATE_NOOP("ImportWizard", "Store name"),
    "store_location": QT_TRANSLATE_NOOP("ImportWizard", "Store address"),
    "quantity": QT_TRANSLATE_NOOP("ImportWizard", "Quantity (items)"),
    "unit_price": QT_TRANSLATE_NOOP("ImportWizard", "Unit price"),
    "total": QT_TRANSLATE_NOOP("ImportWizard", "Line amount"),
    "order_total": QT_TRANSLATE_NOOP("ImportWizard", "Order total"),
    "staff_code": QT_TRANSLATE_NOOP("ImportWizard", "Employee code"),
    "staff_name": QT_TRANSLATE_NOOP("ImportWizard", "Employee name"),
    "start": QT_TRANSLATE_NOOP("ImportWizard", "Shift start"),
    "end": QT_TRANSLATE_NOOP("ImportWizard", "Shift end"),
    "role": QT_TRANSLATE_NOOP("ImportWizard", "Role"),
    "code": QT_TRANSLATE_NOOP("ImportWizard", "Employee code"),
    "name": QT_TRANSLATE_NOOP("ImportWizard", "Name"),
    "phone": QT_TRANSLATE_NOOP("ImportWizard", "Phone"),
    "email": QT_TRANSLATE_NOOP("ImportWizard", "Email"),
}

ERROR_STYLE = palette.text_style(palette.BAD)
OK_STYLE = palette.text_style(palette.OK)


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return translate(CONTEXT, label) if label else name.replace("_", " ").capitalize()


def number(value: int) -> str:
    return QLocale().toString(int(value))


def problem_place(problem: Problem) -> str:
    """Where a problem is, as ``file:line``."""
    return f"{problem.file}:{problem.line}"


def _heading(text: str = "") -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


# --------------------------------------------------------------------------- 1. kind and file


class SourcePage(QWizardPage):
    """What kind of data, from which file."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("What do you want to import?"))
        self.setSubTitle(
            self.tr(
                "Choose the kind of data and the file (or drop it here). Nothing is written until the last step."
            )
        )
        self.kind_group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        descriptions = {
            "sales": (
                self.tr("Sales (POS export)"),
                self.tr("Orders from the till: one row per order or per item. Demand is learnt from these."),
            ),
            "roster": (self.tr("Roster"), self.tr("Shifts: who works when, and at which store.")),
            "staff": (self.tr("Staff list"), self.tr("People, their home store, role and contact details.")),
        }
        self.kind_buttons: dict[str, QRadioButton] = {}
        for n, kind in enumerate(KINDS):
            title, text = descriptions[kind]
            button = QRadioButton(title)
            self.kind_group.addButton(button, n)
            self.kind_buttons[kind] = button
            note = QLabel(text)
            note.setWordWrap(True)
            note.setIndent(24)
            note.setStyleSheet("color: palette(placeholder-text);")
            layout.addWidget(button)
            layout.addWidget(note)
        self.kind_buttons["sales"].setChecked(True)
        self.kind_group.idToggled.connect(lambda *_: self.completeChanged.emit())

        layout.addSpacing(12)
        layout.addWidget(QLabel(self.tr("File")))
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("Choose a CSV or Excel (.xlsx) file…"))
        self.path_edit.setAccessibleName(self.tr("File"))
        self.path_edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton(self.tr("Browse…"))
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        self.file_note = QLabel()
        self.file_note.setWordWrap(True)
        layout.addWidget(self.file_note)
        hint = QLabel(
            self.tr(
                "CSV files in UTF-8 or GBK, and Excel workbooks (.xlsx). "
                "You will see the first rows before anything is imported."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)
        layout.addStretch(1)
        self.path_edit.textChanged.connect(self._path_changed)
        self.browse_button.clicked.connect(self.browse)
        self.setAcceptDrops(True)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.path_edit.setText(urls[0].toLocalFile())
            event.acceptProposedAction()

    def kind(self) -> str:
        return KINDS[max(0, self.kind_group.checkedId())]

    def path(self) -> Path | None:
        text = self.path_edit.text().strip().strip('"')
        return Path(text).expanduser() if text else None

    def _path_changed(self, _text: str) -> None:
        path = self.path()
        if path is not None and not path.is_file():
            self.file_note.setText(self.tr("There is no file at this path."))
            self.file_note.setStyleSheet(ERROR_STYLE)
        else:
            self.file_note.setText("")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        path = self.path()
        return path is not None and path.is_file()

    def browse(self) -> None:
        settings = self._wizard.ctx.settings
        folder = settings.value("import/last_dir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a file to import"),
            folder,
            self.tr(
                "Tables (*.csv *.xlsx *.txt);;CSV files (*.csv *.txt);;Excel workbooks (*.xlsx);;All files (*)"
            ),
        )
        if path:
            settings.setValue("import/last_dir", str(Path(path).parent))
            self.path_edit.setText(path)


# --------------------------------------------------------------------------- 2. preview


class PreviewPage(QWizardPage):
    """The file as the importer reads it: format, encoding, header line and the first rows."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._preview: Preview | None = None
        self.setTitle(self.tr("Check the file"))
        self.setSubTitle(
            self.tr(
                "This is what Storemon reads from the file. Check that the columns and first rows look right."
            )
        )
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setAccessibleName(self.tr("First rows of the file"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.busy)
        layout.addWidget(self.info_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 1)

    def preview(self) -> Preview | None:
        return self._preview

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        wizard = self._wizard
        kind, path = wizard.kind(), wizard.path()
        self._preview = None
        wizard.preview = None
        self.status_label.setStyleSheet("")
        self.status_label.setText(fill(self.tr("Reading %1…"), path.name if path else ""))
        self.info_label.setText("")
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.completeChanged.emit()
        services = wizard.ctx.services
        wizard.ctx.tasks.op(
            self,
            lambda _c: services.preview_file(path, kind),
            self._loaded,
            key="preview",
            on_error=self._failed,
            busy=self.busy,
        )

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        self._wizard.ctx.tasks.drop(self, "preview")

    def _loaded(self, preview: Preview) -> None:
        self._preview = preview
        self._wizard.preview = preview
        locale = QLocale()
        if preview.format == "xlsx":
            source = fill(self.tr("Excel workbook, sheet “%1”"), preview.sheet or "")
        else:
            encodings = {"utf-8-sig": "UTF-8", "gb18030": "GB18030 (GBK)", "utf-16": "UTF-16"}
            delimiters = {
                ",": self.tr("comma"),
                ";": self.tr("semicolon"),
                "\t": self.tr("tab"),
                "|": self.tr("vertical bar"),
            }
            encoding = encodings.get(preview.encoding or "", preview.encoding or "")
            source = fill(
                self.tr("CSV text, %1, separated by %2"),
                encoding,
                delimiters.get(preview.delimiter or ",", preview.delimiter or ""),
            )
        recognised = len(preview.mapping)
        self.info_label.setText(
            fill(
                self.tr("%1 · header on line %2 · %3 of %4 columns recognised"),
                source,
                locale.toString(preview.header_line),
                locale.toString(recognised),
                locale.toString(len(preview.headers)),
            )
        )
        if recognised < len([h for h in preview.headers if h]):
            self.status_label.setText(
                self.tr("Columns Storemon did not recognise can be matched on the next page.")
            )
        else:
            self.status_label.setText(self.tr("Every column was recognised."))
        self.table.setColumnCount(len(preview.headers))
        self.table.setHorizontalHeaderLabels(
            [
                f"{h or self.tr('(no name)')}\n→ {field_label(preview.mapping[h]) if h in preview.mapping else '—'}"
                for h in preview.headers
            ]
        )
        self.table.setRowCount(len(preview.rows))
        self.table.setVerticalHeaderLabels(
            [locale.toString(preview.header_line + 1 + i) for i in range(len(preview.rows))]
        )
        for r, row in enumerate(preview.rows):
            for c, value in enumerate(row[: len(preview.headers)]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 260))
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        self.status_label.setStyleSheet(ERROR_STYLE)
        if isinstance(exc, ImportFailed):
            lines = [str(p) for p in exc.problems[:10]]
            self.status_label.setText(
                self.tr("Storemon cannot read this file as a table:") + "\n" + "\n".join(lines)
            )
        elif isinstance(exc, StoremonError | OSError):
            self.status_label.setText(self.tr("Storemon cannot read this file:") + "\n" + str(exc))
        else:
            log.error("preview failed", exc_info=exc)
            self.status_label.setText(self.tr("Something went wrong; the details are in the log file."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self._preview is not None


# --------------------------------------------------------------------------- 3. mapping and options


class MappingPage(QWizardPage):
    """A field for every column, and the import's options."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._built_for: tuple | None = None
        self.combos: list[QComboBox] = []
        self.setTitle(self.tr("Match the columns"))
        self.setSubTitle(
            self.tr("Say what each column holds. Columns Storemon recognised are filled in already.")
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Import"))

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Column in the file"), self.tr("Example"), self.tr("Import as")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName(self.tr("Column matching"))

        self.options_box = QGroupBox(self.tr("Options"))
        form = QFormLayout(self.options_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.store_combo = QComboBox()
        self.store_combo.addItem(self.tr("Take the store from the file"), None)
        self.store_label = QLabel(self.tr("Store for every row"))
        form.addRow(self.store_label, self.store_combo)
        self.date_combo = QComboBox()
        self.date_combo.addItem(self.tr("Detect; refuse ambiguous dates such as 02/03/2026"), None)
        self.date_combo.addItem(self.tr("Day first: 02/03/2026 is 2 March"), True)
        self.date_combo.addItem(self.tr("Month first: 02/03/2026 is 3 February"), False)
        self.date_label = QLabel(self.tr("Dates"))
        form.addRow(self.date_label, self.date_combo)
        self.create_stores_check = QCheckBox(
            self.tr("Create stores the file names that Storemon does not know yet")
        )
        self.create_staff_check = QCheckBox(
            self.tr("Create people the roster names that Storemon does not know yet")
        )
        self.skip_bad_check = QCheckBox(
            self.tr("Skip bad rows: import the good rows and save the bad ones to a rejects file")
        )
        form.addRow(self.create_stores_check)
        form.addRow(self.create_staff_check)
        form.addRow(self.skip_bad_check)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.options_box)
        layout.addWidget(self.status_label)
        self.store_combo.currentIndexChanged.connect(self._changed)
        self.skip_bad_check.toggled.connect(self._changed)

    # -- building ---------------------------------------------------------------------------------
    def set_stores(self, stores: list) -> None:
        current = self.store_combo.currentData()
        while self.store_combo.count() > 1:
            self.store_combo.removeItem(1)
        for store in stores:
            self.store_combo.addItem(f"{store.code} · {store.name}", store.code)
        index = self.store_combo.findData(current) if current else 0
        self.store_combo.setCurrentIndex(max(0, index))

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        preview = self._wizard.preview
        if preview is None:
            return
        kind = self._wizard.kind()
        key = (preview.file, kind, tuple(preview.headers))
        if key != self._built_for:
            self._build_rows(preview)
            self._built_for = key
        per_store = kind in ("sales", "roster")
        for widget in (self.store_label, self.store_combo, self.date_label, self.date_combo):
            widget.setVisible(per_store)
        self.create_staff_check.setVisible(kind == "roster")
        self._changed()

    def _build_rows(self, preview: Preview) -> None:
        self.combos = []
        self.table.setRowCount(len(preview.headers))
        fields = list(preview.fields)
        for row, header in enumerate(preview.headers):
            name = QTableWidgetItem(header or self.tr("(no name)"))
            name.setToolTip(header)
            example = next((r[row] for r in preview.rows if row < len(r) and str(r[row]).strip()), "")
            sample = QTableWidgetItem(example)
            sample.setToolTip(example)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, sample)
            combo = QComboBox()
            combo.addItem(self.tr("Not imported"), IGNORE)
            for fieldname in fields:
                combo.addItem(field_label(fieldname), fieldname)
                combo.setItemData(combo.count() - 1, preview.fields[fieldname], Qt.ItemDataRole.ToolTipRole)
            detected = preview.mapping.get(header)
            combo.setCurrentIndex(max(0, combo.findData(detected)) if detected else 0)
            combo.setAccessibleName(fill(self.tr("Import column %1 as"), header))
            combo.currentIndexChanged.connect(self._changed)
            self.table.setCellWidget(row, 2, combo)
            self.combos.append(combo)
        self.table.resizeRowsToContents()

    # -- values -----------------------------------------------------------------------------------
    def mapping(self) -> dict[str, str]:
        """Header -> field for every named column ("ignore" for columns not imported)."""
        preview = self._wizard.preview
        result: dict[str, str] = {}
        if preview is None:
            return result
        for header, combo in zip(preview.headers, self.combos, strict=False):
            if header and header not in result:
                result[header] = combo.currentData()
        return result

    def options(self) -> dict[str, Any]:
        kind = self._wizard.kind()
        options: dict[str, Any] = {
            "mapping": self.mapping(),
            "create_stores": self.create_stores_check.isChecked(),
            "skip_bad": self.skip_bad_check.isChecked(),
        }
        if kind in ("sales", "roster"):
            options["store_code"] = self.store_combo.currentData()
            options["day_first"] = self.date_combo.currentData()
        if kind == "roster":
            options["create_staff"] = self.create_staff_check.isChecked()
        return options

    def problems(self) -> list[str]:
        """What must be settled before importing, in the user's words."""
        chosen = [c.currentData() for c in self.combos if c.currentData() != IGNORE]
        fields = set(chosen)
        found: list[str] = []
        for fieldname in sorted({f for f in chosen if chosen.count(f) > 1}):
            found.append(fill(self.tr("“%1” is chosen for more than one column."), field_label(fieldname)))
        kind = self._wizard.kind()
        if kind == "sales":
            if not fields & {"datetime", "date"}:
                found.append(self.tr("Choose the column with the date and time of each order."))
            if not fields & {"order_total", "total", "unit_price"}:
                found.append(
                    self.tr("Choose the column with the amount (order total, line amount or unit price).")
                )
            if (
                not fields & {"store_code", "store_name", "store_location"}
                and not self.store_combo.currentData()
            ):
                found.append(self.tr("Choose the store column, or pick the store every row belongs to."))
        elif kind == "roster":
            if not fields & {"staff_code", "staff_name"}:
                found.append(self.tr("Choose the column with the employee code or name."))
            if not {"start", "end"} <= fields:
                found.append(self.tr("Choose the columns with the shift's start and end."))
        elif not fields & {"code", "name"}:
            found.append(self.tr("Choose the column with the employee code or name."))
        return found

    def _changed(self, *_args) -> None:
        problems = self.problems()
        if problems:
            self.status_label.setStyleSheet(ERROR_STYLE)
            self.status_label.setText("\n".join(problems))
        else:
            self.status_label.setStyleSheet(OK_STYLE)
            if self.skip_bad_check.isChecked():
                text = self.tr("Ready to import. Bad rows will be left out and saved to a rejects file.")
            else:
                text = self.tr("Ready to import. Nothing is written if a row has a problem.")
            self.status_label.setText(text)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self._wizard.preview is not None and not self.problems()


# --------------------------------------------------------------------------- 4. importing


class ImportPage(QWizardPage):
    """The import running: progress, and a way to stop it that leaves the database as it was."""

    finished = Signal()

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._handle: TaskHandle | None = None
        self._done = False
        self.setTitle(self.tr("Importing"))
        self.setSubTitle(
            self.tr("Everything is written in one go at the end; cancelling leaves the database as it was.")
        )
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setFormat("%p %")
        self.progress.setAccessibleName(self.tr("Import progress"))
        self.progress_label = QLabel()
        self.cancel_button = QPushButton(self.tr("Cancel import"))
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addLayout(row)
        layout.addStretch(1)

    @property
    def running(self) -> bool:
        return self._handle is not None

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        wizard = self._wizard
        kind, path, options = wizard.kind(), wizard.path(), wizard.mapping_page.options()
        wizard.result, wizard.failure = None, None
        self._done = False
        self.file_label.setText(fill(self.tr("Importing %1…"), str(path)))
        self.progress.setRange(0, 0)
        self.progress.setValue(0)
        self.progress_label.setText(self.tr("Reading the file…"))
        self.cancel_button.setEnabled(True)
        services, actor = wizard.ctx.services, wizard.ctx.actor

        def work(control: TaskControl) -> ImportResult:
            return services.import_file(
                actor, kind, path, progress=control.progress, cancel=control.cancelled, **options
            )

        self._handle = wizard.ctx.tasks.op(
            self, work, self._succeeded, on_progress=self._progressed, on_error=self._failed
        )
        self.completeChanged.emit()

    def cancel(self) -> None:
        """Ask the import to stop; it rolls back and the result page says nothing was written."""
        if self._handle is not None:
            self._handle.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Cancelling… nothing will be written."))

    def _progressed(self, done: int, total: int) -> None:
        if self._done:
            return
        total = max(total, done, 1)
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        self.progress.setValue(done)
        if self.cancel_button.isEnabled():
            self.progress_label.setText(
                fill(self.tr("%1 of about %2 rows read"), number(done), number(total))
            )

    def _succeeded(self, result: ImportResult) -> None:
        rows = max(1, result.rows_read)
        self.progress.setRange(0, rows)
        self.progress.setValue(rows)
        self.progress_label.setText(self.tr("Done."))
        self._finish(result, None)

    def _failed(self, exc: BaseException) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._finish(None, exc)

    def _finish(self, result: ImportResult | None, failure: BaseException | None) -> None:
        self._handle = None
        self._done = True
        self.cancel_button.setEnabled(False)
        self._wizard.import_finished(result, failure)
        self.completeChanged.emit()
        self.finished.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self._done


# --------------------------------------------------------------------------- 5. result


class ResultPage(QWizardPage):
    """What the import did, or why nothing was written."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setFinalPage(True)
        self.icon = QLabel()
        self.heading = _heading()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.summary = QWidget()
        self.summary_form = QFormLayout(self.summary)
        self.summary_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.summary_values: dict[str, QLabel] = {}
        self.open_rejects_button = QPushButton(self.tr("Show the rejects file"))
        self.open_rejects_button.clicked.connect(self._show_rejects)

        self.problems_table = QTableWidget(0, 3)
        self.problems_table.setHorizontalHeaderLabels(
            [self.tr("Where"), self.tr("Column"), self.tr("Problem")]
        )
        self.problems_table.verticalHeader().setVisible(False)
        self.problems_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems_table.setWordWrap(True)
        self.problems_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.problems_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.problems_table.setAccessibleName(self.tr("Problems found in the file"))
        self.problems_note = QLabel()
        self.problems_note.setWordWrap(True)
        self.copy_button = QPushButton(self.tr("Copy the list"))
        self.copy_button.clicked.connect(self._copy_problems)
        problems = QWidget()
        problems_layout = QVBoxLayout(problems)
        problems_layout.setContentsMargins(0, 0, 0, 0)
        problems_layout.addWidget(self.problems_table, 1)
        row = QHBoxLayout()
        row.addWidget(self.problems_note, 1)
        row.addWidget(self.copy_button)
        problems_layout.addLayout(row)

        summary_page = QWidget()
        summary_layout = QVBoxLayout(summary_page)
        summary_layout.setContentsMargins(0, 0, 0, 0)
        summary_layout.addWidget(self.summary)
        rejects_row = QHBoxLayout()
        rejects_row.addWidget(self.open_rejects_button)
        rejects_row.addStretch(1)
        summary_layout.addLayout(rejects_row)
        summary_layout.addStretch(1)
        self.details = QStackedWidget()
        self.details.addWidget(summary_page)
        self.details.addWidget(problems)
        self.details.addWidget(QWidget())

        head = QHBoxLayout()
        head.addWidget(self.icon)
        head.addWidget(self.heading, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.message)
        layout.addWidget(self.details, 1)
        self._problems: list[Problem] = []
        self._rejects: Path | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        wizard = self._wizard
        result, failure = wizard.result, wizard.failure
        path = wizard.path()
        name = path.name if path else ""
        retry = failure is not None
        wizard.setOption(QWizard.WizardOption.HaveCustomButton1, retry)
        self.setTitle(self.tr("Result"))
        self.setSubTitle(name)
        if result is not None:
            self._set_icon(QStyle.StandardPixmap.SP_DialogApplyButton)
            self._show_result(result, name)
        elif isinstance(failure, ImportFailed):
            self._set_icon(QStyle.StandardPixmap.SP_MessageBoxCritical)
            self._show_problems(failure)
        elif isinstance(failure, ImportCancelled):
            self._set_icon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.heading.setText(self.tr("Import cancelled"))
            self.message.setText(
                self.tr("Nothing was written to the database. The data is as it was before.")
            )
            self.details.setCurrentIndex(2)
        else:
            self._set_icon(QStyle.StandardPixmap.SP_MessageBoxCritical)
            self.heading.setText(self.tr("The import failed"))
            if isinstance(failure, StoremonError | OSError):
                detail = str(failure)
            else:
                log.error("import failed", exc_info=failure)
                detail = self.tr("Something went wrong; the details are in the log file.")
            self.message.setText(self.tr("Nothing was written to the database.") + "\n\n" + detail)
            self.details.setCurrentIndex(2)

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        self._wizard.setOption(QWizard.WizardOption.HaveCustomButton1, False)

    def _set_icon(self, which: QStyle.StandardPixmap) -> None:
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        self.icon.setPixmap(self.style().standardIcon(which).pixmap(size, size))

    def _set_summary(self, rows: list[tuple[str, str, str]]) -> None:
        while self.summary_form.rowCount():
            self.summary_form.removeRow(0)
        self.summary_values = {}
        for key, label, value in rows:
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.summary_values[key] = field
            self.summary_form.addRow(label, field)

    def _show_result(self, result: ImportResult, name: str) -> None:
        kind = self._wizard.kind()
        self.details.setCurrentIndex(0)
        self._rejects = result.rejects_file
        self.open_rejects_button.setVisible(result.rejects_file is not None)
        if result.already_imported:
            self.heading.setText(self.tr("Already imported"))
            self.message.setText(self.tr("This exact file was imported before, so nothing was changed."))
            self._set_summary([])
            return
        self.heading.setText(self.tr("Import complete"))
        self.message.setText(fill(self.tr("%1 is in Storemon now."), name))
        rows = [
            ("rows_read", self.tr("Rows read"), number(result.rows_read)),
            ("rows_imported", self.tr("Rows imported"), number(result.rows_imported)),
        ]
        if kind == "sales":
            rows += [
                ("orders_added", self.tr("New orders"), number(result.orders_added)),
                (
                    "duplicates",
                    self.tr("Orders already in Storemon (skipped)"),
                    number(result.skipped_duplicates),
                ),
            ]
        elif kind == "roster":
            rows += [
                ("created", self.tr("New shifts"), number(result.created)),
                (
                    "duplicates",
                    self.tr("Shifts already in Storemon (skipped)"),
                    number(result.skipped_duplicates),
                ),
            ]
            if result.staff_created:
                rows.append(("staff_created", self.tr("People created"), ", ".join(result.staff_created)))
        else:
            rows += [
                ("created", self.tr("People added"), number(result.created)),
                ("updated", self.tr("People updated"), number(result.updated)),
            ]
        created = ", ".join(result.stores_created) if result.stores_created else self.tr("None")
        rows.append(("stores_created", self.tr("Stores created"), created))
        if result.rejected_count:
            rows.append(
                (
                    "rejected",
                    self.tr("Rows skipped as bad"),
                    fill(
                        self.tr("%1, listed in %2"),
                        number(result.rejected_count),
                        str(result.rejects_file or ""),
                    ),
                )
            )
        self._set_summary(rows)

    def _show_problems(self, failure: ImportFailed) -> None:
        self.details.setCurrentIndex(1)
        self._problems = list(failure.problems)
        self.heading.setText(self.tr("Nothing was imported"))
        self.message.setText(
            fill(
                self.tr(
                    "Problems found: %1. Nothing was written to the database. Fix the lines below in the file "
                    "and import it again, or change the options and choose “Skip bad rows” to import the good rows only."
                ),
                number(failure.total),
            )
        )
        self.problems_table.setRowCount(len(self._problems))
        for row, problem in enumerate(self._problems):
            for column, text in enumerate((problem_place(problem), problem.column, problem.message)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.problems_table.setItem(row, column, item)
        notes = []
        if failure.total > len(self._problems):
            notes.append(
                fill(
                    self.tr("Showing the first %1 of %2 problems."),
                    number(len(self._problems)),
                    number(failure.total),
                )
            )
        notes += self._option_hints()
        self.problems_note.setText("\n".join(notes))

    def _option_hints(self) -> list[str]:
        """The messages name command-line options; say which wizard option does the same."""
        page = self._wizard.mapping_page
        options = {
            "--create-stores": page.create_stores_check.text(),
            "--create-staff": page.create_staff_check.text(),
            "--skip-bad": page.skip_bad_check.text(),
            "--store": page.store_label.text(),
            "--day-first": page.date_label.text(),
            "--month-first": page.date_label.text(),
            "--map": self.tr("Import as"),
        }
        text = " ".join(p.message for p in self._problems)
        return [
            fill(self.tr("Where the list says %1, use “%2” under Change options."), flag, label)
            for flag, label in options.items()
            if flag in text
        ]

    def problem_rows(self) -> list[tuple[str, str, str]]:
        """The problems table as the user sees it: (file:line, column, problem)."""
        table = self.problems_table
        return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]

    def _copy_problems(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(str(p) for p in self._problems))

    def _show_rejects(self) -> None:
        if self._rejects is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._rejects.parent)))


# --------------------------------------------------------------------------- the wizard


class ImportWizard(QWizard):
    """File > Import…: sales, rosters and staff lists from CSV or XLSX, all or nothing."""

    SOURCE, PREVIEW, MAPPING, IMPORT, RESULT = range(5)

    imported = Signal(object)
    """The ``ImportResult`` of a successful import."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview: Preview | None = None
        self.result: ImportResult | None = None
        self.failure: BaseException | None = None
        self._close_requested = False
        self.setWindowTitle(self.tr("Import data"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Change options…"))
        self.customButtonClicked.connect(self._custom_button)
        self.source_page = SourcePage(self)
        self.preview_page = PreviewPage(self)
        self.mapping_page = MappingPage(self)
        self.import_page = ImportPage(self)
        self.result_page = ResultPage(self)
        for page_id, page in (
            (self.SOURCE, self.source_page),
            (self.PREVIEW, self.preview_page),
            (self.MAPPING, self.mapping_page),
            (self.IMPORT, self.import_page),
            (self.RESULT, self.result_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(self.SOURCE)
        self.setMinimumSize(760, 560)
        self.resize(900, 640)
        services, actor = ctx.services, ctx.actor
        ctx.tasks.op(
            self,
            lambda _c: services.stores(actor),
            self.mapping_page.set_stores,
            on_error=lambda exc: log.warning("import wizard: stores not loaded (%s)", exc),
        )

    # -- state the pages share ------------------------------------------------------------------
    def kind(self) -> str:
        return self.source_page.kind()

    def path(self) -> Path | None:
        return self.source_page.path()

    def set_file(self, path: str | Path, kind: str = "sales") -> None:
        """Preselect a file and kind (drag and drop, or File > Import with a file already chosen)."""
        self.source_page.kind_buttons[kind].setChecked(True)
        self.source_page.path_edit.setText(str(path))

    # -- import lifecycle ------------------------------------------------------------------------
    def import_finished(self, result: ImportResult | None, failure: BaseException | None) -> None:
        self.result, self.failure = result, failure
        if result is not None and not result.already_imported:
            self.ctx.events.data_changed.emit()
            self.ctx.events.status_message.emit(
                fill(
                    self.tr("Imported %1 rows from %2"),
                    number(result.rows_imported),
                    self.path().name if self.path() else "",
                )
            )
            self.imported.emit(result)
        if self._close_requested:
            super().reject()
        else:
            self.next()

    def _custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value and self.currentId() == self.RESULT:
            # Back past the import page to the options, so the user can change them and retry.
            self.back()
            self.back()

    def reject(self) -> None:
        """Closing while an import runs cancels it first; the window closes once it has rolled back."""
        if self.import_page.running:
            self._close_requested = True
            self.import_page.cancel()
            return
        super().reject()
