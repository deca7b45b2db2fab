"""One task runner: work off the GUI thread, results back on it through queued signals.

Modelled on Anki's task manager and its ``CollectionOp``/``QueryOp``: ``op(parent, fn, on_done)``
executes ``fn`` on a ``QThreadPool``; the worker only emits plain data, and the callbacks run on
the GUI thread, so nothing but the GUI thread ever touches a widget. The runner owns what every
screen would otherwise re-invent: a result whose parent widget is gone is dropped, the latest
request per key wins, a busy indicator stays up while any of its ops runs, and errors without
their own handler go to one place (``error_event``, which the app shows kindly).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import Shiboken

from storemon.errors import StoremonError

log = logging.getLogger(__name__)

GUI_SWITCH_INTERVAL = 0.001
"""Seconds between GIL hand-overs. Workers run CPU-bound Python (imports, day models) while the GUI
thread waits for the GIL; every millisecond instead of every 5 keeps the window answering. The app
sets it at start-up (``ui.app.ensure_app``), not on import."""


class TaskControl:
    """Handed to the task function: report progress, and see whether the user cancelled."""

    def __init__(self, signals: _TaskSignals) -> None:
        self._signals = signals
        self.cancelled = threading.Event()

    def progress(self, done: int, total: int) -> None:
        self._signals.progress.emit(int(done), int(total))


class _TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[TaskControl], Any], signals: _TaskSignals, control: TaskControl) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._signals, self.control = fn, signals, control

    def run(self) -> None:
        try:
            result = self._fn(self.control)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)


class TaskHandle:
    """A running task: ``cancel()`` asks it to stop (the task checks ``control.cancelled``)."""

    def __init__(self, control: TaskControl) -> None:
        self._control = control

    def cancel(self) -> None:
        self._control.cancelled.set()


class TaskRunner(QObject):
    """Runs callables on a thread pool on behalf of widgets.

    ``busy_changed`` tells the status bar how many tasks are running; ``error_event`` carries
    ``(parent, exception)`` for every failed op that has no ``on_error`` of its own.
    """

    busy_changed = Signal(int)
    error_event = Signal(object, object)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._live: set[_TaskSignals] = set()
        self._serials = itertools.count(1)
        self._latest: dict[tuple[int, str], tuple[int, TaskControl]] = {}
        self._busy_counts: dict[int, int] = {}

    @property
    def busy(self) -> int:
        return len(self._live)

    def op(
        self,
        parent: QObject,
        fn: Callable[[TaskControl], Any],
        on_done: Callable[[Any], None] | None = None,
        *,
        key: str | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_user_error: Callable[[StoremonError], None] | None = None,
        busy: QWidget | None = None,
    ) -> TaskHandle:
        """Run ``fn(control)`` off the GUI thread for ``parent``; callbacks run on the GUI thread.

        - Nothing is delivered (result, progress or error) once ``parent`` has been deleted.
        - With ``key``, the newest op of ``parent`` under that key wins: an older one is asked to
          cancel and its result, progress and errors are dropped.
        - ``busy`` (a progress bar, a spinner) is visible while any op started with it runs.
        - A failure the user can fix (``StoremonError``) goes to ``on_user_error`` if given, to be
          shown beside the fields; any other failure goes to ``on_error`` if given, otherwise to
          ``error_event``.
        """
        signals = _TaskSignals()
        control = TaskControl(signals)
        slot = None
        if key is not None:
            slot = (id(parent), key)
            older = self._latest.get(slot)
            if older is not None:
                older[1].cancelled.set()
            serial = next(self._serials)
            self._latest[slot] = (serial, control)
        self._live.add(signals)
        if busy is not None:
            self._busy_counts[id(busy)] = self._busy_counts.get(id(busy), 0) + 1
            busy.setVisible(True)

        def current() -> bool:
            if not Shiboken.isValid(parent):
                return False
            return slot is None or self._latest.get(slot, (None, None))[1] is control

        def finish() -> None:
            self._live.discard(signals)
            self.busy_changed.emit(self.busy)
            if busy is not None:
                left = self._busy_counts.get(id(busy), 1) - 1
                if left > 0:
                    self._busy_counts[id(busy)] = left
                else:
                    self._busy_counts.pop(id(busy), None)
                if Shiboken.isValid(busy):
                    busy.setVisible(left > 0)

        def done(result: Any) -> None:
            deliver = current()
            self._forget(slot, control)
            finish()
            if deliver and on_done is not None:
                on_done(result)

        def failed(exc: BaseException) -> None:
            deliver = current()
            self._forget(slot, control)
            finish()
            if not deliver:
                log.debug("dropped the failure of a superseded or orphaned task", exc_info=exc)
            elif on_user_error is not None and isinstance(exc, StoremonError):
                on_user_error(exc)
            elif on_error is not None:
                on_error(exc)
            else:
                self.error_event.emit(parent, exc)

        def progressed(done_count: int, total: int) -> None:
            if on_progress is not None and current():
                on_progress(done_count, total)

        signals.done.connect(done)
        signals.failed.connect(failed)
        signals.progress.connect(progressed)
        self.busy_changed.emit(self.busy)
        self._pool.start(_Task(fn, signals, control))
        return TaskHandle(control)

    def drop(self, parent: QObject, key: str) -> None:
        """Cancel the running op of ``parent`` under ``key`` and drop whatever it still delivers.

        For a screen that clears what it shows: no answer to an older question may land on it.
        """
        older = self._latest.pop((id(parent), key), None)
        if older is not None:
            older[1].cancelled.set()

    def _forget(self, slot: tuple[int, str] | None, control: TaskControl) -> None:
        if slot is not None and self._latest.get(slot, (None, None))[1] is control:
            del self._latest[slot]

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the pool is idle (shutdown and tests only; never from a GUI handler)."""
        return self._pool.waitForDone(msecs)
