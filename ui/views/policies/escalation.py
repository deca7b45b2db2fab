"""The Escalation tab: the five levels of crisis response, their targets and acknowledgement deadlines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton

from alerts.escalation import DEFAULT_POLICY, EscalationPolicy
from ui.views.policies.tab import EditorTab, scrolled
from ui.widgets.escalation_editor import EscalationEditor

if TYPE_CHECKING:
    from ui.views.policies.view import PoliciesView


class EscalationPage(EditorTab):
    """The escalation policy stored under ``alerts.escalation_policy``."""

    saved_by = "save_escalation_policy"

    editor: EscalationEditor

    def __init__(self, view: PoliciesView) -> None:
        super().__init__(view, EscalationEditor())
        self.reset_button = QPushButton(self.tr("Reset to default"))
        self.reset_button.setToolTip(
            self.tr(
                "Staff → shift lead / store manager → operations supervisor → service director → executive"
            )
        )
        self.reset_button.clicked.connect(self.reset_to_default)
        self.lay_out(scrolled(self.editor), self.reset_button)

    def fetch(self) -> None:
        self.call(lambda: self.ctx.services.policies.escalation_policy(), self.loaded, self.load_failed)

    def show_value(self, policy: EscalationPolicy) -> None:
        self.editor.set_policy(policy)

    def edited(self) -> EscalationPolicy | None:
        return self.editor.policy()

    def write(self, policy: EscalationPolicy) -> EscalationPolicy:
        return self.ctx.services.policies.save_escalation_policy(self.ctx.actor, policy)

    def saved_text(self) -> str:
        return self.tr("Escalation policy saved. Alerts already open keep the policy they started with.")

    def reset_to_default(self) -> None:
        self.show_default(
            DEFAULT_POLICY, self.tr("The default five levels are in the editor; save to use them.")
        )
