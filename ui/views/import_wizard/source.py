"""Page 1 of the import wizard: what kind of file, and which file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from ui.views.import_wizard.common import ERROR_STYLE, KINDS

if TYPE_CHECKING:
    from ui.views.import_wizard.wizard import ImportWizard


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
