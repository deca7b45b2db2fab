"""The store editor: a store's time zone, opening hours per weekday and staffing settings.

Loads and saves through ``services.stores`` (the same use cases as ``storemon store edit``), off
the GUI thread; fields the signed-in user may not change are shown but disabled.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import available_timezones

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from storemon.errors import StoremonError
from storemon.services.stores import (
    CHORE_MINUTES_RANGE,
    PATIENCE_MINUTES_RANGE,
    SERVICE_MINUTES_RANGE,
    StoreChanges,
    StoreSettings,
)
from ui.context import AppContext
from ui.i18n import fill
from ui.tasks import TaskControl
from ui.widgets.inline_error import InlineErrorMixin, error_line

WEEKDAY_NAMES = (
    QT_TRANSLATE_NOOP("StoreEditorDialog", "Monday"),
    QT_TRANSLATE_NOOP("StoreEditorDialog", "Tuesday"),
    QT_TRANSLATE_NOOP("StoreEditorDialog", "Wednesday"),
    QT_TRANSLATE_NOOP("StoreEditorDialog", "Thursday"),
    QT_TRANSLATE_NOOP("StoreEditorDialog", "Friday"),
    QT_TRANSLATE_NOOP("StoreEditorDialog", "Saturday"),
    QT_TRANSLATE_NOOP("StoreEditorDialog", "Sunday"),
)


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


def _time(value: QTime) -> time:
    return time(value.hour(), value.minute())


class _MinutesBox(QDoubleSpinBox):
    """Minutes with one decimal; the lowest value reads "Chain setting" and means None."""

    def __init__(self, bounds: tuple[float, float], chain_text: str) -> None:
        super().__init__()
        self.setDecimals(1)
        self.setSingleStep(0.5)
        low, high = bounds
        self.floor = round(low - 0.1, 1)  # the "chain setting" step just below the lowest value
        self.setRange(self.floor, high)
        self.setSpecialValueText(chain_text)

    def set_minutes(self, value: float | None) -> None:
        self.setValue(self.floor if value is None else value)

    def minutes(self) -> float | None:
        return None if self.value() <= self.floor else round(self.value(), 1)


class StoreEditorDialog(InlineErrorMixin, QDialog):
    """Edit one store's settings; refusals from the service show beside the buttons."""

    saved = Signal(object)
    """The ``StoreSettings`` as saved."""
    loaded = Signal()

    def __init__(self, ctx: AppContext, store_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storeEditor")
        self.ctx, self.store_id = ctx, store_id
        self.settings: StoreSettings | None = None
        self._busy = True
        self.setWindowTitle(self.tr("Store settings"))

        self.heading = QLabel()
        self.zone_combo = QComboBox()
        self.zone_combo.setEditable(True)
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_combo.addItems(sorted(available_timezones()))
        self.zone_combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone_combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

        hours_box = QGroupBox(self.tr("Opening hours"))
        grid = QGridLayout(hours_box)
        self.opens_edits: list[QTimeEdit] = []
        self.closes_edits: list[QTimeEdit] = []
        for weekday, name in enumerate(WEEKDAY_NAMES):
            opens, closes = QTimeEdit(), QTimeEdit()
            for edit in (opens, closes):
                edit.setDisplayFormat("HH:mm")
                edit.timeChanged.connect(self._check)
            grid.addWidget(QLabel(self.tr(name)), weekday, 0)
            grid.addWidget(opens, weekday, 1)
            grid.addWidget(QLabel("–"), weekday, 2)
            grid.addWidget(closes, weekday, 3)
            self.opens_edits.append(opens)
            self.closes_edits.append(closes)

        chain = self.tr("Chain setting")
        self.service_box = _MinutesBox(SERVICE_MINUTES_RANGE, chain)
        self.chore_box = _MinutesBox(CHORE_MINUTES_RANGE, chain)
        self.patience_box = _MinutesBox(PATIENCE_MINUTES_RANGE, chain)
        for box in (self.service_box, self.chore_box, self.patience_box):
            box.setSuffix(self.tr(" min"))
        self.region_combo = QComboBox()
        self.policy_combo = QComboBox()

        form = QFormLayout()
        form.addRow(self.tr("Time zone"), self.zone_combo)
        form.addRow(self.tr("Service time per order"), self.service_box)
        form.addRow(self.tr("Chores per hour"), self.chore_box)
        form.addRow(self.tr("Customer patience"), self.patience_box)
        form.addRow(self.tr("Region"), self.region_combo)
        form.addRow(self.tr("Tier policy"), self.policy_combo)

        self.error_label = error_line()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(hours_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._set_busy(True)
        self._load()

    # -- loading ----------------------------------------------------------------------------------
    def _load(self) -> None:
        services, actor, store_id = self.ctx.services, self.ctx.actor, self.store_id

        def work(_control: TaskControl):
            settings = services.stores.settings(actor, store_id)
            regions = [(r.code, r.name) for r in services.stores.regions(actor)]
            policies = [p.name for p in services.policies.tier_policies()]
            return settings, regions, policies

        self.ctx.tasks.op(self, work, lambda result: self._show(*result), on_error=self._failed)

    def _show(self, settings: StoreSettings, regions: list[tuple[str, str]], policies: list[str]) -> None:
        self.settings = settings
        self.heading.setText(f"<b>{settings.name}</b> ({settings.code})")
        self.zone_combo.setCurrentText(settings.timezone)
        for day in settings.hours:
            self.opens_edits[day.weekday].setTime(_qtime(day.opens_at))
            self.closes_edits[day.weekday].setTime(_qtime(day.closes_at))
        self.service_box.set_minutes(settings.service_minutes)
        self.chore_box.set_minutes(settings.chore_minutes_per_hour)
        self.patience_box.set_minutes(settings.patience_minutes)
        self.region_combo.clear()
        self.region_combo.addItem(self.tr("No region"), "")
        known = dict(regions)
        if settings.region and settings.region not in known:
            known[settings.region] = settings.region_name
        for code, name in sorted(known.items()):
            self.region_combo.addItem(f"{name} ({code})", code)
        self.region_combo.setCurrentIndex(max(0, self.region_combo.findData(settings.region)))
        self.policy_combo.clear()
        self.policy_combo.addItem(self.tr("No tier policy"), "")
        for name in policies:
            self.policy_combo.addItem(name, name)
        self.policy_combo.setCurrentIndex(max(0, self.policy_combo.findData(settings.tier_policy)))
        self._set_busy(False)
        self.loaded.emit()

    # -- values -----------------------------------------------------------------------------------
    def hours(self) -> dict[int, tuple[time, time]]:
        return {
            weekday: (_time(self.opens_edits[weekday].time()), _time(self.closes_edits[weekday].time()))
            for weekday in range(7)
        }

    def changes(self) -> StoreChanges:
        """Only what differs from the settings as loaded."""
        s = self.settings
        assert s is not None
        changed: dict = {}
        zone = self.zone_combo.currentText().strip()
        if zone != s.timezone:
            changed["timezone"] = zone
        hours = {
            weekday: span
            for weekday, span in self.hours().items()
            if span != (s.hours[weekday].opens_at, s.hours[weekday].closes_at)
        }
        if hours:
            changed["hours"] = hours
        for name, box in (
            ("service_minutes", self.service_box),
            ("chore_minutes_per_hour", self.chore_box),
            ("patience_minutes", self.patience_box),
        ):
            if box.minutes() != getattr(s, name):
                changed[name] = box.minutes()
        if (self.region_combo.currentData() or "") != s.region:
            changed["region"] = self.region_combo.currentData() or None
        if (self.policy_combo.currentData() or "") != s.tier_policy:
            changed["tier_policy"] = self.policy_combo.currentData() or None
        return StoreChanges(**changed)

    def _local_problem(self) -> str:
        for weekday, (opens, closes) in self.hours().items():
            if opens == closes:
                return fill(
                    self.tr("%1: opening and closing are the same time."), self.tr(WEEKDAY_NAMES[weekday])
                )
        return ""

    def _check(self) -> None:
        self._show_error(self._local_problem())

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> None:
        problem = self._local_problem()
        if problem or self._busy or self.settings is None:
            self._show_error(problem)
            return
        changes = self.changes()
        if not changes.changed():
            self.reject()
            return
        services, actor, store_id, now = self.ctx.services, self.ctx.actor, self.store_id, self.ctx.clock()

        def work(_control: TaskControl) -> StoreSettings:
            return services.stores.edit(actor, store_id, changes, now)

        self._set_busy(True)
        self.ctx.tasks.op(self, work, self._saved, on_error=self._failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        editable = self.settings.editable if self.settings else frozenset()
        fields = {
            "timezone": [self.zone_combo],
            "hours": [*self.opens_edits, *self.closes_edits],
            "service_minutes": [self.service_box],
            "chore_minutes_per_hour": [self.chore_box],
            "patience_minutes": [self.patience_box],
            "region": [self.region_combo],
            "tier_policy": [self.policy_combo],
        }
        for name, widgets in fields.items():
            for widget in widgets:
                widget.setEnabled(not busy and name in editable)
        self.save_button.setEnabled(not busy and bool(editable) and not self.error_text())
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _saved(self, settings: StoreSettings) -> None:
        self.settings = settings
        self._set_busy(False)
        self.saved.emit(settings)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, StoremonError):  # refused: a bad value, no right, a store gone
            self._show_error(str(exc))
        else:
            self.ctx.show_error(self, exc)
