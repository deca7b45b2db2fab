"""Page 3 of the import wizard: match the file's columns to Storemon's fields, set the options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from storemon.importers import Preview
from storemon.importers.base import DEFAULT_TIMEZONE
from ui.i18n import fill
from ui.views.import_wizard.common import ERROR_STYLE, IGNORE, OK_STYLE, field_label

if TYPE_CHECKING:
    from ui.views.import_wizard.wizard import ImportWizard


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
        self.zone_combo = QComboBox()
        self.zone_combo.setEditable(True)
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_combo.addItems(sorted(available_timezones()))
        self.zone_combo.setCurrentText(DEFAULT_TIMEZONE)
        self.zone_label = QLabel(self.tr("Time zone of new stores"))
        self.zone_label.setBuddy(self.zone_combo)
        form.addRow(self.zone_label, self.zone_combo)
        self.create_stores_check.toggled.connect(self._show_zone)
        self._show_zone(False)
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

    def _show_zone(self, create_stores: bool) -> None:
        """The zone matters only for stores the import creates: their times are read on that clock."""
        self.zone_label.setVisible(create_stores)
        self.zone_combo.setVisible(create_stores)

    def options(self) -> dict[str, Any]:
        kind = self._wizard.kind()
        options: dict[str, Any] = {
            "mapping": self.mapping(),
            "create_stores": self.create_stores_check.isChecked(),
            "skip_bad": self.skip_bad_check.isChecked(),
        }
        if options["create_stores"]:
            options["timezone"] = self.zone_combo.currentText().strip()
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
