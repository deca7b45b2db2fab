"""The weekly store report as an A4 PDF, painted with Qt (QPdfWriter + QPainter).

Page 1: the store, the week, its key numbers, the daily table and two daily bar charts (p90 wait
against the target, solo hours). Page 2 on: a per-person pressure chart over the green, amber and
red bands, and the per-person table (``PEOPLE_PER_PAGE`` people a page). Everything is vector and
sized in points, so it prints sharply; colours are backed by value labels, so a grey printout reads
the same. Chinese text uses the first installed of ``CJK_FAMILIES`` (fontconfig finds the rest).

Labels come from ``storemon.services.reports.LABELS`` (English and Simplified Chinese).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from storemon.services.export import ExportError, atomic_write
from storemon.services.reports import WeeklyReport, check_language, label, weekday_name

CJK_FAMILIES = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"]
RESOLUTION = 300
"""Device units per inch; every length below is given in points (1/72 inch) and converted."""
MARGIN_MM = 15.0
PEOPLE_PER_PAGE = 12

INK = QColor("#212121")
MUTED = QColor("#616161")
RULE = QColor("#bdbdbd")
HEADER_FILL = QColor("#eeeeee")
WAIT_BAR = QColor("#1e6fb8")
SOLO_BAR = QColor("#8d5a3b")
PERSON_BAR = QColor("#37474f")
TARGET = QColor("#c62828")
BAND = {
    "green": (QColor("#c8e6c9"), QColor("#2e7d32")),
    "amber": (QColor("#ffe0b2"), QColor("#ef6c00")),
    "red": (QColor("#ffcdd2"), QColor("#c62828")),
}

_app: QGuiApplication | None = None


def ensure_gui_app() -> QGuiApplication:
    """The running Qt application, or a new offscreen one (painting a PDF needs no screen).

    A ``QApplication`` rather than a bare ``QGuiApplication``, so a caller that later opens a
    widget in the same process (a test session, the GUI's export menu) still can.
    """
    global _app
    app = QGuiApplication.instance()
    if app is None:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = app = QApplication(sys.argv[:1] or ["storemon"])
    return app


def page_count(report: WeeklyReport) -> int:
    """Pages the PDF of ``report`` has: the overview, then the people in pages of ``PEOPLE_PER_PAGE``."""
    return 1 + max(1, math.ceil(len(report.people) / PEOPLE_PER_PAGE))


def write_pdf(report: WeeklyReport, path: Path, language: str = "en") -> int:
    """Paint ``report`` to an A4 PDF at ``path`` in ``language``; returns the number of pages."""
    check_language(language)
    ensure_gui_app()
    pages = page_count(report)

    def paint(target: Path) -> None:
        writer = QPdfWriter(str(target))
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                QPageLayout.Unit.Millimeter,
            )
        )
        writer.setTitle(f"{label('weekly_title', language)} {report.store_code} {report.iso_week}")
        writer.setCreator("Storemon")
        painter = QPainter()
        if not painter.begin(writer):
            raise ExportError(f"{path}: could not start the PDF; check the folder is writable")
        try:
            _ReportPainter(painter, writer, report, language, pages).paint()
        finally:
            painter.end()

    atomic_write(Path(path), paint)
    return pages


def pt(points: float) -> float:
    """Points to device units."""
    return points * RESOLUTION / 72


def font(size: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setFamilies(CJK_FAMILIES)
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


def _num(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{decimals}f}"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 × 10^k)."""
    if value <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(value))
    return next(step * scale for step in (1, 2, 2.5, 5, 10) if step * scale >= value)


class _ReportPainter:
    """Paints one report, page by page, with a vertical cursor ``y`` in device units."""

    def __init__(
        self, painter: QPainter, writer: QPdfWriter, report: WeeklyReport, language: str, pages: int
    ) -> None:
        self.p = painter
        self.writer = writer
        self.r = report
        self.lang = language
        self.pages = pages
        self.width = float(writer.width())
        self.height = float(writer.height())
        self.page = 0
        self.y = 0.0

    def t(self, key: str) -> str:
        return label(key, self.lang)

    # -- pages ---------------------------------------------------------------------------------
    def paint(self) -> None:
        self.p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._start_page()
        self._title_block()
        self._key_numbers()
        self._days_table()
        self._daily_charts()
        self._footer()
        people = self.r.people
        chunks = [people[i : i + PEOPLE_PER_PAGE] for i in range(0, len(people), PEOPLE_PER_PAGE)] or [[]]
        for chunk in chunks:
            self.writer.newPage()
            self._start_page()
            self._running_header()
            self._people_page(chunk)
            self._footer()

    def _start_page(self) -> None:
        self.page += 1
        self.y = 0.0

    def _text(
        self,
        rect: QRectF,
        text: str,
        size: float = 9,
        bold: bool = False,
        color: QColor = INK,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        wrap: bool = False,
    ) -> None:
        """Text in ``rect``: elided to one line, or word-wrapped (CJK wraps between characters)."""
        f = font(size, bold)
        self.p.setFont(f)
        self.p.setPen(color)
        if wrap:
            self.p.drawText(rect, int(align | Qt.TextFlag.TextWordWrap), text)
            return
        elided = QFontMetricsF(f, self.writer).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        self.p.drawText(rect, int(align), elided)

    def _needs_wrap(self, headers: Sequence[str], widths: Sequence[float], pad: float) -> bool:
        metrics = QFontMetricsF(font(8.5, True), self.writer)
        return any(metrics.horizontalAdvance(h) > w - 2 * pad for h, w in zip(headers, widths, strict=True))

    def _line(
        self, x1: float, y1: float, x2: float, y2: float, color: QColor = RULE, width: float = 0.5
    ) -> None:
        self.p.setPen(QPen(color, pt(width)))
        self.p.drawLine(QPointF(x1, y1), QPointF(x2, y2))

    def _section(self, text: str) -> None:
        self.y += pt(8)
        self._text(QRectF(0, self.y, self.width, pt(16)), text, 12, bold=True)
        self.y += pt(18)

    def _title_block(self) -> None:
        r = self.r
        self._text(QRectF(0, 0, self.width, pt(26)), self.t("weekly_title"), 20, bold=True)
        self.y = pt(30)
        store = f"{r.store_code}  {r.store_name}" + (f"  ·  {r.region}" if r.region else "")
        self._text(QRectF(0, self.y, self.width, pt(18)), store, 14, bold=True)
        self.y += pt(20)
        week = (
            f"{self.t('week')} {r.iso_week}  ·  {r.week_start.isoformat()} – {r.week_end.isoformat()}  ·  "
            f"{self.t('tier_policy')}: {r.summary.tier_policy or '–'} ({self.t(r.summary.policy_status)})"
        )
        self._text(QRectF(0, self.y, self.width, pt(14)), week, 9.5, color=MUTED)
        self.y += pt(18)
        self._line(0, self.y, self.width, self.y, INK, 1.0)
        self.y += pt(6)

    def _running_header(self) -> None:
        r = self.r
        half = self.width / 2
        self._text(QRectF(0, 0, half, pt(14)), self.t("weekly_title"), 10, bold=True)
        self._text(
            QRectF(half, 0, half, pt(14)),
            f"{r.store_code} {r.store_name}  ·  {r.iso_week}",
            10,
            align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        )
        self.y = pt(18)
        self._line(0, self.y, self.width, self.y, INK, 1.0)
        self.y += pt(4)

    def _footer(self) -> None:
        top = self.height - pt(12)
        self._line(0, top - pt(2), self.width, top - pt(2))
        stamp = self.r.generated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        self._text(
            QRectF(0, top, self.width / 2, pt(12)),
            f"Storemon · {self.t('generated')} {stamp}",
            7.5,
            color=MUTED,
        )
        self._text(
            QRectF(self.width / 2, top, self.width / 2, pt(12)),
            self.t("page").format(page=self.page, pages=self.pages),
            7.5,
            color=MUTED,
            align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        )

    # -- page 1 --------------------------------------------------------------------------------
    def _level(self, index: float) -> str:
        return "red" if index >= self.r.red_at else "amber" if index >= self.r.amber_at else "green"

    def _key_numbers(self) -> None:
        w = self.r.week
        self._section(self.t("key_numbers"))
        revenue = _num(w.revenue, 2) if w.forecast_days < len(self.r.days) else "–"
        tiles: list[tuple[str, str, str | None]] = [
            (self.t("orders"), f"{w.orders:,}", None),
            (self.t("revenue"), revenue, None),
            (self.t("staff_hours"), _num(w.staff_hours), None),
            (self.t("solo_hours"), _num(w.solo_hours), "red" if w.solo_hours > 0 else None),
            (
                self.t("p90_wait"),
                _num(w.p90_wait_minutes),
                "red" if w.p90_wait_minutes > self.r.target_wait_minutes else "green",
            ),
            (self.t("red_shifts"), str(w.red_shifts), "red" if w.red_shifts else "green"),
            (self.t("amber_shifts"), str(w.amber_shifts), "amber" if w.amber_shifts else "green"),
            (self.t("worst_pressure"), _num(w.worst_pressure), self._level(w.worst_pressure)),
        ]
        columns, gap, height = 4, pt(6), pt(40)
        tile_w = (self.width - gap * (columns - 1)) / columns
        for n, (name, value, level) in enumerate(tiles):
            x = (n % columns) * (tile_w + gap)
            y = self.y + (n // columns) * (height + gap)
            self.p.setPen(QPen(RULE, pt(0.5)))
            self.p.setBrush(Qt.BrushStyle.NoBrush)
            self.p.drawRect(QRectF(x, y, tile_w, height))
            if level:
                self.p.fillRect(QRectF(x, y, pt(4), height), BAND[level][1])
            self._text(QRectF(x + pt(9), y + pt(4), tile_w - pt(12), pt(12)), name, 8, color=MUTED)
            self._text(QRectF(x + pt(9), y + pt(17), tile_w - pt(12), pt(20)), value, 15, bold=True)
        self.y += 2 * height + gap
        audit = f"{self.t('audit_checkpoint')}: {self.r.audit_line(self.lang)}"
        self._text(QRectF(0, self.y, self.width, pt(11)), audit, 7.5, color=MUTED)
        self.y += pt(13)

    def _table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        weights: Sequence[float],
        bold_last: bool = False,
        row_height: float = 15,
        text_columns: int = 1,
    ) -> None:
        """A ruled table across the page: the first ``text_columns`` left-aligned, numbers right-aligned."""
        total = sum(weights)
        widths = [self.width * w / total for w in weights]
        height = pt(row_height)
        pad = pt(4)

        def cells(values: Sequence[str], y: float, bold: bool, h: float = height) -> None:
            x = 0.0
            for i, (value, w) in enumerate(zip(values, widths, strict=True)):
                align = Qt.AlignmentFlag.AlignVCenter | (
                    Qt.AlignmentFlag.AlignLeft if i < text_columns else Qt.AlignmentFlag.AlignRight
                )
                self._text(
                    QRectF(x + pad, y, w - 2 * pad, h), value, 8.5, bold=bold, align=align, wrap=h > height
                )
                x += w

        header_height = height * (1.7 if self._needs_wrap(headers, widths, pad) else 1)
        self.p.fillRect(QRectF(0, self.y, self.width, header_height), HEADER_FILL)
        cells(headers, self.y, True, header_height)
        self.y += header_height
        self._line(0, self.y, self.width, self.y, INK, 0.8)
        for n, row in enumerate(rows):
            last = bold_last and n == len(rows) - 1
            if last:
                self._line(0, self.y, self.width, self.y, INK, 0.8)
            cells(row, self.y, last)
            self.y += height
            self._line(0, self.y, self.width, self.y)

    def _days_table(self) -> None:
        r, w = self.r, self.r.week
        self._section(self.t("days"))
        headers = [
            self.t("day"),
            self.t("orders"),
            self.t("revenue"),
            self.t("staff_hours"),
            self.t("solo_hours"),
            self.t("p90_wait"),
            self.t("red_shifts"),
            self.t("worst_pressure"),
            self.t("labour_cost"),
        ]
        rows = [
            [
                f"{weekday_name(d.day, self.lang)} {d.day:%m-%d}"
                + (" *" if d.demand_source == "forecast" else "")
                + (" †" if d.borrowed else ""),
                f"{d.orders:,}",
                _num(d.revenue, 2),
                _num(d.staff_hours),
                _num(d.solo_hours),
                _num(d.p90_wait_minutes),
                str(d.red_shifts),
                _num(d.worst_pressure),
                _num(d.labour_cost, 0),
            ]
            for d in r.days
        ]
        rows.append(
            [
                self.t("total"),
                f"{w.orders:,}",
                _num(w.revenue, 2) if w.forecast_days < len(r.days) else "–",
                _num(w.staff_hours),
                _num(w.solo_hours),
                _num(w.p90_wait_minutes),
                str(w.red_shifts),
                _num(w.worst_pressure),
                _num(w.labour_cost, 0),
            ]
        )
        self._table(headers, rows, [1.5, 1, 1.3, 1, 1.1, 1.3, 1, 1.2, 1.2], bold_last=True)
        if w.forecast_days:
            self.y += pt(3)
            self._text(QRectF(0, self.y, self.width, pt(11)), self.t("forecast_note"), 7.5, color=MUTED)
            self.y += pt(11)
        if any(d.borrowed for d in r.days):
            self._text(QRectF(0, self.y, self.width, pt(11)), self.t("similar_note"), 7.5, color=MUTED)
            self.y += pt(11)

    def _daily_charts(self) -> None:
        self._section("")
        self.y -= pt(18)
        gap = pt(14)
        chart_w = (self.width - gap) / 2
        height = min(pt(250), self.height - pt(24) - self.y)
        labels = [weekday_name(d.day, self.lang) for d in self.r.days]
        self._bar_chart(
            QRectF(0, self.y, chart_w, height),
            self.t("chart_wait"),
            labels,
            [d.p90_wait_minutes for d in self.r.days],
            WAIT_BAR,
            target=self.r.target_wait_minutes,
        )
        self._bar_chart(
            QRectF(chart_w + gap, self.y, chart_w, height),
            self.t("chart_solo"),
            labels,
            [d.solo_hours for d in self.r.days],
            SOLO_BAR,
        )
        self.y += height

    def _bar_chart(
        self,
        box: QRectF,
        title: str,
        labels: Sequence[str],
        values: Sequence[float],
        color: QColor,
        target: float | None = None,
    ) -> None:
        """Vertical bars with value labels, a light grid, and an optional dashed target line."""
        self._text(QRectF(box.left(), box.top(), box.width(), pt(14)), title, 10, bold=True)
        axis_w, top_pad, bottom = pt(26), pt(28), pt(16)
        plot = QRectF(
            box.left() + axis_w, box.top() + top_pad, box.width() - axis_w, box.height() - top_pad - bottom
        )
        top = _nice_max(max([*values, target or 0.0, 0.0]) * 1.08)

        def y_of(v: float) -> float:
            return plot.bottom() - plot.height() * v / top

        for k in range(5):
            value = top * k / 4
            y = y_of(value)
            self._line(plot.left(), y, plot.right(), y, RULE if k else INK, 0.4 if k else 0.8)
            self._text(
                QRectF(box.left(), y - pt(6), axis_w - pt(4), pt(12)),
                f"{value:g}",
                7.5,
                color=MUTED,
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            )
        slot = plot.width() / max(len(values), 1)
        for n, (name, value) in enumerate(zip(labels, values, strict=True)):
            x = plot.left() + n * slot
            bar = QRectF(x + slot * 0.18, y_of(value), slot * 0.64, plot.bottom() - y_of(value))
            self.p.fillRect(bar, color)
            self._text(
                QRectF(x, bar.top() - pt(11), slot, pt(10)),
                f"{value:.1f}",
                7,
                align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
            )
            self._text(
                QRectF(x, plot.bottom() + pt(2), slot, pt(12)),
                name,
                8,
                align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            )
        if target is not None and target > 0:
            y = y_of(target)
            pen = QPen(TARGET, pt(1.2))
            pen.setStyle(Qt.PenStyle.DashLine)
            self.p.setPen(pen)
            self.p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            self._text(
                QRectF(plot.left(), box.top() + pt(14), plot.width(), pt(12)),
                f"- - {self.t('target')} {target:g}",
                7.5,
                color=TARGET,
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            )

    # -- people pages --------------------------------------------------------------------------
    def _people_page(self, people: Sequence) -> None:
        self._section(self.t("people"))
        if not people:
            self._text(QRectF(0, self.y, self.width, pt(14)), self.t("no_people"), 10, color=MUTED)
            self.y += pt(16)
            return
        self._pressure_chart(people)
        self.y += pt(10)
        headers = [
            self.t("staff_code"),
            self.t("name"),
            self.t("shifts"),
            self.t("mean_pressure"),
            self.t("max_pressure"),
            self.t("red_shifts"),
        ]
        rows = [
            [
                p.staff_code,
                p.name,
                str(p.shifts),
                _num(p.mean_pressure),
                _num(p.max_pressure),
                str(p.red_shifts),
            ]
            for p in people
        ]
        self._table(headers, rows, [1.3, 1.6, 0.8, 1.1, 1.1, 1], text_columns=2)

    def _pressure_chart(self, people: Sequence) -> None:
        """One row per person over the pressure scale 0-100, tinted by band; bar = mean, tick = worst."""
        r = self.r
        self._text(QRectF(0, self.y, self.width, pt(14)), self.t("chart_pressure"), 10, bold=True)
        self.y += pt(18)
        name_w, row_h = pt(130), pt(20)
        plot = QRectF(name_w, self.y + pt(14), self.width - name_w - pt(30), row_h * len(people))

        def x_of(v: float) -> float:
            return plot.left() + plot.width() * max(0.0, min(v, 100.0)) / 100

        bands = [("green", 0.0, r.amber_at), ("amber", r.amber_at, r.red_at), ("red", r.red_at, 100.0)]
        for name, low, high in bands:
            area = QRectF(x_of(low), plot.top(), x_of(high) - x_of(low), plot.height())
            self.p.fillRect(area, BAND[name][0])
            self._text(
                QRectF(area.left(), self.y, area.width(), pt(12)),
                f"{self.t(name)} {low:g}–{high:g}",
                7.5,
                bold=True,
                color=BAND[name][1],
                align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
            )
        for n, person in enumerate(people):
            top = plot.top() + n * row_h
            self._text(QRectF(0, top, name_w - pt(6), row_h), f"{person.name} ({person.staff_code})", 8.5)
            bar = QRectF(
                plot.left(), top + row_h * 0.25, x_of(person.mean_pressure) - plot.left(), row_h * 0.5
            )
            self.p.fillRect(bar, PERSON_BAR)
            worst = x_of(person.max_pressure)
            self._line(worst, top + row_h * 0.12, worst, top + row_h * 0.88, INK, 1.6)
            self._text(
                QRectF(worst + pt(3), top, pt(60), row_h),
                f"{person.mean_pressure:.1f} / {person.max_pressure:.1f}",
                7.5,
            )
        self._line(plot.left(), plot.bottom(), plot.right(), plot.bottom(), INK, 0.8)
        for tick in sorted({0.0, r.amber_at, r.red_at, 100.0}):
            x = x_of(tick)
            self._line(x, plot.bottom(), x, plot.bottom() + pt(3), INK, 0.8)
            self._text(
                QRectF(x - pt(15), plot.bottom() + pt(3), pt(30), pt(11)),
                f"{tick:g}",
                7.5,
                color=MUTED,
                align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            )
        self.y = plot.bottom() + pt(16)
