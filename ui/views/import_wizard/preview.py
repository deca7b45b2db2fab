"""Page 2 of the import wizard: the file as the importer reads it (read off the GUI thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from storemon.errors import StoremonError
from storemon.importers import ImportFailed, Preview
from ui.i18n import fill
from ui.views.import_wizard.common import ERROR_STYLE, field_label, log

if TYPE_CHECKING:
    from ui.views.import_wizard.wizard import ImportWizard


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
            lambda _c: services.imports.preview_file(path, kind),
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
