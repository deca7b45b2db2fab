"""The day's pressure per person: who is under how much pressure, and why, in plain language.

A table of the day's shifts sorted by pressure index (name, shift, index, level) and a details
pane with the selected person's reasons and their points. Reasons are translated from the English
template the pressure engine built them from (the template is the translation key) and filled in
with the engine's numbers, so the same explanation reads in every shipped language.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storemon.services.store_days import PersonPressure
from ui import palette
from ui.format import clock
from ui.i18n import fill
from ui.widgets.splitter import splitter

REASON_CONTEXT = "PressureReason"

# The pressure engine's English templates (staffing.pressure.TEMPLATES), marked for lupdate; a
# test checks this list stays in step with the engine.
REASON_TEMPLATES = (
    QT_TRANSLATE_NOOP("PressureReason", "alone {periods} ({alone_min:.0f} min with nobody to step in)"),
    QT_TRANSLATE_NOOP(
        "PressureReason", "{start}-{end} with {orders_per_hour:.0f} orders/h: utilisation {utilisation:.2f}"
    ),
    QT_TRANSLATE_NOOP(
        "PressureReason",
        "modelled wait {wait_min:.1f} min for the slowest {slowest_pct:.0f}% of orders "
        "(target {target_min:.0f} min); longest at {worst_start}-{worst_end}: {worst_min:.1f} min",
    ),
    QT_TRANSLATE_NOOP(
        "PressureReason",
        "modelled wait {wait_min:.1f} min for the slowest {slowest_pct:.0f}% of orders "
        "(target {target_min:.0f} min); at {worst_start}-{worst_end} the queue grows without limit",
    ),
    QT_TRANSLATE_NOOP(
        "PressureReason",
        "mean utilisation {utilisation:.2f} over the shift ({calm:.2f} is calm, {flat_out:.2f} flat out)",
    ),
    QT_TRANSLATE_NOOP("PressureReason", "{busy_min:.0f} min at utilisation {threshold:.2f} or more"),
    QT_TRANSLATE_NOOP(
        "PressureReason",
        "longest rush {start}-{end}: {rush_min:.0f} min straight at utilisation {threshold:.2f} or more",
    ),
    QT_TRANSLATE_NOOP("PressureReason", "{hours:.1f} h without a break ({start}-{end})"),
    QT_TRANSLATE_NOOP("PressureReason", "incidents during the shift: {incidents}"),
    QT_TRANSLATE_NOOP(
        "PressureReason",
        "incidents during the shift: {incidents}, with a sensitive trigger "
        "(escalated complaint, consumer association or media)",
    ),
    QT_TRANSLATE_NOOP("PressureReason", 'end-of-shift check-in: {score}/5 for "how hard was this shift"'),
    QT_TRANSLATE_NOOP("PressureReason", "about {customers:.0f} customers walked away {start}-{end}"),
    QT_TRANSLATE_NOOP("PressureReason", "breaks not recorded"),
    QT_TRANSLATE_NOOP("PressureReason", "nobody rostered {start}-{end}: all {customers:.0f} customers lost"),
    QT_TRANSLATE_NOOP(
        "PressureReason",
        "burnout risk: red shifts on {red} of the last {worked} working days ({dates}); "
        "talk with them and point to the support hotline",
    ),
    QT_TRANSLATE_NOOP(
        "PressureReason",
        "no burnout risk: red shifts on {red} of the last {worked} working days (risk from {k} of {n})",
    ),
)
ALONE_PERIOD = REASON_TEMPLATES[1]

LEVEL_COLOURS: dict[str, tuple[QColor, QColor]] = {
    level: (tone.qfill(), tone.qtext()) for level, tone in palette.LEVEL_TONES.items()
}
"""Per level: (background, text) colours, chosen to stay readable on light and dark palettes."""


def _translated(template: str) -> str:
    return QCoreApplication.translate(REASON_CONTEXT, template)


def reason_text(reason: dict) -> str:
    """A reason in the current language, with the engine's numbers; the English text if that fails."""
    template = reason.get("template") or ""
    params = dict(reason.get("params") or {})
    if not template:
        return reason.get("explanation", "")
    try:
        if "period_list" in params:
            params["periods"] = "; ".join(
                _translated(ALONE_PERIOD).format(**p) for p in params["period_list"]
            )
        return _translated(template).format(**params)
    except (KeyError, IndexError, ValueError):
        # A translation that lost a placeholder must not hide the reason.
        return reason.get("explanation", "")


WHY_LINES = 5
"""Lines of reasons the details pane always has room for."""


class PressureList(QWidget):
    """Shifts of the day sorted by pressure index, and the selected person's reasons."""

    person_selected = Signal(str)
    """The staff code of the person whose reasons the details pane shows."""

    COLUMNS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._people: list[PersonPressure] = []
        self.table = QTreeWidget()
        self.table.setObjectName("pressureTable")
        self.table.setColumnCount(self.COLUMNS)
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentItemChanged.connect(self._on_current_changed)

        self.details = QLabel()
        self.details.setObjectName("pressureDetails")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setContentsMargins(8, 6, 8, 6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setWidget(self.details)
        # The "why" must stay readable on a 1366×768 laptop: room for several reasons, never one line.
        scroll.setMinimumHeight(self.details.fontMetrics().lineSpacing() * WHY_LINES + 14)
        self.details_area = scroll

        panes = splitter(Qt.Orientation.Vertical, (self.table, scroll), (2, 3), [110, 190])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(panes)
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHeaderLabels([self.tr("Name"), self.tr("Shift"), self.tr("Index"), self.tr("Level")])
        tips = (
            self.tr("Who is rostered today"),
            self.tr("Their shift, in the store's local time"),
            self.tr("Pressure index, 0–100: the points of the reasons shown below add up to it"),
            self.tr("Green, amber or red, by the pressure thresholds (Policies > Thresholds)"),
        )
        header = self.table.headerItem()
        for column, tip in enumerate(tips):
            header.setToolTip(column, tip)
        if not self._people:
            self.details.setText(self.tr("Select a person to see why their shift is hard."))

    def level_name(self, level: str) -> str:
        return {"green": self.tr("Green"), "amber": self.tr("Amber"), "red": self.tr("Red")}.get(level, level)

    def set_people(self, people: list[PersonPressure]) -> None:
        """Show the day's shifts, highest index first, and select the top one."""
        self._people = sorted(people, key=lambda p: -p.index)
        self.table.clear()
        loc = QLocale()
        for person in self._people:
            shift = f"{clock(person.shift_start)}–{clock(person.shift_end)}"
            item = QTreeWidgetItem([person.name, shift, loc.toString(person.index, "f", 1), ""])
            item.setData(0, Qt.ItemDataRole.UserRole, person.staff_code)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            background, foreground = LEVEL_COLOURS.get(person.level, LEVEL_COLOURS["green"])
            item.setText(3, self.level_name(person.level))
            item.setBackground(3, QBrush(background))
            item.setForeground(3, QBrush(foreground))
            font = item.font(3)
            font.setBold(True)
            item.setFont(3, font)
            item.setToolTip(
                0, "\n".join(reason_text(r) for r in person.reasons) or self.tr("No pressure factors")
            )
            self.table.addTopLevelItem(item)
        if self._people:
            self.table.setCurrentItem(self.table.topLevelItem(0))
        else:
            self.details.setText(self.tr("Nobody is on the roster for this day."))

    def _on_current_changed(self, current: QTreeWidgetItem | None, _previous) -> None:
        if current is None:
            return
        code = current.data(0, Qt.ItemDataRole.UserRole)
        person = next((p for p in self._people if p.staff_code == code), None)
        if person is None:
            return
        self.details.setText(self._details_html(person))
        self.person_selected.emit(code)

    def _details_html(self, person: PersonPressure) -> str:
        loc = QLocale()
        background, foreground = LEVEL_COLOURS.get(person.level, LEVEL_COLOURS["green"])
        chip = (
            f"<span style='background:{background.name()}; color:{foreground.name()}; font-weight:600'>"
            f"&nbsp;{html.escape(self.level_name(person.level))} {loc.toString(person.index, 'f', 1)}&nbsp;</span>"
        )
        head = (
            f"<p><b>{html.escape(person.name)}</b> · "
            f"{clock(person.shift_start)}–{clock(person.shift_end)} &nbsp;{chip}</p>"
        )
        unknown = "".join(
            "<p style='margin-top:4px'><i>" + html.escape(reason_text(r)) + "</i></p>" for r in person.unknown
        )
        if not person.reasons:
            return (
                head + "<p>" + html.escape(self.tr("No pressure factors on this shift.")) + "</p>" + unknown
            )
        rows = "".join(
            "<tr><td align='right' style='padding:2px 8px 2px 0; white-space:nowrap'><b>"
            + html.escape(fill(self.tr("+%1 pts"), loc.toString(float(r["points"]), "f", 1)))
            + "</b></td><td style='padding:2px 0'>"
            + html.escape(reason_text(r))
            + "</td></tr>"
            for r in person.reasons
        )
        caption = html.escape(self.tr("Why (points add up to the index, 100 at most):"))
        return f"{head}<p style='margin-top:4px'>{caption}</p><table>{rows}</table>{unknown}"

    def details_text(self) -> str:
        """The details pane as plain text (what a screen reader would say)."""
        document = QTextDocument()
        document.setHtml(self.details.text())
        return document.toPlainText()
