"""A file import in a child process, so the window never waits for it.

An import is CPU-bound Python: run on a thread of the GUI process it holds the GIL most of the
time, and the window stalled for 0.2-1.4 s at a time during a million-row import. In a child
process (``services.child_process``) it has its own interpreter; the parent only relays progress
and cancel, and gets back the ``ImportResult`` or the exception (``ImportFailed`` with its
problems, ``AccessDenied``, ...) exactly as ``Imports.import_file`` would have returned or raised
them. The import's all-or-nothing guarantee is the database's, so a child that dies leaves
nothing visible (``storemon.importers.staging``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storemon.services.child_process import ChildProcessDied, run_in_child

ImportProcessDied = ChildProcessDied
"""The child process ended without a result (killed, out of memory)."""


def _import(services, *, progress, cancel, actor: str, kind: str, path: str, options: dict) -> Any:
    """Runs in the child: the import itself."""
    return services.imports.import_file(actor, kind, Path(path), progress=progress, cancel=cancel, **options)


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

    def died(exit_code: int | None) -> str:
        return (
            f"the import of {path.name} stopped without a result (exit code {exit_code}); "
            "nothing was written: try again, and if it happens again import it with "
            f"`storemon import {kind} {path}` to see why"
        )

    return run_in_child(
        url,
        _import,
        {"actor": actor, "kind": kind, "path": str(path), "options": options},
        died=died,
        progress=progress,
        cancel=cancel,
    )
