"""The Tier policies tab: revenue bands -> staff per shift, validated live (a gap such as
5,000-6,000 is marked where it is, explained, and the stores in it listed); saved only after a
confirmation that names the gap; assigned to stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from staffing.policy import TierBand
from storemon.errors import StoremonError
from storemon.services.tier_policies import (
    PolicyCheck,
    PolicyDraft,
    PolicyStore,
    PolicySummary,
    UnconfirmedPolicyIssues,
)
from ui import palette
from ui.i18n import fill
from ui.views.policies.tab import PolicyTab, hint_label, scrolled
from ui.widgets.form_helpers import MessageStrip, format_amount, set_issue
from ui.widgets.tier_editor import TierEditor, issue_text

if TYPE_CHECKING:
    from ui.views.policies.view import PoliciesView


class AssignPolicyDialog(QDialog):
    """Tick the stores that should follow a policy; stores already on it stay ticked."""

    def __init__(self, policy_name: str, policy_id: int, stores: list[PolicyStore], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(fill(self.tr("Assign “%1”"), policy_name))
        self.stores = stores
        self.table = QTableWidget(len(stores), 6)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Store"),
                self.tr("Name"),
                self.tr("Region"),
                self.tr("Current policy"),
                self.tr("Revenue per day"),
                fill(self.tr("Staff per shift under “%1”"), policy_name),
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
                cells[5].setForeground(QBrush(palette.BAD.qtext()))
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
            hint_label(
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


class TierPoliciesPage(PolicyTab):
    """The list of tier policies and the band editor of the one selected."""

    saved_by = "save_tier_policy"

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.summaries: list[PolicySummary] = []
        self.current_id: int | None = None
        self.check: PolicyCheck | None = None
        self.confirm_box: QMessageBox | None = None
        self.assign_dialog: AssignPolicyDialog | None = None
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

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(
            scrolled(self.heading, form, self.editor, self.issues, self.gap_title, self.gap_stores)
        )
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([400, 880])
        self.lay_out(splitter, self.assign_button)

        self.name_edit.textEdited.connect(lambda _t: self.set_dirty(True))
        self.description_edit.textEdited.connect(lambda _t: self.set_dirty(True))
        self.editor.bands_changed.connect(self._bands_edited)
        self._show_gap_stores(None)

    # -- loading ----------------------------------------------------------------------------------
    def fetch(self, select_id: int | None = None) -> None:
        wanted = select_id if select_id is not None else self.current_id
        self.call(
            lambda: self.ctx.services.policies.tier_policy_summaries(self.ctx.actor),
            lambda summaries: self._loaded(summaries, wanted),
            self.load_failed,
            key="load",
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
                item.setForeground(2, QBrush(palette.BAD.qtext()))
            elif "overlap" in kinds:
                item.setText(2, self.tr("Overlap"))
                item.setForeground(2, QBrush(palette.WARN.qtext()))
            else:
                item.setText(2, self.tr("✓ Complete"))
                item.setForeground(2, QBrush(palette.OK.qtext()))
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

        def discard() -> None:
            self.set_dirty(False)
            then()

        self._ask(
            QMessageBox.Icon.Question,
            self.tr("Unsaved changes"),
            fill(self.tr("Discard your changes to “%1”?"), self.name_edit.text().strip()),
            (self.tr("Discard changes"), QMessageBox.ButtonRole.DestructiveRole),
            discard,
        )

    def _ask(
        self,
        icon: QMessageBox.Icon,
        title: str,
        text: str,
        action: tuple[str, QMessageBox.ButtonRole],
        then: Callable[[], None],
        otherwise: Callable[[], None] | None = None,
    ) -> None:
        """Ask without blocking: ``then`` runs if the user picks ``action``, ``otherwise`` if not.

        ``confirm_box`` is the open question (None once closed).
        """
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, self)
        chosen = box.addButton(*action)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clicked(button) -> None:
            if button is chosen:
                then()
            elif otherwise is not None:
                otherwise()

        box.buttonClicked.connect(clicked)
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
        name = self._unique_name(fill(self.tr("%1 (copy)"), self.name_edit.text().strip()))
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
        """Check the bands through the services; the answer to the newest edit wins."""
        bands = self.editor.parsed().bands
        policy_id = self.current_id
        self.call(
            lambda: self.ctx.services.policies.check_tier_policy(self.ctx.actor, policy_id, bands),
            self._checked,
            self.load_failed,
            key="check",
            busy=False,
        )

    def _checked(self, check: PolicyCheck) -> None:
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
            text = fill(
                text,
                store.code,
                store.name,
                format_amount(store.avg_daily_revenue),
                format_amount(store.gap.low),
                format_amount(store.gap.high),
            )
            item = QListWidgetItem(text)
            item.setForeground(QBrush(palette.BAD.qtext()))
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
            lambda: self.ctx.services.policies.save_tier_policy(self.ctx.actor, draft, accept_issues),
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
        text = fill(self.tr("“%1” leaves daily revenue without a clear staffing rule:"), draft.name)
        details = ""
        if gaps and self.check is not None and self.check.stores_in_gaps:
            codes = ", ".join(s.code for s in self.check.stores_in_gaps)
            details = fill(self.tr("Stores in the gap now: %1."), codes) + "\n"
        if gaps:
            details += self.tr(
                "Stores whose revenue falls into the gap get no staffing rule, and Storemon keeps "
                "reporting them until the gap is closed."
            )
        self._ask(
            QMessageBox.Icon.Warning,
            self.tr("Save a policy with a gap?") if gaps else self.tr("Save a policy with an overlap?"),
            f"{text}\n\n{lines}\n\n{details}".strip(),
            (
                self.tr("Save with the gap") if gaps else self.tr("Save anyway"),
                QMessageBox.ButtonRole.AcceptRole,
            ),
            lambda: self.save(accept_issues=True),
            lambda: self.message.show_message(
                "info", self.tr("Not saved. Close the gap, or save again to keep it.")
            ),
        )

    def _saved(self, summary: PolicySummary) -> None:
        self.current_id = summary.id
        self.done_saving(fill(self.tr("Saved “%1”."), summary.name))
        self.fetch(summary.id)

    def delete_policy(self) -> None:
        if self.current_id is None:
            return
        policy_id, name = self.current_id, self.name_edit.text().strip()
        self._ask(
            QMessageBox.Icon.Warning,
            self.tr("Delete policy"),
            fill(self.tr("Delete “%1”? This cannot be undone."), name),
            (self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole),
            lambda: self.call(
                lambda: self.ctx.services.policies.delete_tier_policy(self.ctx.actor, policy_id),
                lambda _none: self._deleted(name),
            ),
        )

    def _deleted(self, name: str) -> None:
        self.current_id = None
        self.done_saving(fill(self.tr("Deleted “%1”."), name))
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
            lambda: self.ctx.services.policies.policy_stores(self.ctx.actor, policy_id),
            lambda stores: self._open_assign(policy_id, name, stores),
            self.load_failed,
        )

    def _open_assign(self, policy_id: int, name: str, stores: list[PolicyStore]) -> None:
        dialog = AssignPolicyDialog(name, policy_id, stores, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            chosen = dialog.chosen_ids()
            self.call(
                lambda: self.ctx.services.policies.assign_tier_policy(self.ctx.actor, policy_id, chosen),
                lambda changed: self._assigned(name, changed),
            )

        dialog.accepted.connect(accepted)
        self.assign_dialog = dialog
        dialog.open()

    def _assigned(self, name: str, changed: int) -> None:
        self.done_saving(fill(self.tr("“%1” now applies to %n more store(s).", "", changed), name))
        self.fetch(self.current_id)
