"""The Schedule screen: a store's week of shifts, who is on the floor when, and roster edits.

Rows are people and columns days; below the grid one coverage strip per day shows how many
people are on the floor, with solo stretches and hours below the store's tier policy marked.
Shift leads and above edit the roster of their store; staff see it read-only.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QLocale, QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storemon.services.schedule import RosterEntry, WeekRoster
from storemon.services.wages import sees_wages
from ui import palette
from ui.context import AppContext
from ui.format import duration, money, short_date
from ui.i18n import fill
from ui.models.roster_table import RosterTableModel, day_heading, qdate, shift_times
from ui.views.base import BaseView
from ui.views.shift_dialog import ShiftDialog, schedule_error_text, to_date
from ui.views.wages_dialog import WagesDialog
from ui.widgets import labour_cost
from ui.widgets.coverage_strip import PER_HOUR, CoverageAxis, CoverageLegend, CoverageStrip

BANNER_STYLE = "\n".join(
    [
        palette.box_style('QLabel#policyBanner[level="info"]', palette.INFO, "6px 10px"),
        palette.box_style('QLabel#policyBanner[level="warning"]', palette.WARN, "6px 10px"),
        "QLabel#readOnlyNotice { color: palette(placeholder-text); }",
    ]
)


TIMEZONE_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_ROLE = Qt.ItemDataRole.UserRole + 2


def week_start(day: date) -> date:
    """The first day of ``day``'s week, as the user's locale counts weeks."""
    first = QLocale().firstDayOfWeek().value  # Monday = 1 ... Sunday = 7
    return day - timedelta(days=(day.isoweekday() - first) % 7)


class ScheduleView(BaseView):
    """A store's roster for one week, with the coverage it gives and edits for those allowed."""

    view_key = "schedule"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._week: WeekRoster | None = None
        self._week_start: date | None = None
        self._select_after: tuple[int, date] | None = None
        self.shift_dialog: ShiftDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._build()
        ctx.events.store_selected.connect(self._on_store_selected)

    def title(self) -> str:
        return self.tr("Schedule")

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet(BANNER_STYLE)
        self.store_combo = QComboBox()
        self.store_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.store_combo.setMinimumWidth(200)
        self.store_combo.setAccessibleName(self.tr("Store"))
        self.store_combo.currentIndexChanged.connect(self._on_store_changed)

        style = self.style()
        self.prev_week_button = QToolButton()
        self.prev_week_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.prev_week_button.setToolTip(self.tr("Previous week"))
        self.prev_week_button.setAccessibleName(self.tr("Previous week"))
        self.next_week_button = QToolButton()
        self.next_week_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.next_week_button.setToolTip(self.tr("Next week"))
        self.next_week_button.setAccessibleName(self.tr("Next week"))
        self.week_edit = QDateEdit()
        self.week_edit.setCalendarPopup(True)
        self.week_edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))
        self.week_edit.setToolTip(self.tr("Any day of the week to show"))
        self.week_edit.setAccessibleName(self.tr("Week"))
        self.this_week_button = QPushButton(self.tr("This week"))
        self.prev_week_button.clicked.connect(lambda: self._shift_week(-7))
        self.next_week_button.clicked.connect(lambda: self._shift_week(7))
        self.this_week_button.clicked.connect(self._go_this_week)
        self.week_edit.dateChanged.connect(self._on_week_edited)
        self.week_label = QLabel()

        self.loading = QProgressBar()
        self.loading.setRange(0, 0)
        self.loading.setMaximumWidth(90)
        self.loading.setTextVisible(False)
        self.loading.setVisible(False)

        self.add_button = QPushButton(self.tr("Add shift…"))
        self.edit_button = QPushButton(self.tr("Change shift…"))
        self.delete_button = QPushButton(self.tr("Delete shift"))
        self.add_button.clicked.connect(lambda: self.add_shift())
        self.wages_button = QPushButton(self.tr("Wages…"))
        self.wages_button.setToolTip(self.tr("What each person of the store is paid an hour"))
        self.wages_button.setVisible(sees_wages(self.ctx.actor))
        self.wages_button.clicked.connect(lambda: self.open_wages())
        self.edit_button.clicked.connect(lambda: self.edit_selected_shift())
        self.delete_button.clicked.connect(lambda: self.delete_selected_shift())

        store_label = QLabel(self.tr("&Store"))
        store_label.setBuddy(self.store_combo)
        week_label = QLabel(self.tr("&Week"))
        week_label.setBuddy(self.week_edit)
        top = QHBoxLayout()
        top.addWidget(store_label)
        top.addWidget(self.store_combo)
        top.addSpacing(16)
        top.addWidget(week_label)
        top.addWidget(self.prev_week_button)
        top.addWidget(self.week_edit)
        top.addWidget(self.next_week_button)
        top.addWidget(self.this_week_button)
        top.addSpacing(8)
        top.addWidget(self.week_label)
        top.addWidget(self.loading)
        top.addStretch(1)
        top.addWidget(self.add_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.delete_button)
        top.addWidget(self.wages_button)

        self.read_only_notice = QLabel(
            self.tr("You can view this roster. A shift lead or the store manager can change it.")
        )
        self.read_only_notice.setObjectName("readOnlyNotice")
        self.read_only_notice.setVisible(False)
        self.policy_banner = QLabel()
        self.policy_banner.setObjectName("policyBanner")
        self.policy_banner.setWordWrap(True)
        self.policy_banner.setVisible(False)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)

        self.model = RosterTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(84)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        self.table.setAccessibleName(self.tr("Shifts of the week"))
        delete_action = QAction(self.tr("Delete shift"), self.table)
        delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_action.triggered.connect(lambda: self.delete_selected_shift())
        self.table.addAction(delete_action)

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.grid_stack = QStackedWidget()
        self.grid_stack.addWidget(self.table)
        self.grid_stack.addWidget(self.empty_label)

        self.coverage_box = QGroupBox(self.tr("Staff on the floor"))
        grid = QGridLayout(self.coverage_box)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.axis = CoverageAxis()
        grid.addWidget(self.axis, 0, 1)
        self.day_labels: list[QLabel] = []
        self.strips: list[CoverageStrip] = []
        for k in range(7):
            label = QLabel()
            label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
            strip = CoverageStrip()
            strip.day_clicked.connect(self._select_day)
            grid.addWidget(label, k + 1, 0)
            grid.addWidget(strip, k + 1, 1)
            self.day_labels.append(label)
            self.strips.append(strip)
        grid.addWidget(CoverageLegend(), 8, 1)
        grid.setColumnStretch(1, 1)

        self.coverage_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.read_only_notice)
        layout.addWidget(self.policy_banner)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.grid_stack, 1)
        layout.addWidget(self.coverage_box)
        self._update_actions()

    # -- loading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the store list (an import may have added stores), then the shown week."""
        services, actor = self.ctx.services, self.ctx.actor
        self.ctx.tasks.op(self, lambda _c: services.stores.list(actor), self._show_stores, busy=self.loading)

    def _show_stores(self, stores: list) -> None:
        saved = self.ctx.settings.value("schedule/store", "")
        current = self.store_combo.currentData()
        self.store_combo.blockSignals(True)
        self.store_combo.clear()
        for store in stores:
            self.store_combo.addItem(f"{store.code} · {store.name}", store.id)
            last = self.store_combo.count() - 1
            self.store_combo.setItemData(last, store.timezone, TIMEZONE_ROLE)
            self.store_combo.setItemData(last, store.code, CODE_ROLE)
        index = self.store_combo.findData(current) if current is not None else -1
        if index < 0 and saved:
            index = next((i for i, s in enumerate(stores) if s.code == saved), -1)
        if index < 0 and self.ctx.actor.store_id is not None:
            index = self.store_combo.findData(self.ctx.actor.store_id)
        self.store_combo.setCurrentIndex(max(0, index) if stores else -1)
        self.store_combo.blockSignals(False)
        if not stores:
            self._show_empty(
                self.tr("There are no stores to show. Import a roster or create the demo chain.")
            )
            return
        if self._week_start is None:
            self._set_week(self._today())
        self._load_week()

    def _today(self) -> date:
        tz = self.store_combo.currentData(TIMEZONE_ROLE) or "UTC"
        return self.ctx.clock().astimezone(ZoneInfo(tz)).date()

    def _load_week(self) -> None:
        store_id = self.store_combo.currentData()
        if store_id is None or self._week_start is None:
            return
        first_day = self._week_start
        services, actor = self.ctx.services, self.ctx.actor
        self.ctx.tasks.op(
            self,
            lambda _c: services.schedule.week_roster(actor, store_id, first_day),
            self._show_week,
            key="week",
            busy=self.loading,
        )

    def _show_week(self, week: WeekRoster) -> None:
        keep = self._select_after or self._selected_key()
        self._select_after = None
        self._week = week
        self.model.set_roster(week, self._today())
        if week.people:
            self.grid_stack.setCurrentWidget(self.table)
        else:
            self._show_empty(self.tr("Nobody works at this store yet. Import a staff list to add people."))
        self._show_policy(week)
        self._show_coverage(week)
        summary = fill(
            self.tr("This week: %1 of shifts · %2 with one person alone on the floor"),
            duration(round(week.staff_hours * 60)),
            duration(round(week.solo_hours * 60)),
        )
        if week.policy.status == "covered":
            summary += " · " + fill(
                self.tr("%1 below the tier policy"), duration(round(week.shortfall_hours * 60))
            )
        self.summary_label.setText(summary + " · " + labour_cost.week_summary(week))
        self.read_only_notice.setVisible(not week.can_edit)
        self.week_label.setText(f"{short_date(week.days[0])} – {short_date(week.days[-1])}")
        if keep is not None:
            index = self.model.index_of(*keep)
            if index.isValid():
                self.table.setCurrentIndex(index)
        self._update_actions()

    def _show_empty(self, text: str) -> None:
        self.empty_label.setText(text)
        self.grid_stack.setCurrentWidget(self.empty_label)

    def _show_policy(self, week: WeekRoster) -> None:
        policy = week.policy
        locale = QLocale()
        level = "info"
        if policy.status == "covered":
            text = fill(
                self.tr(
                    "Tier policy “%1” asks for %2 staff on the floor at this store "
                    "(average daily revenue %3). Hours with fewer are marked below policy."
                ),
                policy.policy_name,
                locale.toString(policy.staff_per_shift or 0),
                money(policy.avg_daily_revenue),
            )
        elif policy.status == "gap":
            level = "warning"
            high = money(policy.gap_high) if policy.gap_high is not None else self.tr("and above")
            text = fill(
                self.tr(
                    "This store is in a policy gap: its average daily revenue (%1) falls between the bands "
                    "of tier policy “%2” (%3–%4 is covered by no band), so the policy sets no staffing "
                    "level here. Close the gap on the Policies screen."
                ),
                money(policy.avg_daily_revenue),
                policy.policy_name,
                money(policy.gap_low),
                high,
            )
        elif policy.status == "no_policy":
            level = "warning"
            text = self.tr(
                "This store has no tier policy, so no staffing level is checked. Assign one on the Policies screen."
            )
        else:
            text = fill(
                self.tr(
                    "There is no sales history for this store yet, so its tier policy “%1” cannot place it in a band."
                ),
                policy.policy_name,
            )
        self.policy_banner.setText(text)
        self.policy_banner.setProperty("level", level)
        self.policy_banner.style().unpolish(self.policy_banner)
        self.policy_banner.style().polish(self.policy_banner)
        self.policy_banner.setVisible(True)

    def _show_coverage(self, week: WeekRoster) -> None:
        first, end = 24 * PER_HOUR, 0
        for day in week.coverage:
            staffed = [i for i, n in enumerate(day.staff) if n]
            lo = min([day.open_first, *staffed[:1]]) if day.open_end else (staffed[0] if staffed else first)
            hi = (
                max([day.open_end, *(s + 1 for s in staffed[-1:])])
                if day.open_end
                else (staffed[-1] + 1 if staffed else end)
            )
            first, end = min(first, lo), max(end, hi)
        if end <= first:
            first, end = 7 * PER_HOUR, 21 * PER_HOUR
        first = first // PER_HOUR * PER_HOUR
        end = min(24 * PER_HOUR, -(-end // PER_HOUR) * PER_HOUR)
        self.axis.set_range(first, end)
        today = self._today()
        for label, strip, coverage in zip(self.day_labels, self.strips, week.coverage, strict=False):
            label.setText(day_heading(coverage.day).replace("\n", " "))
            font = label.font()
            font.setBold(coverage.day == today)
            label.setFont(font)
            strip.set_coverage(coverage, first, end)
            strip.setToolTip("")
        self._highlight_strip()

    # -- week and store navigation ----------------------------------------------------------------
    def _set_week(self, day: date) -> None:
        self._week_start = week_start(day)
        self.week_edit.blockSignals(True)
        self.week_edit.setDate(qdate(self._week_start))
        self.week_edit.blockSignals(False)

    def set_week(self, day: date) -> None:
        """Show the week that contains ``day``."""
        self._set_week(day)
        self._load_week()

    def _shift_week(self, days: int) -> None:
        if self._week_start is not None:
            self.set_week(self._week_start + timedelta(days=days))

    def _go_this_week(self) -> None:
        self.set_week(self._today())

    def _on_week_edited(self, value: QDate) -> None:
        self.set_week(to_date(value))

    def _on_store_changed(self, _index: int) -> None:
        store_id = self.store_combo.currentData()
        if store_id is None:
            return
        self.ctx.settings.setValue("schedule/store", self.store_combo.currentData(CODE_ROLE))
        if self._week_start is None:
            self._set_week(self._today())
        self._load_week()

    def _on_store_selected(self, store_id: int) -> None:
        index = self.store_combo.findData(store_id)
        if index >= 0:
            self.store_combo.setCurrentIndex(index)

    def select_store(self, code: str) -> None:
        """Show the store with this code (its week stays the same)."""
        index = self.store_combo.findData(code, CODE_ROLE)
        if index >= 0:
            self.store_combo.setCurrentIndex(index)

    # -- selection --------------------------------------------------------------------------------
    def _selected_key(self) -> tuple[int, date] | None:
        index = self.table.currentIndex()
        person, day = self.model.person_at(index.row()), self.model.day_at(index.column())
        return (person.id, day) if index.isValid() and person and day else None

    def _select_day(self, day: date) -> None:
        if self._week and day in self._week.days:
            row = max(0, self.table.currentIndex().row())
            self.table.setCurrentIndex(self.model.index(row, self._week.days.index(day)))
            self.table.setFocus()

    def _highlight_strip(self) -> None:
        day = (
            self.model.day_at(self.table.currentIndex().column())
            if self.table.currentIndex().isValid()
            else None
        )
        for strip in self.strips:
            strip.set_selected(day is not None and strip.day() == day)

    def open_wages(self) -> WagesDialog | None:
        """The store's people and their hourly wages (store manager and above)."""
        store = self.store_combo.currentData()
        if store is None:
            return None
        dialog = WagesDialog(self.ctx, store, self.store_combo.currentText(), self)
        dialog.open()
        self.wages_dialog = dialog
        return dialog

    def _update_actions(self) -> None:
        editable = bool(self._week and self._week.can_edit)
        has_people = bool(self._week and any(p.works_here and p.active for p in self._week.people))
        shifts = self.model.shifts_at(self.table.currentIndex())
        self.add_button.setEnabled(editable and has_people)
        self.edit_button.setEnabled(editable and bool(shifts))
        self.delete_button.setEnabled(editable and bool(shifts))
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setVisible(self._week is None or self._week.can_edit)
        self._highlight_strip()

    def _choose_shift(self, shifts: list[RosterEntry]) -> RosterEntry | None:
        if len(shifts) <= 1:
            return shifts[0] if shifts else None
        menu = QMenu(self)
        actions = {menu.addAction(shift_times(s)): s for s in shifts}
        rect = self.table.visualRect(self.table.currentIndex())
        chosen = menu.exec(self.table.viewport().mapToGlobal(rect.center()))
        return actions.get(chosen)

    def _on_double_click(self, index: QModelIndex) -> None:
        if not (self._week and self._week.can_edit):
            return
        if self.model.shifts_at(index):
            self.edit_selected_shift()
        else:
            self.add_shift()

    def _context_menu(self, pos: QPoint) -> None:
        if not (self._week and self._week.can_edit):
            return
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.add_button.text(), self.add_shift).setEnabled(self.add_button.isEnabled())
        menu.addAction(self.edit_button.text(), self.edit_selected_shift).setEnabled(
            self.edit_button.isEnabled()
        )
        menu.addAction(self.delete_button.text(), self.delete_selected_shift).setEnabled(
            self.delete_button.isEnabled()
        )
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # -- editing ----------------------------------------------------------------------------------
    def add_shift(self) -> ShiftDialog | None:
        """Open the Add shift dialog for the selected person and day (non-blocking; returns it)."""
        if not (self._week and self._week.can_edit):
            return None
        index = self.table.currentIndex()
        person = self.model.person_at(index.row()) if index.isValid() else None
        day = self.model.day_at(index.column()) if index.isValid() else None
        if day is None:
            today = self._today()
            day = today if today in self._week.days else self._week.days[0]
        # The store's own people, and a colleague borrowed from another store of the region.
        staff_id = (
            person.id if person and (person.works_here or person.home_store) and person.active else None
        )
        return self._open_dialog(ShiftDialog(self.ctx, self._week, day, None, staff_id, self))

    def edit_selected_shift(self) -> ShiftDialog | None:
        if not (self._week and self._week.can_edit):
            return None
        shift = self._choose_shift(self.model.shifts_at(self.table.currentIndex()))
        if shift is None:
            return None
        return self._open_dialog(ShiftDialog(self.ctx, self._week, shift.day, shift, None, self))

    def _open_dialog(self, dialog: ShiftDialog) -> ShiftDialog:
        self.shift_dialog = dialog
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()
        return dialog

    def _on_saved(self, entry: RosterEntry) -> None:
        self._select_after = (entry.staff_id, entry.day)
        self.ctx.events.status_message.emit(
            fill(
                self.tr("Shift saved: %1, %2 %3"),
                entry.staff_name,
                short_date(entry.day),
                shift_times(entry),
            )
        )
        self.ctx.events.data_changed.emit()

    def delete_selected_shift(self) -> QMessageBox | None:
        """Ask before deleting the selected shift (non-blocking; returns the question box)."""
        if not (self._week and self._week.can_edit):
            return None
        shift = self._choose_shift(self.model.shifts_at(self.table.currentIndex()))
        if shift is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete shift"),
            fill(
                self.tr("Delete %1's shift on %2, %3?"),
                shift.staff_name,
                QLocale().toString(qdate(shift.day), QLocale.FormatType.LongFormat),
                shift_times(shift),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText(self.tr("Delete shift"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._delete(shift) if button is yes else None)
        box.finished.connect(lambda _r: box.deleteLater())
        self.confirm_box = box
        box.open()
        return box

    def _delete(self, shift: RosterEntry) -> None:
        services, actor = self.ctx.services, self.ctx.actor

        def deleted(_result: None) -> None:
            self._select_after = (shift.staff_id, shift.day)
            self.ctx.events.status_message.emit(
                fill(self.tr("Shift deleted: %1, %2"), shift.staff_name, shift_times(shift))
            )
            self.ctx.events.data_changed.emit()

        def failed(exc: BaseException) -> None:
            text = schedule_error_text(exc)
            if text is None:
                self.ctx.show_error(self, exc)
            else:
                QMessageBox.warning(self, self.tr("Delete shift"), text)
                self.refresh()

        self.ctx.tasks.op(
            self, lambda _c: services.schedule.delete_shift(actor, shift.id), deleted, on_error=failed
        )
