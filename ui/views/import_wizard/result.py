"""Page 5 of the import wizard: what was imported, or every problem by line."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
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
from storemon.importers import ImportCancelled, ImportFailed, ImportResult, Problem
from ui.format import money, number
from ui.i18n import fill
from ui.views.import_wizard.common import heading, log, problem_place

if TYPE_CHECKING:
    from ui.views.import_wizard.wizard import ImportWizard


def weekday_hours(days: dict[int, tuple[time, time]]) -> str:
    """``Mon 07:00–21:00, Sat 08:30–18:00`` with the user's weekday names (0 = Monday)."""
    locale = QLocale()
    return ", ".join(
        f"{locale.dayName(weekday + 1, QLocale.FormatType.ShortFormat)} {opens:%H:%M}–{closes:%H:%M}"
        for weekday, (opens, closes) in sorted(days.items())
    )


class ResultPage(QWizardPage):
    """What the import did, or why nothing was written."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setFinalPage(True)
        self.icon = QLabel()
        self.heading = heading()
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
                (
                    "file_sales",
                    self.tr("In the file"),
                    fill(
                        self.tr("%1 orders in %2 stores over %3 days, revenue %4"),
                        number(result.orders),
                        number(len(result.stores)),
                        number(result.days),
                        money(result.revenue, 2),
                    ),
                ),
                ("duplicate_rows", self.tr("Exact duplicate rows dropped"), number(result.duplicate_rows)),
                (
                    "priceless_orders",
                    self.tr("Orders without a price (counted, revenue unknown)"),
                    number(result.priceless_orders),
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
        for code, hours in result.hours_inferred.items():
            label = fill(self.tr("Opening hours of %1, from its sales"), code)
            rows.append((f"hours:{code}", label, weekday_hours(hours.days)))
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
