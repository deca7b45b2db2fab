"""The Today screen: one store-day for the store manager: "Will my people drown today, and who do I send?"

A header picks the store and the day; tiles sum the day up (solo minutes, peak utilisation, mean
wait, the worst shift's pressure level, where the demand comes from); the timeline shows the day
quarter hour by quarter hour; the pressure list says who is under how much pressure and why; the
"What would fix today" panel asks the recommender for the smallest cover that fixes the day.
Everything loads off the GUI thread; a newer request always wins over an older one.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from staffing.forecast import SOURCE_SIMILAR
from storemon.services.advice import CoverAdvice
from storemon.services.stores import StoreRef
from storemon.services.today import TodayPicture
from ui.context import AppContext
from ui.format import clock, clock_hours
from ui.i18n import fill
from ui.views.base import BaseView
from ui.views.today_tips import tile_tips
from ui.widgets import labour_cost
from ui.widgets.advice_actions import AdviceActions
from ui.widgets.call_buttons import CallButtons
from ui.widgets.pressure_list import LEVEL_COLOURS, PressureList
from ui.widgets.splitter import splitter
from ui.widgets.store_calls import attach_to_today
from ui.widgets.timeline import TimelineChart, band_level, hours_of

SETTINGS_STORE = "today/store_id"


class SummaryTile(QFrame):
    """One figure of the day: a caption, the value in large type and a line that explains it."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"tile_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.caption = QLabel()
        self.value_label = QLabel("—")
        self.note = QLabel()
        self.note.setWordWrap(True)
        font = self.value_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value_label.setFont(font)
        caption_font = self.caption.font()
        caption_font.setPointSizeF(caption_font.pointSizeF() * 0.92)
        self.caption.setFont(caption_font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value_label)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.level = ""
        self.set_level("")

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_note()

    def _fit_note(self) -> None:
        """The wrapped note's height at the tile's width is its minimum: a long note makes the tile
        row taller (the screen scrolls if it must) instead of squeezing the chart under its legend."""
        height = self.note.heightForWidth(self.note.width()) if self.note.text() else 0
        self.note.setMinimumHeight(max(height, 0))

    def set_value(self, value: str, note: str, level: str = "") -> None:
        self.value_label.setText(value)
        self.note.setText(note)
        self._fit_note()
        self.setAccessibleName(f"{self.caption.text()}: {value}")
        self.setAccessibleDescription(note)
        self.set_level(level)

    def set_level(self, level: str) -> None:
        """Colour the tile green, amber or red ("" for neutral)."""
        self.level = level
        name = self.objectName()
        if level in LEVEL_COLOURS:
            background, foreground = LEVEL_COLOURS[level]
            self.setStyleSheet(
                f"#{name} {{ background: {background.name()}; border: 1px solid {foreground.name()};"
                f" border-left: 5px solid {foreground.name()}; border-radius: 4px; }}"
                f" #{name} QLabel {{ color: {foreground.name()}; background: transparent; border: none; }}"
            )
        else:
            self.setStyleSheet(
                f"#{name} {{ border: 1px solid palette(mid); border-left: 5px solid palette(mid);"
                f" border-radius: 4px; }} #{name} QLabel {{ background: transparent; border: none; }}"
            )


class TodayView(BaseView):
    """One store-day for the store manager (see the module docstring)."""

    view_key = "today"

    loaded = Signal()
    """A store-day was loaded and is on screen."""
    recommendation_shown = Signal()
    """The "What would fix today" panel shows a fresh answer."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._stores: list[StoreRef] = []
        self._day: date | None = None
        self._picture: TodayPicture | None = None
        self._pending_store: int | None = None
        self._busy: set[str] = set()
        self._build()
        self._retranslate()
        self._update_fix_button()
        ctx.events.store_selected.connect(self.select_store)
        attach_to_today(self)  # open calls on top; reloads on changes from any PC and every minute

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.store_label = QLabel()
        self.store_combo = QComboBox()
        self.store_combo.setObjectName("storeCombo")
        self.store_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.store_combo.setMinimumContentsLength(12)
        self.store_label.setBuddy(self.store_combo)
        self.prev_button = QToolButton()
        self.prev_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowLeft))
        self.next_button = QToolButton()
        self.next_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowRight))
        self.prev_button.setShortcut(QKeySequence("Alt+Left"))
        self.next_button.setShortcut(QKeySequence("Alt+Right"))
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("dayEdit")
        self.date_edit.setCalendarPopup(True)
        self.today_button = QPushButton()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(90)
        self.busy_bar.setMaximumHeight(12)
        self.busy_bar.setVisible(False)
        self.status_label = QLabel()
        self.status_label.setObjectName("todayStatus")
        self.action_bar = QHBoxLayout()
        """Top right: the one-click Call backup / Manager intervention buttons."""
        self.action_bar.setSpacing(8)
        self.call_buttons = CallButtons(self.ctx)
        self.action_bar.addWidget(self.call_buttons)

        header = QHBoxLayout()
        header.setSpacing(6)
        header.addWidget(self.store_label)
        header.addWidget(self.store_combo)
        header.addSpacing(12)
        header.addWidget(self.prev_button)
        header.addWidget(self.date_edit)
        header.addWidget(self.next_button)
        header.addWidget(self.today_button)
        header.addSpacing(12)
        header.addWidget(self.busy_bar)
        header.addWidget(self.status_label)
        header.addStretch(1)
        header.addLayout(self.action_bar)

        self.tiles = {
            key: SummaryTile(key) for key in ("solo", "utilisation", "wait", "pressure", "demand", "labour")
        }
        tiles = QHBoxLayout()
        tiles.setSpacing(8)
        for tile in self.tiles.values():
            tiles.addWidget(tile, 1)

        self.timeline = TimelineChart()
        self.chart_box = QGroupBox()
        chart_layout = QVBoxLayout(self.chart_box)
        chart_layout.setContentsMargins(8, 6, 8, 6)
        chart_layout.addWidget(self.timeline)

        self.pressure_list = PressureList()
        self.pressure_box = QGroupBox()
        pressure_layout = QVBoxLayout(self.pressure_box)
        pressure_layout.setContentsMargins(8, 6, 8, 8)
        pressure_layout.addWidget(self.pressure_list)

        self.fix_box = QGroupBox()
        self._build_fix_panel()

        bottom = splitter(Qt.Orientation.Horizontal, (self.pressure_box, self.fix_box), (1, 1), [560, 480])
        self.body = body = splitter(Qt.Orientation.Vertical, (self.chart_box, bottom), (1, 1), [340, 320])

        # In a scroll area, so a small window scrolls instead of being forced wide by the screen.
        content = _ScreenContent()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addLayout(tiles)
        layout.addWidget(body, 1)
        scroll = QScrollArea()
        scroll.setObjectName("todayScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.store_combo.currentIndexChanged.connect(self._on_store_changed)
        self.date_edit.dateChanged.connect(self._on_date_changed)
        self.prev_button.clicked.connect(lambda: self.date_edit.setDate(self.date_edit.date().addDays(-1)))
        self.next_button.clicked.connect(lambda: self.date_edit.setDate(self.date_edit.date().addDays(1)))
        self.today_button.clicked.connect(self._go_to_today)
        self.fix_button.clicked.connect(self.find_cover)

    def _build_fix_panel(self) -> None:
        self.fix_intro = QLabel()
        self.fix_intro.setWordWrap(True)
        self.fix_button = QPushButton()
        self.fix_button.setObjectName("findCover")
        self.fix_button.setDefault(False)
        self.fix_busy = QProgressBar()
        self.fix_busy.setRange(0, 0)
        self.fix_busy.setTextVisible(False)
        self.fix_busy.setMaximumHeight(12)
        self.fix_busy.setVisible(False)
        self.additions_table = QTableWidget(0, 3)
        self.additions_table.setObjectName("additionsTable")
        self.additions_table.verticalHeader().setVisible(False)
        self.additions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.additions_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.additions_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.additions_table.setVisible(False)
        self.additions_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.additions_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.additions_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fix_verdict = QLabel()
        self.fix_verdict.setObjectName("fixVerdict")
        self.fix_verdict.setWordWrap(True)
        self.fix_verdict.setTextFormat(Qt.TextFormat.RichText)
        self.fix_summary = QLabel()
        self.fix_summary.setObjectName("fixSummary")
        self.fix_summary.setWordWrap(True)
        self.fix_summary.setTextFormat(Qt.TextFormat.RichText)
        self.fix_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fix_actions = AdviceActions(self.ctx, "today.find_cover")
        self.fix_actions.caller = self.call_buttons.call_backup_for  # followed live by the call buttons

        button_row = QHBoxLayout()
        button_row.addWidget(self.fix_button)
        button_row.addWidget(self.fix_busy, 1)
        button_row.addStretch(0)
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 4, 0)
        inner.addWidget(self.fix_intro)
        inner.addLayout(button_row)
        inner.addWidget(self.fix_verdict)
        inner.addWidget(self.additions_table)
        inner.addWidget(self.fix_summary)
        inner.addWidget(self.fix_actions)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self.fix_box)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addWidget(scroll)

    def _retranslate(self) -> None:
        self.store_label.setText(self.tr("&Store:"))
        self.prev_button.setToolTip(self.tr("Previous day (Alt+Left)"))
        self.next_button.setToolTip(self.tr("Next day (Alt+Right)"))
        self.prev_button.setAccessibleName(self.tr("Previous day"))
        self.next_button.setAccessibleName(self.tr("Next day"))
        self.date_edit.setToolTip(self.tr("The store's local day to show"))
        self.today_button.setText(self.tr("Today"))
        self.date_edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.LongFormat))
        self.today_button.setToolTip(self.tr("Go back to today in the store's time zone"))
        self.busy_bar.setToolTip(self.tr("Loading…"))
        captions = {
            "solo": self.tr("Solo minutes"),
            "utilisation": self.tr("Peak utilisation"),
            "wait": self.tr("Day mean wait"),
            "pressure": self.tr("Worst shift pressure"),
            "demand": self.tr("Demand source"),
            "labour": self.tr("Labour cost"),
        }
        for key, text in captions.items():
            self.tiles[key].caption.setText(text)
        self._explain_tiles(self._picture)
        self.chart_box.setTitle(self.tr("The day in quarter hours"))
        self.pressure_box.setTitle(self.tr("Pressure per person"))
        self.fix_box.setTitle(self.tr("What would fix today"))
        self.fix_intro.setText(
            self.tr(
                "Finds the fewest extra staff-hours that bring waits under the target and every "
                "shift below amber, as cover blocks you can call in."
            )
        )
        self.fix_button.setText(self.tr("Find the cover"))
        self.additions_table.setHorizontalHeaderLabels([self.tr("From"), self.tr("To"), self.tr("Hours")])
        self.timeline.retranslate()
        self.pressure_list.retranslate()
        if self._picture is not None:
            self._show_picture(self._picture)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def title(self) -> str:
        return self.tr("Today")

    # -- state --------------------------------------------------------------------------------------
    def current_store(self) -> StoreRef | None:
        store_id = self.store_combo.currentData()
        return next((s for s in self._stores if s.id == store_id), None)

    def store_today(self, store: StoreRef) -> date:
        """Today's date in the store's time zone, by the app's clock."""
        return self.ctx.clock().astimezone(ZoneInfo(store.timezone)).date()

    def store_now(self, store: StoreRef) -> datetime:
        return self.ctx.clock().astimezone(ZoneInfo(store.timezone))

    def _set_busy(self, kind: str, busy: bool) -> None:
        if busy:
            self._busy.add(kind)
        else:
            self._busy.discard(kind)
        loading = bool(self._busy & {"stores", "day"})
        self.busy_bar.setVisible(loading)
        if loading:
            self.status_label.setText(self.tr("Loading…"))
        self._update_fix_button()

    def _update_fix_button(self) -> None:
        self.fix_busy.setVisible("fix" in self._busy)
        self.fix_button.setEnabled("fix" not in self._busy and self._picture is not None)

    def _start(self, kind: str, fn, on_done) -> None:
        """Run ``fn`` off the GUI thread; only the newest request of each kind reaches the screen."""
        self._set_busy(kind, True)

        def done(result) -> None:
            self._set_busy(kind, False)
            on_done(result)

        def failed(exc: BaseException) -> None:
            self._set_busy(kind, False)
            if kind == "fix":
                self.fix_verdict.setText(_esc(self.tr("Could not work out the cover.")))
            else:
                self.status_label.setText(self.tr("Could not load the day"))
            self.ctx.show_error(self, exc)

        self.ctx.tasks.op(self, lambda _control: fn(), done, key=kind, on_error=failed)

    # -- loading ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the stores the user may see, then the shown store-day."""
        services, actor = self.ctx.services, self.ctx.actor
        self._start("stores", lambda: services.stores.list(actor), self._on_stores)

    def _on_stores(self, stores: list[StoreRef]) -> None:
        previous = self.store_combo.currentData()
        self._stores = stores
        self.store_combo.blockSignals(True)
        self.store_combo.clear()
        for store in stores:
            self.store_combo.addItem(f"{store.code} · {store.name}", store.id)
            self.store_combo.setItemData(
                self.store_combo.count() - 1, f"{store.name} ({store.region})", Qt.ItemDataRole.ToolTipRole
            )
        wanted = [self._pending_store, previous, _int(self.ctx.settings.value(SETTINGS_STORE))]
        wanted.append(self.ctx.actor.store_id)
        index = next(
            (i for i in (self.store_combo.findData(w) for w in wanted if w is not None) if i >= 0),
            0 if stores else -1,
        )
        self.store_combo.setCurrentIndex(index)
        self.store_combo.blockSignals(False)
        self._pending_store = None
        store = self.current_store()
        if store is None:
            self._show_no_store()
            return
        self.call_buttons.set_store(store.id, store.timezone)
        if self._day is None:
            self._set_day(self.store_today(store))
        self._load_day()

    def _show_no_store(self) -> None:
        self._picture = None
        self.status_label.setText(self.tr("You have no store to look after."))
        for tile in self.tiles.values():
            tile.set_value("—", "")
        self._set_busy("fix", False)

    def _set_day(self, day: date) -> None:
        self._day = day
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)

    def _load_day(self) -> None:
        store, day = self.current_store(), self._day
        if store is None or day is None:
            return
        self.today_button.setEnabled(day != self.store_today(store))
        self._reset_fix_panel()
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()
        self._start(
            "day", lambda: services.staffing.today_picture(actor, store.id, day, now), self._show_picture
        )

    def _on_store_changed(self, _index: int) -> None:
        store = self.current_store()
        if store is None:
            return
        self.ctx.settings.setValue(SETTINGS_STORE, store.id)
        self.call_buttons.set_store(store.id, store.timezone)
        self._load_day()

    def _on_date_changed(self, qdate: QDate) -> None:
        self._day = qdate.toPython()
        self._load_day()

    def _go_to_today(self) -> None:
        store = self.current_store()
        if store is not None:
            today = self.store_today(store)
            self.date_edit.setDate(QDate(today.year, today.month, today.day))

    def select_store(self, store_id: int) -> None:
        """Show ``store_id`` (the Region screen's drill-down); it loads once the store list is in."""
        index = self.store_combo.findData(store_id)
        if index >= 0 and "stores" not in self._busy:
            self.store_combo.setCurrentIndex(index)
            return
        self._pending_store = store_id
        if self._loaded and "stores" not in self._busy:
            self.refresh()

    # -- showing ------------------------------------------------------------------------------------
    def _show_picture(self, picture: TodayPicture) -> None:
        self._picture = picture
        store = self.current_store()
        day = picture.store_day
        now = self.store_now(store) if store is not None else None
        self._fill_tiles(picture)
        self._explain_tiles(picture)
        self.timeline.set_picture(picture, now)
        self.pressure_list.set_people(day.pressure)
        if now is not None:
            self.status_label.setText(fill(self.tr("Updated %1"), clock(now)))
        self._update_fix_button()
        self.loaded.emit()

    def _explain_tiles(self, picture: TodayPicture | None) -> None:
        """Each tile's tooltip: what it means and the yardsticks it is coloured by (``today_tips``)."""
        for key, tip in tile_tips(picture).items():
            self.tiles[key].setToolTip(tip)

    def _fill_tiles(self, picture: TodayPicture) -> None:
        loc = QLocale()
        day = picture.store_day
        solo = day.solo_minutes
        self.tiles["solo"].set_value(
            fill(self.tr("%1 min"), loc.toString(solo)),
            self.tr("Nobody is ever alone on the floor")
            if solo == 0
            else fill(self.tr("%1 h with one person on the floor"), loc.toString(solo / 60, "f", 1)),
            "green" if solo == 0 else "red" if solo >= picture.solo_full_minutes else "amber",
        )

        rated = [i for i in day.intervals if i.utilisation is not None]
        # No utilisation means orders arrive while nobody is on shift: the load has no bound.
        unbounded = [i for i in day.intervals if i.utilisation is None]
        if unbounded:
            first = hours_of(unbounded[0].start)
            self.tiles["utilisation"].set_value(
                self.tr("Nobody rostered"),
                fill(self.tr("orders with nobody on shift from %1"), clock_hours(first)),
                "red",
            )
        elif day.peak_utilisation is None or not rated:
            self.tiles["utilisation"].set_value("—", self.tr("No orders expected"), "")
        else:
            peak = max(rated, key=lambda i: i.utilisation)
            start = hours_of(peak.start)
            self.tiles["utilisation"].set_value(
                fill(self.tr("%1%"), loc.toString(day.peak_utilisation * 100, "f", 0)),
                fill(self.tr("at %1–%2"), clock_hours(start), clock_hours(start + 0.25)),
                band_level(peak, picture.busy_utilisation),
            )

        target = picture.target_wait_minutes
        wait = day.day_mean_wait_minutes
        lost = round(day.lost_orders)
        self.tiles["wait"].set_value(
            fill(self.tr("%1 min"), loc.toString(wait, "f", 1)),
            fill(self.tr("target %1 min"), loc.toString(target, "f", 0))
            + (fill(self.tr(" · about %1 customers walked away"), loc.toString(lost)) if lost else ""),
            "green" if wait <= target else "amber" if wait <= 2 * target else "red",
        )

        if day.pressure:
            worst = max(day.pressure, key=lambda p: p.index)
            self.tiles["pressure"].set_value(
                self.pressure_list.level_name(worst.level),
                fill(self.tr("%1 · index %2"), worst.name, loc.toString(worst.index, "f", 1)),
                worst.level,
            )
        else:
            self.tiles["pressure"].set_value("—", self.tr("Nobody on the roster"), "")

        borrowed = day.forecast_source == SOURCE_SIMILAR
        if day.demand_source == "actual":
            self.tiles["demand"].set_value(self.tr("Actual"), self.tr("The day's recorded sales"), "")
        elif borrowed:
            self.tiles["demand"].set_value(
                self.tr("Estimated from similar stores"),
                self.tr(
                    "Too little history of its own yet: similar stores' pattern, scaled by its first days"
                ),
                "amber",
            )
        else:
            self.tiles["demand"].set_value(
                self.tr("Forecast"), self.tr("Expected orders from sales history"), ""
            )

        if picture.labour is not None:
            self.tiles["labour"].set_value(*labour_cost.day_tile(picture.labour, day.day == self._today()))

    def _today(self) -> date | None:
        store = self.current_store()
        return self.store_today(store) if store is not None else None

    # -- what would fix today -----------------------------------------------------------------------
    def _reset_fix_panel(self) -> None:
        self.ctx.tasks.drop(self, "fix")
        self._set_busy("fix", False)
        self.additions_table.setRowCount(0)
        self.additions_table.setVisible(False)
        self.fix_verdict.setText("")
        self.fix_summary.setText("")
        self.fix_actions.set_drafts(None)
        self.fix_intro.setVisible(True)

    def find_cover(self) -> None:
        """Ask the recommender, off the GUI thread, for the smallest cover that fixes the shown day."""
        store, day = self.current_store(), self._day
        if store is None or day is None:
            return
        services, actor, now = self.ctx.services, self.ctx.actor, self.ctx.clock()
        self.fix_verdict.setText(_esc(fill(self.tr("Modelling every cover block for %1…"), store.name)))
        self._start(
            "fix", lambda: services.staffing.advise(actor, store.id, day, now), self._show_recommendation
        )

    def _show_recommendation(self, recommendation: CoverAdvice) -> None:
        loc = QLocale()
        additions = recommendation.additions
        self.additions_table.setRowCount(len(additions))
        for row, shift in enumerate(additions):
            cells = [
                clock_hours(shift.first * 0.25),
                clock_hours(shift.end * 0.25),
                loc.toString(shift.hours, "f", 1),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(
                    (Qt.AlignmentFlag.AlignRight if column == 2 else Qt.AlignmentFlag.AlignLeft)
                    | Qt.AlignmentFlag.AlignVCenter
                )
                self.additions_table.setItem(row, column, item)
        self.additions_table.setVisible(bool(additions))
        if additions:
            height = self.additions_table.horizontalHeader().height() + 4
            height += sum(self.additions_table.rowHeight(r) for r in range(len(additions)))
            self.additions_table.setFixedHeight(height)
        verdict, comparison = self._recommendation_html(recommendation)
        self.fix_verdict.setText(verdict)
        self.fix_summary.setText(comparison)
        self.fix_actions.set_drafts(recommendation.actions)
        self.fix_intro.setVisible(False)
        self.recommendation_shown.emit()

    def _recommendation_html(self, rec: CoverAdvice) -> tuple[str, str]:
        """The verdict, and the day's figures as rostered and with the cover (both rich text).

        Both columns are the day's figures (``day_figures``): "As rostered" is what the tiles and the
        Region table show; the verdict follows the one "fixed" rule and names what is still missing.
        """
        loc = QLocale()
        n = len(rec.additions)
        total = sum(s.hours for s in rec.additions)
        before, after = rec.before, rec.after
        if n and after.fixed:
            verdict = self.tr(
                "Add %n cover block(s): waits meet the target and every shift is below amber.", "", n
            )
            colour = LEVEL_COLOURS["green"][1]
        elif n:
            verdict = self.tr("Add %n cover block(s). That helps, but the day is not fixed yet.", "", n)
            verdict += " " + self._still_missing(rec)
            colour = LEVEL_COLOURS["amber"][1]
        elif before.fixed:
            verdict = self.tr("No cover needed: waits stay under the target and every shift is below amber.")
            colour = LEVEL_COLOURS["green"][1]
        else:
            verdict = self.tr("No cover block within the limits helps; talk with your regional manager.")
            colour = LEVEL_COLOURS["red"][1]
        if n:
            verdict += " " + fill(self.tr("%1 extra staff-hours in total."), loc.toString(total, "f", 1))
            verdict += " " + labour_cost.added_cover(rec.added_cost)
        verdict_html = f"<p style='color:{colour.name()}'><b>{_esc(verdict)}</b></p>"
        rows = [
            (self.tr("Longest wait (min)"), before.max_wait_minutes, after.max_wait_minutes, 1),
            (
                self.tr("Time over the wait target (min)"),
                before.minutes_over_target,
                after.minutes_over_target,
                0,
            ),
            (self.tr("Worst shift pressure"), before.peak_pressure, after.peak_pressure, 0),
            (self.tr("Red shifts"), before.red_shifts, after.red_shifts, 0),
            (self.tr("Solo hours"), before.solo_hours, after.solo_hours, 1),
            (self.tr("Staff-hours"), before.staff_hours, after.staff_hours, 1),
        ]
        table = (
            "<table cellspacing='0' cellpadding='3'><tr>"
            f"<th align='left'>{_esc(self.tr('Figure'))}</th>"
            f"<th align='right'>{_esc(self.tr('As rostered'))}</th>"
            f"<th align='right'>{_esc(self.tr('With the cover'))}</th></tr>"
        )
        for label, now_value, then_value, decimals in rows:
            table += (
                f"<tr><td>{_esc(label)}</td>"
                f"<td align='right'>{loc.toString(float(now_value), 'f', decimals)}</td>"
                f"<td align='right'><b>{loc.toString(float(then_value), 'f', decimals)}</b></td></tr>"
            )
        return verdict_html, table + "</table>"

    def _still_missing(self, rec: CoverAdvice) -> str:
        """What keeps the covered day from being fixed, in the figures shown beside it."""
        loc = QLocale()
        over = loc.toString(rec.after.minutes_over_target)
        pressure = loc.toString(rec.after.peak_pressure, "f", 0)
        amber = loc.toString(rec.amber_at, "f", 0)
        if set(rec.missing) == {"over_target", "pressure"}:
            text = self.tr(
                "%1 min are still over the wait target, and the worst shift's pressure stays at %2 "
                "(amber from %3)."
            )
            return fill(text, over, pressure, amber)
        if "over_target" in rec.missing:
            return fill(self.tr("%1 min are still over the wait target."), over)
        return fill(
            self.tr(
                "Waits then meet the target, but the worst shift's pressure stays at %1 (amber from %2)."
            ),
            pressure,
            amber,
        )


class _ScreenContent(QWidget):
    """The scrolled screen: sized to the viewport or its minimum, never to wrapped labels' preference."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return False

    def heightForWidth(self, _width: int) -> int:  # noqa: N802 - Qt override
        return -1


def _esc(text: str) -> str:
    return html.escape(text)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
