"""Editor of the surge calendar: dated periods that raise expected demand and alert sensitivity.

A yearly period (the 3·15 consumer-rights season) recurs every year, so only its day and month
show; the year 2000 only carries them (``staffing.surge``). Every edit builds the
``SurgePeriod``; its errors, an empty or repeated label and unknown store codes show under the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QDoubleSpinBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from staffing.surge import SurgeCalendar, SurgePeriod
from ui.i18n import fill
from ui.widgets.form_helpers import GridRow, RowGrid, ValidatedEditor, set_issue

YEAR_CARRIER = 2000
"""The year yearly periods are stored in (a leap year, so 29 February exists)."""
_SEPARATORS = re.compile(r"[,;，、\s]+")


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class PeriodRow:
    """The fields of one surge period."""

    def __init__(self, period: SurgePeriod, this_year: int, turned_on: bool = False) -> None:
        self.this_year = this_year
        self.label = QLineEdit(period.label)
        self.label.setMinimumWidth(150)
        self.start = QDateEdit(_qdate(period.start))
        self.end = QDateEdit(_qdate(period.end))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
        self.demand = self._factor(period.demand_factor)
        self.sensitivity = self._factor(period.alert_sensitivity)
        self.yearly = QCheckBox()
        self.yearly.setChecked(period.yearly)
        self.apply = QCheckBox()
        self.apply.setChecked(turned_on)
        self.apply.setToolTip(
            QCoreApplication.translate(
                "SurgeEditor",
                "Raise the forecast by the demand factor even when no past year's sales show what "
                "the period does; with a past year, its effect is measured from the sales instead. "
                'A period without "every year" always applies.',
            )
        )
        self.stores = QLineEdit(", ".join(sorted(period.stores)) if period.stores else "")
        self.stores.setPlaceholderText(QCoreApplication.translate("SurgeEditor", "all stores"))
        self.grid_row: GridRow | None = None
        self.yearly.toggled.connect(self._yearly_toggled)
        self._show_format()
        self._show_apply()

    @staticmethod
    def _factor(value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(2)
        spin.setRange(0, 5)
        spin.setSingleStep(0.05)
        spin.setPrefix("× ")
        spin.setValue(value)
        return spin

    @property
    def widgets(self) -> list[QWidget]:
        return [
            self.label,
            self.start,
            self.end,
            self.demand,
            self.sensitivity,
            self.yearly,
            self.apply,
            self.stores,
        ]

    @property
    def turned_on(self) -> bool:
        """A yearly period applied without a past year to estimate it from."""
        return self.yearly.isChecked() and self.apply.isChecked()

    def _show_apply(self) -> None:
        """A dated period always applies (it has no past year): shown ticked and fixed."""
        yearly = self.yearly.isChecked()
        self.apply.setEnabled(yearly)
        if not yearly:
            self.apply.setChecked(True)

    def _show_format(self) -> None:
        fmt = "d MMM" if self.yearly.isChecked() else "yyyy-MM-dd"
        for edit in (self.start, self.end):
            edit.setDisplayFormat(fmt)

    def _yearly_toggled(self, yearly: bool) -> None:
        year = YEAR_CARRIER if yearly else self.this_year
        for edit in (self.start, self.end):
            current = edit.date()
            edit.setDate(
                QDate(
                    year, current.month(), min(current.day(), QDate(year, current.month(), 1).daysInMonth())
                )
            )
        self._show_format()
        self._show_apply()

    def store_codes(self) -> frozenset[str] | None:
        codes = {c.strip().upper() for c in _SEPARATORS.split(self.stores.text()) if c.strip()}
        return frozenset(codes) if codes else None

    def period(self) -> SurgePeriod:
        """The period as typed; raises ValueError (from ``SurgePeriod``) when it is not valid."""
        return SurgePeriod(
            label=self.label.text().strip(),
            start=_date(self.start.date()),
            end=_date(self.end.date()),
            demand_factor=round(self.demand.value(), 2),
            alert_sensitivity=round(self.sensitivity.value(), 2),
            yearly=self.yearly.isChecked(),
            stores=self.store_codes(),
        )


class SurgeEditor(ValidatedEditor):
    """The periods of the surge calendar; ``calendar()`` is None while a row is invalid."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.store_codes: frozenset[str] = frozenset()
        self.period_rows: list[PeriodRow] = []
        self.grid = RowGrid(
            [
                self.tr("Label"),
                self.tr("Starts"),
                self.tr("Ends (included)"),
                self.tr("Demand"),
                self.tr("Alert sensitivity"),
                self.tr("Every year"),
                self.tr("Apply without a past year"),
                self.tr("Only these stores"),
            ],
            [4, 2, 2, 2, 2, 1, 1, 3],
            remove_tip=self.tr("Remove this period"),
        )
        self.grid.row_removed.connect(self._removed)
        hint = QLabel(
            self.tr(
                "Demand × 1.15 expects 15 % more orders on those days; alert sensitivity above 1 makes "
                "alerts fire earlier. Overlapping periods multiply their demand and take the highest "
                "sensitivity. Leave the stores empty for the whole chain."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(dark);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.grid)

    def set_store_codes(self, codes: Iterable[str]) -> None:
        self.store_codes = frozenset(c.upper() for c in codes)
        self.validate()

    def set_calendar(self, calendar: SurgeCalendar, turned_on: frozenset[str] = frozenset()) -> None:
        """Show ``calendar``; ``turned_on``: the yearly periods applied without a past year."""
        self._loading = True
        self.grid.clear()
        self.period_rows.clear()
        for period in calendar.periods:
            self._append(period, period.label in turned_on)
        self._loading = False
        self.validate()

    def add_period(self) -> PeriodRow:
        """A new one-week period starting today, demand and sensitivity unchanged until edited."""
        label = self.tr("New period")
        taken = {row.label.text().strip() for row in self.period_rows}
        number = 2
        while label in taken:
            label = fill(self.tr("New period %1"), str(number))
            number += 1
        start = self.today
        end = date.fromordinal(start.toordinal() + 6)
        row = self._append(SurgePeriod(label, start, end, 1.1, 1.1))
        row.label.setFocus()
        row.label.selectAll()
        self._edited()
        return row

    def _append(self, period: SurgePeriod, turned_on: bool = False) -> PeriodRow:
        row = PeriodRow(period, self.today.year, turned_on)
        row.grid_row = self.grid.add_row(row.widgets)
        self.period_rows.append(row)
        for edit in (row.label, row.stores):
            edit.textChanged.connect(self._edited)
        for dated in (row.start, row.end):
            dated.dateChanged.connect(self._edited)
        for spin in (row.demand, row.sensitivity):
            spin.valueChanged.connect(self._edited)
        row.yearly.toggled.connect(self._edited)
        row.apply.toggled.connect(self._edited)
        return row

    def _removed(self, index: int) -> None:
        del self.period_rows[index]
        self._edited()

    def validate(self) -> bool:
        valid = True
        labels = [row.label.text().strip() for row in self.period_rows]
        for row, label in zip(self.period_rows, labels, strict=True):
            problems = []
            if not label:
                problems.append(self.tr("Give the period a label."))
            elif labels.count(label) > 1:
                problems.append(self.tr("Another period has the same label."))
            unknown = (
                sorted((row.store_codes() or frozenset()) - self.store_codes) if self.store_codes else []
            )
            if unknown:
                problems.append(fill(self.tr("No store has the code %1."), ", ".join(unknown)))
            try:
                row.period()
            except ValueError as exc:
                problems.append(str(exc))
            for spin in (row.demand, row.sensitivity):
                set_issue(spin, "error" if spin.value() <= 0 else "")
            set_issue(
                row.end, "error" if not row.yearly.isChecked() and row.end.date() < row.start.date() else ""
            )
            set_issue(row.label, "error" if not label or labels.count(label) > 1 else "")
            set_issue(row.stores, "error" if unknown else "")
            if problems:
                valid = False
                row.grid_row.note.show_message("error", "\n".join(problems))
            else:
                row.grid_row.note.clear()
        return self._set_valid(valid)

    @property
    def valid(self) -> bool:
        return self._valid

    def turned_on(self) -> frozenset[str]:
        """Labels of the yearly periods ticked to apply without a past year."""
        return frozenset(row.label.text().strip() for row in self.period_rows if row.turned_on)

    def calendar(self) -> SurgeCalendar | None:
        if not self.validate():
            return None
        return SurgeCalendar(tuple(row.period() for row in self.period_rows))
