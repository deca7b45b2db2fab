"""Editor of the escalation policy: who is paged at each level and how long they have to acknowledge.

Targets are role checkboxes plus named people (user names, stored as ``"user:NAME"``). Every
edit is validated by building ``alerts.escalation.EscalationLevel`` / ``EscalationPolicy``; their
errors show under the level (or the policy settings) they concern, and ``policy()`` is None
while anything is wrong.
"""

from __future__ import annotations

import re
from datetime import timedelta

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from alerts.escalation import ROLES, USER_PREFIX, EscalationLevel, EscalationPolicy
from ui.i18n import fill
from ui.widgets.form_helpers import GridRow, MessageStrip, RowGrid, ValidatedEditor, role_name, set_issue

MIN_LEVELS = 5
"""DOMAIN.md section 1: at least five levels of crisis response."""
_SEPARATORS = re.compile(r"[,;，、\s]+")


def _minutes(value: timedelta) -> float:
    return value.total_seconds() / 60


class LevelRow:
    """The fields of one escalation level."""

    def __init__(self, level: EscalationLevel) -> None:
        self.number = level.number
        self.name = QLineEdit(level.name)
        self.name.setMinimumWidth(140)
        self.roles = {role: QCheckBox() for role in ROLES}
        for role, box in self.roles.items():
            box.setChecked(role in level.targets)
            box.setToolTip(role_name(role))
            box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # click area = the box
        self.people = QLineEdit(
            ", ".join(t[len(USER_PREFIX) :] for t in level.targets if t.startswith(USER_PREFIX))
        )
        self.people.setMinimumWidth(110)
        self.timeout = QDoubleSpinBox()
        self.timeout.setDecimals(1)
        self.timeout.setRange(0, 1440)
        self.timeout.setValue(_minutes(level.ack_timeout))
        self.grid_row: GridRow | None = None

    @property
    def widgets(self) -> list[QWidget]:
        return [self.name, *self.roles.values(), self.people, self.timeout]

    def targets(self) -> tuple[str, ...]:
        chosen = [role for role, box in self.roles.items() if box.isChecked()]
        names = [n for n in _SEPARATORS.split(self.people.text().strip()) if n]
        chosen += [USER_PREFIX + (n[len(USER_PREFIX) :] if n.startswith(USER_PREFIX) else n) for n in names]
        return tuple(chosen)

    def level(self) -> EscalationLevel:
        """The level as typed; raises ValueError (from ``EscalationLevel``) when it is not valid."""
        return EscalationLevel(
            self.number, self.name.text().strip(), self.targets(), timedelta(minutes=self.timeout.value())
        )


class EscalationEditor(ValidatedEditor):
    """The levels of the chain, then what happens after the last one and once acknowledged."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level_rows: list[LevelRow] = []
        headers = [self.tr("Level name")] + [role_name(r) for r in ROLES]
        headers += [self.tr("Named people (user names)"), self.tr("Acknowledge within (min)")]
        self.grid = RowGrid(headers, [4, 1, 1, 1, 1, 1, 1, 3, 2], removable=False)
        self.add_level_button = QPushButton(self.tr("Add level"))
        self.add_level_button.clicked.connect(self._add_level)
        self.remove_level_button = QPushButton(self.tr("Remove last level"))
        self.remove_level_button.clicked.connect(self._remove_level)
        level_buttons = QHBoxLayout()
        level_buttons.addWidget(self.add_level_button)
        level_buttons.addWidget(self.remove_level_button)
        level_buttons.addStretch(1)

        self.policy_name = QLineEdit()
        self.max_repeats = QSpinBox()
        self.max_repeats.setRange(0, 20)
        self.reminder = QDoubleSpinBox()
        self.snooze = QDoubleSpinBox()
        for spin in (self.reminder, self.snooze):
            spin.setDecimals(0)
            spin.setRange(0, 1440)
            spin.setSuffix(" " + self.tr("min"))
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        rows = [
            (self.tr("Policy name"), self.policy_name, ""),
            (
                self.tr("Repeat the chain"),
                self.max_repeats,
                self.tr("times when nobody acknowledged at the last level (0: stop after one round)"),
            ),
            (
                self.tr("Remind the owner every"),
                self.reminder,
                self.tr("while an acknowledged alert is not resolved"),
            ),
            (
                self.tr("Longest snooze"),
                self.snooze,
                self.tr("an alert can be put aside for at most this long"),
            ),
        ]
        self.policy_name.setMinimumWidth(320)
        for index, (label, widget, hint) in enumerate(rows):
            form.addWidget(QLabel(label), index, 0)
            if not hint:
                form.addWidget(widget, index, 1, 1, 2)
                continue
            form.addWidget(widget, index, 1)
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setStyleSheet("color: palette(dark);")
            form.addWidget(note, index, 2)
        form.setColumnStretch(2, 1)
        self.policy_message = MessageStrip()

        intro = QLabel(
            self.tr(
                "An alert pages the first level; whoever does not acknowledge in time passes it up. "
                "Tick the roles to page at each level, or name people by their user names."
            )
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.grid)
        layout.addLayout(level_buttons)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.policy_message)
        for widget in (self.policy_name,):
            widget.textChanged.connect(self._edited)
        for spin in (self.max_repeats, self.reminder, self.snooze):
            spin.valueChanged.connect(self._edited)

    # -- content ----------------------------------------------------------------------------------
    def set_policy(self, policy: EscalationPolicy) -> None:
        self._loading = True
        self.grid.clear()
        self.level_rows.clear()
        for level in policy.levels:
            self._append(level)
        self.policy_name.setText(policy.name)
        self.max_repeats.setValue(policy.max_repeats)
        self.reminder.setValue(_minutes(policy.reminder_interval))
        self.snooze.setValue(_minutes(policy.max_snooze))
        self._loading = False
        self.validate()

    def _append(self, level: EscalationLevel) -> LevelRow:
        row = LevelRow(level)
        row.grid_row = self.grid.add_row(row.widgets)
        self.level_rows.append(row)
        row.name.textChanged.connect(self._edited)
        row.people.textChanged.connect(self._edited)
        row.timeout.valueChanged.connect(self._edited)
        for box in row.roles.values():
            box.toggled.connect(self._edited)
        return row

    def _add_level(self) -> None:
        number = len(self.level_rows) + 1
        self._append(
            EscalationLevel(
                number, fill(self.tr("Level %1"), str(number)), ("executive",), timedelta(minutes=30)
            )
        )
        self._edited()

    def _remove_level(self) -> None:
        if len(self.level_rows) > MIN_LEVELS:
            row = self.level_rows.pop()
            self.grid.remove_row(row.grid_row)
            self._edited()

    # -- validation -------------------------------------------------------------------------------
    def validate(self) -> bool:
        """Build the policy from the fields; show each error beside what it concerns."""
        levels, valid = [], True
        for row in self.level_rows:
            try:
                levels.append(row.level())
            except ValueError as exc:
                valid = False
                row.grid_row.note.show_message("error", self._level_problem(row, exc))
                row.grid_row.note.setToolTip(str(exc))
            else:
                row.grid_row.note.clear()
            set_issue(row.timeout, "error" if row.timeout.value() <= 0 else "")
            set_issue(row.name, "error" if not row.name.text().strip() else "")
        self.policy_message.clear()
        for spin in (self.reminder, self.snooze):
            set_issue(spin, "error" if spin.value() <= 0 else "")
        set_issue(self.policy_name, "error" if not self.policy_name.text().strip() else "")
        if valid:
            try:
                self._policy(levels)
            except ValueError as exc:
                valid = False
                self.policy_message.show_message("error", self._policy_problem(exc))
                self.policy_message.setToolTip(str(exc))
        self.remove_level_button.setEnabled(len(self.level_rows) > MIN_LEVELS)
        return self._set_valid(valid)

    def _level_problem(self, row: LevelRow, exc: ValueError) -> str:
        """The ``EscalationLevel`` error in the user's words (the original is the tooltip)."""
        where = fill(self.tr("Level %1"), str(row.number))
        if not row.name.text().strip():
            text = self.tr("give the level a name.")
        elif not row.targets():
            text = self.tr("tick at least one role or name a person to page.")
        elif row.timeout.value() <= 0:
            text = self.tr("the time to acknowledge must be more than 0 minutes.")
        elif len(set(row.targets())) != len(row.targets()):
            text = self.tr("a person is named twice.")
        else:
            text = str(exc)
        return f"{where}: {text}"

    def _policy_problem(self, exc: ValueError) -> str:
        if not self.policy_name.text().strip():
            return self.tr("Give the policy a name.")
        if self.reminder.value() <= 0:
            return self.tr("Reminders must come at least every minute (more than 0).")
        if self.snooze.value() <= 0:
            return self.tr("The longest snooze must be more than 0 minutes.")
        return str(exc)

    def _policy(self, levels: list[EscalationLevel]) -> EscalationPolicy:
        return EscalationPolicy(
            name=self.policy_name.text().strip(),
            levels=tuple(levels),
            max_repeats=self.max_repeats.value(),
            reminder_interval=timedelta(minutes=self.reminder.value()),
            max_snooze=timedelta(minutes=self.snooze.value()),
        )

    @property
    def valid(self) -> bool:
        return self._valid

    def policy(self) -> EscalationPolicy | None:
        """The edited policy, or None while a field is invalid."""
        try:
            return self._policy([row.level() for row in self.level_rows])
        except ValueError:
            return None

    def errors(self) -> list[str]:
        """Every error message shown (under levels and under the policy settings)."""
        notes = [row.grid_row.note.text() for row in self.level_rows] + [self.policy_message.text()]
        return [n for n in notes if n]
