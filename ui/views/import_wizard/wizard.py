"""The import wizard: its pages in order and the state they share."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from storemon.importers import ImportResult, Preview
from ui.context import AppContext
from ui.format import number
from ui.i18n import fill
from ui.views.import_wizard.common import log
from ui.views.import_wizard.importing import ImportPage
from ui.views.import_wizard.mapping import MappingPage
from ui.views.import_wizard.preview import PreviewPage
from ui.views.import_wizard.result import ResultPage
from ui.views.import_wizard.source import SourcePage


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
            lambda _c: services.stores.list(actor),
            self.mapping_page.set_stores,
            on_error=lambda exc: log.warning("import wizard: stores not loaded (%s)", exc),
        )

    # -- state the pages share ------------------------------------------------------------------
    def kind(self) -> str:
        return self.source_page.kind()

    def path(self) -> Path | None:
        return self.source_page.path()

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
