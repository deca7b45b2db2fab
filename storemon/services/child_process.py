"""Long CPU-bound work in a child process, so the window never waits for the GIL.

An import or a region's day models are CPU-bound Python: run on a thread of the GUI process they
hold the GIL most of the time, and the window stalled for 0.2-1.4 s at a time. In a child process
the work has its own interpreter; the parent only relays progress and cancel, and gets back the
result or the exception exactly as a call in its own process would have returned or raised them
(both travel pickled over the child's queue).

The child is started with ``spawn`` (never ``fork``: forking a process that runs Qt and other
threads is unsafe) and opens the same database URL. ``run_in_child(url, task, kwargs)`` calls
``task(services, progress=..., cancel=..., **kwargs)`` there; ``task`` must be a module-level
function (spawn pickles it by name).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from storemon.errors import StoremonError

POLL_SECONDS = 0.1
PROGRESS_EVERY_SECONDS = 0.05
"""The child sends at most this many progress reports a second (and always the last): a screen's
progress bar needs no more, and every report is work for the window's thread."""

Progress = Callable[[int, int], None]


class ChildProcessDied(StoremonError, RuntimeError):
    """The child process ended without a result (killed, out of memory)."""


class ChildCancelled(StoremonError):
    """The work was cancelled and its child process stopped before it answered."""


def _child(url: str, task: Callable[..., Any], kwargs: dict, events, stop) -> None:
    """Runs in the child: open the database, run the task, send progress, then the result or the error."""
    from storemon.db.engine import make_engine, make_session_factory
    from storemon.db.migrate import UpgradeReport, head_revision
    from storemon.services.api import Services
    from storemon.services.database import Database

    engine = make_engine(url)
    cancel = threading.Event()

    parent = os.getppid()

    def watch_stop() -> None:
        # A flag polled, not a multiprocessing Event: setting an Event that a thread of an exited
        # process still waits on blocks the setter for good.
        while not stop.value:
            if os.getppid() != parent:  # the window's process died: nobody waits for the answer
                os._exit(1)
            time.sleep(POLL_SECONDS)
        cancel.set()

    last_sent = [0.0]
    held: list[tuple[int, int]] = []  # the newest report not sent yet

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        held[:] = [(done, total)]
        if done >= total or now - last_sent[0] >= PROGRESS_EVERY_SECONDS:
            last_sent[0] = now
            events.put(("progress", held.pop()))

    threading.Thread(target=watch_stop, daemon=True).start()
    try:
        current = UpgradeReport(head_revision(), head_revision(), None)  # the parent opened it
        services = Services(Database(engine, make_session_factory(engine), current))
        result = task(services, progress=progress, cancel=cancel, **kwargs)
        if held:
            events.put(("progress", held.pop()))
        events.put(("done", result))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        events.put(("error", _portable(exc)))
    finally:
        engine.dispose()


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a StoremonError with its message."""
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any pickling failure means: send the text
        return StoremonError(f"{type(exc).__name__}: {exc}")
    return copy if str(copy) == str(exc) else StoremonError(str(exc))


def run_in_child(
    url: str,
    task: Callable[..., Any],
    kwargs: dict[str, Any],
    *,
    died: Callable[[int | None], str],
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    kill_after_cancel: float | None = None,
) -> Any:
    """Run ``task(services, progress=, cancel=, **kwargs)`` in a child process on ``url`` and wait.

    ``died(exit_code)`` words the error when the child ends without an answer. A cancel is passed
    on to the task; with ``kill_after_cancel`` (seconds), a child that has not answered by then is
    killed and ``ChildCancelled`` raised: for read-only work, where stopping at once is safe and
    waiting for the task's next cancel check would keep a core busy for nothing.
    """
    context = multiprocessing.get_context("spawn")
    events = context.Queue()
    stop = context.Value("b", 0)
    child = context.Process(target=_child, args=(url, task, kwargs, events, stop), daemon=True)
    child.start()
    cancelled_at: float | None = None
    try:
        while True:
            if cancel is not None and cancel.is_set() and cancelled_at is None:
                stop.value = 1
                cancelled_at = time.monotonic()
            if (
                cancelled_at is not None
                and kill_after_cancel is not None
                and time.monotonic() - cancelled_at >= kill_after_cancel
            ):
                child.kill()
                raise ChildCancelled("cancelled")
            try:
                what, payload = events.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not child.is_alive():
                    raise ChildProcessDied(died(child.exitcode)) from None
                continue
            if what == "progress":
                if progress is not None:
                    progress(*payload)
            elif what == "done":
                return payload
            else:
                raise payload
    finally:
        stop.value = 1
        child.join(timeout=30)
        if child.is_alive():
            child.kill()
            child.join(timeout=5)
        events.close()


def shares_processes(url) -> bool:
    """Whether another process can open the database at ``url`` (an in-memory SQLite cannot)."""
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))
