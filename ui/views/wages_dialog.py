"""The Schedule's Wages dialog: what each person of the store is paid an hour, and who has their own.

A store manager gives a person their own wage here (or back to their role's wage, set by head
office on Policies > Wages); the staff import's hourly wage column does the same for many people.
Loading and saving run off the GUI thread; one Save is one transaction.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storemon.services.wages import PersonWage
from ui.context import AppContext
from ui.format import CURRENCY
from ui.i18n import fill
from ui.widgets.form_helpers import role_name
from ui.widgets.inline_error import InlineErrorMixin

MAX_WAGE = 9999.99
WAGE_COLUMN = 3


class WagesDialog(InlineErrorMixin, QDialog):
    """The people of one store with their hourly wage; an own wage of "role's wage" is none."""

    saved = Signal()
    """Wages were saved (the roster's costs change)."""

    def __init__(
        self, ctx: AppContext, store_id: int, store_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.store_id = ctx, store_id
        self._busy = False
        self._loaded: dict[str, Decimal | None] = {}
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.setWindowTitle(fill(self.tr("Wages — %1"), store_name))
        self.setModal(True)
        self.resize(620, 420)
        intro = QLabel(
            self.tr(
                "Each person is paid their role's hourly wage (set by head office on Policies > Wages) "
                "unless you give them their own here. Shift costs on the Schedule, Today and the "
                "reports follow."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Name"), self.tr("Role"), self.tr("Own hourly wage")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self._run(lambda: ctx.services.labour.person_wages(ctx.actor, store_id), self.show_people)

    def _run(self, fn, on_done) -> None:
        self._busy = True
        self.save_button.setEnabled(False)

        def done(result) -> None:
            self._busy = False
            on_done(result)

        def failed(exc: BaseException) -> None:
            self._busy = False
            self._show_error(str(exc))

        self.ctx.tasks.op(self, lambda _control: fn(), done, on_user_error=failed, on_error=failed)

    def show_people(self, people: list[PersonWage]) -> None:
        self.table.setRowCount(len(people))
        self.spins.clear()
        self._loaded = {p.staff_code: p.hourly_wage if p.source == "person" else None for p in people}
        for row, person in enumerate(people):
            for column, text in enumerate((person.staff_code, person.name, role_name(person.role))):
                self.table.setItem(row, column, QTableWidgetItem(text))
            spin = QDoubleSpinBox()
            spin.setRange(0, MAX_WAGE)
            spin.setDecimals(2)
            spin.setSingleStep(0.5)
            spin.setPrefix(CURRENCY)
            # 0 is "no wage of their own": the role's wage shown beside it while they have none.
            role_wage = person.hourly_wage if person.source == "role" else None
            spin.setSpecialValueText(
                fill(self.tr("role's wage (%1)"), f"{CURRENCY}{role_wage:.2f}")
                if role_wage is not None
                else self.tr("role's wage")
            )
            spin.setValue(float(self._loaded[person.staff_code] or 0))
            spin.valueChanged.connect(self._edited)
            self.table.setCellWidget(row, WAGE_COLUMN, spin)
            self.spins[person.staff_code] = spin
        self._edited()

    def changes(self) -> dict[str, Decimal | None]:
        """The people whose own wage was edited: code -> new wage (None: their role's)."""
        result: dict[str, Decimal | None] = {}
        for code, spin in self.spins.items():
            value = Decimal(str(round(spin.value(), 2))) if spin.value() > 0 else None
            if value != self._loaded.get(code):
                result[code] = value
        return result

    def _edited(self, _value: float = 0.0) -> None:
        self._show_error("")
        self.save_button.setEnabled(bool(self.changes()) and not self._busy)

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            return
        ctx, store_id = self.ctx, self.store_id
        self._run(lambda: ctx.services.labour.save_person_wages(ctx.actor, store_id, changes), self._saved)

    def _saved(self, people: list[PersonWage]) -> None:
        self.show_people(people)
        self.ctx.events.data_changed.emit()
        self.saved.emit()
