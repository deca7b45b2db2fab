"""The Alerts screen's detail pane: the alert (``AlertDetail``) with the screen's actions between
its head and its facts, and the inline note, reassign and snooze forms."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.alert_detail import AlertDetail

SNOOZE_MINUTES = (15, 30, 60)


class DetailPane:
    """Builds the detail pane of ``AlertsView`` (its actions call the view's own handlers)."""

    def _build_detail(self) -> QWidget:
        """The detail pane (``AlertDetail``) with this screen's actions between its head and its facts."""
        self.detail = AlertDetail(self.ctx.clock)
        self.detail_title = self.detail.title_label
        self.covered_banner = self.detail.covered_banner
        self.fact_values = self.detail.fact_values

        self.ack_button = QPushButton()
        self.ack_button.setObjectName("acknowledgeButton")
        self.resolve_button = QPushButton()
        self.resolve_button.setObjectName("resolveButton")
        self.comment_button = QPushButton()
        self.comment_button.setObjectName("commentButton")
        self.reassign_button = QPushButton()
        self.reassign_button.setObjectName("reassignButton")
        self.snooze_button = QPushButton()
        self.snooze_button.setObjectName("snoozeButton")
        self.accept_button = QPushButton()
        self.accept_button.setObjectName("acceptCoverButton")
        self.accept_button.setMinimumHeight(36)
        self.accept_button.setStyleSheet(
            "QPushButton#acceptCoverButton { font-weight: 600; padding: 4px 16px; }"
        )
        self.accept_button.setVisible(False)
        # Two rows, so the pane stays narrow enough beside the list in every language.
        actions = QGridLayout()
        actions.setHorizontalSpacing(6)
        actions.setVerticalSpacing(6)
        for column, button in enumerate((self.ack_button, self.resolve_button)):
            button.setMinimumHeight(32)
            actions.addWidget(button, 0, column)
        for column, button in enumerate((self.comment_button, self.reassign_button, self.snooze_button)):
            button.setMinimumHeight(32)
            actions.addWidget(button, 1, column)
        actions.setColumnStretch(3, 1)

        self.inline = QStackedWidget()
        self.inline.setObjectName("inlineAction")
        self.inline.setVisible(False)
        self.inline.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        # Page 0: a note (resolve, comment).
        note_page = QWidget()
        self.note_prompt = QLabel()
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("actionNote")
        self.note_edit.setMaximumHeight(80)
        self.note_confirm = QPushButton()
        self.note_confirm.setObjectName("confirmNote")
        self.note_cancel = QPushButton()
        note_buttons = QHBoxLayout()
        note_buttons.addStretch(1)
        note_buttons.addWidget(self.note_cancel)
        note_buttons.addWidget(self.note_confirm)
        note_layout = QVBoxLayout(note_page)
        note_layout.setContentsMargins(0, 0, 0, 0)
        note_layout.addWidget(self.note_prompt)
        note_layout.addWidget(self.note_edit)
        note_layout.addLayout(note_buttons)
        # Page 1: hand over to someone.
        reassign_page = QWidget()
        self.reassign_prompt = QLabel()
        self.reassign_combo = QComboBox()
        self.reassign_combo.setObjectName("reassignTo")
        self.reassign_confirm = QPushButton()
        self.reassign_confirm.setObjectName("confirmReassign")
        self.reassign_cancel = QPushButton()
        reassign_row = QHBoxLayout()
        reassign_row.addWidget(self.reassign_combo, 1)
        reassign_row.addWidget(self.reassign_cancel)
        reassign_row.addWidget(self.reassign_confirm)
        reassign_layout = QVBoxLayout(reassign_page)
        reassign_layout.setContentsMargins(0, 0, 0, 0)
        reassign_layout.addWidget(self.reassign_prompt)
        reassign_layout.addLayout(reassign_row)
        # Page 2: snooze for a while.
        snooze_page = QWidget()
        self.snooze_prompt = QLabel()
        self.snooze_buttons = {}
        snooze_row = QHBoxLayout()
        snooze_row.setContentsMargins(0, 0, 0, 0)
        snooze_row.addWidget(self.snooze_prompt)
        for minutes in SNOOZE_MINUTES:
            button = QPushButton()
            button.setObjectName(f"snooze{minutes}")
            button.clicked.connect(lambda _c=False, m=minutes: self._snooze(m))
            self.snooze_buttons[minutes] = button
            snooze_row.addWidget(button)
        self.snooze_cancel = QPushButton()
        snooze_row.addStretch(1)
        snooze_row.addWidget(self.snooze_cancel)
        snooze_page.setLayout(snooze_row)
        for page in (note_page, reassign_page, snooze_page):
            self.inline.addWidget(page)

        self.detail.add_actions(self.accept_button, Qt.AlignmentFlag.AlignLeft)
        self.detail.add_actions(actions)
        self.detail.add_actions(self.inline)

        self.no_selection = QLabel()
        self.no_selection.setObjectName("noSelection")
        self.no_selection.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_selection.setWordWrap(True)
        self.no_selection.setStyleSheet("color: palette(mid); padding: 24px;")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.detail)
        self.detail_stack = QStackedWidget()
        self.detail_stack.setObjectName("alertDetail")
        self.detail_stack.addWidget(self.no_selection)
        self.detail_stack.addWidget(scroll)
        self.detail_stack.setMinimumWidth(300)

        self.ack_button.clicked.connect(self._acknowledge)
        self.resolve_button.clicked.connect(lambda: self._open_note("resolve"))
        self.comment_button.clicked.connect(lambda: self._open_note("comment"))
        self.reassign_button.clicked.connect(self._open_reassign)
        self.snooze_button.clicked.connect(lambda: self._open_inline(2))
        self.accept_button.clicked.connect(self._accept_selected_offer)
        self.note_confirm.clicked.connect(self._confirm_note)
        self.reassign_confirm.clicked.connect(self._confirm_reassign)
        for button in (self.note_cancel, self.reassign_cancel, self.snooze_cancel):
            button.clicked.connect(self._close_inline)
        return self.detail_stack
