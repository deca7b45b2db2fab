"""Open a screen the way a user sees it: sized like a laptop window, shown, and loaded."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from tests.ui.conftest import WAIT_MS


def show_screen(qtbot, view: QWidget, width: int, until: Callable[[], bool] | None = None) -> QWidget:
    """Show ``view`` at ``width`` x 800 and wait until ``until()`` holds (the first load is on screen)."""
    qtbot.addWidget(view)
    view.resize(width, 800)
    view.show()
    if until is not None:
        qtbot.waitUntil(until, timeout=WAIT_MS)
    return view
