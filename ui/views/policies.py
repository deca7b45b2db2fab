"""The Policies screen: the chain's rules, in five tabs.

1. Tier policies: revenue bands -> staff per shift, validated live (a gap such as 5,000-6,000 is
   marked where it is, explained, and the stores in it listed); saved only after a confirmation
   that names the gap; assigned to stores.
2. Escalation: the five levels of crisis response, their targets and acknowledgement deadlines.
3. Surge calendar: the 3·15 season, holidays and promotions.
4. Thresholds: staffing targets and the pressure levels.
5. Authority and playbooks: what each role may grant alone, and the pre-approved responses per
   incident type (at least three each).

Everyone may read; only head-office roles may save (the services refuse others, and the refusal
shows in the tab). Tabs with unsaved edits are not overwritten by a refresh.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from alerts.escalation import DEFAULT_POLICY, EscalationPolicy
from staffing.day import StaffingTargets
from staffing.policy import TierBand
from staffing.pressure import PressureConfig
from staffing.surge import SurgeCalendar
from storemon.errors import StoremonError
from storemon.services.access import AccessDenied
from storemon.services.chain_settings import (
    AUTHORITY_ROLES,
    MIN_RESPONSES,
    AuthorityLimits,
    Playbook,
    PlaybookResponse,
    PolicyCheck,
    PolicyDraft,
    PolicyStore,
    PolicySummary,
    Thresholds,
    UnconfirmedPolicyIssues,
    incident_type_key,
)
from ui.i18n import resolve_language
from ui.views.base import BaseView
from ui.widgets.escalation_editor import EscalationEditor
from ui.widgets.form_helpers import (
    ISSUE_STYLE,
    BusyBar,
    GridRow,
    MessageStrip,
    RowGrid,
    call_service,
    format_amount,
    role_name,
    set_issue,
)
from ui.widgets.surge_editor import SurgeEditor
from ui.widgets.tier_editor import TierEditor, issue_text


def explain_failure(exc: BaseException, saving: bool = True) -> str:
    """What to tell the user about a refused or failed call."""
    if isinstance(exc, AccessDenied):
        return QCoreApplication.translate(
            "PoliciesView",
            "Only head-office roles (service director, executive, administrator) may change "
            "chain-wide settings. Nothing was saved.",
        )
    if saving:
        return QCoreApplication.translate("PoliciesView", "Not saved: %1").replace("%1", str(exc))
    return QCoreApplication.translate("PoliciesView", "Could not load: %1").replace("%1", str(exc))


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(dark);")
    return label


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


class _Page(QWidget):
    """What every tab shares: Save and Revert, the unsaved-changes marker and a message strip."""

    def __init__(self, view: PoliciesView) -> None:
        super().__init__()
        self.view = view
        self.ctx = view.ctx
        self.dirty = False
        self.message = MessageStrip()
        self.dirty_label = QLabel(self.tr("Unsaved changes"))
        self.dirty_label.setStyleSheet("color: #b06000; font-weight: 600;")
        self.dirty_label.setVisible(False)
        self.revert_button = QPushButton(self.tr("Revert"))
        self.revert_button.setToolTip(self.tr("Throw away the changes and show what is saved"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.revert_button.clicked.connect(self.revert)
        self.save_button.clicked.connect(self.save)
        self.set_dirty(False)

    def footer(self, *left: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        for widget in left:
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.dirty_label)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        return row

    def set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.dirty_label.setVisible(dirty)
        self.revert_button.setEnabled(dirty)
        self.save_button.setEnabled(dirty and self.can_save())
        if dirty and self.message.kind == "success":
            self.message.clear()

    def can_save(self) -> bool:
        return True

    def call(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_failed: Callable[[StoremonError], None] | None = None,
        busy: bool = True,
    ) -> None:
        call_service(self.view, fn, on_done, on_failed or self.failed, self.view.busy if busy else None)

    def failed(self, exc: StoremonError) -> None:
        self.save_button.setEnabled(self.dirty and self.can_save())
        self.message.show_message("error", explain_failure(exc))

    def load_failed(self, exc: StoremonError) -> None:
        self.message.show_message("error", explain_failure(exc, saving=False))

    def done_saving(self, text: str) -> None:
        self.set_dirty(False)
        self.message.show_message("success", text)
        self.ctx.events.status_message.emit(text)
        self.ctx.events.data_changed.emit()

    def revert(self) -> None:
        self.set_dirty(False)
        self.message.clear()
        self.load()

    def load(self) -> None:
        """Reload from the services unless the user has unsaved edits here (subclasses fetch)."""
        if not self.dirty:
            self.fetch()


# ---------------------------------------------------------------------------------------- tier policies


class AssignPolicyDialog(QDialog):
    """Tick the stores that should follow a policy; stores already on it stay ticked."""

    def __init__(self, policy_name: str, policy_id: int, stores: list[PolicyStore], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Assign “%1”").replace("%1", policy_name))
        self.stores = stores
        self.table = QTableWidget(len(stores), 6)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Store"),
                self.tr("Name"),
                self.tr("Region"),
                self.tr("Current policy"),
                self.tr("Revenue per day"),
                self.tr("Staff per shift under “%1”").replace("%1", policy_name),
            ]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for row, store in enumerate(stores):
            code = QTableWidgetItem(store.code)
            on_it = store.policy_id == policy_id
            code.setFlags(
                Qt.ItemFlag.ItemIsUserCheckable
                | (Qt.ItemFlag.NoItemFlags if on_it else Qt.ItemFlag.ItemIsEnabled)
            )
            code.setCheckState(Qt.CheckState.Checked if on_it else Qt.CheckState.Unchecked)
            code.setData(Qt.ItemDataRole.UserRole, store.id)
            staff = (
                self.tr("no rule (gap)")
                if store.staff_under_policy is None
                else self.tr("%n staff", "", store.staff_under_policy)
            )
            cells = [
                code,
                QTableWidgetItem(store.name),
                QTableWidgetItem(store.region),
                QTableWidgetItem(store.policy_name or self.tr("none")),
                QTableWidgetItem(format_amount(store.avg_daily_revenue)),
                QTableWidgetItem(staff),
            ]
            cells[4].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if store.staff_under_policy is None:
                cells[5].setForeground(QBrush(QColor("#b3261e")))
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.assign_button = self.buttons.addButton(self.tr("Assign"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.assign_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.itemChanged.connect(lambda _item: self.assign_button.setEnabled(bool(self.chosen_ids())))
        layout = QVBoxLayout(self)
        layout.addWidget(
            _hint(
                self.tr(
                    "Tick the stores that should follow this policy. A store follows one policy at a "
                    "time: to move a store away, assign it another policy."
                )
            )
        )
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        self.resize(860, 480)

    def chosen_ids(self) -> list[int]:
        """Stores newly ticked (those already on the policy are not counted)."""
        chosen = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled and item.checkState() == Qt.CheckState.Checked:
                chosen.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return chosen


class TierPoliciesPage(_Page):
    """The list of tier policies and the band editor of the one selected."""

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.summaries: list[PolicySummary] = []
        self.current_id: int | None = None
        self.check: PolicyCheck | None = None
        self.confirm_box: QMessageBox | None = None
        self.assign_dialog: AssignPolicyDialog | None = None
        self._generation = 0
        self._filling = False

        self.policy_list = QTreeWidget()
        self.policy_list.setHeaderLabels([self.tr("Policy"), self.tr("Stores"), self.tr("Check")])
        self.policy_list.setRootIsDecorated(False)
        self.policy_list.setUniformRowHeights(True)
        self.policy_list.setAlternatingRowColors(True)
        header = self.policy_list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.policy_list.currentItemChanged.connect(self._selection_changed)
        self.new_button = QPushButton(self.tr("New policy"))
        self.duplicate_button = QPushButton(self.tr("Duplicate"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.new_button.clicked.connect(lambda: self._guard(self.new_policy))
        self.duplicate_button.clicked.connect(self.duplicate_policy)
        self.delete_button.clicked.connect(self.delete_policy)
        list_buttons = QHBoxLayout()
        for button in (self.new_button, self.duplicate_button, self.delete_button):
            list_buttons.addWidget(button)
        list_buttons.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.policy_list)
        left_layout.addLayout(list_buttons)

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.heading.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(200)
        self.description_edit = QLineEdit()
        self.description_edit.setPlaceholderText(self.tr("What the policy is for, who decided it"))
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Description"), self.description_edit)
        self.editor = TierEditor()
        self.issues = MessageStrip()
        self.gap_title = QLabel()
        self.gap_title.setStyleSheet("font-weight: 600;")
        self.gap_title.setWordWrap(True)
        self.gap_stores = QListWidget()
        self.gap_stores.setMaximumHeight(120)
        self.gap_stores.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.assign_button = QPushButton(self.tr("Assign to stores…"))
        self.assign_button.clicked.connect(self.assign_policy)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.heading)
        right_layout.addLayout(form)
        right_layout.addWidget(self.editor)
        right_layout.addWidget(self.issues)
        right_layout.addWidget(self.gap_title)
        right_layout.addWidget(self.gap_stores)
        right_layout.addStretch(1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(_scrolled(right))
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([400, 880])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(self.footer(self.assign_button))

        self.name_edit.textEdited.connect(lambda _t: self.set_dirty(True))
        self.description_edit.textEdited.connect(lambda _t: self.set_dirty(True))
        self.editor.bands_changed.connect(self._bands_edited)
        self._show_gap_stores(None)

    # -- loading ----------------------------------------------------------------------------------
    def fetch(self, select_id: int | None = None) -> None:
        wanted = select_id if select_id is not None else self.current_id
        self.call(
            lambda: self.ctx.services.tier_policy_summaries(self.ctx.actor),
            lambda summaries: self._loaded(summaries, wanted),
            self.load_failed,
        )

    def _loaded(self, summaries: list[PolicySummary], select_id: int | None) -> None:
        self.summaries = summaries
        self._filling = True
        self.policy_list.clear()
        for summary in summaries:
            item = QTreeWidgetItem([summary.name, str(summary.store_count), ""])
            item.setData(0, Qt.ItemDataRole.UserRole, summary.id)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            kinds = {i.kind for i in summary.issues}
            if "gap" in kinds or "invalid" in kinds:
                item.setText(2, self.tr("⚠ Gap") if "gap" in kinds else self.tr("⚠ Invalid"))
                item.setForeground(2, QBrush(QColor("#b3261e")))
            elif "overlap" in kinds:
                item.setText(2, self.tr("Overlap"))
                item.setForeground(2, QBrush(QColor("#8a5a00")))
            else:
                item.setText(2, self.tr("✓ Complete"))
                item.setForeground(2, QBrush(QColor("#1e7d34")))
            tip = "\n".join(issue_text(i) for i in summary.issues) or self.tr(
                "Every daily revenue has a rule."
            )
            item.setToolTip(2, tip)
            item.setToolTip(0, summary.description or summary.name)
            self.policy_list.addTopLevelItem(item)
        items = [self.policy_list.topLevelItem(i) for i in range(self.policy_list.topLevelItemCount())]
        target = next(
            (item for item in items if item.data(0, Qt.ItemDataRole.UserRole) == select_id),
            items[0] if items else None,
        )
        self.policy_list.setCurrentItem(target)
        self._filling = False
        if self.current_id is None and select_id is None and target is None:
            self.new_policy()
        elif target is not None:
            policy_id = target.data(0, Qt.ItemDataRole.UserRole)
            self._show_summary(self._summary(policy_id), keep_message=policy_id == self.current_id)

    def _summary(self, policy_id: int) -> PolicySummary:
        return next(s for s in self.summaries if s.id == policy_id)

    # -- selection and editing --------------------------------------------------------------------
    def _guard(self, then: Callable[[], None]) -> None:
        """Run ``then`` now, or after the user agreed to discard unsaved edits."""
        if not self.dirty:
            then()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Unsaved changes"),
            self.tr("Discard your changes to “%1”?").replace("%1", self.name_edit.text().strip()),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        discard = box.addButton(self.tr("Discard changes"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clicked(button) -> None:
            if button is discard:
                self.set_dirty(False)
                then()

        box.buttonClicked.connect(clicked)
        self._open_box(box)

    def _open_box(self, box: QMessageBox) -> None:
        """Show a question without blocking; ``confirm_box`` is the open one (None once closed)."""
        self.confirm_box = box
        box.finished.connect(lambda _result: setattr(self, "confirm_box", None))
        box.open()

    def _selection_changed(self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None) -> None:
        if self._filling or current is None:
            return
        policy_id = current.data(0, Qt.ItemDataRole.UserRole)
        if policy_id == self.current_id and not self.dirty:
            return
        if self.dirty:
            self._filling = True
            self.policy_list.setCurrentItem(previous)
            self._filling = False

            def switch() -> None:
                self._filling = True
                self.policy_list.setCurrentItem(current)
                self._filling = False
                self._show_summary(self._summary(policy_id))

            self._guard(switch)
            return
        self._show_summary(self._summary(policy_id))

    def _show_summary(self, summary: PolicySummary, keep_message: bool = False) -> None:
        self._edit(
            summary.id,
            summary.name,
            summary.description,
            summary.policy.bands,
            dirty=False,
            keep_message=keep_message,
        )

    def _edit(
        self,
        policy_id: int | None,
        name: str,
        description: str,
        bands,
        dirty: bool,
        keep_message: bool = False,
    ) -> None:
        """Show a policy in the editor (a reload of the one shown keeps the message about it)."""
        self.current_id = policy_id
        self.name_edit.setText(name)
        self.description_edit.setText(description)
        set_issue(self.name_edit, "")
        self.editor.set_bands(bands)
        if not keep_message:
            self.message.clear()
        self.set_dirty(dirty)
        self._update_heading()
        self.assign_button.setEnabled(policy_id is not None)
        self.delete_button.setEnabled(policy_id is not None)
        self.duplicate_button.setEnabled(True)
        self.check = None
        self._show_gap_stores(None)
        self._validate()

    def _update_heading(self) -> None:
        if self.current_id is None:
            self.heading.setText(self.tr("New policy (not saved yet)"))
        else:
            count = next((s.store_count for s in self.summaries if s.id == self.current_id), 0)
            self.heading.setText(self.tr("Used by %n store(s)", "", count))

    def _unique_name(self, base: str) -> str:
        taken = {s.name for s in self.summaries}
        name, number = base, 2
        while name in taken:
            name = f"{base} {number}"
            number += 1
        return name

    def new_policy(self) -> None:
        self.policy_list.clearSelection()
        self._filling = True
        self.policy_list.setCurrentItem(None)
        self._filling = False
        self._edit(None, self._unique_name(self.tr("New policy")), "", [TierBand(None, None, 1)], dirty=True)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def duplicate_policy(self) -> None:
        name = self._unique_name(self.tr("%1 (copy)").replace("%1", self.name_edit.text().strip()))
        bands = self.editor.bands()
        description = self.description_edit.text()
        self._filling = True
        self.policy_list.setCurrentItem(None)
        self._filling = False
        self._edit(None, name, description, bands, dirty=True)
        self.message.show_message("info", self.tr("This is a copy; it is saved as a new policy."))

    def _bands_edited(self) -> None:
        self.set_dirty(True)
        self._validate()

    def _validate(self) -> None:
        """Check the bands through the services; an answer to an older edit is ignored."""
        self._generation += 1
        generation = self._generation
        bands = self.editor.parsed().bands
        policy_id = self.current_id
        self.call(
            lambda: self.ctx.services.check_tier_policy(self.ctx.actor, policy_id, bands),
            lambda check: self._checked(generation, check),
            self.load_failed,
            busy=False,
        )

    def _checked(self, generation: int, check: PolicyCheck) -> None:
        if generation != self._generation:
            return
        self.check = check
        self.editor.show_issues(check.issues)
        problems = [i for i in check.issues if i.kind != "overlap"]
        overlaps = [i for i in check.issues if i.kind == "overlap"]
        bands = self.editor.parsed()
        lines = [issue_text(i, self._band_number(i)) for i in problems + overlaps]
        if bands.errors:
            lines.insert(0, self.tr("Some bounds are not amounts; those bands are left out of the check."))
        if not bands.bands:
            self.issues.show_message("error", self.tr("Add at least one revenue band."))
        elif problems or bands.errors:
            self.issues.show_message("error", "\n".join(lines))
        elif overlaps:
            self.issues.show_message("warning", "\n".join(lines))
        else:
            self.issues.show_message(
                "success", self.tr("✓ Every daily revenue from 0 up is covered by exactly one band.")
            )
        self._show_gap_stores(check)

    def _band_number(self, issue) -> int | None:
        parsed = self.editor.parsed()
        for row, band in zip(parsed.rows, parsed.bands, strict=True):
            if band.low == issue.low and band.high == issue.high:
                return row + 1
        return None

    def _show_gap_stores(self, check: PolicyCheck | None) -> None:
        self.gap_stores.clear()
        if check is None or not check.gaps or self.current_id is None:
            self.gap_title.setVisible(False)
            self.gap_stores.setVisible(False)
            return
        self.gap_title.setVisible(True)
        if not check.stores_in_gaps:
            self.gap_title.setText(
                self.tr(
                    "None of the %n store(s) using this policy falls into a gap right now.",
                    "",
                    check.stores_checked,
                )
            )
            self.gap_stores.setVisible(False)
            return
        self.gap_title.setText(
            self.tr(
                "%n store(s) fall into a gap now and get no staffing rule:", "", len(check.stores_in_gaps)
            )
        )
        for store in check.stores_in_gaps:
            text = self.tr("%1 %2 · %3 per day (gap %4–%5)")
            text = (
                text.replace("%1", store.code)
                .replace("%2", store.name)
                .replace("%3", format_amount(store.avg_daily_revenue))
                .replace("%4", format_amount(store.gap.low))
                .replace("%5", format_amount(store.gap.high))
            )
            item = QListWidgetItem(text)
            item.setForeground(QBrush(QColor("#b3261e")))
            self.gap_stores.addItem(item)
        self.gap_stores.setVisible(True)

    # -- saving -----------------------------------------------------------------------------------
    def save(self, accept_issues: bool = False) -> None:
        parsed = self.editor.parsed()
        name = self.name_edit.text().strip()
        set_issue(self.name_edit, "" if name else "error")
        if not name:
            self.message.show_message("error", self.tr("Give the policy a name."))
            return
        if parsed.errors:
            self.message.show_message(
                "error", self.tr("Fix the marked bands first: some bounds are not amounts.")
            )
            return
        if not parsed.bands:
            self.message.show_message("error", self.tr("Add at least one revenue band."))
            return
        draft = PolicyDraft(self.current_id, name, self.description_edit.text(), parsed.bands)
        self.save_button.setEnabled(False)
        self.call(
            lambda: self.ctx.services.save_tier_policy(self.ctx.actor, draft, accept_issues),
            self._saved,
            lambda exc: self._save_failed(exc, draft),
        )

    def _save_failed(self, exc: StoremonError, draft: PolicyDraft) -> None:
        if isinstance(exc, UnconfirmedPolicyIssues):
            self.save_button.setEnabled(True)
            self._confirm_issues(exc, draft)
            return
        self.failed(exc)

    def _confirm_issues(self, exc: UnconfirmedPolicyIssues, draft: PolicyDraft) -> None:
        """Gaps are kept only knowingly: name them and the stores they leave without a rule."""
        gaps = [i for i in exc.issues if i.kind == "gap"]
        lines = "\n".join("• " + issue_text(i) for i in exc.issues)
        text = self.tr("“%1” leaves daily revenue without a clear staffing rule:").replace("%1", draft.name)
        details = ""
        if gaps and self.check is not None and self.check.stores_in_gaps:
            codes = ", ".join(s.code for s in self.check.stores_in_gaps)
            details = self.tr("Stores in the gap now: %1.").replace("%1", codes) + "\n"
        if gaps:
            details += self.tr(
                "Stores whose revenue falls into the gap get no staffing rule, and Storemon keeps "
                "reporting them until the gap is closed."
            )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Save a policy with a gap?") if gaps else self.tr("Save a policy with an overlap?"),
            f"{text}\n\n{lines}\n\n{details}".strip(),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        keep = box.addButton(
            self.tr("Save with the gap") if gaps else self.tr("Save anyway"),
            QMessageBox.ButtonRole.AcceptRole,
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clicked(button) -> None:
            if button is keep:
                self.save(accept_issues=True)
            else:
                self.message.show_message(
                    "info", self.tr("Not saved. Close the gap, or save again to keep it.")
                )

        box.buttonClicked.connect(clicked)
        self._open_box(box)

    def _saved(self, summary: PolicySummary) -> None:
        self.current_id = summary.id
        self.done_saving(self.tr("Saved “%1”.").replace("%1", summary.name))
        self.fetch(summary.id)

    def delete_policy(self) -> None:
        if self.current_id is None:
            return
        policy_id, name = self.current_id, self.name_edit.text().strip()
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Delete policy"),
            self.tr("Delete “%1”? This cannot be undone.").replace("%1", name),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        delete = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clicked(button) -> None:
            if button is delete:
                self.call(
                    lambda: self.ctx.services.delete_tier_policy(self.ctx.actor, policy_id),
                    lambda _none: self._deleted(name),
                )

        box.buttonClicked.connect(clicked)
        self._open_box(box)

    def _deleted(self, name: str) -> None:
        self.current_id = None
        self.done_saving(self.tr("Deleted “%1”.").replace("%1", name))
        self.fetch()

    # -- assignment -------------------------------------------------------------------------------
    def assign_policy(self) -> None:
        if self.current_id is None:
            return
        if self.dirty:
            self.message.show_message("info", self.tr("Save the policy before assigning it to stores."))
            return
        policy_id, name = self.current_id, self.name_edit.text().strip()
        self.call(
            lambda: self.ctx.services.policy_stores(self.ctx.actor, policy_id),
            lambda stores: self._open_assign(policy_id, name, stores),
            self.load_failed,
        )

    def _open_assign(self, policy_id: int, name: str, stores: list[PolicyStore]) -> None:
        dialog = AssignPolicyDialog(name, policy_id, stores, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            chosen = dialog.chosen_ids()
            self.call(
                lambda: self.ctx.services.assign_tier_policy(self.ctx.actor, policy_id, chosen),
                lambda changed: self._assigned(name, changed),
            )

        dialog.accepted.connect(accepted)
        self.assign_dialog = dialog
        dialog.open()

    def _assigned(self, name: str, changed: int) -> None:
        self.done_saving(self.tr("“%1” now applies to %n more store(s).", "", changed).replace("%1", name))
        self.fetch(self.current_id)


# ---------------------------------------------------------------------------------------- escalation


class EscalationPage(_Page):
    """The escalation policy stored under ``alerts.escalation_policy``."""

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.editor = EscalationEditor()
        self.editor.changed.connect(lambda: self.set_dirty(True))
        self.editor.validity_changed.connect(lambda _valid: self.set_dirty(self.dirty))
        self.reset_button = QPushButton(self.tr("Reset to default"))
        self.reset_button.setToolTip(
            self.tr(
                "Staff → shift lead / store manager → operations supervisor → service director → executive"
            )
        )
        self.reset_button.clicked.connect(self.reset_to_default)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.editor)
        body_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_scrolled(body), 1)
        layout.addWidget(self.message)
        layout.addLayout(self.footer(self.reset_button))

    def can_save(self) -> bool:
        return self.editor.valid

    def fetch(self) -> None:
        self.call(
            lambda: self.ctx.services.load_escalation_policy(self.ctx.actor), self._loaded, self.load_failed
        )

    def _loaded(self, policy: EscalationPolicy) -> None:
        self.editor.set_policy(policy)
        self.set_dirty(False)

    def reset_to_default(self) -> None:
        self.editor.set_policy(DEFAULT_POLICY)
        self.set_dirty(True)
        self.message.show_message(
            "info", self.tr("The default five levels are in the editor; save to use them.")
        )

    def save(self) -> None:
        policy = self.editor.policy()
        if policy is None:
            self.message.show_message("error", self.tr("Fix the problems marked above first."))
            return
        self.save_button.setEnabled(False)
        self.call(lambda: self.ctx.services.save_escalation_policy(self.ctx.actor, policy), self._saved)

    def _saved(self, policy: EscalationPolicy) -> None:
        self.editor.set_policy(policy)
        self.done_saving(
            self.tr("Escalation policy saved. Alerts already open keep the policy they started with.")
        )


# ---------------------------------------------------------------------------------------- surge calendar


class SurgePage(_Page):
    """The surge calendar stored under ``staffing.surge``."""

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.editor = SurgeEditor(view.today())
        self.editor.changed.connect(lambda: self.set_dirty(True))
        self.editor.validity_changed.connect(lambda _valid: self.set_dirty(self.dirty))
        self.add_button = QPushButton(self.tr("Add period"))
        self.add_button.clicked.connect(self.editor.add_period)
        self.default_button = QPushButton(self.tr("Restore the default calendar"))
        self.default_button.setToolTip(
            self.tr("Only the 3·15 consumer-rights season (20 Feb – 15 Mar, every year)")
        )
        self.default_button.clicked.connect(self.restore_default)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.editor)
        body_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_scrolled(body), 1)
        layout.addWidget(self.message)
        layout.addLayout(self.footer(self.add_button, self.default_button))

    def can_save(self) -> bool:
        return self.editor.valid

    def fetch(self) -> None:
        actor = self.ctx.actor

        def work():
            calendar = self.ctx.services.load_surge_calendar(actor)
            codes = [s.code for s in self.ctx.services.stores(actor)] if actor.sees_chain else []
            return calendar, codes

        self.call(work, self._loaded, self.load_failed)

    def _loaded(self, result: tuple[SurgeCalendar, list[str]]) -> None:
        calendar, codes = result
        self.editor.set_store_codes(codes)
        self.editor.set_calendar(calendar)
        self.set_dirty(False)

    def restore_default(self) -> None:
        self.editor.set_calendar(SurgeCalendar.default())
        self.set_dirty(True)
        self.message.show_message("info", self.tr("The default calendar is in the editor; save to use it."))

    def save(self) -> None:
        calendar = self.editor.calendar()
        if calendar is None:
            self.message.show_message("error", self.tr("Fix the problems marked above first."))
            return
        self.save_button.setEnabled(False)
        self.call(lambda: self.ctx.services.save_surge_calendar(self.ctx.actor, calendar), self._saved)

    def _saved(self, calendar: SurgeCalendar) -> None:
        self.editor.set_calendar(calendar)
        self.done_saving(self.tr("Surge calendar saved."))


# ---------------------------------------------------------------------------------------- thresholds


class _Field:
    """One threshold: its spin box, its error label, and how the UI value maps to the setting."""

    def __init__(self, key: str, spin: QDoubleSpinBox, scale: float, problem: str) -> None:
        self.key, self.spin, self.scale, self.problem = key, spin, scale, problem
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setVisible(False)

    @property
    def value(self) -> float:
        return round(self.spin.value() / self.scale, 6)

    def show(self, value: float) -> None:
        self.spin.setValue(value * self.scale)

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        set_issue(self.spin, "error" if text else "")


class ThresholdsPage(_Page):
    """Staffing targets (``staffing.targets``) and the pressure levels (``staffing.pressure``)."""

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.setStyleSheet(ISSUE_STYLE)
        self.fields: dict[str, _Field] = {}
        targets_box = QGroupBox(self.tr("Staffing targets"))
        targets_grid = QGridLayout(targets_box)
        self._add(
            targets_grid,
            "service_minutes",
            self.tr("Service time per order"),
            self._spin(0, 60, 2, 0.25, self.tr("min")),
            1,
            self.tr("Mean minutes of work per order at the counter (handcrafted drinks: 1.5–4)."),
            self.tr("Between 0.25 and 30 minutes per order."),
        )
        self._add(
            targets_grid,
            "solo_service_share",
            self.tr("Solo serving share"),
            self._spin(0, 150, 0, 5, "%"),
            100,
            self.tr(
                "Share of a solo worker's time left for the queue; they also run the till, clean and restock."
            ),
            self.tr("More than 0 % and at most 100 %."),
        )
        self._add(
            targets_grid,
            "target_wait_minutes",
            self.tr("Target queue wait"),
            self._spin(0, 60, 1, 0.5, self.tr("min")),
            1,
            self.tr("Waits above a few minutes are where conflicts start."),
            self.tr("Zero or more minutes."),
        )
        self._add(
            targets_grid,
            "target_service_level",
            self.tr("Orders served within the target"),
            self._spin(0, 100, 0, 5, "%"),
            100,
            self.tr("Share of orders that should wait no longer than the target."),
            self.tr("More than 0 % and less than 100 %."),
        )
        self._add(
            targets_grid,
            "max_occupancy",
            self.tr("Highest occupancy"),
            self._spin(0, 150, 0, 5, "%"),
            100,
            self.tr("Busiest share of time staff should be serving; above it nobody gets a breather."),
            self.tr("More than 0 % and at most 100 %."),
        )
        pressure_box = QGroupBox(self.tr("Pressure levels (index 0–100)"))
        pressure_grid = QGridLayout(pressure_box)
        self._add(
            pressure_grid,
            "amber_at",
            self.tr("Amber from"),
            self._spin(0, 120, 0, 5, ""),
            1,
            self.tr("A shift at or above this index is shown amber: watch it."),
            self.tr("Above 0 and not above the red level."),
        )
        self._add(
            pressure_grid,
            "red_at",
            self.tr("Red from"),
            self._spin(0, 120, 0, 5, ""),
            1,
            self.tr("At or above this the shift is too hard: send cover or change the roster."),
            self.tr("At least the amber level and at most 100."),
        )
        self.defaults_button = QPushButton(self.tr("Restore defaults"))
        self.defaults_button.clicked.connect(self.restore_defaults)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(targets_box)
        body_layout.addWidget(pressure_box)
        body_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_scrolled(body), 1)
        layout.addWidget(self.message)
        layout.addLayout(self.footer(self.defaults_button))
        self._loading = False

    @staticmethod
    def _spin(low: float, high: float, decimals: int, step: float, unit: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(decimals)
        spin.setSingleStep(step)
        if unit:
            spin.setSuffix(("" if unit == "%" else " ") + unit)
        spin.setMinimumWidth(110)
        return spin

    def _add(
        self,
        grid: QGridLayout,
        key: str,
        label: str,
        spin: QDoubleSpinBox,
        scale: float,
        hint: str,
        problem: str,
    ) -> None:
        row = grid.rowCount()
        field = _Field(key, spin, scale, problem)
        self.fields[key] = field
        grid.addWidget(QLabel(label), row, 0)
        grid.addWidget(spin, row, 1)
        grid.addWidget(_hint(hint), row, 2)
        grid.addWidget(field.error, row + 1, 1, 1, 2)
        grid.setColumnStretch(2, 1)
        spin.valueChanged.connect(self._edited)

    def can_save(self) -> bool:
        return self.validate() is not None

    def _edited(self) -> None:
        if not self._loading:
            self.set_dirty(True)

    def validate(self) -> tuple[StaffingTargets, float, float] | None:
        """Check every field with the dataclasses; an error shows next to the field it concerns."""
        values = {key: field.value for key, field in self.fields.items()}
        target_keys = [f.name for f in dataclasses.fields(StaffingTargets)]
        for field in self.fields.values():
            field.set_error("")
        ok = True
        for key in target_keys:
            try:
                StaffingTargets(**{key: values[key]})
            except ValueError:
                ok = False
                self.fields[key].set_error(self.fields[key].problem)
        # Each level alone against the widest partner, so an error shows beside the value at fault.
        trials = {
            "amber_at": {"amber_at": values["amber_at"], "red_at": 100.0},
            "red_at": {
                "amber_at": min(values["amber_at"], values["red_at"]) or 1e-9,
                "red_at": values["red_at"],
            },
        }
        for key, trial in trials.items():
            try:
                PressureConfig(**trial)
            except ValueError:
                ok = False
                self.fields[key].set_error(self.fields[key].problem)
        if not ok:
            return None
        try:
            targets = StaffingTargets(**{key: values[key] for key in target_keys})
        except ValueError as exc:
            self.fields[target_keys[0]].set_error(str(exc))
            return None
        try:
            PressureConfig(amber_at=values["amber_at"], red_at=values["red_at"])
        except ValueError:
            for key in ("amber_at", "red_at"):  # each is fine alone: the pair is wrong
                self.fields[key].set_error(self.fields[key].problem)
            return None
        return targets, values["amber_at"], values["red_at"]

    def fetch(self) -> None:
        self.call(lambda: self.ctx.services.load_thresholds(self.ctx.actor), self._loaded, self.load_failed)

    def _show(self, thresholds: Thresholds) -> None:
        self._loading = True
        for key, field in self.fields.items():
            value = getattr(thresholds.targets, key, None)
            field.show(value if value is not None else getattr(thresholds, key))
        self._loading = False
        self.validate()

    def _loaded(self, thresholds: Thresholds) -> None:
        self._show(thresholds)
        self.set_dirty(False)

    def restore_defaults(self) -> None:
        self._show(self.ctx.services.default_thresholds(self.ctx.actor))
        self.set_dirty(True)

    def save(self) -> None:
        checked = self.validate()
        if checked is None:
            self.message.show_message("error", self.tr("Fix the values marked in red first."))
            return
        targets, amber, red = checked
        self.save_button.setEnabled(False)
        self.call(lambda: self.ctx.services.save_thresholds(self.ctx.actor, targets, amber, red), self._saved)

    def _saved(self, thresholds: Thresholds) -> None:
        self._show(thresholds)
        self.done_saving(self.tr("Thresholds saved; staffing and pressure figures use them from now on."))


# ---------------------------------------------------------------------------------------- authority and playbooks


class ResponseRow:
    """One pre-approved response: its text, the most money it offers, and who may grant that alone."""

    def __init__(self, response: PlaybookResponse) -> None:
        self.text = QLineEdit(response.text)
        self.text.setMinimumWidth(260)
        self.text.setCursorPosition(0)
        self.text.setToolTip(response.text)
        self.amount = QLineEdit("" if response.compensation is None else f"{response.compensation:.2f}")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.setPlaceholderText(QCoreApplication.translate("PoliciesView", "no money"))
        self.amount.setMinimumWidth(90)
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.grid_row: GridRow | None = None

    @property
    def widgets(self) -> list[QWidget]:
        return [self.text, self.amount, self.who]

    def compensation(self) -> Decimal | None:
        """The amount typed; raises ValueError for anything that is not a non-negative amount."""
        raw = self.amount.text().strip().replace(",", "")
        if not raw:
            return None
        value = Decimal(raw)
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
            raise ValueError(raw)
        return value.quantize(Decimal("0.01"))


class IncidentRulesPage(_Page):
    """Authority limits per role (``incidents.authority_limits``) and playbooks (``incidents.playbooks``)."""

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.setStyleSheet(ISSUE_STYLE)
        self.books: list[Playbook] = []
        self.current_index = -1
        self.response_rows: list[ResponseRow] = []
        self._loading = False
        self.save_button.setText(self.tr("Save limits and playbooks"))

        limits_box = QGroupBox(self.tr("Authority limits (CNY)"))
        self.limit_edits: dict[str, QLineEdit] = {}
        limits_grid = QGridLayout()
        limits_grid.setHorizontalSpacing(12)
        for column, role in enumerate(AUTHORITY_ROLES):
            label = QLabel(role_name(role))
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
            edit = QLineEdit()
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMinimumWidth(90)
            edit.textEdited.connect(self._edited)
            self.limit_edits[role] = edit
            limits_grid.addWidget(label, 0, column)
            limits_grid.addWidget(edit, 1, column)
            limits_grid.setColumnStretch(column, 1)
        self.limits_message = MessageStrip()
        limits_layout = QVBoxLayout(limits_box)
        limits_layout.addWidget(
            _hint(
                self.tr(
                    "The most compensation or waiver someone in this role may grant on their own, with no "
                    "personal liability. More authority at the counter settles more complaints at once."
                )
            )
        )
        limits_layout.addLayout(limits_grid)
        limits_layout.addWidget(self.limits_message)

        books_box = QGroupBox(self.tr("Playbooks"))
        self.type_list = QListWidget()
        self.type_list.setMaximumWidth(240)
        self.type_list.setWordWrap(True)
        self.type_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.type_list.currentRowChanged.connect(self._type_selected)
        self.add_type_button = QPushButton(self.tr("Add incident type"))
        self.add_type_button.clicked.connect(self.add_incident_type)
        self.remove_type_button = QPushButton(self.tr("Remove type"))
        self.remove_type_button.clicked.connect(self.remove_incident_type)
        type_buttons = QHBoxLayout()
        type_buttons.addWidget(self.add_type_button)
        type_buttons.addWidget(self.remove_type_button)
        types = QVBoxLayout()
        types.addWidget(self.type_list, 1)
        types.addLayout(type_buttons)

        self.label_edit = QLineEdit()
        self.label_edit.textEdited.connect(self._edited)
        self.key_label = QLabel()
        self.key_label.setStyleSheet("color: palette(mid);")
        label_row = QHBoxLayout()
        label_row.addWidget(QLabel(self.tr("Incident type")))
        label_row.addWidget(self.label_edit, 1)
        label_row.addWidget(self.key_label)
        self.responses = RowGrid(
            [self.tr("Pre-approved response"), self.tr("Up to (CNY)"), self.tr("May grant it alone")],
            [7, 1, 3],
            remove_tip=self.tr("Remove this response"),
        )
        self.responses.row_removed.connect(self._response_removed)
        self.add_response_button = QPushButton(self.tr("Add response"))
        self.add_response_button.clicked.connect(lambda: self._add_response(PlaybookResponse(""), focus=True))
        self.book_message = MessageStrip()
        editor = QVBoxLayout()
        editor.addLayout(label_row)
        editor.addWidget(
            _hint(
                self.tr(
                    "At least %1 responses the person at the counter may use without asking anyone."
                ).replace("%1", str(MIN_RESPONSES))
            )
        )
        editor.addWidget(self.responses)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_response_button)
        add_row.addStretch(1)
        editor.addLayout(add_row)
        editor.addWidget(self.book_message)
        editor.addStretch(1)
        books_layout = QHBoxLayout(books_box)
        books_layout.addLayout(types)
        books_layout.addLayout(editor, 1)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(limits_box)
        body_layout.addWidget(books_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(_scrolled(body), 1)
        layout.addWidget(self.message)
        layout.addLayout(self.footer())

    # -- loading ----------------------------------------------------------------------------------
    def fetch(self) -> None:
        language = resolve_language(self.ctx.settings.value("ui/language", "system"))
        actor = self.ctx.actor

        def work():
            return self.ctx.services.authority_limits(actor), self.ctx.services.playbooks(actor, language)

        self.call(work, self._loaded, self.load_failed)

    def _loaded(self, result: tuple[AuthorityLimits, tuple[Playbook, ...]]) -> None:
        limits, books = result
        self._loading = True
        for role, edit in self.limit_edits.items():
            edit.setText(f"{limits.limits[role]:.2f}")
        self.books = list(books)
        self.current_index = -1
        self._fill_types(0)
        self._loading = False
        self.set_dirty(False)
        self._check_limits()

    def _fill_types(self, select: int) -> None:
        self.type_list.blockSignals(True)
        self.type_list.clear()
        for book in self.books:
            self.type_list.addItem(self._type_text(book))
        self.type_list.blockSignals(False)
        self.current_index = -1
        self.type_list.setCurrentRow(min(select, len(self.books) - 1))

    def _type_text(self, book: Playbook) -> str:
        count = len(book.responses)
        text = f"{book.label}  ({count})"
        return ("⚠ " + text) if count < MIN_RESPONSES else text

    # -- editing ----------------------------------------------------------------------------------
    def _edited(self, *_args) -> None:
        if self._loading:
            return
        self.set_dirty(True)
        self._check_limits()
        self._check_book()

    def _type_selected(self, index: int) -> None:
        self._store_current()
        self.current_index = index
        self._loading = True
        self.responses.clear()
        self.response_rows.clear()
        if 0 <= index < len(self.books):
            book = self.books[index]
            self.label_edit.setText(book.label)
            self.key_label.setText(book.incident_type)
            for response in book.responses:
                self._add_response(response)
            self.remove_type_button.setEnabled(not book.builtin)
            self.remove_type_button.setToolTip(
                self.tr("Built-in incident types cannot be removed") if book.builtin else ""
            )
        self._loading = False
        self._check_book()

    def _add_response(self, response: PlaybookResponse, focus: bool = False) -> ResponseRow:
        row = ResponseRow(response)
        row.grid_row = self.responses.add_row(row.widgets)
        self.response_rows.append(row)
        row.text.textEdited.connect(self._edited)
        row.amount.textEdited.connect(self._edited)
        if focus:
            row.text.setFocus()
            self._edited()
        self._update_who(row)
        return row

    def _response_removed(self, index: int) -> None:
        del self.response_rows[index]
        self._edited()

    def _store_current(self) -> None:
        """Keep the edits of the playbook shown before showing another one."""
        if not 0 <= self.current_index < len(self.books):
            return
        book = self.books[self.current_index]
        responses = []
        for row in self.response_rows:
            try:
                amount = row.compensation()
            except (ValueError, ArithmeticError):
                amount = None
            responses.append(PlaybookResponse(row.text.text(), amount))
        self.books[self.current_index] = Playbook(
            book.incident_type, self.label_edit.text(), tuple(responses)
        )
        item = self.type_list.item(self.current_index)
        if item is not None:
            item.setText(self._type_text(self.books[self.current_index]))

    def _limits(self) -> dict[str, Decimal] | None:
        values = {}
        for role, edit in self.limit_edits.items():
            try:
                value = Decimal(edit.text().strip().replace(",", ""))
                if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
                    raise ValueError(edit.text())
            except (ValueError, ArithmeticError):
                return None
            values[role] = value
        return values

    def _check_limits(self) -> bool:
        problems = []
        previous = None
        for role, edit in self.limit_edits.items():
            text = edit.text().strip().replace(",", "")
            try:
                value = Decimal(text)
                bad = not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01"))
            except (ValueError, ArithmeticError):
                value, bad = None, True
            if bad:
                problems.append(
                    self.tr("%1: “%2” is not an amount (zero or more, at most two decimals).")
                    .replace("%1", role_name(role))
                    .replace("%2", edit.text())
                )
            elif previous is not None and previous[1] is not None and value < previous[1]:
                problems.append(
                    self.tr("%1 may grant less than %2: authority must not shrink up the chain.")
                    .replace("%1", role_name(role))
                    .replace("%2", role_name(previous[0]))
                )
                bad = True
            set_issue(edit, "error" if bad else "")
            previous = (role, None if bad and value is None else value)
        if problems:
            self.limits_message.show_message("error", "\n".join(problems))
        else:
            self.limits_message.clear()
        for row in self.response_rows:
            self._update_who(row)
        return not problems

    def _update_who(self, row: ResponseRow) -> None:
        limits = self._limits()
        try:
            amount = row.compensation()
        except (ValueError, ArithmeticError):
            set_issue(row.amount, "error")
            row.who.setText("")
            return
        set_issue(row.amount, "")
        if amount is None or amount == 0:
            row.who.setText(role_name("staff"))
            return
        if limits is None:
            row.who.setText("")
            return
        role = next((r for r in AUTHORITY_ROLES if limits[r] >= amount), None)
        row.who.setText(role_name(role) if role else self.tr("nobody"))
        row.who.setToolTip(
            "" if role else self.tr("Above every authority limit: raise a limit or lower the amount.")
        )
        row.who.setStyleSheet("" if role else "color: #b3261e;")

    def _check_book(self) -> bool:
        """Problems of the playbook shown: too few responses, empty text, amounts that do not parse."""
        rows = self.response_rows
        problems = []
        if not self.label_edit.text().strip():
            problems.append(self.tr("Give the incident type a name."))
        if len(rows) < MIN_RESPONSES:
            problems.append(
                self.tr("This playbook has %1 response(s); it needs at least %2.")
                .replace("%1", str(len(rows)))
                .replace("%2", str(MIN_RESPONSES))
            )
        if any(not row.text.text().strip() for row in rows):
            problems.append(self.tr("A response has no text: write it or remove it."))
        for row in rows:
            self._update_who(row)
            try:
                row.compensation()
            except (ValueError, ArithmeticError):
                problems.append(self.tr("“%1” is not an amount.").replace("%1", row.amount.text()))
        if problems:
            self.book_message.show_message("error", "\n".join(problems))
        else:
            self.book_message.clear()
        self._store_current()
        return not problems

    def add_incident_type(self) -> None:
        self._store_current()
        label = self.tr("New incident type")
        key = incident_type_key("custom", [b.incident_type for b in self.books])
        self.books.append(Playbook(key, label, ()))
        self.set_dirty(True)
        self._fill_types(len(self.books) - 1)
        for _ in range(MIN_RESPONSES):
            self._add_response(PlaybookResponse(""))
        self.label_edit.setFocus()
        self.label_edit.selectAll()
        self._check_book()

    def remove_incident_type(self) -> None:
        index = self.current_index
        if not 0 <= index < len(self.books) or self.books[index].builtin:
            return
        del self.books[index]
        self.current_index = -1
        self.set_dirty(True)
        self._fill_types(max(0, index - 1))

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> None:
        self._store_current()
        if not self._check_limits():
            self.message.show_message("error", self.tr("Fix the authority limits marked in red first."))
            return
        for index, book in enumerate(self.books):
            count = len([r for r in book.responses if r.text.strip()])
            if count < MIN_RESPONSES or len(book.responses) != count:
                self.type_list.setCurrentRow(index)
                self.message.show_message(
                    "error",
                    self.tr(
                        "Not saved: the playbook “%1” has %2 response(s); every playbook needs at least %3."
                    )
                    .replace("%1", book.label.strip() or book.incident_type)
                    .replace("%2", str(count))
                    .replace("%3", str(MIN_RESPONSES)),
                )
                return
        if not all(self._books_parse()):
            self.message.show_message("error", self.tr("Fix the amounts marked in red first."))
            return
        limits = AuthorityLimits(self._limits())
        books = [
            Playbook(b.incident_type, b.label.strip() or b.incident_type, b.responses) for b in self.books
        ]
        actor = self.ctx.actor

        self.save_button.setEnabled(False)
        self.call(lambda: self.ctx.services.save_incident_rules(actor, limits, books), self._saved)

    def _books_parse(self) -> list[bool]:
        result = []
        for row in self.response_rows:
            try:
                row.compensation()
                result.append(True)
            except (ValueError, ArithmeticError):
                result.append(False)
        return result

    def _saved(self, result: tuple[AuthorityLimits, tuple[Playbook, ...]]) -> None:
        index = self.current_index
        self._loaded(result)
        self.type_list.setCurrentRow(max(0, index))
        self.done_saving(self.tr("Authority limits and playbooks saved."))


# ---------------------------------------------------------------------------------------- the screen


class PoliciesView(BaseView):
    """The chain's rules: tier policies, escalation, surge calendar, thresholds, authority and playbooks."""

    view_key = "policies"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.busy = BusyBar()
        title = QLabel(self.title())
        title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.access_note = MessageStrip()
        if not ctx.actor.sees_chain:
            self.access_note.show_message(
                "info",
                self.tr(
                    "You can read the chain's policies here. Only head office (service director, "
                    "executive, administrator) can change them."
                ),
            )
        self.tabs = QTabWidget()
        self.tiers = TierPoliciesPage(self)
        self.escalation = EscalationPage(self)
        self.surge = SurgePage(self)
        self.thresholds = ThresholdsPage(self)
        self.incident_rules = IncidentRulesPage(self)
        self.tabs.addTab(self.tiers, self.tr("Tier policies"))
        self.tabs.addTab(self.escalation, self.tr("Escalation"))
        self.tabs.addTab(self.surge, self.tr("Surge calendar"))
        self.tabs.addTab(self.thresholds, self.tr("Thresholds"))
        self.tabs.addTab(self.incident_rules, self.tr("Authority and playbooks"))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.busy)
        layout.addWidget(self.access_note)
        layout.addWidget(self.tabs, 1)

    def title(self) -> str:
        return self.tr("Policies")

    def pages(self) -> list[_Page]:
        return [self.tiers, self.escalation, self.surge, self.thresholds, self.incident_rules]

    def refresh(self) -> None:
        for page in self.pages():
            page.load()

    def today(self) -> date:
        return self.ctx.clock().date()

    def has_unsaved_changes(self) -> bool:
        return any(page.dirty for page in self.pages())
