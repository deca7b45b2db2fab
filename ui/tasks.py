"""One task runner: work off the GUI thread, results back on it through queued signals.

Modelled on Anki's task manager: ``run(fn, on_done, on_error, on_progress)`` executes ``fn`` on
a ``QThreadPool``; the worker only emits plain data, and the callbacks run on the GUI thread, so
nothing but the GUI thread ever touches a widget.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

# Workers run CPU-bound Python (imports, day models) while the GUI thread waits for the GIL;
# handing it over every millisecond instead of every 5 keeps the window answering during them.
sys.setswitchinterval(0.001)


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
    """Runs callables on a thread pool; ``busy_changed`` tells the status bar how many are running."""

    busy_changed = Signal(int)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._live: set[_TaskSignals] = set()

    @property
    def busy(self) -> int:
        return len(self._live)

    def run(
        self,
        fn: Callable[[TaskControl], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> TaskHandle:
        signals = _TaskSignals()
        control = TaskControl(signals)
        self._live.add(signals)

        def finish() -> None:
            self._live.discard(signals)
            self.busy_changed.emit(self.busy)

        def done(result: Any) -> None:
            finish()
            if on_done is not None:
                on_done(result)

        def failed(exc: BaseException) -> None:
            finish()
            if on_error is not None:
                on_error(exc)
            else:
                log.error("background task failed", exc_info=exc)

        signals.done.connect(done)
        signals.failed.connect(failed)
        if on_progress is not None:
            signals.progress.connect(on_progress)
        self.busy_changed.emit(self.busy)
        self._pool.start(_Task(fn, signals, control))
        return TaskHandle(control)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the pool is idle (shutdown and tests only; never from a GUI handler)."""
        return self._pool.waitForDone(msecs)
