"""Page 4 of the import wizard: the import itself, off the GUI thread, with progress and cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWizardPage

from storemon.importers import ImportResult
from ui.format import number
from ui.i18n import fill
from ui.tasks import TaskControl, TaskHandle

if TYPE_CHECKING:
    from ui.views.import_wizard.wizard import ImportWizard


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
            return services.imports.import_file_in_child(
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
