"""The Policies screen: its five tabs, the busy bar they share, and the read-only note."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ui.views.base import BaseView
from ui.views.policies.escalation import EscalationPage
from ui.views.policies.incident_rules import IncidentRulesPage
from ui.views.policies.surge import SurgePage
from ui.views.policies.tab import PolicyTab
from ui.views.policies.thresholds import ThresholdsPage
from ui.views.policies.tiers import TierPoliciesPage
from ui.views.policies.wages import WagesPage
from ui.widgets.form_helpers import BusyBar, MessageStrip


class PoliciesView(BaseView):
    """The chain's rules: tier policies, escalation, surge calendar, thresholds, authority and playbooks."""

    view_key = "policies"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.busy = BusyBar()
        title = QLabel(self.title())
        title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.access_note = MessageStrip()
        if not ctx.actor.sees_chain:
            self.access_note.show_message(
                "info",
                self.tr(
                    "You can read the chain's policies here. Only head office (service director, "
                    "executive, administrator) can change them."
                ),
            )
        self.tabs = QTabWidget()
        self.tiers = TierPoliciesPage(self)
        self.escalation = EscalationPage(self)
        self.surge = SurgePage(self)
        self.thresholds = ThresholdsPage(self)
        self.incident_rules = IncidentRulesPage(self)
        self.wages = WagesPage(self)
        self.tabs.addTab(self.tiers, self.tr("Tier policies"))
        self.tabs.addTab(self.escalation, self.tr("Escalation"))
        self.tabs.addTab(self.surge, self.tr("Surge calendar"))
        self.tabs.addTab(self.thresholds, self.tr("Thresholds"))
        self.tabs.addTab(self.incident_rules, self.tr("Authority and playbooks"))
        self.tabs.addTab(self.wages, self.tr("Wages"))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.busy)
        layout.addWidget(self.access_note)
        layout.addWidget(self.tabs, 1)
        self._after_saving: Callable[[], None] | None = None
        ctx.tasks.busy_changed.connect(self._task_count_changed)

    def title(self) -> str:
        return self.tr("Policies")

    def pages(self) -> list[PolicyTab]:
        return [self.tiers, self.escalation, self.surge, self.thresholds, self.incident_rules, self.wages]

    def refresh(self) -> None:
        for page in self.pages():
            page.load()

    def today(self) -> date:
        return self.ctx.clock().date()

    def has_unsaved_changes(self) -> bool:
        return any(page.dirty for page in self.pages())

    def save_changes(self, then: Callable[[], None]) -> None:
        """Save every tab with edits; once all are saved, run ``then``.

        A tab that stays unsaved (a refusal, a value to fix, a gap to confirm) is brought to the
        front with its message, and ``then`` is dropped: the user stays here to deal with it.
        """
        self._after_saving = then
        for page in self.pages():
            if page.dirty:
                page.save()
        self._check_saved()

    def discard_changes(self) -> None:
        for page in self.pages():
            if page.dirty:
                page.revert()

    def _task_count_changed(self, _running: int) -> None:
        # The runner counts a task as finished before its callback runs: look once the callback is done.
        if self._after_saving is not None:
            QTimer.singleShot(0, self, self._check_saved)

    def _check_saved(self) -> None:
        if self._after_saving is None or self.busy.busy:
            return
        then, self._after_saving = self._after_saving, None
        unsaved = [page for page in self.pages() if page.dirty]
        if unsaved:
            self.tabs.setCurrentWidget(unsaved[0])
        else:
            then()
