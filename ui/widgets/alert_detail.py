"""The detail pane of one alert: what it says (rendered from its kind), its facts and its timeline.

The alert's title, fields and reasons come from ``alerts.kinds`` in the viewer's language (the
stored alert keeps a kind and typed parameters; nothing here reads English labels). The facts
(store, status, level, owner, times) and the timeline (what happened, who was told and who
acknowledged) are shown in the store's local time. The screen that holds the pane puts its action
buttons between the head and the facts with ``add_actions``.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLayout, QSizePolicy, QVBoxLayout, QWidget

from alerts.kinds import RenderedAlert
from storemon.services.alert_people import NoticeView
from storemon.services.alert_service import AlertView, TimelineEntry
from ui.i18n import fill
from ui.models.alerts_table import (
    NOTICE_KINDS,
    SEVERITY_NAMES,
    SEVERITY_TONES,
    STATUS_NAMES,
    TIMELINE_KINDS,
    level_name_of,
    level_text,
    name_of,
    plain_username,
    rendered,
)
from ui.widgets.form_helpers import MessageStrip

FACTS = ("store", "status", "level", "owner", "raised", "updated", "deadline", "asked")

TimelineRow = tuple[str, str, str, str]
"""(time, what, who, details) as the user reads a timeline row."""


class AlertDetail(QWidget):
    """One alert's head, facts, rendered fields and reasons, and timeline (see the module docstring)."""

    def __init__(self, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._names: dict[str, str] = {}
        self._zones: dict[int, ZoneInfo] = {}
        self._timeline_rows: list[TimelineRow] = []

        self.title_label = QLabel()
        self.title_label.setObjectName("detailTitle")
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.severity_chip = QLabel()
        self.severity_chip.setObjectName("severityChip")
        self.covered_banner = MessageStrip()

        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fact_labels: dict[str, QLabel] = {}
        self.fact_values: dict[str, QLabel] = {}
        for key in FACTS:
            label, value = QLabel(), _selectable(QLabel())
            value.setObjectName(f"fact_{key}")
            self.fact_labels[key], self.fact_values[key] = label, value
            self.facts.addRow(label, value)
        self.fields_label = _heading()
        self.fields_form = QFormLayout()
        self.fields_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.reasons_label = QLabel()
        self.reasons_label.setObjectName("reasons")
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setTextFormat(Qt.TextFormat.RichText)

        # A rich-text table in a label: it wraps long comments and names to the pane's width.
        self.timeline_label = _heading()
        self.timeline = _selectable(QLabel())
        self.timeline.setObjectName("timeline")
        self.timeline.setTextFormat(Qt.TextFormat.RichText)
        self.timeline.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.timeline.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self._layout.setSpacing(8)
        head = QHBoxLayout()
        head.addWidget(self.severity_chip, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.title_label, 1)
        self._layout.addLayout(head)
        self._layout.addWidget(self.covered_banner)
        self._actions_at = self._layout.count()
        self._layout.addLayout(self.facts)
        self._layout.addWidget(self.fields_label)
        self._layout.addLayout(self.fields_form)
        self._layout.addWidget(self.reasons_label)
        self._layout.addWidget(self.timeline_label)
        self._layout.addWidget(self.timeline)
        self._layout.addStretch(1)
        self.retranslate()

    def add_actions(self, item: QWidget | QLayout, alignment: Qt.AlignmentFlag | None = None) -> None:
        """Put the screen's action buttons (or an inline form) after the head, in the order added."""
        if isinstance(item, QLayout):
            self._layout.insertLayout(self._actions_at, item)
        elif alignment is not None:
            self._layout.insertWidget(self._actions_at, item, 0, alignment)
        else:
            self._layout.insertWidget(self._actions_at, item)
        self._actions_at += 1

    def retranslate(self) -> None:
        for key, text in (
            ("store", self.tr("Store")),
            ("status", self.tr("Status")),
            ("level", self.tr("Level")),
            ("owner", self.tr("Owner")),
            ("raised", self.tr("Raised")),
            ("updated", self.tr("Last change")),
            ("deadline", self.tr("Next step due")),
            ("asked", self.tr("Asked by")),
        ):
            self.fact_labels[key].setText(text)
        self.fields_label.setText(self.tr("What the alert says"))
        self.timeline_label.setText(self.tr("Timeline"))

    # -- lookups ----------------------------------------------------------------------------------
    def set_names(self, names: dict[str, str]) -> None:
        """Display names for usernames (the people the viewer deals with)."""
        self._names = dict(names)

    def set_zones(self, zones: dict[int, ZoneInfo]) -> None:
        """Each store's time zone: times show in the alert's store's local time."""
        self._zones = dict(zones)

    def person(self, username: str | None) -> str:
        username = plain_username(username)
        if not username:
            return "—"
        if username == "system":
            return self.tr("Storemon")
        return self._names.get(username, username)

    def local(self, alert: AlertView, instant: datetime | None) -> str:
        if instant is None:
            return "—"
        zone = self._zones.get(alert.store_id or -1)
        local = instant.astimezone(zone) if zone else instant.astimezone()
        today = self._clock().astimezone(local.tzinfo).date()
        return local.strftime("%H:%M:%S") if local.date() == today else local.strftime("%Y-%m-%d %H:%M")

    # -- showing ----------------------------------------------------------------------------------
    def show_alert(self, alert: AlertView, steps: list[TimelineEntry], notices: list[NoticeView]) -> None:
        text = rendered(alert)
        self.title_label.setText(text.title)
        self.title_label.setToolTip(text.headline)
        tone = SEVERITY_TONES.get(alert.severity, SEVERITY_TONES["info"])
        self.severity_chip.setText(name_of(SEVERITY_NAMES, alert.severity))
        self.severity_chip.setStyleSheet(
            f"QLabel#severityChip {{ color: {tone.text}; background: {tone.fill};"
            f" border: 1px solid {tone.text}; border-radius: 9px; padding: 2px 8px; font-weight: 600; }}"
        )
        self._show_banner(alert)
        self._show_facts(alert)
        self._show_fields(text)
        self._show_timeline(alert, steps, notices)

    def _show_banner(self, alert: AlertView) -> None:
        covered_by = (alert.details or {}).get("covered_by")
        if alert.rule == "backup_call" and covered_by:
            self.covered_banner.show_message(
                "success",
                fill(
                    self.tr("Covered by %1: they accepted the backup call and are on their way."),
                    self.person(covered_by),
                ),
            )
        elif alert.rule == "backup_call" and alert.status != "resolved":
            self.covered_banner.show_message(
                "warning",
                self.tr("Nobody has accepted the backup call yet; off-shift colleagues were asked."),
            )
        else:
            self.covered_banner.clear()

    def _show_facts(self, alert: AlertView) -> None:
        requested_by = (alert.details or {}).get("requested_by")
        store = f"{alert.store_code} {alert.store_name}".strip() or self.tr("Chain (no store)")
        status = name_of(STATUS_NAMES, alert.status)
        if alert.sensitive:
            status += " · " + self.tr("sensitive: first level skipped")
        values = {
            "store": store,
            "status": status,
            "level": level_text(alert),
            "owner": self.person(alert.owner),
            "raised": self.local(alert, alert.fired_at),
            "updated": self.local(alert, alert.updated_at),
            "deadline": self.local(alert, alert.deadline),
            "asked": self.person(requested_by) if requested_by else "",
        }
        for key, value in values.items():
            self.fact_values[key].setText(value)
            hidden = key == "asked" and not value
            self.fact_labels[key].setVisible(not hidden)
            self.fact_values[key].setVisible(not hidden)

    def _show_fields(self, text: RenderedAlert) -> None:
        while self.fields_form.rowCount():
            self.fields_form.removeRow(0)
        for label, value in text.fields:
            self.fields_form.addRow(QLabel(label), _selectable(QLabel(value)))
        self.fields_label.setVisible(bool(text.fields))
        parts = []
        if text.reasons:
            items = "".join(f"<li>{html.escape(r)}</li>" for r in text.reasons)
            why = html.escape(self.tr("Why"))
            parts.append(f"<b>{why}</b><ul style='margin-left: -20px'>{items}</ul>")
        if text.note:
            label = html.escape(self.tr("Note"))
            parts.append(f"<b>{label}</b>: {html.escape(text.note)}")
        self.reasons_label.setText("".join(parts))
        self.reasons_label.setVisible(bool(parts))

    def _step_text(self, alert: AlertView, step: TimelineEntry) -> str:
        """What a timeline entry says, in the user's language where the engine's note is a known shape;
        a level by its name ("Shift lead / store manager"), not its number."""
        level = level_name_of(alert, step.level)
        if step.kind in ("comment", "resolved"):
            note = step.note.strip()
            return "" if note.startswith("resolved by ") else note
        if step.kind == "fired" and "sensitive trigger" in step.note:
            return f"{level} · " + fill(self.tr("sensitive trigger: %1 skipped"), level_name_of(alert, 1))
        if step.kind in ("fired", "acknowledged", "escalated", "snooze_ended", "nobody"):
            return level
        if step.kind == "timeout":
            return fill(self.tr("%1 did not acknowledge in time"), level)
        if step.kind == "snoozed":
            minutes = step.note.split(" for ", 1)[-1].split(" ", 1)[0]
            return fill(self.tr("for %1 min"), minutes) if minutes.replace(".", "").isdigit() else step.note
        return step.note

    def _show_timeline(self, alert: AlertView, steps: list[TimelineEntry], notices: list[NoticeView]) -> None:
        rows: list[tuple[datetime, int, str, str, str]] = [
            (
                step.at,
                0,
                name_of(TIMELINE_KINDS, step.kind),
                self.person(step.actor),
                self._step_text(alert, step),
            )
            for step in steps
        ]
        grouped: dict[tuple[datetime, str, int | None], list[NoticeView]] = defaultdict(list)
        for notice in notices:
            grouped[(notice.at, notice.kind, notice.level)].append(notice)
        for (at, kind, level), group in grouped.items():
            names = ", ".join(
                self.person(n.username) + (" ✓" if n.read_at else "")
                for n in sorted(group, key=lambda n: n.username)
            )
            details = level_name_of(alert, level) if level else ""
            rows.append((at, 1, name_of(NOTICE_KINDS, kind), names, details))
        rows.sort(key=lambda r: (r[0], r[1]))
        self._timeline_rows = [
            (self.local(alert, at), what, who, details) for at, _o, what, who, details in rows
        ]
        self.timeline.setText(self._timeline_html(self._timeline_rows))

    def _timeline_html(self, rows: list[TimelineRow]) -> str:
        headers = (self.tr("Time"), self.tr("What"), self.tr("Who"), self.tr("Details"))
        head = "".join(f"<th align='left'>{html.escape(h)}</th>" for h in headers)
        body = []
        for number, row in enumerate(rows):
            shade = " bgcolor='#f3f1ec'" if number % 2 else ""
            cells = "".join(f"<td valign='top'>{html.escape(cell)}</td>" for cell in row)
            body.append(f"<tr{shade}>{cells}</tr>")
        legend = ""
        if any("✓" in row[2] for row in rows):
            seen = html.escape(self.tr("✓ = has seen it in Storemon"))
            legend = f"<p style='color: gray'>{seen}</p>"
        return (
            "<table width='100%' cellspacing='0' cellpadding='4' style='border: 1px solid #d6d1c7'>"
            f"<tr bgcolor='#e9e5dc'>{head}</tr>{''.join(body)}</table>{legend}"
        )

    def field_rows(self) -> list[tuple[str, str]]:
        """The alert's fields as the pane shows them: (label, value) per row."""
        rows = []
        for row in range(self.fields_form.rowCount()):
            label = self.fields_form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            value = self.fields_form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            rows.append((label.text(), value.text()))
        return rows

    def timeline_rows(self) -> list[TimelineRow]:
        """The timeline as the user reads it: (time, what, who, details) per row."""
        return list(self._timeline_rows)


def _selectable(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _heading() -> QLabel:
    label = QLabel()
    label.setStyleSheet("font-weight: 600;")
    return label
