"""The store-day timeline: 15-minute orders, staff on shift, modelled wait and the pressure band.

One pyqtgraph plot with two y axes (orders and staff on the left, wait minutes on the right), on a
time axis in local wall-clock hours. Behind the data, each quarter hour is coloured by how hard the
team works (utilisation: green below the busy threshold, amber up to 1, red from 1, where the
queue grows for as long as the rate lasts); solo periods are hatched; rushes are marked along the
top; on the current day a line marks "now". A legend under the plot names every layer, and a
read-out above it shows the figures of the quarter hour under the mouse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLayoutItem, QSizePolicy, QVBoxLayout, QWidget

from storemon.services.store_days import IntervalFigures
from storemon.services.today import TodayPicture
from ui.format import clock_hours
from ui.i18n import fill
from ui.widgets.cover_marks import CoverMarks

SLOT_HOURS = 0.25
"""One interval on the time axis (the axis counts hours after local midnight)."""

GREEN = QColor(67, 160, 71)
AMBER = QColor(255, 179, 0)
RED = QColor(229, 57, 53)
FORECAST = QColor(144, 202, 249)
FORECAST_EDGE = QColor(66, 165, 245)
ACTUAL = QColor(21, 101, 192)
STAFF = QColor(106, 27, 154)
WAIT = QColor(0, 121, 107)
RUSH = QColor(230, 81, 0)
SOLO = QColor(84, 84, 84, 70)
NOW = QColor(33, 33, 33)

BAND_ALPHA = {"green": 34, "amber": 70, "red": 62}
RUSH_STRIP = 0.955
"""The rush strip runs along the top of the plot, from this share of its height up."""


def band_colour(level: str) -> QColor:
    """The translucent background colour of a band level ("green", "amber" or "red")."""
    colour = QColor({"green": GREEN, "amber": AMBER, "red": RED}[level])
    colour.setAlpha(BAND_ALPHA[level])
    return colour


def hours_of(moment: datetime) -> float:
    """Local wall-clock time as hours after midnight (the chart's x)."""
    return moment.hour + moment.minute / 60 + moment.second / 3600


def band_level(interval: IntervalFigures, busy_utilisation: float) -> str:
    """Green below the busy threshold, amber up to 1, red from 1 or where orders meet nobody."""
    rho = interval.utilisation
    if rho is None:
        return "red" if interval.expected_orders > 0 or (interval.actual_orders or 0) > 0 else "green"
    if rho >= 1.0:
        return "red"
    return "amber" if rho >= busy_utilisation else "green"


def _runs(flags: list[bool], starts: list[float], max_gap_slots: int = 0) -> list[tuple[float, float]]:
    """Spans (start, end) in hours of consecutive flagged slots, bridging gaps of up to ``max_gap_slots``."""
    spans: list[list[float]] = []
    for flag, start in zip(flags, starts, strict=True):
        if not flag:
            continue
        if spans and start - spans[-1][1] <= max_gap_slots * SLOT_HOURS + 1e-9:
            spans[-1][1] = start + SLOT_HOURS
        else:
            spans.append([start, start + SLOT_HOURS])
    return [(a, b) for a, b in spans]


def rush_periods(intervals: list[IntervalFigures], busy_utilisation: float) -> list[tuple[float, float]]:
    """Rushes: runs of intervals at the busy utilisation or above, a single calmer quarter hour bridged.

    One quarter hour below the threshold between two busy ones does not end a rush for the person
    at the counter, so it is bridged; a longer calm splits two rushes.
    """
    flags = [band_level(i, busy_utilisation) != "green" for i in intervals]
    return _runs(flags, [hours_of(i.start) for i in intervals], max_gap_slots=1)


def solo_periods(intervals: list[IntervalFigures]) -> list[tuple[float, float]]:
    """Runs of intervals with exactly one person on shift."""
    return _runs([i.rostered_staff == 1 for i in intervals], [hours_of(i.start) for i in intervals])


def band_spans(intervals: list[IntervalFigures], busy_utilisation: float) -> list[tuple[float, float, str]]:
    """Consecutive intervals of the same band level, merged: (start, end, level)."""
    spans: list[list] = []
    for interval in intervals:
        start = hours_of(interval.start)
        level = band_level(interval, busy_utilisation)
        if spans and spans[-1][2] == level and abs(spans[-1][1] - start) < 1e-9:
            spans[-1][1] = start + SLOT_HOURS
        else:
            spans.append([start, start + SLOT_HOURS, level])
    return [(a, b, level) for a, b, level in spans]


@dataclass(frozen=True)
class RushMarker:
    """A rush as the chart marks it."""

    start: float
    end: float
    label: str


class SpanItem(pg.GraphicsObject):
    """Vertical spans of the x axis, each filling a share of the view's height, painted as one item.

    One item for the pressure band, the solo hatching and the rush strips keeps a redraw cheap
    (a store-day has dozens of spans).
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[float, float, QBrush, float, float]] = []

    def set_spans(self, spans: list[tuple[float, float, QBrush, float, float]]) -> None:
        """``(x0, x1, brush, bottom, top)``: bottom and top as shares of the view height (0-1)."""
        self.prepareGeometryChange()
        self._spans = list(spans)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        box = self.getViewBox()
        if box is None or not self._spans:
            return QRectF()
        view = box.viewRect()
        x0 = min(span[0] for span in self._spans)
        x1 = max(span[1] for span in self._spans)
        return QRectF(x0, view.top(), x1 - x0, view.height())

    def viewTransformChanged(self) -> None:  # noqa: N802 - pyqtgraph hook
        super().viewTransformChanged()
        self.prepareGeometryChange()

    def paint(self, painter: QPainter, *_args) -> None:
        box = self.getViewBox()
        if box is None:
            return
        view = box.viewRect()
        painter.setPen(Qt.PenStyle.NoPen)
        for x0, x1, brush, bottom, top in self._spans:
            painter.setBrush(brush)
            painter.drawRect(
                QRectF(x0, view.top() + bottom * view.height(), x1 - x0, (top - bottom) * view.height())
            )


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps to the next line when the width runs out.

    The wrapped height goes into the parent widget's minimum height instead of height-for-width,
    so an enclosing scroll area keeps sizing the screen by its minimum, not by preferred sizes.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        height = self._arrange(rect, move=True)
        owner = self.parentWidget()
        if owner is not None and owner.minimumHeight() != height:
            owner.setMinimumHeight(height)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        width = sum(item.sizeHint().width() + self._gap for item in self._items)
        height = max((item.sizeHint().height() for item in self._items), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items in ``rect`` (when ``move``); returns the height they need."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y = area.x(), y + line_height + 2
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class TimeAxis(pg.AxisItem):
    """Hours after local midnight shown as HH:MM; label spacing adapts to the axis length."""

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph override
        span = max(maxVal - minVal, 1e-6)
        for major in (1.0, 2.0, 3.0, 4.0, 6.0):
            if size / (span / major) >= 48:
                return [(major, 0.0), (SLOT_HOURS if major <= 2 else 1.0, 0.0)]
        return [(12.0, 0.0), (3.0, 0.0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        return [clock_hours(v) for v in values]


class _Swatch(QLabel):
    """A small legend sample: a filled box, a hatched box or a line."""

    def __init__(
        self, kind: str, colour: QColor, parent: QWidget | None = None, dashed: bool = False
    ) -> None:
        super().__init__(parent)
        size = QSize(22, 14)
        pixmap = QPixmap(size * 2)
        pixmap.setDevicePixelRatio(2)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(1, 1, size.width() - 2, size.height() - 2)
        if kind == "box":
            painter.setPen(QPen(colour.darker(130), 1))
            painter.setBrush(colour)
            painter.drawRect(box)
        elif kind == "hatch":
            painter.setPen(QPen(QColor(120, 120, 120), 1))
            painter.setBrush(QBrush(QColor(70, 70, 70), Qt.BrushStyle.BDiagPattern))
            painter.drawRect(box)
        else:
            pen = QPen(colour, 2.5)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            if kind == "vline":
                painter.drawLine(QPointF(size.width() / 2, 1), QPointF(size.width() / 2, size.height() - 1))
            elif kind == "step":
                h = size.height()
                painter.drawPolyline(
                    [QPointF(1, h - 3), QPointF(8, h - 3), QPointF(8, 4), QPointF(15, 4), QPointF(15, h - 6)]
                    + [QPointF(size.width() - 1, h - 6)]
                )
            else:
                painter.drawLine(QPointF(1, size.height() / 2), QPointF(size.width() - 1, size.height() / 2))
        painter.end()
        self.setPixmap(pixmap)


class TimelineChart(QWidget):
    """The 15-minute timeline of one store-day (see the module docstring for its layers)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._picture: TodayPicture | None = None
        self._starts: np.ndarray = np.zeros(0)
        self.rush_markers: list[RushMarker] = []
        """The rushes marked on the chart, in the order of the day."""
        self.rush_labels: list[pg.TextItem] = []
        self.band_spans: list[tuple[float, float, str]] = []
        """The pressure band as drawn: (start, end, level) in hours."""
        self.solo_spans: list[tuple[float, float]] = []

        self.readout = QLabel()
        self.readout.setObjectName("timelineReadout")
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)

        self.plot_widget = pg.PlotWidget(axisItems={"bottom": TimeAxis(orientation="bottom")})
        self.plot_widget.setMinimumHeight(190)  # with readout and legend, fits 1366×768 under the tiles
        self.plot_widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.showGrid(x=True, y=True, alpha=0.12)
        self.plot.showAxis("right")
        self.wait_box = pg.ViewBox(enableMenu=False)
        self.wait_box.setMouseEnabled(x=False, y=False)
        self.plot.scene().addItem(self.wait_box)
        self.plot.getAxis("right").linkToView(self.wait_box)
        self.wait_box.setXLink(self.plot)
        self.plot.vb.sigResized.connect(self._sync_wait_box)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

        self.forecast_bars = pg.BarGraphItem(x=[], height=[], width=0.2)
        self.actual_bars = pg.BarGraphItem(x=[], height=[], width=0.11)
        self.staff_line = pg.PlotDataItem()
        self.wait_line = pg.PlotDataItem()
        self.target_line = pg.InfiniteLine(angle=0, movable=False)
        for item in (self.forecast_bars, self.actual_bars, self.staff_line):
            self.plot.addItem(item)
        self.staff_line.setZValue(5)
        self.wait_box.addItem(self.wait_line)
        self.wait_box.addItem(self.target_line)
        self.spans = SpanItem()
        self.spans.setZValue(-30)
        self.plot.addItem(self.spans)
        self.now_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(NOW, width=2),
            label="",
            labelOpts={"position": 0.8, "color": NOW, "fill": pg.mkBrush(255, 255, 255, 210)},
        )
        self.now_line.setZValue(15)
        self.now_line.hide()
        self.plot.addItem(self.now_line)
        self.covers = CoverMarks(self.plot)
        """Cover and borrowed shifts, labelled along the bottom."""

        self.legend = QWidget()
        self.legend.setObjectName("timelineLegend")
        self._legend_flow = FlowLayout(self.legend, spacing=14)
        self._legend_flow.setContentsMargins(4, 0, 4, 0)
        self._legend_labels: dict[str, QLabel] = {}
        self._build_legend()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.readout)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.legend)
        self._apply_palette()
        self.retranslate()

    # -- look -------------------------------------------------------------------------------------
    def _apply_palette(self) -> None:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        self.plot_widget.setBackground(base)
        for name in ("left", "bottom", "right"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(text.lighter(160) if text.lightness() < 128 else text.darker(160)))
            axis.setTextPen(pg.mkPen(text))
        self.forecast_bars.setOpts(brush=pg.mkBrush(FORECAST), pen=pg.mkPen(FORECAST_EDGE, width=1))
        self.actual_bars.setOpts(brush=pg.mkBrush(ACTUAL), pen=pg.mkPen(ACTUAL.darker(130), width=1))
        self.staff_line.setPen(pg.mkPen(STAFF, width=2.5))
        self.wait_line.setPen(pg.mkPen(WAIT, width=2.5))
        self.target_line.setPen(pg.mkPen(WAIT, width=1.5, style=Qt.PenStyle.DashLine))

    def _build_legend(self) -> None:
        entries = [
            ("forecast", _Swatch("box", FORECAST)),
            ("actual", _Swatch("box", ACTUAL)),
            ("staff", _Swatch("step", STAFF)),
            ("wait", _Swatch("line", WAIT)),
            ("target", _Swatch("line", WAIT, dashed=True)),
            ("now", _Swatch("vline", NOW)),
            ("green", _Swatch("box", band_colour("green"))),
            ("amber", _Swatch("box", band_colour("amber"))),
            ("red", _Swatch("box", band_colour("red"))),
            ("solo", _Swatch("hatch", SOLO)),
            ("rush", _Swatch("box", RUSH)),
        ]
        for key, swatch in entries:
            entry = QWidget()
            row = QHBoxLayout(entry)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(5)
            label = QLabel()
            label.setObjectName(f"legend_{key}")
            self._legend_labels[key] = label
            row.addWidget(swatch)
            row.addWidget(label)
            self._legend_flow.addWidget(entry)

    def retranslate(self) -> None:
        """Set every visible text (axis names, legend) in the current language."""
        self.plot.setLabel("left", self.tr("Orders per 15 min · staff on shift"))
        self.plot.setLabel("right", self.tr("Modelled wait (min)"))
        texts = {
            "forecast": self.tr("Forecast orders"),
            "actual": self.tr("Actual orders"),
            "staff": self.tr("Staff on shift"),
            "wait": self.tr("Modelled wait (right axis)"),
            "target": self.tr("Target wait"),
            "now": self.tr("Now"),
            "green": self.tr("Calm: utilisation below %1"),
            "amber": self.tr("Busy: utilisation %1 to 100%"),
            "red": self.tr("Over capacity: 100% or more, the queue grows"),
            "solo": self.tr("Solo: one person on shift"),
            "rush": self.tr("Rush: utilisation %1 or more"),
        }
        threshold = self._busy_percent()
        for key, text in texts.items():
            self._legend_labels[key].setText(fill(text, threshold))
        self._legend_labels["rush"].setToolTip(
            self.tr("A single calmer quarter hour inside a rush does not end it.")
        )
        if self._picture is None:
            self.readout.setText(self.tr("Loading the store-day…"))

    def _busy_percent(self) -> str:
        busy = self._picture.busy_utilisation if self._picture else 0.85
        return fill(self.tr("%1%"), self.locale().toString(busy * 100, "f", 0))

    # -- data -------------------------------------------------------------------------------------
    def set_picture(self, picture: TodayPicture, now: datetime | None) -> None:
        """Show ``picture``; ``now`` (local time) draws the now line when it falls on the day."""
        threshold_changed = (
            self._picture is None or self._picture.busy_utilisation != picture.busy_utilisation
        )
        self._picture = picture
        if threshold_changed:
            self.retranslate()
        day = picture.store_day
        now_hours = hours_of(now) if now is not None and now.date() == day.day else None
        for label in self.rush_labels:
            self.plot.removeItem(label)
        self.rush_markers, self.rush_labels, self.band_spans, self.solo_spans = [], [], [], []

        intervals = day.intervals
        if not intervals:
            self._starts = np.zeros(0)
            self.forecast_bars.setOpts(x=[], height=[])
            self.actual_bars.setOpts(x=[], height=[])
            self.staff_line.setData([], [])
            self.wait_line.setData([], [])
            self.spans.set_spans([])
            self.target_line.hide()
            self.now_line.hide()
            self.covers.set_covers((), picture.timezone, day.day, 1.0)
            self.readout.setText(self.tr("Nothing to show: the store is closed and nobody is on shift."))
            return

        starts = np.array([hours_of(i.start) for i in intervals])
        self._starts = starts
        centres = starts + SLOT_HOURS / 2
        expected = np.array([i.expected_orders for i in intervals])
        actual = [
            (c, i.actual_orders)
            for c, i in zip(centres, intervals, strict=True)
            if i.actual_orders is not None
        ]
        staff = np.array([i.rostered_staff for i in intervals], dtype=float)
        waits = np.array([i.mean_wait_minutes for i in intervals])

        # With actual orders, forecast and actual stand side by side in each quarter hour.
        has_actual = bool(actual)
        self.forecast_bars.setOpts(
            x=centres - (0.045 if has_actual else 0.0), height=expected, width=0.13 if has_actual else 0.2
        )
        self.actual_bars.setOpts(x=[c + 0.06 for c, _ in actual], height=[a for _, a in actual], width=0.11)
        self.actual_bars.setVisible(has_actual)
        self._legend_labels["actual"].setEnabled(has_actual)
        # A step line over interval edges: the staff count holds for the whole quarter hour.
        self.staff_line.setData(np.append(starts, starts[-1] + SLOT_HOURS), staff, stepMode="center")
        self.wait_line.setData(centres, waits)
        self.target_line.setPos(picture.target_wait_minutes)
        self.target_line.show()

        x0, x1 = float(starts[0]), float(starts[-1] + SLOT_HOURS)
        top = max(float(expected.max(initial=0)), max((a for _, a in actual), default=0), staff.max(), 1.0)
        y_max = math.ceil(top * 1.3) + 0.5
        self.plot.setXRange(x0, x1, padding=0.01)
        self.plot.setYRange(0, y_max, padding=0)
        wait_top = max(float(np.nanmax(waits)), picture.target_wait_minutes * 2, 1.0)
        self.wait_box.setYRange(0, wait_top * 1.15, padding=0)

        self.band_spans = band_spans(intervals, picture.busy_utilisation)
        self.solo_spans = solo_periods(intervals)
        rushes = rush_periods(intervals, picture.busy_utilisation)
        hatch = QBrush(SOLO, Qt.BrushStyle.BDiagPattern)
        rush_brush = QBrush(RUSH)
        self.spans.set_spans(
            [(a, b, QBrush(band_colour(level)), 0.0, 1.0) for a, b, level in self.band_spans]
            + [(a, b, hatch, 0.0, 1.0) for a, b in self.solo_spans]
            + [(a, b, rush_brush, RUSH_STRIP, 1.0) for a, b in rushes]
        )
        width_px = self.plot.vb.width() if self.plot.vb.width() > 50 else 900.0
        px_per_hour = width_px / max(x1 - x0, SLOT_HOURS)
        metrics = QFontMetrics(self.font())
        free_from = -math.inf  # x where the previous label ends
        for a, b in rushes:
            span = f"{clock_hours(a)}–{clock_hours(b)}"
            marker = RushMarker(a, b, fill(self.tr("Rush %1"), span))
            self.rush_markers.append(marker)
            # The full label where it fits, else "Rush", else none (the strip keeps its tooltip).
            centre = (a + b) / 2
            for text in (marker.label, self.tr("Rush")):
                half = (metrics.horizontalAdvance(text) + 12) / px_per_hour / 2
                if centre - half >= free_from:
                    label = pg.TextItem(text, color=RUSH, anchor=(0.5, 0))
                    label.setToolTip(marker.label)
                    label.setPos(centre, y_max * RUSH_STRIP)
                    label.setZValue(20)
                    self.plot.addItem(label)
                    self.rush_labels.append(label)
                    free_from = centre + half
                    break
        self.covers.set_covers(picture.covers, picture.timezone, day.day, y_max)
        if now_hours is not None and x0 <= now_hours <= x1:
            # The label only updates while visible: show the line first.
            self.now_line.show()
            self.now_line.setPos(now_hours)
            self.now_line.label.setFormat(fill(self.tr("now %1"), clock_hours(now_hours)))
        else:
            self.now_line.hide()
        self.readout.setText(self._summary_readout())

    def _summary_readout(self) -> str:
        if self.rush_markers:
            spans = ", ".join(f"{clock_hours(m.start)}–{clock_hours(m.end)}" for m in self.rush_markers)
            return fill(self.tr("Rushes: %1. Point at the chart for the figures of a quarter hour."), spans)
        return self.tr("No rush expected. Point at the chart for the figures of a quarter hour.")

    def _sync_wait_box(self) -> None:
        self.wait_box.setGeometry(self.plot.vb.sceneBoundingRect())
        self.wait_box.linkedViewChanged(self.plot.vb, self.wait_box.XAxis)

    def _on_mouse_moved(self, position) -> None:
        if self._picture is None or not self._starts.size:
            return
        if not self.plot.vb.sceneBoundingRect().contains(position):
            self.readout.setText(self._summary_readout())
            return
        x = self.plot.vb.mapSceneToView(position).x()
        k = int(np.searchsorted(self._starts, x, side="right")) - 1
        if k < 0 or x > self._starts[k] + SLOT_HOURS:
            self.readout.setText(self._summary_readout())
            return
        self.readout.setText(self.interval_text(self._picture.store_day.intervals[k]))

    def interval_text(self, interval: IntervalFigures) -> str:
        """One quarter hour's figures in a sentence (the read-out above the chart)."""
        loc = self.locale()
        start = hours_of(interval.start)
        parts = [
            f"{clock_hours(start)}–{clock_hours(start + SLOT_HOURS)}",
            fill(self.tr("forecast %1 orders"), loc.toString(interval.expected_orders, "f", 1)),
        ]
        if interval.actual_orders is not None:
            parts.append(fill(self.tr("actual %1"), loc.toString(interval.actual_orders)))
        parts.append(fill(self.tr("%1 on shift"), loc.toString(interval.rostered_staff)))
        if interval.utilisation is None:
            parts.append(self.tr("nobody to serve the orders"))
        else:
            parts.append(fill(self.tr("utilisation %1%"), loc.toString(interval.utilisation * 100, "f", 0)))
        parts.append(fill(self.tr("modelled wait %1 min"), loc.toString(interval.mean_wait_minutes, "f", 1)))
        if interval.walked_away >= 0.05:
            parts.append(fill(self.tr("%1 walked away"), loc.toString(interval.walked_away, "f", 1)))
        if interval.required_staff > interval.rostered_staff:
            parts.append(fill(self.tr("%1 needed"), loc.toString(interval.required_staff)))
        return " · ".join(parts)
