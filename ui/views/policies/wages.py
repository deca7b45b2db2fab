"""The Wages tab: each role's hourly wage, which prices every shift, day, what-if and cover.

A person paid differently gets their own wage with the staff import (an hourly wage column) or
``storemon wages set --staff``; this tab sets the chain's wage per role (head office).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QGroupBox, QVBoxLayout

from storemon.services.wages import RoleWage
from ui.format import CURRENCY
from ui.views.policies.tab import PolicyTab, hint_label, scrolled
from ui.widgets.form_helpers import role_name

if TYPE_CHECKING:
    from ui.views.policies.view import PoliciesView

SHIFT_ROLES = ("staff", "shift_lead", "store_manager")
"""The roles that work shifts on the floor, listed first; the others follow."""
MAX_WAGE = 9999.99


class WagesPage(PolicyTab):
    """Hourly wage per role (``labour.role_wages``)."""

    saved_by = "save_role_wages"
    saved_in = "labour"

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view)
        self.spins: dict[str, QDoubleSpinBox] = {}
        self._saved: dict[str, Decimal] = {}
        self.form = QFormLayout()
        box = QGroupBox(self.tr("Hourly wage per role"))
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(self.form)
        box_layout.addWidget(
            hint_label(
                self.tr(
                    "Every shift is paid its person's own wage if they have one (the staff import's "
                    "hourly wage column), else their role's wage here. Schedule, Today, Region, the "
                    "what-ifs and the reports price shifts with it; an added person in a what-if is "
                    "paid the frontline staff wage."
                )
            )
        )
        self.lay_out(scrolled(box))

    def _spin(self, role: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setObjectName(f"wage_{role}")
        spin.setRange(0, MAX_WAGE)
        spin.setDecimals(2)
        spin.setSingleStep(0.5)
        spin.setPrefix(CURRENCY)
        spin.setSuffix(self.tr(" an hour"))
        spin.setEnabled(self.ctx.actor.sees_chain)
        spin.valueChanged.connect(lambda _value: self.set_dirty(bool(self.edited())))
        return spin

    def fetch(self) -> None:
        self.call(
            lambda: self.ctx.services.labour.role_wages(self.ctx.actor), self.show_wages, self.load_failed
        )

    def show_wages(self, wages: list[RoleWage]) -> None:
        first = {role: k for k, role in enumerate(SHIFT_ROLES)}
        ordered = sorted(wages, key=lambda w: first.get(w.role, len(SHIFT_ROLES)))
        for wage in ordered:
            if wage.role not in self.spins:
                self.spins[wage.role] = spin = self._spin(wage.role)
                self.form.addRow(role_name(wage.role), spin)
            spin = self.spins[wage.role]
            spin.blockSignals(True)
            spin.setValue(float(wage.hourly_wage))
            spin.blockSignals(False)
            spin.setToolTip(self.tr("A starting default: set the chain's own wage") if wage.default else "")
        self._saved = {w.role: w.hourly_wage for w in wages}
        self.set_dirty(False)

    def edited(self) -> dict[str, Decimal]:
        """The roles whose wage differs from the saved one."""
        values = {role: Decimal(str(round(spin.value(), 2))) for role, spin in self.spins.items()}
        return {role: value for role, value in values.items() if value != self._saved.get(role)}

    def save(self) -> None:
        changes = self.edited()
        if not changes:
            return
        self.save_button.setEnabled(False)
        actor = self.ctx.actor
        self.call(lambda: self.ctx.services.labour.save_role_wages(actor, changes), self._done)

    def _done(self, wages: list[RoleWage]) -> None:
        self.show_wages(wages)
        self.done_saving(self.tr("Wages saved."))
