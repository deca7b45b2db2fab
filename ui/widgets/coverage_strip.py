"""How many people are on the floor through a day, as a strip of 15-minute cells.

Solo stretches (one person while the store is open) are amber, unstaffed ones red, and
intervals with fewer people than the store's tier policy asks for carry a red mark along the
bottom. Hovering shows the hour: who is on the floor, and what the policy asks.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolTip, QWidget

from ui.format import clock_minutes, number
from ui.i18n import fill

if TYPE_CHECKING:
    from storemon.services.schedule import DayCoverage

INTERVAL_MINUTES = 15
PER_HOUR = 60 // INTERVAL_MINUTES

CLOSED = QColor("#eceff1")
OFF_HOURS = QColor("#cfd8dc")
"""People on the floor while the store is closed (opening and closing duties)."""
UNSTAFFED = QColor("#c62828")
SOLO = QColor("#f4a62a")
COVERED = [QColor("#a5d6c1"), QColor("#6cc0a0"), QColor("#3f9f7f")]
"""Two, three, and four or more people on the floor."""
SHORTFALL = QColor("#b00020")
GRID = QColor(255, 255, 255, 170)


def staffed_color(staff: int, is_open: bool) -> QColor:
    """The fill of an interval: red when nobody is there while open, amber when one person is."""
    if not is_open:
        return OFF_HOURS if staff else CLOSED
    if staff == 0:
        return UNSTAFFED
    if staff == 1:
        return SOLO
    return COVERED[min(staff, 4) - 2]


def text_color(fill: QColor) -> QColor:
    return QColor("#ffffff") if fill.lightnessF() < 0.5 else QColor("#263238")


class CoverageStrip(QWidget):
    """One day's staff on the floor, drawn from interval ``first`` to ``end`` (15-minute indexes)."""

    day_clicked = Signal(object)
    """The local ``date`` of the strip the user clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._coverage: DayCoverage | None = None
        self._first, self._end = 24, 88
        self._selected = False
        self.setMinimumHeight(24)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)

    # -- data -------------------------------------------------------------------------------------
    def set_coverage(self, coverage: DayCoverage | None, first: int, end: int) -> None:
        self._coverage = coverage
        self._first, self._end = first, max(end, first + 1)
        self.setAccessibleDescription(self.summary())
        self.update()

    def coverage(self) -> DayCoverage | None:
        return self._coverage

    def set_selected(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self.update()

    def day(self) -> date | None:
        return self._coverage.day if self._coverage else None

    def staff_at(self, minute: int) -> int:
        """People on the floor at ``minute`` after local midnight."""
        if self._coverage is None:
            return 0
        return self._coverage.staff[max(0, min(len(self._coverage.staff) - 1, minute // INTERVAL_MINUTES))]

    @staticmethod
    def _minutes(spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
        return [(s * INTERVAL_MINUTES, e * INTERVAL_MINUTES) for s, e in spans]

    def solo_periods(self) -> list[tuple[int, int]]:
        """Highlighted solo stretches as (start, end) minutes after local midnight."""
        return self._minutes(self._coverage.solo) if self._coverage else []

    def unstaffed_periods(self) -> list[tuple[int, int]]:
        return self._minutes(self._coverage.unstaffed) if self._coverage else []

    def shortfall_periods(self) -> list[tuple[int, int]]:
        """Stretches with fewer people than the tier policy asks for."""
        return self._minutes(self._coverage.shortfall) if self._coverage else []

    def summary(self) -> str:
        """What the strip shows, in words (accessible description and tests)."""
        if self._coverage is None:
            return ""
        parts = []
        solo = ", ".join(f"{clock_minutes(s)}–{clock_minutes(e)}" for s, e in self.solo_periods())
        if solo:
            parts.append(fill(self.tr("Alone on the floor: %1"), solo))
        empty = ", ".join(f"{clock_minutes(s)}–{clock_minutes(e)}" for s, e in self.unstaffed_periods())
        if empty:
            parts.append(fill(self.tr("Nobody on the floor: %1"), empty))
        short = ", ".join(f"{clock_minutes(s)}–{clock_minutes(e)}" for s, e in self.shortfall_periods())
        if short:
            parts.append(fill(self.tr("Below policy: %1"), short))
        return "; ".join(parts) or self.tr("Covered all day")

    # -- geometry ---------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(640, 26)

    def _x(self, interval: int) -> int:
        span = self._end - self._first
        return round((interval - self._first) * self.width() / span)

    def interval_at(self, x: int) -> int:
        span = self._end - self._first
        return self._first + min(span - 1, max(0, int(x * span / max(1, self.width()))))

    def _is_open(self, interval: int) -> bool:
        c = self._coverage
        return c is not None and c.open_first <= interval < c.open_end

    def _short(self, interval: int) -> bool:
        c = self._coverage
        return c is not None and any(s <= interval < e for s, e in c.shortfall)

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        rect = self.rect()
        painter.fillRect(rect, CLOSED)
        c = self._coverage
        if c is not None:
            font = QFont(self.font())
            font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
            painter.setFont(font)
            metrics = painter.fontMetrics()
            mark = max(3, rect.height() // 7)
            runs = []
            i = self._first
            while i < self._end:
                state = (c.staff[i], self._is_open(i), self._short(i))
                j = i + 1
                while j < self._end and (c.staff[j], self._is_open(j), self._short(j)) == state:
                    j += 1
                runs.append((i, j, state))
                i = j
            for i, j, (staff, is_open, short) in runs:
                x0, x1 = self._x(i), self._x(j)
                painter.fillRect(QRect(x0, 0, x1 - x0, rect.height()), staffed_color(staff, is_open))
                if short:
                    painter.fillRect(QRect(x0, rect.height() - mark, x1 - x0, mark), SHORTFALL)
            painter.setPen(QPen(GRID, 1))
            for interval in range(self._first, self._end + 1):
                if interval % PER_HOUR == 0:
                    x = self._x(interval)
                    painter.drawLine(x, 0, x, rect.height())
            # The count once per hour of each run, so the strip reads as "people per hour".
            for i, j, (staff, is_open, _short) in runs:
                if not (staff or is_open):
                    continue
                fill = staffed_color(staff, is_open)
                label = number(staff)
                painter.setPen(text_color(fill))
                start = i
                while start < j:
                    stop = min(j, (start // PER_HOUR + 1) * PER_HOUR)
                    cell = QRect(self._x(start), 0, self._x(stop) - self._x(start), rect.height() - mark)
                    if metrics.horizontalAdvance(label) + 6 <= cell.width():
                        painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, label)
                    start = stop
        if self._selected:
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._coverage is not None and event.button() == Qt.MouseButton.LeftButton:
            self.day_clicked.emit(self._coverage.day)
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and self._coverage:
            QToolTip.showText(event.globalPos(), self.hour_tooltip(event.pos()), self)
            return True
        return super().event(event)

    def hour_tooltip(self, pos: QPoint) -> str:
        """The hour under ``pos``: fewest and most people on the floor, and the policy's ask."""
        c = self._coverage
        if c is None:
            return ""
        hour = self.interval_at(pos.x()) // PER_HOUR
        cells = range(hour * PER_HOUR, (hour + 1) * PER_HOUR)
        counts = [c.staff[i] for i in cells]
        low, high = min(counts), max(counts)
        span = f"{clock_minutes(hour * 60)}–{clock_minutes(hour * 60 + 60)}"
        people = number(low) if low == high else f"{number(low)}–{number(high)}"
        lines = [fill(self.tr("%1: %2 on the floor"), span, people)]
        if not any(self._is_open(i) for i in cells):
            lines.append(self.tr("The store is closed."))
        else:
            if any(self._is_open(i) and c.staff[i] == 0 for i in cells):
                lines.append(self.tr("Nobody on the floor for part of this hour."))
            elif any(self._is_open(i) and c.staff[i] == 1 for i in cells):
                lines.append(self.tr("One person alone on the floor (solo)."))
            if c.required is not None:
                text = fill(self.tr("The tier policy asks for %1."), number(c.required))
                if any(self._short(i) for i in cells):
                    text += " " + self.tr("Below policy.")
                lines.append(text)
        return "\n".join(lines)


class CoverageAxis(QWidget):
    """Hour labels above a column of coverage strips, aligned with their cells."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._first, self._end = 24, 88
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_range(self, first: int, end: int) -> None:
        self._first, self._end = first, max(end, first + 1)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(640, self.fontMetrics().height() + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(120, self.fontMetrics().height() + 4)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setPen(self.palette().placeholderText().color())
        metrics = painter.fontMetrics()
        span = self._end - self._first
        hours = [i for i in range(self._first, self._end + 1) if i % PER_HOUR == 0]
        width = metrics.horizontalAdvance("00:00") + 8
        step = 1
        while hours and len(hours) / step * width > self.width():
            step += 1
        for n, interval in enumerate(hours):
            if n % step:
                continue
            x = round((interval - self._first) * self.width() / span)
            text = clock_minutes(interval * INTERVAL_MINUTES)
            w = metrics.horizontalAdvance(text)
            left = min(max(0, x - w // 2), self.width() - w)
            painter.drawText(QRect(left, 0, w + 1, self.height()), Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()


class CoverageLegend(QWidget):
    """What the strip colours mean."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        for color, text, bar in (
            (COVERED[0], self.tr("Two or more"), False),
            (SOLO, self.tr("Solo (one person)"), False),
            (UNSTAFFED, self.tr("Nobody on the floor"), False),
            (SHORTFALL, self.tr("Below tier policy"), True),
            (OFF_HOURS, self.tr("Outside opening hours"), False),
        ):
            layout.addWidget(_Swatch(color, bar))
            label = QLabel(text)
            layout.addWidget(label)
            layout.setSpacing(4)
            layout.addSpacing(10)
        layout.addStretch(1)


class _Swatch(QWidget):
    def __init__(self, color: QColor, bar: bool) -> None:
        super().__init__()
        self._color, self._bar = color, bar
        self.setFixedSize(18, 12)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        if self._bar:
            painter.fillRect(self.rect(), CLOSED)
            painter.fillRect(QRect(0, self.height() - 4, self.width(), 4), self._color)
        else:
            painter.fillRect(self.rect(), self._color)
        painter.end()
