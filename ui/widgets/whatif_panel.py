"""What-ifs on the Region screen: a candidate tier policy for every store, one more person for one.

Both replay each store's last sales week under another roster; nothing is saved. The modelling
runs off the GUI thread through the screen's ``run``; these widgets only show plain results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from staffing.policy import TierPolicy
from storemon.services.advice import ShiftDrafts
from storemon.services.region import RosterWhatIf, StoreOverview, TierWhatIfResult, TierWhatIfRow
from storemon.services.whatif import WeekFigures
from ui import palette
from ui.context import AppContext
from ui.format import clock_minutes, number, short_date
from ui.i18n import fill
from ui.tasks import TaskControl
from ui.widgets import labour_cost
from ui.widgets.advice_actions import AdviceActions

BETTER = palette.OK.qtext()
WORSE = palette.BAD.qtext()
GAP_BACKGROUND = palette.BAD.qfill()
GAP_TEXT = palette.BAD.qtext()
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
QUARTER_HOURS = range(0, 24 * 60 + 1, 15)
DEFAULT_ADDED_HOURS = 3


def _signed(value: float, decimals: int = 1) -> str:
    text = number(abs(value), decimals)
    if round(value, decimals) == 0:
        return number(0, decimals)
    return ("+" if value > 0 else "−") + text


class _Metric:
    """A week figure as the panels show it: label, decimals, and whether lower is better."""

    def __init__(self, key: str, label: str, decimals: int, lower_is_better: bool | None) -> None:
        self.key, self.label, self.decimals, self.lower_is_better = key, label, decimals, lower_is_better

    def colour(self, before: float, after: float) -> QColor | None:
        if self.lower_is_better is None or round(after - before, self.decimals) == 0:
            return None
        improved = (after < before) == self.lower_is_better
        return BETTER if improved else WORSE


def _week_metrics() -> list[_Metric]:
    return [
        _Metric("staff_hours", QCoreApplication.translate("WhatIf", "Staff-hours"), 1, None),
        _Metric("solo_hours", QCoreApplication.translate("WhatIf", "Solo hours"), 1, True),
        _Metric("mean_wait_minutes", QCoreApplication.translate("WhatIf", "Mean wait (min)"), 1, True),
        _Metric("p90_wait_minutes", QCoreApplication.translate("WhatIf", "P90 wait (min)"), 1, True),
        _Metric("red_shifts", QCoreApplication.translate("WhatIf", "Red shifts"), 0, True),
    ]


def _item(text: str, align_right: bool = True, tooltip: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(RIGHT)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _results_table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    return table


@dataclass(frozen=True)
class CandidatePolicy:
    """A policy the user may compare: saved in the database, or read from a file (``path``)."""

    policy: TierPolicy
    issues: list[str] = field(default_factory=list)
    path: Path | None = None


class TierWhatIfPanel(QWidget):
    """Pick a candidate tier policy (saved, or from a JSON file) and see every store's week under it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._policies: list[CandidatePolicy] = []
        self._region_id: int | None = None
        self._overview: dict[int, StoreOverview] = {}
        self._running = False
        self.result: TierWhatIfResult | None = None

        self.policy_label = QLabel()
        self.policy_combo = QComboBox()
        self.policy_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.policy_combo.setMinimumContentsLength(24)
        self.policy_combo.currentIndexChanged.connect(self._policy_changed)
        self.policy_label.setBuddy(self.policy_combo)
        self.load_button = QPushButton()
        self.load_button.clicked.connect(self.choose_policy_file)
        self.compare_button = QPushButton()
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.compare)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.issues = QLabel()
        self.issues.setWordWrap(True)
        self.issues.setStyleSheet(f"color: {GAP_TEXT.name()};")
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.table = _results_table(8)
        self.table.currentCellChanged.connect(self._row_selected)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        self.actions = AdviceActions(ctx, "region.tier_whatif")
        """The selected store's coming week brought up to the candidate's staff (``policy_drafts``)."""

        controls = QHBoxLayout()
        controls.addWidget(self.policy_label)
        controls.addWidget(self.policy_combo, 1)
        controls.addWidget(self.load_button)
        controls.addWidget(self.compare_button)
        controls.addWidget(self.progress)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(controls)
        layout.addWidget(self.issues)
        layout.addWidget(self.headline)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.actions)
        layout.addWidget(self.note)
        self.retranslate()
        self._update_buttons()

    # -- language ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.policy_label.setText(self.tr("Candidate &policy:"))
        self.load_button.setText(self.tr("Load from file…"))
        self.load_button.setToolTip(self.tr("Try a tier policy from a JSON file; nothing is saved"))
        self.compare_button.setText(self.tr("&Compare"))
        self.compare_button.setToolTip(
            self.tr("Replay each store's last sales week staffed as the candidate policy says")
        )
        self.progress.setFormat(self.tr("Modelling %v of %m stores"))
        self.note.setText(
            self.tr(
                "Each store's last sales week is replayed with the candidate's staff on an opening and a "
                "closing shift. The current figures are the table's; the candidate's shifts are new, so the "
                "week's incidents and check-ins do not count on them. Nothing is saved."
            )
        )
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Store"),
                self.tr("Staff / shift"),
                self.tr("Staff-hours"),
                self.tr("Solo hours"),
                self.tr("Mean wait (min)"),
                self.tr("P90 wait (min)"),
                self.tr("Red shifts"),
                self.tr("Labour cost\nper week"),
            ]
        )
        if self.result is not None:
            self._show(self.result)
        else:
            self.headline.setText(
                self.tr(
                    "Choose a candidate policy and press Compare to see every store's last sales "
                    "week staffed by it: current → candidate."
                )
            )
        self._policy_changed()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- inputs ----------------------------------------------------------------------------------------
    def set_scope(self, region_id: int | None, overview: list[StoreOverview]) -> None:
        """The stores the comparison covers; results of another scope are cleared."""
        changed = region_id != self._region_id
        self._region_id = region_id
        self._overview = {row.store_id: row for row in overview}
        if changed:
            self._clear()

    def refresh(self) -> None:
        """Reload the saved tier policies (off the GUI thread)."""
        services = self.ctx.services

        def load(_control: TaskControl) -> list[CandidatePolicy]:
            return [
                CandidatePolicy(p.policy, services.region.policy_issues(p.policy))
                for p in services.policies.tier_policies()
            ]

        self.ctx.tasks.op(self, load, self._policies_loaded, key="policies")

    def _policies_loaded(self, policies: list[CandidatePolicy]) -> None:
        selected = self.selected_candidate()
        from_files = [p for p in self._policies if p.path is not None]
        self._policies = list(policies) + from_files
        index = self._policies.index(selected) if selected in self._policies else -1
        self._fill_combo(index if index >= 0 else self._preferred_index())

    def _preferred_index(self) -> int:
        for i, candidate in enumerate(self._policies):
            if not candidate.issues:
                return i  # a policy without gaps is the natural candidate
        return 0

    def _fill_combo(self, select: int) -> None:
        self.policy_combo.blockSignals(True)
        self.policy_combo.clear()
        for candidate in self._policies:
            label = candidate.policy.name
            if candidate.path is not None:
                label = fill(self.tr("%1 (file %2)"), label, candidate.path.name)
            self.policy_combo.addItem(label)
        self.policy_combo.blockSignals(False)
        if self._policies:
            self.policy_combo.setCurrentIndex(min(max(select, 0), len(self._policies) - 1))
        self._policy_changed()

    def add_policy(self, path: Path, policy: TierPolicy, issues: list[str]) -> None:
        """A policy loaded from a file joins the list and becomes the candidate."""
        self._policies = [p for p in self._policies if p.path != path]
        self._policies.append(CandidatePolicy(policy, issues, path))
        self._fill_combo(len(self._policies) - 1)

    def choose_policy_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Load a tier policy"), "", self.tr("Tier policy (*.json);;All files (*)")
        )
        if path:
            self.load_policy_file(Path(path))

    def load_policy_file(self, path: Path) -> None:
        services = self.ctx.services

        def load(_control: TaskControl):
            policy = services.region.load_candidate_policy(path)
            return policy, services.region.policy_issues(policy)

        self.ctx.tasks.op(self, load, lambda result: self.add_policy(path, *result))

    def selected_candidate(self) -> CandidatePolicy | None:
        index = self.policy_combo.currentIndex()
        return self._policies[index] if 0 <= index < len(self._policies) else None

    def selected_policy(self) -> TierPolicy | None:
        candidate = self.selected_candidate()
        return candidate.policy if candidate else None

    def _policy_changed(self, _index: int = -1) -> None:
        candidate = self.selected_candidate()
        issues = candidate.issues if candidate else []
        if issues:
            self.issues.setText(
                fill(self.tr("This policy has gaps; stores in them keep their roster: %1"), "; ".join(issues))
            )
        self.issues.setVisible(bool(issues))
        policy = self.selected_policy()
        if self.result is not None and policy is not None and self.result.policy_name != policy.name:
            self._clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.compare_button.setEnabled(self.selected_policy() is not None and not self._running)

    # -- running ------------------------------------------------------------------------------------------
    def compare(self) -> None:
        policy = self.selected_policy()
        if policy is None:
            return
        services, actor, region_id, now = self.ctx.services, self.ctx.actor, self._region_id, self.ctx.clock()

        def work(control: TaskControl) -> TierWhatIfResult:
            return services.region.tier_whatif(
                actor, policy, region_id, progress=control.progress, cancel=control.cancelled, now=now
            )

        self.progress.setRange(0, 0)
        self._running = True
        self.ctx.tasks.op(
            self,
            work,
            self._done,
            key="compare",
            on_progress=self._progress,
            on_error=self._failed,
            busy=self.progress,
        )
        self._update_buttons()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _idle(self) -> None:
        self._running = False
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self._idle()
        self.ctx.show_error(self, exc)

    def _done(self, result: TierWhatIfResult) -> None:
        self._idle()
        self.result = result
        self._show(result)

    def clear_results(self) -> None:
        """Forget the last comparison (and drop one still running): the data changed."""
        self.ctx.tasks.drop(self, "compare")
        self._idle()
        self._clear()

    def _clear(self) -> None:
        self.result = None
        self.ctx.tasks.drop(self, "drafts")
        self.actions.set_drafts(None)
        self.table.setRowCount(0)
        self.headline.setText(self.tr("Press Compare to model the stores under this policy."))

    # -- showing -------------------------------------------------------------------------------------------
    def _show(self, result: TierWhatIfResult) -> None:
        metrics = _week_metrics()
        rows = result.rows
        self.table.setRowCount(len(rows) + (1 if rows else 0))
        for r, row in enumerate(rows):
            self._fill_row(r, row, metrics)
        if rows:
            self._fill_totals(len(rows), result, metrics)
        self.table.resizeColumnToContents(0)
        self.headline.setText(self._headline(result))

    def _fill_row(self, r: int, row: TierWhatIfRow, metrics: list[_Metric]) -> None:
        current_gap = self._overview.get(row.store_id)
        gap_now = current_gap is not None and current_gap.in_gap
        name = f"{row.code} {row.name}"
        marks = []
        if gap_now:
            marks.append(self.tr("in a gap of its current policy"))
        if row.in_gap:
            marks.append(self.tr("in a gap of the candidate: keeps its roster"))
        store_item = _item(
            name + (" ⚠" if marks else ""), align_right=False, tooltip="\n".join(marks) or None
        )
        self.table.setItem(r, 0, store_item)
        now = number(row.current_staff_per_shift, 1)
        then = self.tr("gap") if row.in_gap else number(row.candidate_staff_per_shift or 0, 0)
        staff_item = _item(
            f"{now} → {then}",
            tooltip=fill(self.tr("Revenue %1 per day"), number(row.avg_daily_revenue, 0)),
        )
        self.table.setItem(r, 1, staff_item)
        for c, metric in enumerate(metrics, start=2):
            before, after = getattr(row.current, metric.key), getattr(row.candidate, metric.key)
            item = _item(self._change_text(before, after, metric.decimals))
            colour = metric.colour(before, after)
            if colour is not None:
                item.setForeground(QBrush(colour))
            self.table.setItem(r, c, item)
        self.table.setItem(r, len(metrics) + 2, _item(labour_cost.cost_change(row.added_cost)))
        if marks:
            for c in range(self.table.columnCount()):
                cell = self.table.item(r, c)
                cell.setBackground(QBrush(GAP_BACKGROUND))
                if c < 2:
                    cell.setForeground(QBrush(GAP_TEXT))

    def _fill_totals(self, r: int, result: TierWhatIfResult, metrics: list[_Metric]) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        label = fill(self.tr("Total (%1 stores)"), QLocale().toString(len(result.rows)))
        items = [_item(label, align_right=False), _item("")]
        for metric in metrics:
            figures = result.totals.get(metric.key, {"current": 0.0, "candidate": 0.0})
            before, after = figures["current"], figures["candidate"]
            item = _item(self._change_text(before, after, metric.decimals))
            colour = metric.colour(before, after)
            if colour is not None:
                item.setForeground(QBrush(colour))
            items.append(item)
        items.append(_item(labour_cost.cost_change(result.totals.get("added_cost", {}).get("candidate", 0))))
        items[4].setToolTip(self.tr("Waits: the mean over the stores"))
        items[5].setToolTip(self.tr("Waits: the mean over the stores"))
        for c, item in enumerate(items):
            item.setFont(bold)
            self.table.setItem(r, c, item)

    @staticmethod
    def _change_text(before: float, after: float, decimals: int) -> str:
        return f"{number(before, decimals)} → {number(after, decimals)}"

    def _headline(self, result: TierWhatIfResult) -> str:
        if not result.rows:
            return self.tr("No store has sales to replay yet.")
        t = result.totals
        text = fill(
            self.tr(
                "Under “%1”: solo hours %2 → %3 a week, mean wait %4 → %5 min, red shifts %6 → %7, "
                "for %8 staff-hours a week."
            ),
            result.policy_name,
            number(t["solo_hours"]["current"], 0),
            number(t["solo_hours"]["candidate"], 0),
            number(t["mean_wait_minutes"]["current"], 1),
            number(t["mean_wait_minutes"]["candidate"], 1),
            number(t["red_shifts"]["current"], 0),
            number(t["red_shifts"]["candidate"], 0),
            _signed(t["staff_hours"]["candidate"] - t["staff_hours"]["current"], 0),
        )
        text += " " + labour_cost.tier_whatif(t.get("added_cost", {}).get("candidate", 0))
        gaps = sum(r.in_gap for r in result.rows)
        if gaps:
            text += " " + fill(
                self.tr("%1 store(s) fall in the candidate's gaps and keep their roster."),
                QLocale().toString(gaps),
            )
        return text

    def total(self, key: str) -> dict[str, float]:
        """Current and candidate totals of one figure of the last comparison."""
        return dict(self.result.totals[key]) if self.result else {}

    # -- acting ------------------------------------------------------------------------------------------------
    def _row_selected(self, row: int, *_rest) -> None:
        """Offer the selected store's coming week staffed as the candidate says (off the GUI thread)."""
        self.ctx.tasks.drop(self, "drafts")
        self.actions.set_drafts(None)
        rows = self.result.rows if self.result else []
        if not 0 <= row < len(rows) or rows[row].candidate_staff_per_shift is None:
            return
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()
        store_id, staff = rows[row].store_id, rows[row].candidate_staff_per_shift

        def work(_control: TaskControl) -> ShiftDrafts:
            return services.staffing.policy_drafts(actor, store_id, staff, now)

        self.ctx.tasks.op(
            self,
            work,
            self.actions.set_drafts,
            key="drafts",
            on_error=lambda exc: self.ctx.show_error(self, exc),
        )


class RosterWhatIfPanel(QWidget):
    """Add one person to the selected store from one time to another, over its last sales week."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store: StoreOverview | None = None
        self.result: RosterWhatIf | None = None
        self._user_times = False
        self._running = False

        self.store_label = QLabel()
        self.store_label.setWordWrap(True)
        font = QFont(self.store_label.font())
        font.setBold(True)
        self.store_label.setFont(font)
        self.from_label = QLabel()
        self.start_combo = QComboBox()
        self.to_label = QLabel()
        self.end_combo = QComboBox()
        for minute in QUARTER_HOURS:
            self.start_combo.addItem(clock_minutes(minute), minute)
            self.end_combo.addItem(clock_minutes(minute), minute)
        self.start_combo.removeItem(self.start_combo.count() - 1)  # nobody starts at 24:00
        self.end_combo.removeItem(0)
        for combo in (self.start_combo, self.end_combo):
            combo.setMaxVisibleItems(16)
            combo.activated.connect(self._times_edited)
            combo.currentIndexChanged.connect(self._update_buttons)
        self.from_label.setBuddy(self.start_combo)
        self.try_button = QPushButton()
        self.try_button.clicked.connect(self.try_roster)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setVisible(False)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.table = _results_table(4)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.table.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 52)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.actions = AdviceActions(ctx, "region.roster_whatif")
        """Add the person to the coming week's roster, or call backup for today's window."""

        controls = QHBoxLayout()
        controls.addWidget(self.from_label)
        controls.addWidget(self.start_combo)
        controls.addWidget(self.to_label)
        controls.addWidget(self.end_combo)
        controls.addWidget(self.try_button)
        controls.addWidget(self.progress)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.store_label)
        layout.addLayout(controls)
        explanation = QVBoxLayout()
        explanation.addWidget(self.hint)
        explanation.addSpacing(8)
        explanation.addWidget(self.headline)
        explanation.addWidget(self.actions)
        explanation.addSpacing(8)
        explanation.addWidget(self.note)
        explanation.addStretch(1)
        results = QHBoxLayout()
        results.addWidget(self.table, 3)
        results.addSpacing(12)
        results.addLayout(explanation, 2)
        layout.addLayout(results, 1)
        self.set_times(7 * 60, 10 * 60)
        self.retranslate()

    def retranslate(self) -> None:
        self.from_label.setText(self.tr("Add a person &from"))
        self.to_label.setText(self.tr("to"))
        self.try_button.setText(self.tr("&Try it"))
        self.try_button.setToolTip(
            self.tr("Replay the store's last sales week with one more person every day; nothing is saved")
        )
        self.table.setHorizontalHeaderLabels(
            [self.tr("Figure"), self.tr("Now"), self.tr("With the person"), self.tr("Change")]
        )
        self.note.setText(
            self.tr(
                "“Now” is the week as the table shows it. The rostered shifts keep their incidents and "
                "check-ins; the added person has none."
            )
        )
        self._show_store()
        if self.result is not None:
            self._show(self.result)
        else:
            self.table.setRowCount(0)
            self.headline.clear()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- inputs ------------------------------------------------------------------------------------------
    def set_times(self, start_minute: int, end_minute: int) -> None:
        self.start_combo.setCurrentIndex(max(self.start_combo.findData(start_minute), 0))
        self.end_combo.setCurrentIndex(max(self.end_combo.findData(end_minute), 0))
        self._update_buttons()

    def times(self) -> tuple[int, int]:
        return int(self.start_combo.currentData()), int(self.end_combo.currentData())

    def _times_edited(self, _index: int) -> None:
        self._user_times = True

    def clear_results(self) -> None:
        """Forget the last answer (and drop one still running): the data changed."""
        self.ctx.tasks.drop(self, "try")
        self._finish()
        self.result = None
        self.table.setRowCount(0)
        self.headline.clear()
        self.actions.set_drafts(None)

    def set_store(self, store: StoreOverview | None) -> None:
        """The store the roster change applies to; a new store clears the previous answer."""
        if store is not None and self.store is not None and store.store_id == self.store.store_id:
            self.store = store
            return
        self.store = store
        self.result = None
        self.table.setRowCount(0)
        self.headline.clear()
        self.actions.set_drafts(None)
        if store is not None and not self._user_times:
            self.set_times(*self._suggested_times(store))
        self._show_store()
        self._update_buttons()

    @staticmethod
    def _suggested_times(store: StoreOverview) -> tuple[int, int]:
        """A three-hour cover starting an hour before the store's busiest hour, inside opening hours."""
        hours = [(h, u) for h, u in enumerate(store.hourly_utilisation) if u is not None]
        if not hours:
            return 7 * 60, 10 * 60
        first_open, last_open = hours[0][0], hours[-1][0] + 1
        peak = int(np.argmax([u for _, u in hours]))
        start = max(first_open, hours[peak][0] - 1)
        end = min(last_open, start + DEFAULT_ADDED_HOURS)
        start = max(first_open, end - DEFAULT_ADDED_HOURS)
        return start * 60, end * 60

    def _show_store(self) -> None:
        if self.store is None:
            self.store_label.setText(self.tr("Select a store in the table above."))
            self.hint.setText(self.tr("Then choose when the extra person works and press Try it."))
            return
        self.store_label.setText(
            fill(
                self.tr("%1 %2 — last sales week %3 – %4"),
                self.store.code,
                self.store.name,
                short_date(self.store.week_start) if self.store.week_start else "—",
                short_date(self.store.week_end) if self.store.week_end else "—",
            )
        )
        start, end = self.times()
        if end <= start:
            self.hint.setText(self.tr("The end must be after the start."))
        else:
            self.hint.setText(
                fill(
                    self.tr(
                        "One more person %1–%2 every day of that week; the roster itself is not changed."
                    ),
                    clock_minutes(start),
                    clock_minutes(end),
                )
            )

    def _update_buttons(self, _index: int = -1) -> None:
        start, end = self.times() if self.start_combo.count() and self.end_combo.count() else (0, 0)
        self.try_button.setEnabled(self.store is not None and end > start and not self._running)
        if hasattr(self, "hint"):
            self._show_store()

    # -- running ---------------------------------------------------------------------------------------------
    def try_roster(self) -> None:
        if self.store is None:
            return
        services, actor, store_id, now = (
            self.ctx.services,
            self.ctx.actor,
            self.store.store_id,
            self.ctx.clock(),
        )
        start, end = self.times()

        def work(_control: TaskControl) -> tuple[RosterWhatIf, ShiftDrafts]:
            result = services.region.roster_whatif(actor, store_id, start, end, now)
            return result, services.staffing.window_drafts(actor, store_id, start, end, now)

        self._running = True
        self._update_buttons()
        self.ctx.tasks.op(self, work, self._done, key="try", on_error=self._failed, busy=self.progress)

    def _finish(self) -> None:
        self._running = False
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.ctx.show_error(self, exc)

    def _done(self, answer: tuple[RosterWhatIf, ShiftDrafts]) -> None:
        self._finish()
        result, drafts = answer
        if self.store is not None and result.store_id == self.store.store_id:
            self.result = result
            self._show(result)
            self.actions.set_drafts(drafts)

    # -- showing ----------------------------------------------------------------------------------------------
    def _show(self, result: RosterWhatIf) -> None:
        metrics = _week_metrics()
        pressure = _Metric("worst_pressure", self.tr("Worst shift pressure"), 0, True)
        metrics.append(_Metric("lost_orders", self.tr("Customers walking away"), 0, True))
        rows: list[tuple[_Metric, float, float]] = [
            (m, getattr(result.before, m.key), getattr(result.after, m.key)) for m in metrics
        ]
        rows.append((pressure, result.worst_pressure_before, result.worst_pressure_after))
        self.table.setRowCount(len(rows) + 1)
        for r, (metric, before, after) in enumerate(rows):
            self.table.setItem(r, 0, _item(metric.label, align_right=False))
            self.table.setItem(r, 1, _item(number(before, metric.decimals)))
            self.table.setItem(r, 2, _item(number(after, metric.decimals)))
            change = _item(_signed(after - before, metric.decimals))
            colour = metric.colour(before, after)
            if colour is not None:
                change.setForeground(QBrush(colour))
                self.table.item(r, 2).setForeground(QBrush(colour))
            self.table.setItem(r, 3, change)
        cost_row = [self.tr("Labour cost"), "", "", labour_cost.cost_change(result.added_cost)]
        for c, text in enumerate(cost_row):
            self.table.setItem(len(rows), c, _item(text, align_right=c > 0))
        self.table.resizeColumnToContents(0)
        self.headline.setText(
            self._headline(result)
            + " "
            + labour_cost.roster_whatif(result.added_cost_per_day, result.added_cost)
        )

    def _headline(self, result: RosterWhatIf) -> str:
        b, a = result.before, result.after
        return fill(
            self.tr(
                "With one more person %1–%2: mean wait %3 → %4 min, P90 wait %5 → %6 min, for %7 staff-hours a week."
            ),
            clock_minutes(result.start_minute),
            clock_minutes(result.end_minute),
            number(b.mean_wait_minutes, 1),
            number(a.mean_wait_minutes, 1),
            number(b.p90_wait_minutes, 1),
            number(a.p90_wait_minutes, 1),
            _signed(a.staff_hours - b.staff_hours, 1),
        )

    def figures(self) -> tuple[WeekFigures, WeekFigures] | None:
        return (self.result.before, self.result.after) if self.result else None
