"""A file import in a child process, so the window never waits for it.

An import is CPU-bound Python: run on a thread of the GUI process it holds the GIL most of the
time, and the window stalled for 0.2-1.4 s at a time during a million-row import. In a child
process it has its own interpreter; the parent only relays progress and cancel, and gets back
the ``ImportResult`` or the exception (``ImportFailed`` with its problems, ``AccessDenied``, ...)
exactly as ``Imports.import_file`` would have returned or raised them.

The child is started with ``spawn`` (never ``fork``: forking a process that runs Qt and other
threads is unsafe) and opens the same database URL; the import's all-or-nothing guarantee is
the database's, so a child that dies leaves nothing visible (``storemon.importers.staging``).
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storemon.errors import StoremonError

POLL_SECONDS = 0.1


class ImportProcessDied(StoremonError, RuntimeError):
    """The child process ended without a result (killed, out of memory)."""


def _child(url: str, actor: str, kind: str, path: str, options: dict, events, stop) -> None:
    """Runs in the child: open the database, import, send progress, then the result or the error."""
    from storemon.db.engine import make_engine, make_session_factory
    from storemon.db.migrate import UpgradeReport, head_revision
    from storemon.services.api import Services
    from storemon.services.database import Database

    engine = make_engine(url)
    cancel = threading.Event()

    def watch_stop() -> None:
        # A flag polled, not a multiprocessing Event: setting an Event that a thread of an exited
        # process still waits on blocks the setter for good.
        while not stop.value:
            time.sleep(POLL_SECONDS)
        cancel.set()

    threading.Thread(target=watch_stop, daemon=True).start()
    try:
        current = UpgradeReport(head_revision(), head_revision(), None)  # the parent opened it
        services = Services(Database(engine, make_session_factory(engine), current))
        result = services.imports.import_file(
            actor,
            kind,
            Path(path),
            progress=lambda done, total: events.put(("progress", (done, total))),
            cancel=cancel,
            **options,
        )
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


def import_in_child(
    url: str,
    actor: str,
    kind: str,
    path: Path,
    options: dict[str, Any],
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Any:
    """Run ``Imports.import_file(actor, kind, path, **options)`` in a child process and wait."""
    context = multiprocessing.get_context("spawn")
    events = context.Queue()
    stop = context.Value("b", 0)
    child = context.Process(
        target=_child, args=(url, actor, kind, str(path), options, events, stop), daemon=True
    )
    child.start()
    try:
        while True:
            if cancel is not None and cancel.is_set():
                stop.value = 1
            try:
                what, payload = events.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not child.is_alive():
                    raise ImportProcessDied(
                        f"the import of {path.name} stopped without a result (exit code {child.exitcode}); "
                        "nothing was written: try again, and if it happens again import it with "
                        f"`storemon import {kind} {path}` to see why"
                    ) from None
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
        events.close()
