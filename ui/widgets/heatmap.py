"""Stores x opening hours, coloured by mean utilisation, with a colour-scale legend.

A ``QTableView`` over a small model rather than an image: every cell has a tooltip, store codes
and hours are real headers, text scales with the font, and a click maps to a store exactly.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QLinearGradient, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from storemon.services.region import RegionHeatmap
from ui.i18n import fill

SCALE_MAX = 1.5
"""The legend and the colours stop here; anything above is the darkest red."""
STOPS: tuple[tuple[float, QColor], ...] = (
    (0.0, QColor("#eef7ee")),
    (0.5, QColor("#a9dba0")),
    (0.7, QColor("#f6e27a")),
    (0.85, QColor("#f5a447")),
    (1.0, QColor("#dd4b35")),
    (SCALE_MAX, QColor("#7d1212")),
)
CLOSED = QColor("#ececec")
TICKS = (0.0, 0.5, 0.7, 0.85, 1.0, SCALE_MAX)


def utilisation_colour(value: float) -> QColor:
    """Piecewise-linear colour for a utilisation (0 = idle, 1 = staff busy all the time)."""
    if not math.isfinite(value):
        return QColor(STOPS[-1][1]) if value > 0 else QColor(CLOSED)
    value = min(max(value, 0.0), SCALE_MAX)
    for (low, low_colour), (high, high_colour) in zip(STOPS, STOPS[1:], strict=False):
        if value <= high:
            t = 0.0 if high == low else (value - low) / (high - low)
            return QColor.fromRgbF(
                low_colour.redF() + t * (high_colour.redF() - low_colour.redF()),
                low_colour.greenF() + t * (high_colour.greenF() - low_colour.greenF()),
                low_colour.blueF() + t * (high_colour.blueF() - low_colour.blueF()),
            )
    return QColor(STOPS[-1][1])


def text_colour_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background`` (relative luminance)."""
    luminance = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF()
    return QColor("#111111") if luminance > 0.5 else QColor("#ffffff")


def percent(value: float) -> str:
    """A fraction as a whole percentage in the user's locale."""
    locale = QLocale()
    return locale.toString(round(value * 100)) + locale.percent()


class HeatmapModel(QAbstractTableModel):
    """The matrix of a ``RegionHeatmap``; store names give the row tooltips."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._map = RegionHeatmap((), (), (), np.zeros((0, 0)))
        self._names: dict[int, str] = {}
        self._brushes: dict[int, tuple[QBrush, QBrush]] = {}

    @property
    def heatmap(self) -> RegionHeatmap:
        return self._map

    def set_heatmap(self, heatmap: RegionHeatmap, names: dict[int, str] | None = None) -> None:
        """Show ``heatmap``; colours are made when a cell is painted (a chain has 50,000 cells)."""
        self.beginResetModel()
        self._map = heatmap
        self._names = names or {}
        self.endResetModel()

    def _brushes_for(self, value: float) -> tuple[QBrush, QBrush]:
        """Background and text brushes of a (finite) utilisation, made once per 0.1 %."""
        key = round(min(max(value, 0.0), SCALE_MAX) * 1000)
        brushes = self._brushes.get(key)
        if brushes is None:
            background = utilisation_colour(key / 1000)
            brushes = (QBrush(background), QBrush(text_colour_on(background)))
            self._brushes[key] = brushes
        return brushes

    def store_id(self, row: int) -> int:
        return self._map.store_ids[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._map.codes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._map.hours)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._map.hours):
            hour = self._map.hours[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{hour:02d}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._map.codes):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._map.codes[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                name = self._names.get(self._map.store_ids[section], "")
                return fill(self.tr("%1 %2 — click to open it on Today"), self._map.codes[section], name)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = float(self._map.utilisation[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if math.isnan(value) else percent(value)
        if role == Qt.ItemDataRole.UserRole:
            return None if math.isnan(value) else value
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(CLOSED) if math.isnan(value) else self._brushes_for(value)[0]
        if role == Qt.ItemDataRole.ForegroundRole:
            return None if math.isnan(value) else self._brushes_for(value)[1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), index.column(), value)
        return None

    def _tooltip(self, row: int, column: int, value: float) -> str:
        code = self._map.codes[row]
        name = self._names.get(self._map.store_ids[row], "")
        hour = self._map.hours[column]
        span = f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"
        if math.isnan(value):
            return fill(self.tr("%1 %2, %3: closed"), code, name, span)
        text = fill(
            self.tr("%1 %2, %3: staff busy %4 of the time on average"), code, name, span, percent(value)
        )
        if value >= 1.0:
            text += "\n" + self.tr(
                "Above 100% orders arrive faster than staff can make them: the queue grows."
            )
        return text + "\n" + self.tr("Click to open the store on Today.")


class HeatCellDelegate(QStyledItemDelegate):
    """Paints a cell as a colour tile with a thin gap around it, and its percentage centred."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        tile = QRectF(option.rect).adjusted(1, 1, -1, -1)
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        painter.fillRect(tile, background if isinstance(background, QBrush) else QBrush(CLOSED))
        if option.state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(tile.adjusted(1, 1, -1, -1))
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if text:
            foreground = index.data(Qt.ItemDataRole.ForegroundRole)
            painter.setPen(foreground.color() if isinstance(foreground, QBrush) else QColor("#111111"))
            painter.setFont(option.font)
            painter.drawText(tile, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()


class ColourLegend(QWidget):
    """A horizontal gradient bar with percentage ticks, and a swatch for closed hours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.closed_text = ""

    def sizeHint(self) -> QSize:  # noqa: N802
        metrics = QFontMetrics(self.font())
        return QSize(360, 14 + metrics.height() + 6)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(220, self.sizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        swatch_text = self.closed_text
        swatch_width = 14 + 6 + metrics.horizontalAdvance(swatch_text) + 16 if swatch_text else 0
        margin = metrics.horizontalAdvance("100%") // 2 + 2
        bar = QRectF(margin, 2, max(self.width() - swatch_width - 2 * margin, 40), 12)
        gradient = QLinearGradient(QPointF(bar.left(), 0), QPointF(bar.right(), 0))
        for stop, colour in STOPS:
            gradient.setColorAt(stop / SCALE_MAX, colour)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(QBrush(gradient))
        painter.drawRect(bar)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        for tick in TICKS:
            x = bar.left() + bar.width() * tick / SCALE_MAX
            painter.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 3))
            label = percent(tick) + ("+" if tick == SCALE_MAX else "")
            width = metrics.horizontalAdvance(label)
            painter.drawText(QPointF(x - width / 2, bar.bottom() + 3 + metrics.ascent()), label)
        if swatch_text:
            left = bar.right() + 16
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
            painter.setBrush(CLOSED)
            painter.drawRect(QRectF(left, 2, 14, 12))
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QPointF(left + 20, 2 + 6 + metrics.ascent() / 2 - 1), swatch_text)
        painter.end()


class UtilisationHeatmap(QWidget):
    """The heatmap with its legend; ``store_clicked(store_id)`` when a cell or a store code is clicked."""

    store_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HeatmapModel(self)
        self.table = QTableView()
        self.table.setObjectName("heatmap")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        self.table.setCornerButtonEnabled(False)
        self.table.setMouseTracking(True)
        self.table.setItemDelegate(HeatCellDelegate(self.table))
        horizontal = self.table.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        horizontal.setMinimumSectionSize(36)
        horizontal.setHighlightSections(False)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(max(QFontMetrics(self.font()).height() + 8, 24))
        vertical.setHighlightSections(False)
        vertical.setSectionsClickable(True)
        self.table.clicked.connect(self._cell_clicked)
        vertical.sectionClicked.connect(self._row_clicked)

        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.legend = ColourLegend()
        self.overloaded = QLabel()
        self.overloaded.setWordWrap(True)
        self.overloaded.setTextFormat(Qt.TextFormat.PlainText)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.empty.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.legend, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.overloaded)
        layout.addWidget(self.empty, 1)
        layout.addStretch(0)
        self.retranslate()

    def retranslate(self) -> None:
        self.caption.setText(
            self.tr(
                "How busy staff were in each opening hour of the last sales week "
                "(mean utilisation). Above 100% the queue grows. Click a cell to open the store.",
            )
        )
        self.legend.closed_text = self.tr("Closed")
        self.legend.update()
        self.empty.setText(self.tr("No stores to show."))
        self._describe_overload()

    def set_heatmap(self, heatmap: RegionHeatmap, names: dict[int, str] | None = None) -> None:
        self.model.set_heatmap(heatmap, names)
        # As tall as its rows need (a few stores leave no empty grid); many stores scroll.
        rows = len(heatmap.codes)
        frame = 2 * self.table.frameWidth()
        header = self.table.horizontalHeader().sizeHint().height()
        scrollbar = self.table.horizontalScrollBar().sizeHint().height()
        self.table.setMaximumHeight(
            header + rows * self.table.verticalHeader().defaultSectionSize() + frame + scrollbar
        )
        has_rows = bool(heatmap.codes)
        self.table.setVisible(has_rows)
        self.overloaded.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self._describe_overload()

    def _describe_overload(self) -> None:
        """Name the store-hours where orders outran the staff: where to add cover first."""
        heatmap = self.model.heatmap
        if not heatmap.codes:
            self.overloaded.clear()
            return
        values = np.nan_to_num(heatmap.utilisation, nan=0.0)
        over = np.argwhere(values >= 1.0)
        if not len(over):
            self.overloaded.setText(self.tr("In no opening hour did orders outrun the staff on average."))
            return
        # The worst eight; a stable sort keeps ties in table order.
        worst = over[np.argsort(-values[values >= 1.0], kind="stable")[:8]]
        shown = [
            f"{heatmap.codes[r]} {heatmap.hours[c]:02d}:00 ({percent(float(values[r, c]))})" for r, c in worst
        ]
        text = fill(self.tr("Orders outran the staff (above 100%): %1"), " · ".join(shown))
        if len(over) > len(shown):
            text += " " + self.tr("and %n more hour(s).", "", len(over) - len(shown))
        self.overloaded.setText(text)

    def cell_rect(self, row: int, column: int):
        """Where a cell is drawn, in viewport coordinates (for tests and tooltips)."""
        return self.table.visualRect(self.model.index(row, column))

    def _cell_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.store_clicked.emit(self.model.store_id(index.row()))

    def _row_clicked(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.store_clicked.emit(self.model.store_id(row))

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
