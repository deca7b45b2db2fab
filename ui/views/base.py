"""What every screen does: bind to the context, load off the GUI thread, show errors kindly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget
from shiboken6 import Shiboken

from ui.context import AppContext
from ui.tasks import TaskControl, TaskHandle


class BaseView(QWidget):
    """A screen of the main window.

    Subclasses set ``view_key`` and define ``title()`` (the translated navigation name) and
    ``refresh()`` (reload what the screen shows, asynchronously through ``run``).
    """

    view_key = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._loaded = False
        self._stale = False
        self._pending = 0
        ctx.events.data_changed.connect(self._on_data_changed)

    def run(
        self,
        fn: Callable[[TaskControl], Any],
        on_done: Callable[[Any], None],
        on_progress: Callable[[int, int], None] | None = None,
        busy: QWidget | None = None,
    ) -> TaskHandle:
        """Run ``fn`` off the GUI thread; errors become a message box on this screen.

        ``busy`` (a progress bar, say) stays visible until every load started with it is back.
        Results that arrive after the screen was closed are dropped.
        """
        if busy is not None:
            self._pending += 1
            busy.setVisible(True)

        def settle() -> None:
            if busy is not None:
                self._pending -= 1
                busy.setVisible(self._pending > 0)

        def done(result: Any) -> None:
            if Shiboken.isValid(self):
                settle()
                on_done(result)

        def failed(exc: BaseException) -> None:
            if Shiboken.isValid(self):
                settle()
                self.ctx.show_error(self, exc)

        return self.ctx.tasks.run(fn, done, failed, on_progress)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._loaded or self._stale:
            self._loaded, self._stale = True, False
            self.refresh()

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True
