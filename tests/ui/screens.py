"""Open a screen the way a user sees it: sized like a laptop window, shown, and loaded; and know
when the Policies screen has loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from tests.ui.conftest import WAIT_MS

if TYPE_CHECKING:
    from ui.views.policies import PoliciesView


def show_screen(qtbot, view: QWidget, width: int, until: Callable[[], bool] | None = None) -> QWidget:
    """Show ``view`` at ``width`` x 800 and wait until ``until()`` holds (the first load is on screen)."""
    qtbot.addWidget(view)
    view.resize(width, 800)
    view.show()
    if until is not None:
        qtbot.waitUntil(until, timeout=WAIT_MS)
    return view


def policies_settled(view: PoliciesView) -> bool:
    """No call of the Policies screen is running."""
    return not view.busy.busy and not view.ctx.tasks.busy


def policies_loaded(view: PoliciesView) -> bool:
    """Every tab of the Policies screen shows what the demo chain holds, and nothing is loading."""
    return (
        view.tiers.policy_list.topLevelItemCount() >= 2
        and len(view.escalation.editor.level_rows) == 5
        and bool(view.surge.editor.period_rows)
        and bool(view.incident_rules.response_rows)
        and policies_settled(view)
    )
