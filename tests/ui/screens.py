"""Open a screen the way a user sees it: sized like a laptop window, shown, and loaded (or from
the command line, in a fresh process); and know when the Policies screen has loaded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from tests import ROOT
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


def run_storemon(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``storemon ARGS`` in a fresh offscreen interpreter with ``home`` as its STOREMON_HOME."""
    return subprocess.run(
        [sys.executable, "-m", "storemon.cli", *args],
        env={"STOREMON_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,  # python -m imports this checkout, wherever pytest was started
    )


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
