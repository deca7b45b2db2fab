"""Cover shifts on the Today chart: who came in for a backup call, or was borrowed from another store.

The roster shift itself already raises the "staff on shift" line; these marks say whose shift it
is and why: a labelled bar along the bottom of the plot, "Cover: Li Na 11:50–14:50", and
"borrowed from SZ002" for someone of another store of the region.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from storemon.services.call_state import CoverShift
from ui.format import clock
from ui.i18n import fill

COVER = QColor(0, 137, 123)
BAR_SHARE = 0.06
"""The bars fill the bottom of the plot up to this share of its height."""


@dataclass(frozen=True)
class CoverMark:
    """A cover or borrowed shift as the chart marks it (hours after local midnight)."""

    start: float
    end: float
    label: str


def _hours(moment: datetime, day_start: datetime) -> float:
    return (moment - day_start).total_seconds() / 3600


class CoverMarks(QObject):
    """The cover bars and their labels on one plot (``set_covers`` replaces them)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self.plot = plot
        self.marks: list[CoverMark] = []
        self._items: list[pg.GraphicsObject] = []

    def label_of(self, cover: CoverShift, zone: ZoneInfo) -> str:
        span = f"{clock(cover.start.astimezone(zone))}–{clock(cover.end.astimezone(zone))}"
        if cover.cover and cover.borrowed_from:
            return fill(self.tr("Cover: %1 %2, borrowed from %3"), cover.name, span, cover.borrowed_from)
        if cover.cover:
            return fill(self.tr("Cover: %1 %2"), cover.name, span)
        return fill(self.tr("%1 %2, borrowed from %3"), cover.name, span, cover.borrowed_from)

    def set_covers(self, covers: tuple[CoverShift, ...], timezone: str, day, y_max: float) -> None:
        """Mark ``covers`` on the day ``day`` (a local date) of a plot whose y axis ends at ``y_max``."""
        for item in self._items:
            self.plot.removeItem(item)
        self._items, self.marks = [], []
        zone = ZoneInfo(timezone)
        day_start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        height = y_max * BAR_SHARE
        for row, cover in enumerate(covers):
            start = max(0.0, _hours(cover.start.astimezone(zone), day_start))
            end = min(24.0, _hours(cover.end.astimezone(zone), day_start))
            if end <= start:
                continue
            mark = CoverMark(start, end, self.label_of(cover, zone))
            self.marks.append(mark)
            bottom = row % 2 * height  # two covers side by side stay readable
            bar = QGraphicsRectItem(QRectF(start, bottom, end - start, height))
            fill_colour = QColor(COVER)
            fill_colour.setAlpha(150)
            bar.setBrush(QBrush(fill_colour))
            bar.setPen(QPen(COVER, 0))
            bar.setToolTip(mark.label)
            bar.setZValue(12)
            text = pg.TextItem(mark.label, color=COVER, anchor=(0, 1))
            text.setToolTip(mark.label)
            text.setPos(start, bottom + height * 2.2)
            text.setZValue(21)
            for item in (bar, text):
                self.plot.addItem(item)
                self._items.append(item)
