"""The alert list of the Alerts screen: a table model that updates in place, and its filter proxy.

``AlertsTableModel.set_alerts`` is called with the current list whenever alerts change (the
change feed); it removes, appends and changes rows instead of resetting, so a selection, the
scroll position and the sort order survive every refresh. Sorting (severity, then age: the most
urgent and newest first) and the severity / text / "mine" filters happen in ``AlertsFilterProxy``.

Alert titles, fields and kind names are rendered by ``alerts.kinds`` from each alert's kind and
parameters in the viewer's language; severities, statuses, the default escalation level names and
timeline entries are Qt translations here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QFont, QIcon, QPainter, QPixmap

from alerts.escalation import USER_PREFIX
from alerts.kinds import AlertKind, RenderedAlert, kind_name, language_of, level_name
from storemon.services.alert_service import AlertView
from storemon.services.alert_text import render_view
from ui import palette
from ui.i18n import fill

CONTEXT = "AlertTexts"
ALERT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
SEVERITY_TONES = {"critical": palette.BAD, "warning": palette.WARN, "info": palette.INFO}
SEVERITY_NAMES = {
    "critical": QT_TRANSLATE_NOOP("AlertTexts", "Critical"),
    "warning": QT_TRANSLATE_NOOP("AlertTexts", "Warning"),
    "info": QT_TRANSLATE_NOOP("AlertTexts", "Info"),
}
STATUS_NAMES = {
    "open": QT_TRANSLATE_NOOP("AlertTexts", "Open"),
    "acknowledged": QT_TRANSLATE_NOOP("AlertTexts", "Acknowledged"),
    "snoozed": QT_TRANSLATE_NOOP("AlertTexts", "Snoozed"),
    "resolved": QT_TRANSLATE_NOOP("AlertTexts", "Resolved"),
}
LEVEL_NAMES = {
    "Frontline staff": QT_TRANSLATE_NOOP("AlertTexts", "Frontline staff"),
    "Shift lead / store manager": QT_TRANSLATE_NOOP("AlertTexts", "Shift lead / store manager"),
    "Operations supervisor": QT_TRANSLATE_NOOP("AlertTexts", "Operations supervisor"),
    "Service director": QT_TRANSLATE_NOOP("AlertTexts", "Service director"),
    "Executive": QT_TRANSLATE_NOOP("AlertTexts", "Executive"),
}
TIMELINE_KINDS = {
    "fired": QT_TRANSLATE_NOOP("AlertTexts", "Raised"),
    "retriggered": QT_TRANSLATE_NOOP("AlertTexts", "Raised again"),
    "timeout": QT_TRANSLATE_NOOP("AlertTexts", "No answer in time"),
    "escalated": QT_TRANSLATE_NOOP("AlertTexts", "Escalated"),
    "repeat": QT_TRANSLATE_NOOP("AlertTexts", "Chain restarted"),
    "exhausted": QT_TRANSLATE_NOOP("AlertTexts", "Nobody answered"),
    "acknowledged": QT_TRANSLATE_NOOP("AlertTexts", "Acknowledged"),
    "reminder": QT_TRANSLATE_NOOP("AlertTexts", "Reminder"),
    "resolved": QT_TRANSLATE_NOOP("AlertTexts", "Resolved"),
    "reassigned": QT_TRANSLATE_NOOP("AlertTexts", "Handed over"),
    "comment": QT_TRANSLATE_NOOP("AlertTexts", "Comment"),
    "snoozed": QT_TRANSLATE_NOOP("AlertTexts", "Snoozed"),
    "snooze_ended": QT_TRANSLATE_NOOP("AlertTexts", "Snooze ended"),
    "nobody": QT_TRANSLATE_NOOP("AlertTexts", "Nobody to page"),
}
NOTICE_KINDS = {
    "page": QT_TRANSLATE_NOOP("AlertTexts", "Paged"),
    "inform": QT_TRANSLATE_NOOP("AlertTexts", "Kept informed"),
    "reminder": QT_TRANSLATE_NOOP("AlertTexts", "Reminded"),
    "acknowledged": QT_TRANSLATE_NOOP("AlertTexts", "Told it is taken"),
    "resolved": QT_TRANSLATE_NOOP("AlertTexts", "Told it is resolved"),
    "reassigned": QT_TRANSLATE_NOOP("AlertTexts", "Told it was handed over"),
    "cover_offer": QT_TRANSLATE_NOOP("AlertTexts", "Asked to cover"),
    "covered": QT_TRANSLATE_NOOP("AlertTexts", "Told it is covered"),
}


def name_of(table: dict[str, str], key: str) -> str:
    """The translated name of a key from one of the tables above, or the key itself."""
    source = table.get(key)
    return QCoreApplication.translate(CONTEXT, source) if source else key


def ui_language() -> str:
    """The language the app speaks now ("en" or "zh_CN"): the translator sets the default locale."""
    return language_of(QLocale().name())


def rendered(alert: AlertView) -> RenderedAlert:
    """The alert's title, fields and reasons rendered from its kind in the viewer's language."""
    return render_view(alert, ui_language())


def alert_title(alert: AlertView) -> str:
    """The alert's title in the viewer's language; the store is left out (the list has a column)."""
    return rendered(alert).title


def kind_names() -> list[tuple[str, str]]:
    """(name in the viewer's language, kind) for every alert kind, sorted by name."""
    language = ui_language()
    return sorted(((kind_name(k, language), k.value) for k in AlertKind), key=lambda p: p[0].casefold())


def plain_username(name: str | None) -> str:
    """A person as the escalation engine may name them ("user:mgr-sh001") -> "mgr-sh001"."""
    if not name:
        return ""
    return name[len(USER_PREFIX) :] if name.startswith(USER_PREFIX) else name


def level_text(alert: AlertView) -> str:
    """The alert's current escalation level by name, in the viewer's language ("Shift lead / store
    manager"; a chain's own level names stay as the chain wrote them)."""
    return level_name(alert.level_name, ui_language())


def level_name_of(alert: AlertView, number: int) -> str:
    """Level ``number`` of the alert's escalation chain by name; the number if the chain is unknown."""
    if 1 <= number <= len(alert.level_names):
        return level_name(alert.level_names[number - 1], ui_language())
    return level_text(alert) if number == alert.level else str(number)


def format_age(seconds: float) -> str:
    """How long ago, compactly: "40 s", "12 min", "3 h 05 min", "2 d 4 h"."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return fill(QCoreApplication.translate("AlertTexts", "%1 s"), str(seconds))
    minutes = seconds // 60
    if minutes < 60:
        return fill(QCoreApplication.translate("AlertTexts", "%1 min"), str(minutes))
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return fill(QCoreApplication.translate("AlertTexts", "%1 h %2 min"), str(hours), f"{minutes:02d}")
    days, hours = divmod(hours, 24)
    return fill(QCoreApplication.translate("AlertTexts", "%1 d %2 h"), str(days), str(hours))


_swatches: dict[str, QIcon] = {}


def severity_icon(severity: str) -> QIcon:
    """A small filled circle in the severity's colour (cached)."""
    if severity not in _swatches:
        colour = SEVERITY_TONES.get(severity, palette.MUTED).qtext()
        pixmap = QPixmap(14, 14)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(colour)
        painter.setPen(colour.darker(130))
        painter.drawEllipse(1, 1, 12, 12)
        painter.end()
        _swatches[severity] = QIcon(pixmap)
    return _swatches[severity]


class AlertsTableModel(QAbstractTableModel):
    """Alerts as rows; columns severity, store, title, level, status, owner, age."""

    SEVERITY, STORE, TITLE, LEVEL, STATUS, OWNER, AGE = range(7)
    HEADERS = (
        QT_TRANSLATE_NOOP("AlertTexts", "Severity"),
        QT_TRANSLATE_NOOP("AlertTexts", "Store"),
        QT_TRANSLATE_NOOP("AlertTexts", "Alert"),
        QT_TRANSLATE_NOOP("AlertTexts", "Level"),
        QT_TRANSLATE_NOOP("AlertTexts", "Status"),
        QT_TRANSLATE_NOOP("AlertTexts", "Owner"),
        QT_TRANSLATE_NOOP("AlertTexts", "Age"),
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AlertView] = []
        self._now: datetime | None = None
        self._names: dict[str, str] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    # -- updating -------------------------------------------------------------------------------
    def set_names(self, names: dict[str, str]) -> None:
        self._names = dict(names)
        if self._rows:
            self._changed(0, len(self._rows) - 1)

    def set_alerts(self, alerts: Sequence[AlertView], now: datetime) -> None:
        """Bring the rows in line with ``alerts`` with removes, appends and in-place changes."""
        self._now = now
        wanted = {a.id: a for a in alerts}
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        for row, old in enumerate(self._rows):
            new = wanted.pop(old.id)
            self._rows[row] = new
        if self._rows:
            # Every row's age moves with the clock; one signal for the whole table is cheapest.
            self._changed(0, len(self._rows) - 1)
        added = [a for a in alerts if a.id in wanted]
        if added:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._rows.extend(added)
            self.endInsertRows()

    def _changed(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    def alert(self, row: int) -> AlertView:
        return self._rows[row]

    def alert_by_id(self, alert_id: int) -> AlertView | None:
        return next((a for a in self._rows if a.id == alert_id), None)

    def row_of(self, alert_id: int) -> int:
        return next((k for k, a in enumerate(self._rows) if a.id == alert_id), -1)

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(CONTEXT, self.HEADERS[section])
        return None

    def owner_name(self, alert: AlertView) -> str:
        owner = plain_username(alert.owner)
        return self._names.get(owner, owner) if owner else ""

    def _age_seconds(self, alert: AlertView) -> float:
        return (self._now - alert.fired_at).total_seconds() if self._now else 0.0

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        alert = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(alert, column)
        if role == SORT_ROLE:
            return self._sort_key(alert, column)
        if role == ALERT_ID_ROLE:
            return alert.id
        if role == Qt.ItemDataRole.DecorationRole and column == self.SEVERITY:
            return severity_icon(alert.severity)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.SEVERITY:
            tone = SEVERITY_TONES.get(alert.severity)
            return QBrush(tone.qtext()) if tone else None
        if role == Qt.ItemDataRole.FontRole and alert.status == "open" and column == self.TITLE:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
            # The whole title (the column may elide it), then the headline with the store.
            text = rendered(alert)
            return text.title if text.headline == text.title else f"{text.title}\n{text.headline}"
        if role == Qt.ItemDataRole.ToolTipRole and column == self.LEVEL:
            return fill(
                QCoreApplication.translate("AlertTexts", "Level %1 of the escalation chain: %2"),
                str(alert.level),
                level_text(alert),
            )
        if role == Qt.ItemDataRole.ToolTipRole and column == self.AGE and self._now:
            return alert.fired_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return None

    def _display(self, alert: AlertView, column: int) -> str:
        if column == self.SEVERITY:
            return name_of(SEVERITY_NAMES, alert.severity)
        if column == self.STORE:
            return f"{alert.store_code} {alert.store_name}".strip() or QCoreApplication.translate(
                "AlertTexts", "Chain"
            )
        if column == self.TITLE:
            return alert_title(alert)
        if column == self.LEVEL:
            return level_text(alert)
        if column == self.STATUS:
            return name_of(STATUS_NAMES, alert.status)
        if column == self.OWNER:
            return self.owner_name(alert) or "—"
        if column == self.AGE:
            return format_age(self._age_seconds(alert))
        return ""

    def set_now(self, now: datetime) -> None:
        """Move every row's age on to ``now`` (the clock ticks; nothing is reloaded)."""
        self._now = now
        if self._rows:
            self._changed(0, len(self._rows) - 1)

    def _sort_key(self, alert: AlertView, column: int):
        if column == self.SEVERITY:
            # Severity, then age: the most urgent first, and among equals the newest first.
            return (SEVERITY_ORDER.get(alert.severity, 9), self._age_seconds(alert), alert.id)
        if column == self.LEVEL:
            return alert.level
        if column == self.AGE:
            return self._age_seconds(alert)
        return self._display(alert, column).casefold()


class AlertsFilterProxy(QSortFilterProxyModel):
    """Sorts on ``SORT_ROLE`` and filters by severity, by text over every column, and to "mine"."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._severity = ""
        self._text = ""
        self._mine: frozenset[int] | None = None

    def lessThan(  # noqa: N802 - Qt override
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        # Python values (tuples, floats, strings), compared as Python compares them.
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)

    def set_severity(self, severity: str) -> None:
        self._refilter(severity=severity)

    def set_mine(self, alert_ids: frozenset[int] | None) -> None:
        """Show only these alerts (the ones addressed to or taken by the viewer); None shows all."""
        if alert_ids != self._mine:
            self._refilter(mine=alert_ids)

    def set_text(self, text: str) -> None:
        self._refilter(text=text.strip().casefold())

    def _refilter(self, **changes) -> None:
        # Qt 6.10 replaced invalidateFilter() by a begin/end pair; older Qt has only the former.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self._apply(changes)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._apply(changes)
            self.invalidateFilter()

    def _apply(self, changes: dict) -> None:
        self._severity = changes.get("severity", self._severity)
        self._text = changes.get("text", self._text)
        self._mine = changes.get("mine", self._mine)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        if not isinstance(model, AlertsTableModel):
            return True
        alert = model.alert(source_row)
        if self._severity and alert.severity != self._severity:
            return False
        if self._mine is not None and alert.id not in self._mine:
            return False
        if not self._text:
            return True
        haystack = " ".join(
            [model._display(alert, c) for c in range(model.columnCount())]
            + [rendered(alert).headline, alert.owner or ""]
        ).casefold()
        return all(word in haystack for word in self._text.split())
