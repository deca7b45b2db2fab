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
from storemon.importers.headers import (
    KEYWORD,
    LINE_TOTAL,
    NOT_NEEDED,
    ORDER_LEVEL,
    ORDER_TOTAL,
    QUANTITY_X_PRICE,
    VALUES,
    WORDS,
    HeaderMatch,
    MoneyRule,
    UnusedColumn,
)
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
        self.columns_label = QLabel()
        self.columns_label.setWordWrap(True)
        self.columns_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
        layout.addWidget(self.columns_label)
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
        self.columns_label.setText("")
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
        self.columns_label.setText("\n".join(self._column_notes(preview)))
        matched = {m.column: m for m in preview.columns}
        self.table.setColumnCount(len(preview.headers))
        self.table.setHorizontalHeaderLabels(
            [self._column_title(h, matched.get(i)) for i, h in enumerate(preview.headers)]
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

    def _column_title(self, header: str, match: HeaderMatch | None) -> str:
        """'Lineitem quantity\n→ Quantity (items) · 80 %': the field, and the confidence when guessed."""
        name = header or self.tr("(no name)")
        if match is None:
            return f"{name}\n→ —"
        if match.confidence >= 1:
            return f"{name}\n→ {field_label(match.field)}"
        return f"{name}\n→ {field_label(match.field)} · {QLocale().toString(round(match.confidence * 100))} %"

    def _column_notes(self, preview: Preview) -> list[str]:
        """Why each guessed column was read as it was, where revenue comes from, what is not used."""
        notes = [self._why(m) for m in preview.columns if m.how in (WORDS, KEYWORD, VALUES)]
        if preview.money_rule is not None:
            notes.append(self._money(preview.money_rule))
        notes += [self._unused(u) for u in preview.unused]
        return notes

    def _why(self, match: HeaderMatch) -> str:
        field = field_label(match.field)
        if match.how == WORDS:
            return fill(
                self.tr("“%1” is read as %2: it is “%3” with “%4” around it."),
                match.header,
                field,
                match.name,
                " ".join(match.dropped),
            )
        if match.how == KEYWORD:
            return fill(self.tr("“%1” is read as %2: it contains “%3”."), match.header, field, match.name)
        return fill(self.tr("“%1” is read as %2: its values look like order numbers."), match.header, field)

    def _money(self, rule: MoneyRule) -> str:
        templates = {
            ORDER_TOTAL: self.tr("Revenue: “%1”, once per order (what the customer paid)."),
            LINE_TOTAL: self.tr("Revenue: “%1”, added up over each order's lines."),
            QUANTITY_X_PRICE: self.tr("Revenue: “%1” × “%2” on each line (the file has no line total)."),
        }
        template = templates.get(
            rule.kind, self.tr("Revenue: “%1” on each line, one item each (the file has no quantity).")
        )
        return fill(template, *rule.columns)

    def _unused(self, unused: UnusedColumn) -> str:
        header = unused.match.header
        if unused.reason == ORDER_LEVEL:
            return fill(
                self.tr(
                    "“%1” looks like an order total (filled on each order's first line only) and is not "
                    "used; to use it, choose Order total for it on the next page."
                ),
                header,
            )
        field = field_label(unused.match.field)
        if unused.reason == NOT_NEEDED:
            return fill(
                self.tr("“%1” looks like %2 and is not used: “%3” has the date and time."),
                header,
                field,
                unused.instead,
            )
        return fill(
            self.tr(
                "“%1” looks like %2 and is not used (“%3” matched better); to use it instead, choose it "
                "on the next page."
            ),
            header,
            field,
            unused.instead,
        )

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
