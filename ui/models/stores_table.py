"""The Region table: one row per store, numbers formatted by locale, the policy status coloured.

``StoresTableModel`` holds ``StoreOverview`` rows and sorts them itself (a key sort in Python is
far cheaper than thousands of comparisons calling back into ``data()``); ``StoresFilterProxy``
filters by text, region and status and hands sort requests to the model, so a header click on a
large chain re-sorts in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush

from storemon.services.region import StoreOverview
from ui import palette
from ui.format import number, short_date
from ui.i18n import fill
from ui.models.record_table import ColumnSpec, RecordTableModel
from ui.widgets import labour_cost

CONTEXT = "StoresTableModel"
SORT_ROLE = RecordTableModel.SortRole
STORE_ID_ROLE = Qt.ItemDataRole.UserRole + 3

LONG_WAITS = "covered_long_waits"
"""Shown instead of "covered" when the store meets its policy but its mean wait is over target."""

STATUS_LABELS = {
    "gap": QT_TRANSLATE_NOOP("StoresTableModel", "In a policy gap"),
    "below_policy": QT_TRANSLATE_NOOP("StoresTableModel", "Below policy"),
    "covered": QT_TRANSLATE_NOOP("StoresTableModel", "Covered"),
    LONG_WAITS: QT_TRANSLATE_NOOP("StoresTableModel", "Policy met, waits too long"),
    "no_policy": QT_TRANSLATE_NOOP("StoresTableModel", "No policy"),
}
STATUS_ORDER = {"gap": 0, "below_policy": 1, LONG_WAITS: 2, "no_policy": 3, "covered": 4}
"""Worst first when sorting by status."""

# Fixed pairs of background and text colour, readable on light and dark palettes alike.
STATUS_TONES = {
    "gap": palette.BAD,
    "below_policy": palette.WARN,
    "covered": palette.OK,
    LONG_WAITS: palette.WARN,
    "no_policy": palette.MUTED,
}


def shown_status(row: StoreOverview, target_wait_minutes: float | None) -> str:
    """The verdict shown beside the row's waits: "covered" (green) only while the mean wait meets
    the target; a store that meets its policy yet keeps customers waiting longer is ``LONG_WAITS``."""
    if (
        row.policy_status == "covered"
        and target_wait_minutes is not None
        and row.mean_wait_minutes > target_wait_minutes + 1e-9
    ):
        return LONG_WAITS
    return row.policy_status


def status_label(status: str) -> str:
    """The translated name of a policy status."""
    return QCoreApplication.translate(CONTEXT, STATUS_LABELS.get(status, status))


@dataclass(frozen=True)
class StoreColumn:
    """A column of the table: what it shows, how it sorts and formats."""

    key: str
    header: str
    """Untranslated header (marked for lupdate), translated when shown."""
    tooltip: str
    decimals: int | None = None
    """None for text columns; the number of decimals for numeric ones."""


COLUMNS: tuple[StoreColumn, ...] = (
    StoreColumn(
        "code",
        QT_TRANSLATE_NOOP("StoresTableModel", "Code"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Store code"),
    ),
    StoreColumn(
        "name",
        QT_TRANSLATE_NOOP("StoresTableModel", "Store"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Store name"),
    ),
    StoreColumn(
        "region",
        QT_TRANSLATE_NOOP("StoresTableModel", "Region"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Region"),
    ),
    StoreColumn(
        "policy_status",
        QT_TRANSLATE_NOOP("StoresTableModel", "Policy\nstatus"),
        QT_TRANSLATE_NOOP(
            "StoresTableModel",
            "Whether the store's revenue tier policy covers it and its roster meets the policy",
        ),
    ),
    StoreColumn(
        "avg_daily_revenue",
        QT_TRANSLATE_NOOP("StoresTableModel", "Revenue\nper day"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Average daily revenue over the last four weeks of sales"),
        0,
    ),
    StoreColumn(
        "policy_staff_per_shift",
        QT_TRANSLATE_NOOP("StoresTableModel", "Policy\nstaff"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Staff per shift the tier policy asks for at this revenue"),
        0,
    ),
    StoreColumn(
        "rostered_staff_per_shift",
        QT_TRANSLATE_NOOP("StoresTableModel", "Rostered\nstaff"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Mean staff on the floor while open, last four weeks"),
        1,
    ),
    StoreColumn(
        "solo_hours_per_week",
        QT_TRANSLATE_NOOP("StoresTableModel", "Solo hours\nper week"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Hours one person ran the store alone, last sales week"),
        1,
    ),
    StoreColumn(
        "mean_wait_minutes",
        QT_TRANSLATE_NOOP("StoresTableModel", "Mean wait\n(min)"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Order-weighted mean queue wait in minutes, last sales week"),
        1,
    ),
    StoreColumn(
        "p90_wait_minutes",
        QT_TRANSLATE_NOOP("StoresTableModel", "P90 wait\n(min)"),
        QT_TRANSLATE_NOOP(
            "StoresTableModel", "Nine orders in ten waited at most this many minutes, last sales week"
        ),
        1,
    ),
    StoreColumn(
        "lost_orders",
        QT_TRANSLATE_NOOP("StoresTableModel", "Walked\naway"),
        QT_TRANSLATE_NOOP(
            "StoresTableModel",
            "Customers expected to have walked away unserved (out of patience), last sales week",
        ),
        0,
    ),
    StoreColumn(
        "red_shifts",
        QT_TRANSLATE_NOOP("StoresTableModel", "Red\nshifts"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Shifts whose pressure index reached red, last sales week"),
        0,
    ),
    StoreColumn(
        "mean_pressure",
        QT_TRANSLATE_NOOP("StoresTableModel", "Mean\npressure"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Mean pressure index of the week's shifts (0-100)"),
        0,
    ),
    StoreColumn(
        "max_pressure",
        QT_TRANSLATE_NOOP("StoresTableModel", "Peak\npressure"),
        QT_TRANSLATE_NOOP("StoresTableModel", "Highest pressure index of any shift in the week (0-100)"),
        0,
    ),
    StoreColumn(
        "labour_percent",
        QT_TRANSLATE_NOOP("StoresTableModel", "Labour\n% of sales"),
        QT_TRANSLATE_NOOP(
            "StoresTableModel", "Wages of the week's shifts as a percentage of its sales, last sales week"
        ),
        1,
    ),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}


def _display(column: StoreColumn, row: StoreOverview, target_wait: Callable[[], float | None]) -> str:
    value = getattr(row, column.key)
    if column.key == "policy_status":
        return status_label(shown_status(row, target_wait()))
    if column.decimals is None:
        return str(value)
    if value is None:
        return "—"
    return number(value, column.decimals)


def _sort_key(row: StoreOverview, key: str, target_wait: Callable[[], float | None] = lambda: None) -> Any:
    if key == "policy_status":
        return STATUS_ORDER.get(shown_status(row, target_wait()), 9)
    value = getattr(row, key)
    return value.casefold() if isinstance(value, str) else value


def _sorted(
    rows: list[StoreOverview],
    key: str,
    order: Qt.SortOrder,
    target_wait: Callable[[], float | None] = lambda: None,
) -> list[StoreOverview]:
    """``rows`` by column ``key``; missing values last in both directions, ties keep their order."""
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    present.sort(key=lambda r: _sort_key(r, key, target_wait), reverse=order == Qt.SortOrder.DescendingOrder)
    return present + missing


class StoresTableModel(RecordTableModel):
    """``StoreOverview`` rows; ``SORT_ROLE`` gives raw values, ``STORE_ID_ROLE`` the store id."""

    def __init__(self, parent: QObject | None = None) -> None:
        self.amber_at = 35.0
        self.red_at = 65.0
        self.target_wait_minutes: float | None = None
        """The chain's target wait; None until known (then "covered" is shown as it comes)."""
        self._status_brushes = {
            status: (QBrush(tone.qfill()), QBrush(tone.qtext())) for status, tone in STATUS_TONES.items()
        }
        self._red, self._amber = QBrush(palette.BAD.qtext()), QBrush(palette.WARN.qtext())
        super().__init__(self._column_specs(), parent)

    def _column_specs(self) -> list[ColumnSpec]:
        """The columns with their headers in the current language."""
        status = COLUMN_INDEX["policy_status"]
        specs = []
        for index, column in enumerate(COLUMNS):
            specs.append(
                ColumnSpec(
                    QCoreApplication.translate(CONTEXT, column.header),
                    partial(_display, column, target_wait=self._target_wait),
                    sort=partial(_sort_key, key=column.key, target_wait=self._target_wait),
                    foreground=partial(self._foreground, key=column.key),
                    background=self._status_background if index == status else None,
                    bold=(lambda row: row.in_gap) if index == status else None,
                    tooltip=partial(self._tooltip, key=column.key),
                    align_right=column.decimals is not None,
                    header_tooltip=QCoreApplication.translate(CONTEXT, column.tooltip),
                )
            )
        return specs

    # -- contents ------------------------------------------------------------------------------------
    def set_rows(
        self,
        rows: list[StoreOverview],
        amber_at: float = 35.0,
        red_at: float = 65.0,
        sort: tuple[int, Qt.SortOrder] | None = None,
    ) -> None:
        """New rows, sorted by ``sort`` (column, order) before the views see them: one reset, no
        second pass of the proxy over every row for the sort."""
        self.amber_at, self.red_at = amber_at, red_at
        if sort is not None and 0 <= sort[0] < len(COLUMNS):
            rows = _sorted(rows, COLUMNS[sort[0]].key, sort[1], self._target_wait)
        super().set_rows(rows)

    def _target_wait(self) -> float | None:
        return self.target_wait_minutes

    def set_target_wait(self, minutes: float | None) -> None:
        """The wait target the status verdict is checked against (``shown_status``)."""
        if minutes == self.target_wait_minutes:
            return
        self.target_wait_minutes = minutes
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def retranslate(self) -> None:
        """Headers and status names follow a language change."""
        self.set_columns(self._column_specs())

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role == STORE_ID_ROLE:
            row = self.row_at(index.row()) if index.isValid() else None
            return row.store_id if row is not None else None
        return super().data(index, role)

    def _status_background(self, row: StoreOverview):
        return self._status_brushes.get(shown_status(row, self.target_wait_minutes), (None, None))[0]

    def _foreground(self, row: StoreOverview, key: str):
        if key == "policy_status":
            return self._status_brushes.get(shown_status(row, self.target_wait_minutes), (None, None))[1]
        if key == "red_shifts" and row.red_shifts > 0:
            return self._red
        if key in ("mean_pressure", "max_pressure"):
            value = getattr(row, key)
            return self._red if value >= self.red_at else self._amber if value >= self.amber_at else None
        return None

    def _tooltip(self, row: StoreOverview, key: str) -> str | None:
        if key == "policy_status":
            text = f"{status_label(row.policy_status)}: {row.policy_note}"
            if row.tier_policy:
                text += "\n" + fill(self.tr("Tier policy: %1"), row.tier_policy)
            if shown_status(row, self.target_wait_minutes) == LONG_WAITS:
                text += "\n" + fill(
                    self.tr(
                        "But customers waited %1 min on average against a target of %2 min: the roster "
                        "meets the policy, the policy asks for too few people here."
                    ),
                    number(row.mean_wait_minutes, 1),
                    number(self.target_wait_minutes, 1),
                )
            return text
        if key == "mean_wait_minutes" and self.target_wait_minutes is not None:
            return fill(
                self.tr("%1 min on average against a target of %2 min (last sales week: %3 – %4)"),
                number(row.mean_wait_minutes, 1),
                number(self.target_wait_minutes, 1),
                short_date(row.week_start) if row.week_start else "—",
                short_date(row.week_end) if row.week_end else "—",
            )
        if key == "policy_staff_per_shift" and row.tier_policy:
            return fill(self.tr("Tier policy: %1"), row.tier_policy)
        if key in ("code", "name"):
            return fill(self.tr("%1 %2 — double-click to open it on Today"), row.code, row.name)
        if key == "labour_percent":
            return labour_cost.week_wages(row.labour_cost)
        if row.week_start is not None and key in (
            "solo_hours_per_week",
            "mean_wait_minutes",
            "p90_wait_minutes",
            "lost_orders",
            "red_shifts",
            "mean_pressure",
            "max_pressure",
        ):
            return fill(
                self.tr("Last sales week: %1 – %2"), short_date(row.week_start), short_date(row.week_end)
            )
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column in place; missing values go last in both directions, ties keep order."""
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].key
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        positions = {id(r): i for i, r in enumerate(self._rows)}
        self._rows = _sorted(self._rows, key, order, self._target_wait)
        moved = {positions[id(r)]: i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(old, [self.index(moved[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()


class StoresFilterProxy(QSortFilterProxyModel):
    """Filters stores by code/name text, region and status; sorting is done by the source model."""

    STATUS_FILTERS = ("all", "gap", "below_policy", "red_shifts")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._region_id: int | None = None
        self._status = "all"
        self.setDynamicSortFilter(False)

    def set_text(self, text: str) -> None:
        text = text.strip().casefold()
        if text != self._text:
            self._text = text
            self._refilter()

    def set_region(self, region_id: int | None) -> None:
        """Show only stores of this region (None for every region)."""
        if region_id != self._region_id:
            self._region_id = region_id
            self._refilter()

    def set_status(self, status: str) -> None:
        if status not in self.STATUS_FILTERS:
            raise ValueError(f"unknown status filter {status!r}")
        if status != self._status:
            self._status = status
            self._refilter()

    def _refilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def accepts(self, row: StoreOverview) -> bool:
        if self._region_id is not None and row.region_id != self._region_id:
            return False
        if self._text and self._text not in row.code.casefold() and self._text not in row.name.casefold():
            return False
        if self._status == "gap":
            return row.in_gap
        if self._status == "below_policy":
            return row.policy_status == "below_policy"
        if self._status == "red_shifts":
            return row.red_shifts > 0
        return True

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        return self.accepts(model.row_at(source_row)) if isinstance(model, StoresTableModel) else True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, StoresTableModel):
            model.sort(column, order)
        else:
            super().sort(column, order)

    def visible_rows(self) -> list[StoreOverview]:
        """The stores shown, in the order shown."""
        model = self.sourceModel()
        if isinstance(model, StoresTableModel):
            # The proxy never sorts (the model does): its rows are the model's accepted ones in order.
            return [row for row in model.rows if self.accepts(row)]
        return [model.row_at(self.mapToSource(self.index(r, 0)).row()) for r in range(self.rowCount())]

    def store_id_at(self, row: int) -> int:
        return int(self.data(self.index(row, 0), STORE_ID_ROLE))
