"""The change feed as the screens see it: one Qt signal saying what changed, on every PC.

The database side (``storemon.db.changes``, reached through ``services.db.watch_changes``) runs
on its own thread: PostgreSQL LISTEN/NOTIFY, or the SQLite change counter read once a second.
It hands each change to this object through a queued signal, so ``changed`` is always emitted on
the GUI thread; changes arriving close together are merged into one emission, so a burst of
commits (an import, the worker's escalations) reloads a screen once.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

from storemon.services.api import Services

SETTLE_MS = 150
"""How long to gather changes before telling the screens (well under the one-second promise)."""


class ChangeFeed(QObject):
    """``changed(kinds, store_ids)``: what another process or PC (or this one) committed.

    ``kinds`` is a frozenset of kind names (``storemon.services.changes``); ``store_ids`` the stores concerned, empty when the
    change may concern any store. ``concerns(store_ids, store_id)`` tells a one-store screen
    whether to care.
    """

    changed = Signal(object, object)
    _arrived = Signal(object, object)

    def __init__(self, parent: QObject | None = None, settle_ms: int = SETTLE_MS) -> None:
        super().__init__(parent)
        self._kinds: set[str] = set()
        self._stores: set[int] = set()
        self._any_store = False
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(settle_ms)
        self._settle.timeout.connect(self._flush)
        self._arrived.connect(self._collect)

    @property
    def running(self) -> bool:
        return self._stop is not None and not self._stop.is_set()

    def start(self, services: Services) -> None:
        """Watch the database behind ``services`` (once; a second call does nothing)."""
        if self.running:
            return
        self._stop = threading.Event()
        self._ready.clear()
        self._thread = services.db.watch_changes(self._arrived.emit, self._stop, self._ready)

    def stop(self) -> None:
        """Stop watching; returns once the watcher has let go of its connection."""
        if self._stop is not None:
            self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def wait_ready(self, seconds: float = 10.0) -> bool:
        """Block until the watch is in place (tests: a change made after this is never missed)."""
        return self._ready.wait(seconds)

    @staticmethod
    def concerns(store_ids: frozenset[int], store_id: int | None) -> bool:
        """Whether a change of ``store_ids`` may concern the screen showing ``store_id``."""
        return not store_ids or store_id is None or store_id in store_ids

    def _collect(self, kinds: frozenset[str], stores: frozenset[int]) -> None:
        self._kinds |= kinds
        if stores:
            self._stores |= stores
        else:
            self._any_store = True
        if not self._settle.isActive():
            self._settle.start()

    def _flush(self) -> None:
        kinds, stores = frozenset(self._kinds), frozenset() if self._any_store else frozenset(self._stores)
        self._kinds, self._stores, self._any_store = set(), set(), False
        if kinds:
            self.changed.emit(kinds, stores)
