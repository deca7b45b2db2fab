"""What every screen does: bind to the context, load when first shown and again when stale."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ui.context import AppContext


class BaseView(QWidget):
    """A screen of the main window.

    Subclasses set ``view_key`` and define ``title()`` (the translated navigation name) and
    ``refresh()`` (reload what the screen shows, off the GUI thread through ``ctx.tasks.op``). A
    screen that edits overrides ``has_unsaved_changes``, ``save_changes`` and ``discard_changes``:
    the main window asks before the user leaves it or quits.
    """

    view_key = ""
    watches: frozenset[str] = frozenset()
    """Kinds of change (``storemon.services.changes``) on any PC that make this screen reload."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._loaded = False
        self._stale = False
        ctx.events.data_changed.connect(self._on_data_changed)
        ctx.changes.changed.connect(self._on_feed)

    def _on_feed(self, kinds: frozenset[str], _store_ids: frozenset[int]) -> None:
        if kinds & self.watches:
            self._on_data_changed()

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

    def has_unsaved_changes(self) -> bool:
        """Whether leaving the screen now would lose edits."""
        return False

    def save_changes(self, then: Callable[[], None]) -> None:
        """Save the edits, then run ``then``; a save that fails keeps the screen and drops ``then``."""
        then()

    def discard_changes(self) -> None:
        """Throw the edits away and show what is saved."""
