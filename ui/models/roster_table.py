"""The week grid of the Schedule screen: one row per person, one column per day, shifts in the cells."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from ui.format import clock, duration
from ui.i18n import fill, translate
from ui.widgets import labour_cost
from ui.widgets.form_helpers import ROLE_NAMES, role_name

if TYPE_CHECKING:
    from storemon.services.schedule import RosterEntry, RosterPerson, WeekRoster

SHIFT_FILL = QColor("#e3f2ec")
SOLO_FILL = QColor("#fde7c0")
TODAY_FILL = QColor("#eef4fb")


def role_label(role: str) -> str:
    """A role as the roster grid names it: the short "Staff" for frontline staff, else its role name."""
    if role == "staff":
        return translate("Roles", "Staff")
    return role_name(role) if role in ROLE_NAMES else role.replace("_", " ").capitalize()


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def shift_times(entry: RosterEntry) -> str:
    """ "06:45–14:00", with "(+1)" when the shift ends the next day."""
    text = f"{clock(entry.start)}–{clock(entry.end)}"
    if entry.ends_next_day:
        text += " " + translate("RosterTableModel", "(+1)")
    return text


def day_heading(day: date) -> str:
    locale = QLocale()
    return (
        f"{locale.toString(qdate(day), 'ddd')}\n{locale.toString(qdate(day), QLocale.FormatType.ShortFormat)}"
    )


class RosterTableModel(QAbstractTableModel):
    """Rows are people, columns the week's days; a cell holds that person's shifts starting that day."""

    ShiftsRole = Qt.ItemDataRole.UserRole + 1
    """The cell's ``RosterEntry`` list."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._week: WeekRoster | None = None
        self._people: list[RosterPerson] = []
        self._days: list[date] = []
        self._cells: dict[tuple[int, date], list[RosterEntry]] = {}
        self._today: date | None = None

    # -- data in ----------------------------------------------------------------------------------
    def set_roster(self, week: WeekRoster | None, today: date | None = None) -> None:
        self.beginResetModel()
        self._week = week
        self._today = today
        self._people = list(week.people) if week else []
        self._days = list(week.days) if week else []
        self._cells = {}
        for entry in week.shifts if week else []:
            self._cells.setdefault((entry.staff_id, entry.day), []).append(entry)
        self.endResetModel()

    def week(self) -> WeekRoster | None:
        return self._week

    def person_at(self, row: int) -> RosterPerson | None:
        return self._people[row] if 0 <= row < len(self._people) else None

    def day_at(self, column: int) -> date | None:
        return self._days[column] if 0 <= column < len(self._days) else None

    def shifts_at(self, index: QModelIndex | QPersistentModelIndex) -> list[RosterEntry]:
        if not index.isValid():
            return []
        person, day = self.person_at(index.row()), self.day_at(index.column())
        if person is None or day is None:
            return []
        return self._cells.get((person.id, day), [])

    def index_of(self, staff_id: int, day: date) -> QModelIndex:
        rows = [r for r, p in enumerate(self._people) if p.id == staff_id]
        if not rows or day not in self._days:
            return QModelIndex()
        return self.index(rows[0], self._days.index(day))

    def cell_text(self, row: int, column: int) -> str:
        return self.data(self.index(row, column)) or ""

    # -- Qt model ---------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._people)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._days)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        shifts = self.shifts_at(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return "\n".join(shift_times(s) for s in shifts)
        if role == self.ShiftsRole:
            return shifts
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.BackgroundRole:
            if shifts:
                return SOLO_FILL if any(s.solo_minutes for s in shifts) else SHIFT_FILL
            if self.day_at(index.column()) == self._today:
                return TODAY_FILL
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), index.column(), shifts)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._tooltip(index.row(), index.column(), shifts).replace("\n", "; ")
        return None

    def _tooltip(self, row: int, column: int, shifts: list[RosterEntry]) -> str:
        person, day = self.person_at(row), self.day_at(column)
        if person is None or day is None:
            return ""
        heading = f"{person.name} · {QLocale().toString(qdate(day), QLocale.FormatType.LongFormat)}"
        if not shifts:
            return heading + "\n" + self.tr("No shift")
        lines = [heading]
        for shift in shifts:
            lines.append(f"{shift_times(shift)} ({duration(shift.minutes)})")
            if shift.borrowed_from:
                lines.append(fill(self.tr("Borrowed from %1"), shift.borrowed_from))
            if shift.labour is not None:
                lines.append(
                    labour_cost.shift_line(
                        shift.labour.cost, shift.labour.hourly_wage, shift.labour.wage_source
                    )
                )
            if shift.solo_minutes:
                lines.append(fill(self.tr("Alone on the floor for %1"), duration(shift.solo_minutes)))
        return "\n".join(lines)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            day = self.day_at(section)
            if day is None:
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return day_heading(day) + labour_cost.day_heading_line(self._week, section)
            if role == Qt.ItemDataRole.FontRole and day == self._today:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole and day == self._today:
                return self.tr("Today")
            return None
        person = self.person_at(section)
        if person is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            detail = role_label(person.role)
            if not person.works_here:
                detail = (
                    fill(self.tr("borrowed from %1"), person.home_store)
                    if person.home_store
                    else self.tr("from another store")
                )
            elif not person.active:
                detail = self.tr("no longer active")
            return f"{person.name}\n{detail}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{person.name} ({person.code}) · {role_label(person.role)}"
        return None
