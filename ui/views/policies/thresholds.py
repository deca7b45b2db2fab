"""The Thresholds tab: staffing targets and the pressure levels, each checked by the domain's own
dataclasses (``StaffingTargets``, ``PressureConfig``) so an error shows beside its field."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QGroupBox, QLabel, QPushButton

from staffing.day import StaffingTargets
from staffing.forecast import PlanningSettings
from staffing.pressure import PressureConfig
from storemon.services.tier_policies import Thresholds
from ui import palette
from ui.views.policies.tab import PolicyTab, hint_label, scrolled
from ui.widgets.form_helpers import ISSUE_STYLE, set_issue

if TYPE_CHECKING:
    from ui.views.policies.view import PoliciesView

PLAN_MEAN = 0.49
"""The plan spin box's lowest step, shown as "expected orders (mean)": no quantile."""


class _Field:
    """One threshold: its spin box, its error label, and how the UI value maps to the setting."""

    def __init__(self, key: str, spin: QDoubleSpinBox, scale: float, problem: str) -> None:
        self.key, self.spin, self.scale, self.problem = key, spin, scale, problem
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(palette.text_style(palette.BAD))
        self.error.setVisible(False)

    @property
    def value(self) -> float:
        return round(self.spin.value() / self.scale, 6)

    def show(self, value: float) -> None:
        self.spin.setValue(value * self.scale)

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        set_issue(self.spin, "error" if text else "")


class ThresholdsPage(PolicyTab):
    """Staffing targets (``staffing.targets``) and the pressure levels (``staffing.pressure``)."""

    saved_by = "save_thresholds"

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.setStyleSheet(ISSUE_STYLE)
        self.fields: dict[str, _Field] = {}
        self._targets = StaffingTargets()
        """The targets as loaded: settings this tab does not edit (balking) are saved as they were."""
        targets_box = QGroupBox(self.tr("Staffing targets"))
        targets_grid = QGridLayout(targets_box)
        self._add(
            targets_grid,
            "service_minutes",
            self.tr("Service time per order"),
            self._spin(0, 60, 2, 0.25, self.tr("min")),
            1,
            self.tr("Mean minutes of work per order at the counter (handcrafted drinks: 1.5–4)."),
            self.tr("Between 0.25 and 30 minutes per order."),
        )
        self._add(
            targets_grid,
            "chore_minutes_per_hour",
            self.tr("Chores per hour"),
            self._spin(0, 180, 0, 1, self.tr("min")),
            1,
            self.tr(
                "Minutes of cleaning, restocking, deliveries and till work each hour, taken from the "
                "serving time of whoever is on, alone or not. A store's own value wins."
            ),
            self.tr("Between 0 and 120 minutes per hour."),
        )
        self._add(
            targets_grid,
            "patience_minutes",
            self.tr("Customer patience"),
            self._spin(0, 60, 1, 0.5, self.tr("min")),
            1,
            self.tr(
                "Mean minutes a customer waits before walking away (surveys: about 4). "
                "A store's own value wins."
            ),
            self.tr("More than 0 minutes."),
        )
        self._add(
            targets_grid,
            "target_wait_minutes",
            self.tr("Target queue wait"),
            self._spin(0, 60, 1, 0.5, self.tr("min")),
            1,
            self.tr("Waits above a few minutes are where conflicts start."),
            self.tr("Zero or more minutes."),
        )
        self._add(
            targets_grid,
            "target_service_level",
            self.tr("Orders served within the target"),
            self._spin(0, 100, 0, 5, "%"),
            100,
            self.tr("Share of orders that should wait no longer than the target."),
            self.tr("More than 0 % and less than 100 %."),
        )
        self._add(
            targets_grid,
            "max_occupancy",
            self.tr("Highest occupancy"),
            self._spin(0, 150, 0, 5, "%"),
            100,
            self.tr("Busiest share of time staff should be serving; above it nobody gets a breather."),
            self.tr("More than 0 % and at most 100 %."),
        )
        pressure_box = QGroupBox(self.tr("Pressure levels (index 0–100)"))
        pressure_grid = QGridLayout(pressure_box)
        self._add(
            pressure_grid,
            "amber_at",
            self.tr("Amber from"),
            self._spin(0, 120, 0, 5, ""),
            1,
            self.tr("A shift at or above this index is shown amber: watch it."),
            self.tr("Above 0 and not above the red level."),
        )
        self._add(
            pressure_grid,
            "red_at",
            self.tr("Red from"),
            self._spin(0, 120, 0, 5, ""),
            1,
            self.tr("At or above this the shift is too hard: send cover or change the roster."),
            self.tr("At least the amber level and at most 100."),
        )
        forecast_box = QGroupBox(self.tr("Forecast"))
        forecast_grid = QGridLayout(forecast_box)
        plan_spin = self._spin(PLAN_MEAN * 100, 99, 0, 1, "")
        plan_spin.setSpecialValueText(self.tr("expected orders (mean)"))
        plan_spin.setPrefix("P")
        self._add(
            forecast_grid,
            "plan_quantile",
            self.tr("Plan staff for"),
            plan_spin,
            100,
            self.tr(
                "Required staff are planned for the expected orders, or for a busier hour: "
                "P90 staffs every hour as if it were as busy as one hour in ten gets."
            ),
            self.tr("The mean, or between P50 and P99."),
        )
        self.defaults_button = QPushButton(self.tr("Restore defaults"))
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.lay_out(scrolled(targets_box, pressure_box, forecast_box), self.defaults_button)
        self._loading = False
        self._plan = PlanningSettings()

    @staticmethod
    def _spin(low: float, high: float, decimals: int, step: float, unit: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(decimals)
        spin.setSingleStep(step)
        if unit:
            spin.setSuffix(("" if unit == "%" else " ") + unit)
        spin.setMinimumWidth(110)
        return spin

    def _add(
        self,
        grid: QGridLayout,
        key: str,
        label: str,
        spin: QDoubleSpinBox,
        scale: float,
        hint: str,
        problem: str,
    ) -> None:
        row = grid.rowCount()
        field = _Field(key, spin, scale, problem)
        self.fields[key] = field
        grid.addWidget(QLabel(label), row, 0)
        grid.addWidget(spin, row, 1)
        grid.addWidget(hint_label(hint), row, 2)
        grid.addWidget(field.error, row + 1, 1, 1, 2)
        grid.setColumnStretch(2, 1)
        spin.valueChanged.connect(self._edited)

    def can_save(self) -> bool:
        return self.validate() is not None

    def _edited(self) -> None:
        if not self._loading:
            self.set_dirty(True)

    def plan(self) -> PlanningSettings:
        """The forecast planning as edited (surges turned on are kept as loaded)."""
        value = self.fields["plan_quantile"].value
        return replace(self._plan, plan_quantile=None if value <= PLAN_MEAN else value)

    def validate(self) -> tuple[StaffingTargets, float, float] | None:
        """Check every field with the dataclasses; an error shows next to the field it concerns."""
        values = {key: field.value for key, field in self.fields.items()}
        target_keys = [f.name for f in dataclasses.fields(StaffingTargets) if f.name in self.fields]
        for field in self.fields.values():
            field.set_error("")
        ok = True
        for key in target_keys:
            try:
                StaffingTargets(**{key: values[key]})
            except ValueError:
                ok = False
                self.fields[key].set_error(self.fields[key].problem)
        # Each level alone against the widest partner, so an error shows beside the value at fault.
        trials = {
            "amber_at": {"amber_at": values["amber_at"], "red_at": 100.0},
            "red_at": {
                "amber_at": min(values["amber_at"], values["red_at"]) or 1e-9,
                "red_at": values["red_at"],
            },
        }
        for key, trial in trials.items():
            try:
                PressureConfig(**trial)
            except ValueError:
                ok = False
                self.fields[key].set_error(self.fields[key].problem)
        if not ok:
            return None
        try:
            targets = dataclasses.replace(self._targets, **{key: values[key] for key in target_keys})
        except ValueError as exc:
            self.fields[target_keys[0]].set_error(str(exc))
            return None
        try:
            PressureConfig(amber_at=values["amber_at"], red_at=values["red_at"])
        except ValueError:
            for key in ("amber_at", "red_at"):  # each is fine alone: the pair is wrong
                self.fields[key].set_error(self.fields[key].problem)
            return None
        return targets, values["amber_at"], values["red_at"]

    def fetch(self) -> None:
        self.call(lambda: self.ctx.services.policies.thresholds(), self._loaded, self.load_failed)

    def _show(self, thresholds: Thresholds) -> None:
        self._loading = True
        self._plan = thresholds.plan
        self._targets = thresholds.targets
        for key, field in self.fields.items():
            if key == "plan_quantile":
                field.show(thresholds.plan.plan_quantile or PLAN_MEAN)
                continue
            value = getattr(thresholds.targets, key, None)
            field.show(value if value is not None else getattr(thresholds, key))
        self._loading = False
        self.validate()

    def _loaded(self, thresholds: Thresholds) -> None:
        self._show(thresholds)
        self.set_dirty(False)

    def restore_defaults(self) -> None:
        self._show(self.ctx.services.policies.default_thresholds())
        self.set_dirty(True)

    def save(self) -> None:
        checked = self.validate()
        if checked is None:
            self.message.show_message("error", self.tr("Fix the values marked in red first."))
            return
        targets, amber, red = checked
        plan = self.plan()
        self.save_button.setEnabled(False)
        self.call(
            lambda: self.ctx.services.policies.save_thresholds(
                self.ctx.actor, targets, amber, red, plan=plan
            ),
            self._saved,
        )

    def _saved(self, thresholds: Thresholds) -> None:
        self._show(thresholds)
        self.done_saving(self.tr("Thresholds saved; staffing and pressure figures use them from now on."))
