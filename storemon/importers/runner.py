"""The frame every import runs in: the already-imported check, one session, all or nothing."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storemon.importers.base import (
    STORE_SCOPE,
    ImportResult,
    RejectsWriter,
    file_fingerprint,
    file_problem,
    find_batch,
)
from storemon.importers.tabular import Table, open_table

ImportBody = Callable[[Session, Table, str, RejectsWriter | None], ImportResult]


class _CollectorPause:
    """Counts running imports; the first pauses the cyclic collector, the last resumes it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.holders == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.holders += 1
        try:
            yield
        finally:
            with self.lock:
                self.holders -= 1
                if self.holders == 0 and self.was_enabled:
                    gc.enable()


cyclic_gc_paused = _CollectorPause()
"""Pause the cyclic garbage collector while imports build millions of small objects.

Each full collection walks every one of them while holding the GIL: 0.4-0.7 s pauses that froze
the GUI thread during a 1M-row import (and made it 40 % slower). Imports make no reference
cycles worth collecting, reference counting still frees everything, and the collector resumes
when the last running import ends.
"""


def run_import(
    kind: str,
    session_factory: sessionmaker[Session],
    path: str | Path,
    aliases: dict[str, str],
    mapping: dict[str, str] | None,
    skip_bad: bool,
    rejects_path: str | Path | None,
    body: ImportBody,
    store_ids: Collection[int] | None = None,
) -> ImportResult:
    """Open the file, skip it if this exact file was imported before, else run ``body`` in one session.

    ``body`` commits on success; any exception rolls everything back and removes the partial
    rejects file. The rejects file is moved into place only after the commit. ``store_ids``
    limits the import to those stores (``StoreDirectory`` refuses others); None: every store.
    """
    path = Path(path)
    fingerprint = file_fingerprint(path) if path.is_file() else ""
    with session_factory() as session:
        done = find_batch(session, kind, fingerprint) if fingerprint else None
        if done is not None:
            return ImportResult(batch_id=done.id, already_imported=True)
    table = open_table(path, aliases, mapping)
    rejects = None
    if skip_bad:
        target = Path(rejects_path) if rejects_path else path.with_name(path.name + ".rejects.csv")
        rejects = RejectsWriter(target, table.headers)
    try:
        with session_factory() as session, cyclic_gc_paused():
            if store_ids is not None:
                session.info[STORE_SCOPE] = frozenset(store_ids)
            try:
                result = body(session, table, fingerprint, rejects)
            except IntegrityError as exc:
                session.rollback()
                raise file_problem(
                    table.name,
                    "another import wrote the same rows at the same time; nothing was written, "
                    f"run the import again ({exc.orig})",
                ) from exc
            except BaseException:
                session.rollback()
                raise
    except BaseException:
        table.close()
        if rejects is not None:
            rejects.discard()
        raise
    table.close()
    if rejects is not None:
        result.rejects_file = rejects.commit()
    return result
