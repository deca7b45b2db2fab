"""The Region screen: "Which of my stores run their staff into the ground, and what would fix it?"

A regional manager sees every store in scope with its policy verdict and its last sales week
(waits, solo hours, red shifts, pressure), a stores x hours heatmap of how busy staff were, and
two what-ifs: a candidate tier policy for all stores, one more person for one store. Double-click
a store (or click its heatmap row) to open it on Today. The table exports to CSV and Excel.
"""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QItemSelection, QLocale, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from storemon.services.changes import DATA_KINDS
from storemon.services.export import Column
from storemon.services.region import StoreOverview, UtilisationTable
from storemon.services.stores import may_edit_stores
from ui import palette
from ui.context import AppContext
from ui.format import short_date
from ui.i18n import fill
from ui.models.stores_table import (
    COLUMN_INDEX,
    COLUMNS,
    STATUS_LABELS,
    StoresFilterProxy,
    StoresTableModel,
    shown_status,
    status_label,
)
from ui.tasks import TaskControl
from ui.views.base import BaseView
from ui.views.store_editor import StoreEditorDialog
from ui.widgets.heatmap import UtilisationHeatmap
from ui.widgets.splitter import splitter
from ui.widgets.whatif_panel import RosterWhatIfPanel, TierWhatIfPanel

SIZED_SAMPLES = 12
"""Texts measured per column when sizing it: its longest ones by characters."""


class StoresTableView(QTableView):
    """The stores table: sortable by header, whole-row selection, columns sized to their headers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storesTable")
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COLUMN_INDEX["max_pressure"], Qt.SortOrder.DescendingOrder)

    def size_columns(self, rows: list[StoreOverview] | None = None) -> None:
        """Widths from the header lines and a sample of values (never a scan of every row)."""
        metrics = self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        header_metrics = self.horizontalHeader().fontMetrics()
        model = self.model()
        sample_rows = (rows or [])[:200]
        for column, spec in enumerate(COLUMNS):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "") if model else ""
            widest_line = max(
                (header_metrics.horizontalAdvance(line) for line in title.split("\n")), default=0
            )
            if spec.key == "policy_status":
                samples = [status_label(s) for s in STATUS_LABELS]
            elif spec.decimals is None:
                # The longest few texts only: measuring is the slow part (200 rows x columns of it
                # held the window for 0.1 s when 2,000 stores arrived on a busy machine).
                texts = {str(getattr(r, spec.key)) for r in sample_rows}
                samples = sorted(texts, key=len)[-SIZED_SAMPLES:] or ["SH000"]
            else:
                samples = ["88,888" if spec.key == "avg_daily_revenue" else "888.8"]
            # The gap status is shown bold: measure it that way so it never ends in "…".
            measure = bold_metrics if spec.key == "policy_status" else metrics
            content = max(measure.horizontalAdvance(text) for text in samples)
            self.setColumnWidth(column, max(widest_line + 20, content + 16))
        self.horizontalHeader().setSectionResizeMode(COLUMN_INDEX["name"], QHeaderView.ResizeMode.Stretch)


class _Card(QFrame):
    """A headline figure; clicking it applies the matching table filter."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("regionCard")
        self._clickable = False
        self.value = QLabel("—")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_value(self, text: str, colour: str | None = None) -> None:
        self.value.setText(text)
        self.value.setStyleSheet(f"color: {colour};" if colour else "")

    def set_clickable(self, clickable: bool) -> None:
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        self._clickable = clickable

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class RegionView(BaseView):
    """Stores of the region side by side, a heatmap of busy hours, and what-ifs to fix them."""

    view_key = "region"
    watches = DATA_KINDS  # an import, a roster or a settings change on any PC recomputes the region

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._regions: list[tuple[int, str]] = []
        self._rows: list[StoreOverview] = []
        self._utilisation = UtilisationTable([])
        self.loaded_once = False

        self.model = StoresTableModel(self)
        self.proxy = StoresFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self._build()
        self._connect()
        self.retranslate()
        state = ctx.settings.value("region/splitter")
        if state is not None:
            self.splitter.restoreState(state)

    # -- building --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel()
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.heading.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setMinimumWidth(200)
        self.progress.setVisible(False)

        self.cards = {key: _Card() for key in ("stores", "gap", "below_policy", "red_shifts", "solo")}
        for key in ("gap", "below_policy", "red_shifts"):
            self.cards[key].set_clickable(True)
            self.cards[key].clicked.connect(lambda k=key: self.set_status_filter(k))

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        self.region_label = QLabel()
        self.region_combo = QComboBox()
        self.region_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.region_label.setBuddy(self.region_combo)
        self.status_label = QLabel()
        self.status_combo = QComboBox()
        self.status_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_label.setBuddy(self.status_combo)
        self.export_button = QPushButton()
        self.export_menu = QMenu(self)
        self.export_csv_action = QAction(self)
        self.export_xlsx_action = QAction(self)
        self.export_menu.addAction(self.export_csv_action)
        self.export_menu.addAction(self.export_xlsx_action)
        self.export_button.setMenu(self.export_menu)
        self.export_button.setEnabled(False)

        self.table = StoresTableView()
        self.table.setModel(self.proxy)
        self.table.size_columns()
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty)

        self.heatmap = UtilisationHeatmap()
        self.tier_panel = TierWhatIfPanel(self.ctx)
        self.roster_panel = RosterWhatIfPanel(self.ctx)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.heatmap, "")
        self.tabs.addTab(self.tier_panel, "")
        self.tabs.addTab(self.roster_panel, "")

        self.splitter = splitter(Qt.Orientation.Vertical, (self.table_stack, self.tabs), (5, 4))

        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addSpacing(12)
        title_row.addWidget(self.subtitle, 1)
        title_row.addWidget(self.progress)
        cards_row = QHBoxLayout()
        cards_row.setSpacing(8)
        for card in self.cards.values():
            cards_row.addWidget(card)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addSpacing(8)
        filters.addWidget(self.region_label)
        filters.addWidget(self.region_combo)
        filters.addSpacing(8)
        filters.addWidget(self.status_label)
        filters.addWidget(self.status_combo)
        filters.addStretch(1)
        filters.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(title_row)
        layout.addLayout(cards_row)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.search.textChanged.connect(self.proxy.set_text)
        self.region_combo.currentIndexChanged.connect(self._region_changed)
        self.status_combo.currentIndexChanged.connect(self._status_changed)
        self.export_csv_action.triggered.connect(lambda: self.export_table("csv"))
        self.export_xlsx_action.triggered.connect(lambda: self.export_table("xlsx"))
        self.table.activated.connect(self._open_store_at)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.heatmap.store_clicked.connect(self.ctx.events.store_selected.emit)
        self.splitter.splitterMoved.connect(
            lambda *_: self.ctx.settings.setValue("region/splitter", self.splitter.saveState())
        )
        # The heatmap and the counts follow what the table shows; coalesce bursts of proxy signals.
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setInterval(0)
        self._follow.timeout.connect(self._sync_with_table)
        for signal in (
            self.proxy.layoutChanged,
            self.proxy.modelReset,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
        ):
            signal.connect(self._follow.start)

    def retranslate(self) -> None:
        self.heading.setText(self.title())
        self.search.setPlaceholderText(self.tr("Filter by store code or name"))
        self.region_label.setText(self.tr("&Region:"))
        self.status_label.setText(self.tr("&Show:"))
        current_status = self.status_combo.currentData() or "all"
        self.status_combo.blockSignals(True)
        self.status_combo.clear()
        for key, text in (
            ("all", self.tr("All stores")),
            ("gap", self.tr("In a policy gap")),
            ("below_policy", self.tr("Below policy")),
            ("red_shifts", self.tr("With red shifts")),
        ):
            self.status_combo.addItem(text, key)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(current_status), 0))
        self.status_combo.blockSignals(False)
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(self.tr("Save the stores shown to a file"))
        self.export_csv_action.setText(self.tr("CSV (UTF-8)…"))
        self.export_xlsx_action.setText(self.tr("Excel workbook (.xlsx)…"))
        self.progress.setFormat(self.tr("Modelling store %v of %m"))
        self.tabs.setTabText(0, self.tr("Busy hours"))
        self.tabs.setTabText(1, self.tr("What if: tier policy"))
        self.tabs.setTabText(2, self.tr("What if: one more person"))
        captions = {
            "stores": self.tr("Stores"),
            "gap": self.tr("In a policy gap"),
            "below_policy": self.tr("Below policy"),
            "red_shifts": self.tr("Red shifts, last sales week"),
            "solo": self.tr("Solo hours a week"),
        }
        for key, text in captions.items():
            self.cards[key].caption.setText(text)
        for key in ("gap", "below_policy", "red_shifts"):
            self.cards[key].setToolTip(self.tr("Click to show only these stores"))
        self.model.retranslate()
        self.table.size_columns(self._rows)
        self._fill_region_combo()
        self._sync_with_table()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def title(self) -> str:
        return self.tr("Region")

    # -- loading -----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Model every store's last sales week again, with progress.

        In a child process (``services.region.overview_off_process``): a chain's week is minutes of
        CPU-bound Python that would hold the GIL on a thread of this process and freeze the window.
        Unchanged data comes from the service's cache at once; leaving the screen or asking again
        cancels the child.
        """
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()
        feed_running = self.ctx.changes.running

        def load(control: TaskControl):
            regions = [(r.id, r.name) for r in services.stores.regions(actor)]
            config = services.settings.pressure_config()
            rows = services.region.overview_off_process(
                actor,
                None,
                now=now,
                progress=control.progress,
                cancel=control.cancelled,
                feed_running=feed_running,
            )
            return regions, rows, config.amber_at, config.red_at, UtilisationTable(rows)

        self.progress.setRange(0, 0)
        self.ctx.tasks.op(
            self,
            load,
            lambda result: self._overview_loaded(*result),
            key="overview",
            on_progress=self._progress,
            busy=self.progress,
        )
        # The wait target the status verdict is checked against ("covered" never beside long waits).
        self.ctx.tasks.op(
            self,
            lambda _c: services.settings.staffing_targets().target_wait_minutes,
            self.model.set_target_wait,
            key="wait_target",
        )
        # What-ifs shown so far were modelled on the data before this reload.
        self.tier_panel.clear_results()
        self.roster_panel.clear_results()
        self.tier_panel.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Before the first load: the screen, and all it imported to be built, lives as long as the
        window. Frozen out of the cyclic collector's full passes, they are not walked when the
        load's allocations on a worker thread set one off (128 ms holding the GIL, measured at
        open on a 2,000-store chain: the window stood still that long)."""
        if not self.loaded_once and not self.is_loading:
            gc.freeze()
        super().showEvent(event)

    def _on_feed(self, kinds: frozenset[str], store_ids: frozenset[int]) -> None:
        # Noted before the reload asks the overview cache whether these stores changed.
        self.ctx.services.region.note_changes(kinds, store_ids)
        if kinds & self.watches:
            BaseView._on_data_changed(self)

    def _on_data_changed(self) -> None:
        """An edit made in this window: the feed reports it only within a second, so every cached
        overview is out of date now."""
        self.ctx.services.region.note_changes(DATA_KINDS, frozenset())
        super()._on_data_changed()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Leaving the screen stops its modelling; it starts again when the screen is shown. (A
        minimised window hides spontaneously: its screen keeps loading.)"""
        if self.is_loading and not event.spontaneous():
            self.ctx.tasks.drop(self, "overview")
            self._stale = True
        super().hideEvent(event)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _overview_loaded(self, regions, rows, amber_at: float, red_at: float, utilisation=None) -> None:
        self.loaded_once = True
        self._regions = list(regions)
        self.show_rows(rows, amber_at, red_at, utilisation)
        self._fill_region_combo()

    def show_rows(
        self,
        rows: list[StoreOverview],
        amber_at: float = 35.0,
        red_at: float = 65.0,
        utilisation: UtilisationTable | None = None,
    ) -> None:
        """Put overview rows on screen, keeping the user's sort, filters and selected store.

        ``utilisation``: the rows' heatmap source, built off the GUI thread (else built here).
        """
        selected = self.selected_store()
        self._rows = list(rows)
        self._utilisation = utilisation or UtilisationTable(self._rows)
        header = self.table.horizontalHeader()
        self.model.set_rows(
            rows, amber_at, red_at, sort=(header.sortIndicatorSection(), header.sortIndicatorOrder())
        )
        self.table.size_columns(self._rows)
        self.export_button.setEnabled(bool(rows))
        if selected is not None:
            self.select_store(selected.store_id)
        # The heatmap, counts and subtitle follow on the next turn of the event loop: the table is
        # painted first, and the window never waits for both at once.
        self._follow.start()

    @property
    def is_loading(self) -> bool:
        return not self.progress.isHidden()

    # -- filters -----------------------------------------------------------------------------------------------
    def _fill_region_combo(self) -> None:
        current = self.region_combo.currentData()
        self.region_combo.blockSignals(True)
        self.region_combo.clear()
        if len(self._regions) != 1:
            self.region_combo.addItem(self.tr("All regions"), None)
        for region_id, name in self._regions:
            self.region_combo.addItem(name, region_id)
        index = self.region_combo.findData(current) if current is not None else 0
        self.region_combo.setCurrentIndex(max(index, 0))
        self.region_combo.setEnabled(len(self._regions) > 1)
        self.region_combo.blockSignals(False)
        self._region_changed()

    def _region_changed(self, _index: int = -1) -> None:
        region_id = self.region_combo.currentData()
        self.proxy.set_region(region_id)
        self.table.setColumnHidden(COLUMN_INDEX["region"], region_id is not None or len(self._regions) == 1)
        scoped = [r for r in self._rows if region_id is None or r.region_id == region_id]
        self.tier_panel.set_scope(region_id, scoped)
        self._update_cards(scoped)

    def _status_changed(self, _index: int = -1) -> None:
        self.proxy.set_status(self.status_combo.currentData() or "all")

    def set_status_filter(self, status: str) -> None:
        """Show only stores in a gap / below policy / with red shifts ("all" for every store)."""
        index = self.status_combo.findData(status)
        if index >= 0:
            self.status_combo.setCurrentIndex(index if index != self.status_combo.currentIndex() else 0)

    # -- what the table shows drives the rest ----------------------------------------------------------------
    def _sync_with_table(self) -> None:
        shown = self.proxy.visible_rows()
        self.heatmap.set_heatmap(self._utilisation.heatmap(shown), {r.store_id: r.name for r in shown})
        if self._rows and not shown:
            self.empty.setText(self.tr("No store matches the filter."))
            self.table_stack.setCurrentWidget(self.empty)
        elif not self._rows and self.loaded_once:
            self.empty.setText(self.tr("You have no stores to compare."))
            self.table_stack.setCurrentWidget(self.empty)
        else:
            self.table_stack.setCurrentWidget(self.table)
        week = [(r.week_start, r.week_end) for r in shown if r.week_start is not None]
        if week:
            first = min(w[0] for w in week)
            last = max(w[1] for w in week)
            self.subtitle.setText(
                fill(
                    self.tr("%1 of %2 stores · last sales week %3 – %4"),
                    QLocale().toString(len(shown)),
                    QLocale().toString(len(self._rows)),
                    short_date(first),
                    short_date(last),
                )
            )
        elif self.loaded_once:
            self.subtitle.setText(
                fill(
                    self.tr("%1 of %2 stores"),
                    QLocale().toString(len(shown)),
                    QLocale().toString(len(self._rows)),
                )
            )
        else:
            self.subtitle.setText(self.tr("Loading the stores…"))

    def _update_cards(self, rows: list[StoreOverview]) -> None:
        locale = QLocale()
        gap = sum(r.in_gap for r in rows)
        below = sum(r.policy_status == "below_policy" for r in rows)
        red = sum(r.red_shifts for r in rows)
        solo = sum(r.solo_hours_per_week for r in rows)
        if not self.loaded_once:
            for card in self.cards.values():
                card.set_value("—")
            return
        self.cards["stores"].set_value(locale.toString(len(rows)))
        self.cards["gap"].set_value(locale.toString(gap), palette.BAD.text if gap else None)
        self.cards["below_policy"].set_value(locale.toString(below), palette.WARN.text if below else None)
        self.cards["red_shifts"].set_value(locale.toString(red), palette.BAD.text if red else None)
        self.cards["solo"].set_value(locale.toString(round(solo)))

    # -- selection and drill-down ------------------------------------------------------------------------------
    def selected_store(self) -> StoreOverview | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def select_store(self, store_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.store_id_at(row) == store_id:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.roster_panel.set_store(self.selected_store())

    def _open_store_at(self, index: QModelIndex) -> None:
        if index.isValid():
            self.ctx.events.store_selected.emit(self.proxy.store_id_at(index.row()))

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        store_id = self.proxy.store_id_at(index.row())
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        open_action = menu.addAction(self.tr("Open on Today"))
        open_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
        open_action.triggered.connect(lambda: self.ctx.events.store_selected.emit(store_id))
        try_action = menu.addAction(self.tr("Try one more person…"))
        try_action.triggered.connect(lambda: self.tabs.setCurrentWidget(self.roster_panel))
        if may_edit_stores(self.ctx.actor):
            edit_action = menu.addAction(self.tr("Store settings…"))
            edit_action.triggered.connect(lambda: self.edit_store(store_id))
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def edit_store(self, store_id: int) -> StoreEditorDialog:
        """Open the store editor; a saved change is data every screen reloads."""
        dialog = StoreEditorDialog(self.ctx, store_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _settings: self.ctx.events.data_changed.emit())
        dialog.open()
        return dialog

    # -- export -----------------------------------------------------------------------------------------------
    def export_columns(self) -> list[Column]:
        """The table's columns with their on-screen headers, plus the policy note and the week."""
        labels = {s: status_label(s) for s in STATUS_LABELS}
        target = self.model.target_wait_minutes  # the file says what the screen says (shown_status)
        columns = []
        for position, spec in enumerate(COLUMNS):
            header = str(self.model.headerData(position, Qt.Orientation.Horizontal)).replace("\n", " ")
            if spec.key == "policy_status":
                columns.append(Column(header, value=lambda r: labels.get(shown_status(r, target))))
                columns.append(Column(self.tr("Policy note"), "policy_note"))
                columns.append(Column(self.tr("Tier policy"), "tier_policy"))
            else:
                columns.append(Column(header, spec.key))
        columns.append(Column(self.tr("Week from"), "week_start"))
        columns.append(Column(self.tr("Week to"), "week_end"))
        return columns

    def export_table(self, fmt: str) -> None:
        """Ask where to save the stores shown, then write the file off the GUI thread."""
        filters = {
            "csv": self.tr("CSV, UTF-8 (*.csv)"),
            "xlsx": self.tr("Excel workbook (*.xlsx)"),
        }
        folder = str(self.ctx.settings.value("region/export_dir", "") or Path.home())
        stamp = self.ctx.clock().date().isoformat()
        suggested = str(Path(folder) / f"storemon-region-{stamp}.{fmt}")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the stores shown"), suggested, filters[fmt]
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        self.ctx.settings.setValue("region/export_dir", str(target.parent))
        self.write_export(target)

    def write_export(self, target: Path) -> None:
        rows = self.proxy.visible_rows()
        columns = self.export_columns()
        services, sheet = self.ctx.services, self.tr("Stores")

        def write(control: TaskControl) -> int:
            return services.region.export_rows(
                target,
                rows,
                columns,
                sheet_title=sheet,
                progress=control.progress,
                cancel=control.cancelled,
            )

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(bool(self._rows))
            self.ctx.show_error(self, exc)

        def done(count: int) -> None:
            self.export_button.setEnabled(bool(self._rows))
            self.ctx.events.status_message.emit(
                fill(self.tr("Exported %1 stores to %2"), QLocale().toString(count), str(target))
            )

        self.export_button.setEnabled(False)
        self.ctx.tasks.op(self, write, done, on_error=failed)
