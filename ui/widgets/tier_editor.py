"""The revenue-band editor of a tier policy, with gaps and overlaps shown where they are.

Each band is a row (from, to, staff per shift, daypart; an empty "to" is an open end). The
screen validates the bands through the services and hands the issues back to ``show_issues``:
a gap gets a red marker right under the band where it starts (or above the first band when
revenue from 0 is uncovered) and red edges on the bounds that leave it; an overlap turns the
bounds amber. ``CoverageBar`` draws the same picture on a revenue axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from staffing.policy import PolicyIssue, TierBand, TierPolicy
from ui import palette
from ui.i18n import fill
from ui.widgets.form_helpers import ISSUE_STYLE, GridRow, RowGrid, format_amount, parse_number, set_issue

DAYPART_SUGGESTIONS = ["morning", "midday", "afternoon", "evening"]


def issue_text(issue: PolicyIssue, band_number: int | None = None) -> str:
    """A translated sentence for a validation issue, with the UI locale's numbers."""
    low, high = format_amount(issue.low), format_amount(issue.high)
    if issue.kind == "gap" and math.isinf(issue.high):
        text = QCoreApplication.translate(
            "TierEditor",
            "Daily revenue of %1 and above is covered by no band: stores there get no staffing rule.",
        )
        text = fill(text, low)
    elif issue.kind == "gap":
        text = QCoreApplication.translate(
            "TierEditor", "Daily revenue %1–%2 is covered by no band: stores there get no staffing rule."
        )
        text = fill(text, low, high)
    elif issue.kind == "overlap":
        text = QCoreApplication.translate(
            "TierEditor", "Daily revenue %1–%2 is covered by more than one band: the larger staffing applies."
        )
        text = fill(text, low, high)
    elif issue.high <= issue.low:
        text = QCoreApplication.translate(
            "TierEditor", "Band %1 is empty: its upper bound (%2) is not above its lower bound (%3)."
        )
        text = fill(text, str(band_number or "?"), high, low)
    else:
        text = fill(
            QCoreApplication.translate(
                "TierEditor", "Band %1 gives no staff: a shift needs at least one person."
            ),
            str(band_number or "?"),
        )
    if issue.daypart and issue.kind != "invalid":
        text += " " + fill(QCoreApplication.translate("TierEditor", "(daypart “%1”)"), issue.daypart)
    return text


class BandRow:
    """The fields of one band; ``parse_error`` holds the message when a bound is not a number."""

    def __init__(self, band: TierBand | None = None) -> None:
        self.from_edit = QLineEdit()
        self.from_edit.setPlaceholderText("0")
        self.to_edit = QLineEdit()
        self.to_edit.setPlaceholderText(QCoreApplication.translate("TierEditor", "no upper limit"))
        self.staff = QSpinBox()
        self.staff.setRange(1, 50)
        self.staff.setSuffix(" " + QCoreApplication.translate("TierEditor", "staff"))
        self.daypart = QLineEdit()
        self.daypart.setPlaceholderText(QCoreApplication.translate("TierEditor", "all day"))
        self.daypart.setMaxLength(32)
        completer = QCompleter(DAYPART_SUGGESTIONS, self.daypart)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.daypart.setCompleter(completer)
        for edit in (self.from_edit, self.to_edit):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMinimumWidth(90)
        self.grid_row: GridRow | None = None
        self.parse_error = ""
        self.error_edit: QLineEdit | None = None
        if band is not None:
            self.from_edit.setText("" if band.min_revenue is None else format_amount(band.min_revenue))
            self.to_edit.setText("" if band.max_revenue is None else format_amount(band.max_revenue))
            self.staff.setValue(band.staff_per_shift)
            self.daypart.setText(band.daypart or "")

    @property
    def widgets(self) -> list[QWidget]:
        return [self.from_edit, self.to_edit, self.staff, self.daypart]

    def band(self) -> TierBand | None:
        """The band typed, or None (with ``parse_error`` set) when a bound is not a number."""
        self.parse_error, self.error_edit = "", None
        bounds = []
        for edit in (self.from_edit, self.to_edit):
            try:
                value = parse_number(edit.text())
            except ValueError:
                self.parse_error = fill(
                    QCoreApplication.translate(
                        "TierEditor", "“%1” is not an amount: type digits, e.g. 5000 or 5,000."
                    ),
                    edit.text().strip(),
                )
                self.error_edit = edit
                return None
            if value is not None and value < 0:
                self.parse_error, self.error_edit = (
                    QCoreApplication.translate("TierEditor", "Daily revenue cannot be negative."),
                    edit,
                )
                return None
            bounds.append(value)
        return TierBand(bounds[0], bounds[1], self.staff.value(), self.daypart.text().strip() or None)


@dataclass(frozen=True)
class ParsedBands:
    """The bands that parse, each with the index of its row, and how many rows did not."""

    bands: tuple[TierBand, ...]
    rows: tuple[int, ...]
    errors: int


def _in_daypart(band: TierBand, daypart: str | None) -> bool:
    return band.daypart is None or band.daypart == daypart


class TierEditor(QWidget):
    """Edit a policy's revenue bands; ``bands_changed`` fires on every edit."""

    bands_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ISSUE_STYLE)
        self.band_rows: list[BandRow] = []
        self.grid = RowGrid(
            [
                self.tr("From (CNY per day)"),
                self.tr("To (not included)"),
                self.tr("Staff per shift"),
                self.tr("Daypart"),
            ],
            [3, 3, 2, 3],
            remove_tip=self.tr("Remove this band"),
        )
        self.grid.row_removed.connect(self._on_row_removed)
        self.add_button = QPushButton(self.tr("Add band"))
        self.add_button.clicked.connect(lambda: self.add_band(focus=True))
        hint = QLabel(
            self.tr(
                "A band covers daily revenue from its lower bound up to, but not including, its upper "
                "bound. Leave “To” empty for no upper limit; give a daypart only for bands that apply "
                "to one part of the day."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(dark);")
        self.coverage = CoverageBar()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.grid)
        layout.addLayout(buttons)
        layout.addWidget(self.coverage)
        self._issues: tuple[PolicyIssue, ...] = ()

    # -- content ----------------------------------------------------------------------------------
    def set_bands(self, bands: Sequence[TierBand]) -> None:
        """Show ``bands`` sorted by revenue (no signal: nothing was edited)."""
        self.blockSignals(True)
        self.grid.clear()
        self.band_rows.clear()
        for band in sorted(bands, key=lambda b: (b.daypart or "", b.low, b.high)):
            self.add_band(band)
        self.blockSignals(False)
        self.show_issues(())

    def add_band(self, band: TierBand | None = None, focus: bool = False) -> BandRow:
        """Append a band; a new empty band starts where the last one ends."""
        if band is None and self.band_rows:
            last = self.band_rows[-1].band()
            if last is not None and last.max_revenue is not None:
                band = TierBand(last.max_revenue, None, last.staff_per_shift + 1, last.daypart)
        row = BandRow(band)
        row.grid_row = self.grid.add_row(row.widgets)
        self.band_rows.append(row)
        for edit in (row.from_edit, row.to_edit, row.daypart):
            edit.textChanged.connect(self._edited)
        row.staff.valueChanged.connect(self._edited)
        if focus:
            (row.to_edit if band is not None else row.from_edit).setFocus()
        self._edited()
        return row

    def _on_row_removed(self, index: int) -> None:
        del self.band_rows[index]
        self._edited()

    def _edited(self) -> None:
        if self.signalsBlocked():
            return
        self.show_issues(self._issues)  # parse errors at once; the screen sends fresh issues soon
        self.bands_changed.emit()

    def parsed(self) -> ParsedBands:
        bands, rows, errors = [], [], 0
        for index, row in enumerate(self.band_rows):
            band = row.band()
            if band is None:
                errors += 1
            else:
                bands.append(band)
                rows.append(index)
        return ParsedBands(tuple(bands), tuple(rows), errors)

    def bands(self) -> tuple[TierBand, ...]:
        return self.parsed().bands

    # -- issues -----------------------------------------------------------------------------------
    def show_issues(self, issues: Sequence[PolicyIssue]) -> None:
        """Mark ``issues`` (from validating the parsed bands) on the rows and the coverage bar."""
        self._issues = tuple(issues)
        parsed = self.parsed()
        notes: dict[int, list[tuple[str, str]]] = {i: [] for i in range(len(self.band_rows))}
        top: list[str] = []
        for index, row in enumerate(self.band_rows):
            set_issue(row.from_edit, "error" if row.error_edit is row.from_edit else "")
            set_issue(row.to_edit, "error" if row.error_edit is row.to_edit else "")
            if row.parse_error:
                notes[index].append(("error", row.parse_error))
        pairs = list(zip(parsed.rows, parsed.bands, strict=True))
        for issue in self._issues:
            if issue.kind == "gap":
                before = [i for i, b in pairs if _in_daypart(b, issue.daypart) and b.high == issue.low]
                after = [i for i, b in pairs if _in_daypart(b, issue.daypart) and b.low == issue.high]
                for i in before:
                    set_issue(self.band_rows[i].to_edit, "gap")
                for i in after:
                    set_issue(self.band_rows[i].from_edit, "gap")
                text = "⚠ " + issue_text(issue)
                if before:
                    notes[before[-1]].append(("error", text))
                else:
                    top.append(text)
            elif issue.kind == "overlap":
                inside = [
                    i
                    for i, b in pairs
                    if _in_daypart(b, issue.daypart) and b.low < issue.high and b.high > issue.low
                ]
                for i in inside:
                    for edit in (self.band_rows[i].from_edit, self.band_rows[i].to_edit):
                        if edit.property("issue") != "gap":
                            set_issue(edit, "overlap")
                if inside:
                    notes[inside[-1]].append(("warning", issue_text(issue)))
            else:
                for i, band in pairs:
                    if band.low == issue.low and band.high == issue.high and band.daypart == issue.daypart:
                        set_issue(self.band_rows[i].from_edit, "error")
                        set_issue(self.band_rows[i].to_edit, "error")
                        notes[i].append(("error", issue_text(issue, i + 1)))
                        break
        for index, row in enumerate(self.band_rows):
            found = notes[index]
            if not found:
                row.grid_row.note.clear()
                continue
            kind = "error" if any(k == "error" for k, _ in found) else "warning"
            row.grid_row.note.show_message(kind, "\n".join(text for _, text in found))
        if top:
            self.grid.top_note.show_message("error", "\n".join(top))
        else:
            self.grid.top_note.clear()
        self.coverage.set_data(parsed.bands, self._issues)

    def marker_texts(self) -> list[str]:
        """The markers currently shown between the bands (what a user reads there)."""
        notes = [self.grid.top_note.text()] + [r.grid_row.note.text() for r in self.band_rows]
        return [n for n in notes if n]

    def gap_highlighted(self) -> bool:
        return any(
            edit.property("issue") == "gap" for row in self.band_rows for edit in (row.from_edit, row.to_edit)
        )


class CoverageBar(QWidget):
    """Daily revenue from 0 to the right, one lane per daypart: bands blue, gaps red, overlaps amber."""

    LANE = 26
    AXIS = 20

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bands: tuple[TierBand, ...] = ()
        self._issues: tuple[PolicyIssue, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(self.tr("Staff per shift along daily revenue: red is a gap, amber an overlap."))
        self._update_height()

    def set_data(self, bands: Sequence[TierBand], issues: Sequence[PolicyIssue]) -> None:
        self._bands, self._issues = tuple(bands), tuple(issues)
        self._update_height()
        self.update()

    def _lanes(self) -> list[str | None]:
        return TierPolicy.of("", self._bands).dayparts() if self._bands else [None]

    def _update_height(self) -> None:
        self.setFixedHeight(len(self._lanes()) * (self.LANE + 4) + self.AXIS + 8)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(420, self.height())

    def _scale_end(self) -> float:
        finite = [v for b in self._bands for v in (b.min_revenue, b.max_revenue) if v is not None]
        finite += [i.low for i in self._issues if math.isfinite(i.low)]
        finite += [i.high for i in self._issues if math.isfinite(i.high)]
        top = max(finite, default=0.0)
        if top <= 0:
            return 10000.0
        step = 10 ** math.floor(math.log10(top))
        return math.ceil(top * 1.25 / step) * step

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        lanes = self._lanes()
        named = any(lane is not None for lane in lanes)
        label_width = (
            max(metrics.horizontalAdvance(lane or self.tr("All day")) for lane in lanes) + 10 if named else 0
        )
        left, right = 4 + label_width, self.width() - 16
        end = self._scale_end()

        def x_of(value: float) -> float:
            return left + (min(max(value, 0.0), end) / end) * (right - left)

        for lane_index, lane in enumerate(lanes):
            top = 4 + lane_index * (self.LANE + 4)
            if named:
                painter.setPen(self.palette().windowText().color())
                painter.drawText(
                    QRectF(0, top, label_width - 6, self.LANE),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    lane or self.tr("All day"),
                )
            painter.fillRect(QRectF(left, top, right - left, self.LANE), QColor("#f1f3f4"))
            for band in TierPolicy.of("", self._bands).bands_for(lane):
                if band.high <= band.low:
                    continue
                rect = QRectF(x_of(band.low), top + 2, x_of(band.high) - x_of(band.low), self.LANE - 4)
                shade = QColor("#4a86c5").lighter(100 + max(0, 60 - 15 * band.staff_per_shift))
                painter.fillRect(rect, shade)
                painter.setPen(QPen(QColor("#ffffff"), 1))
                painter.drawRect(rect)
                label = self.tr("%n staff", "", band.staff_per_shift)
                if metrics.horizontalAdvance(label) + 6 < rect.width():
                    painter.setPen(QColor("#ffffff"))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
            for issue in self._issues:
                if issue.kind == "invalid" or issue.daypart != lane:
                    continue
                width = max(3.0, x_of(issue.high) - x_of(issue.low))
                rect = QRectF(x_of(issue.low), top, width, self.LANE)
                colour = QColor(palette.BAD.edge if issue.kind == "gap" else palette.WARN.edge)
                fill = QColor(colour)
                fill.setAlpha(60 if issue.kind == "gap" else 110)
                painter.fillRect(rect, fill)
                painter.fillRect(rect, QBrush(colour, Qt.BrushStyle.BDiagPattern))
                painter.setPen(QPen(colour, 2))
                painter.drawRect(rect)
                if issue.kind == "gap":
                    label = self.tr("gap")
                    if metrics.horizontalAdvance(label) + 6 < rect.width():
                        painter.setPen(palette.BAD.qtext())
                        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
        axis_top = 4 + len(lanes) * (self.LANE + 4)
        painter.setPen(self.palette().mid().color())
        painter.drawLine(int(left), axis_top, int(right), axis_top)
        ticks = sorted(
            {0.0}
            | {
                v
                for b in self._bands
                for v in (b.min_revenue, b.max_revenue)
                if v is not None and 0 <= v <= end
            }
        )
        last_right = -1e9
        painter.setPen(self.palette().windowText().color())
        for value in ticks:
            text = format_amount(value)
            width = metrics.horizontalAdvance(text)
            x = x_of(value)
            start = min(max(x - width / 2, 0), self.width() - width)
            if start < last_right + 6:
                continue
            painter.drawLine(int(x), axis_top, int(x), axis_top + 3)
            painter.drawText(
                QRectF(start, axis_top + 3, width + 2, self.AXIS), Qt.AlignmentFlag.AlignLeft, text
            )
            last_right = start + width
        painter.drawText(
            QRectF(right, axis_top - self.LANE, 16, self.LANE), Qt.AlignmentFlag.AlignCenter, "›"
        )
        painter.end()
