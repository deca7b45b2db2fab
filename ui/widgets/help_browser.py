"""Help > User guide and Help > How pressure is computed: the shipped guides, read offline.

The Markdown files (``ui.help_docs``) are rendered by Qt itself (``QTextDocument`` reads
Markdown); links between the guides open here, with Back and Forward, and web links open in the
system browser. One window, raised again when asked a second time.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from storemon.services.access import CHAIN_ROLES, Role
from ui.help_docs import PRESSURE, REGION_GUIDE, STAFF_GUIDE, STORE_GUIDE, doc_path


def guide_for(role: Role) -> str:
    """The guide written for ``role``: counter staff, store management, or the region and up."""
    if role is Role.STAFF:
        return STAFF_GUIDE
    if role is Role.OPS_SUPERVISOR or role in CHAIN_ROLES:
        return REGION_GUIDE
    return STORE_GUIDE


class HelpBrowser(QDialog):
    """A document picker, Back/Forward and the rendered guide."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Storemon help"))
        self.resize(900, 680)
        self.picker = QComboBox()
        self.picker.setObjectName("helpPicker")
        for name, title in (
            (STORE_GUIDE, self.tr("Guide for store managers and shift leads")),
            (REGION_GUIDE, self.tr("Guide for regional managers and head office")),
            (STAFF_GUIDE, self.tr("Guide for staff at the counter")),
            (PRESSURE, self.tr("How pressure is computed")),
        ):
            self.picker.addItem(title, name)
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.setShortcut(QKeySequence.StandardKey.Back)
        self.forward_button = QPushButton(self.tr("Forward"))
        self.forward_button.setShortcut(QKeySequence.StandardKey.Forward)
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpText")
        self.browser.setOpenLinks(False)  # ours: guides here, the web in the system browser
        self.browser.anchorClicked.connect(self._follow)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        self.picker.activated.connect(lambda index: self.show_doc(self.picker.itemData(index)))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addWidget(self.forward_button)
        row.addWidget(self.picker, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(self.browser, 1)

    def show_doc(self, name: str) -> None:
        """Open the shipped document ``name`` (``ui.help_docs.BUNDLED``)."""
        path = doc_path(name)
        if not path.is_file():
            self.note.setText(
                self.tr("The guides are not installed with this copy of Storemon; reinstall it to read them.")
            )
            self.note.setVisible(True)
            return
        self._show_language_note()
        self.browser.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)
        index = self.picker.findData(name)
        if index >= 0:
            self.picker.setCurrentIndex(index)

    def _show_language_note(self) -> None:
        """The guides are written in English: say so to a reader of another language."""
        english = QLocale().language() == QLocale.Language.English
        self.note.setText("" if english else self.tr("The guides are written in English."))
        self.note.setVisible(not english)

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        target = self.browser.source().resolved(url)
        if target.isLocalFile() and target.path().endswith(".md"):
            self.browser.setSource(target, QTextDocument.ResourceType.MarkdownResource)
        elif target.isLocalFile():
            self.browser.setSource(target)
