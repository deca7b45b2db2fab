"""The frame every import runs in: options, the already-imported check, one session, all or nothing.

``RowImporter`` is the skeleton the sales, roster and staff importers share: map the columns,
read every row into a plan (a bad row becomes a problem of its line), refuse or reject, then
write the plan and the batch in the same transaction. A kind only says how to read its rows
and how to write what it read.
"""

from __future__ import annotations

import dataclasses
import gc
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Table as SqlTable
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storemon.db.import_state import DONE, WRITING, sweep_abandoned, writing_batch
from storemon.importers.base import (
    PROGRESS_EVERY,
    STORE_SCOPE,
    CellError,
    ImportResult,
    ProblemLog,
    ProgressCallback,
    RejectsWriter,
    StoreDirectory,
    StoreRef,
    Ticker,
    file_fingerprint,
    file_problem,
    find_batch,
    new_batch,
)
from storemon.importers.staging import ROWS_PER_STATEMENT, StagedWriter
from storemon.importers.tabular import (
    ColumnMap,
    FieldSpec,
    Table,
    alias_index,
    map_columns,
    open_table,
    unusable,
)
from storemon.importers.values import check_name

STORE_COLUMNS = ("store_code", "store_name", "store_location")


@dataclass(frozen=True)
class Requirement:
    """Columns a kind cannot import without: one of ``fields`` (all of them with ``every``).

    ``problem`` is the importer's refusal, ``need`` what the import wizard's preview asks the
    user to map, ``example`` the field named in the ``--map`` hint. ``store_code_will_do``:
    ``--store CODE`` stands in for these columns.
    """

    fields: frozenset[str]
    problem: str
    need: str
    example: str
    every: bool = False
    store_code_will_do: bool = False

    def met(self, mapped: Collection[str], store_code: str | None = None) -> bool:
        if self.store_code_will_do and store_code:
            return True
        return self.fields <= set(mapped) if self.every else bool(self.fields & set(mapped))


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file and what an import may do; one set for every kind of import.

    ``store_code``, ``day_first`` (sales, roster), ``create_staff`` (roster) and ``dry_run`` (sales:
    read and check, write nothing) mean something to some kinds only; an importer refuses an option it would ignore.
    """

    mapping: dict[str, str] | None = None
    create_stores: bool = False
    skip_bad: bool = False
    rejects_path: str | Path | None = None
    progress: ProgressCallback | None = None
    cancel: threading.Event | None = None
    actor: str = "cli"
    now: datetime | None = None
    store_ids: Collection[int] | None = None
    store_code: str | None = None
    day_first: bool | None = None
    create_staff: bool = False
    dry_run: bool = False
    timezone: str | None = None


_DEFAULTS = ImportOptions()
_KIND_OPTIONS = frozenset({"store_code", "day_first", "create_staff", "dry_run"})


def options_for(
    name: str, accepts: frozenset[str], options: ImportOptions | None, overrides: dict[str, Any]
) -> ImportOptions:
    """``options`` with ``overrides`` applied; TypeError for an option ``name`` would ignore."""
    unknown = sorted(set(overrides) - {f.name for f in dataclasses.fields(ImportOptions)})
    merged = dataclasses.replace(
        options or _DEFAULTS, **{k: v for k, v in overrides.items() if k not in unknown}
    )
    ignored = sorted(k for k in _KIND_OPTIONS - accepts if getattr(merged, k) != getattr(_DEFAULTS, k))
    if unknown or ignored:
        raise TypeError(f"{name}() got an unexpected keyword argument {(unknown or ignored)[0]!r}")
    return merged


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
    options: ImportOptions,
    body: ImportBody,
) -> ImportResult:
    """Open the file, skip it if this exact file was imported before, else run ``body`` in one session.

    ``body`` commits on success; any exception rolls everything back and removes the partial
    rejects file. The rejects file is moved into place only after the commit. ``store_ids``
    limits the import to those stores (``StoreDirectory`` refuses others); None: every store.
    """
    path = Path(path)
    fingerprint = file_fingerprint(path) if path.is_file() else ""
    with session_factory() as session:
        sweep_abandoned(session, datetime.now(UTC))
        done = find_batch(session, kind, fingerprint) if fingerprint else None
        if done is not None:
            return ImportResult(batch_id=done.id, already_imported=True)
        running = writing_batch(session, kind, fingerprint) if fingerprint else None
        if running is not None:
            raise file_problem(
                path.name,
                f"this file is being imported right now (started {running.imported_at:%Y-%m-%d %H:%M} UTC "
                f"by {running.imported_by}); wait for that import to finish",
            )
    table = open_table(path, aliases, options.mapping)
    rejects = None
    if options.skip_bad:
        target = (
            Path(options.rejects_path) if options.rejects_path else path.with_name(path.name + ".rejects.csv")
        )
        rejects = RejectsWriter(target, table.headers)
    try:
        with session_factory() as session, cyclic_gc_paused():
            if options.store_ids is not None:
                session.info[STORE_SCOPE] = frozenset(options.store_ids)
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


class RowImporter(ABC):
    """One import of one file: read every row into a plan, then write the plan, all or nothing.

    A kind sets ``kind``, ``fields`` and ``accepts`` (the kind-specific options it honours),
    checks its columns in ``check_columns``, reads rows in ``read`` (iterating ``rows()`` and
    passing a bad row's CellError to ``reject``), may add whole-plan problems in ``validate``,
    and writes in ``write``. The frame (``run``) does the rest the same way for every kind.
    """

    kind: ClassVar[str]
    fields: ClassVar[list[FieldSpec]]
    requirements: ClassVar[tuple[Requirement, ...]]
    accepts: ClassVar[frozenset[str]] = frozenset()
    staged: ClassVar[bool] = False
    """Write in short transactions under a ``writing`` batch (``importers.staging``) instead of
    one: for kinds whose files run to millions of rows, so they never hold the write lock long."""
    infers_hours: ClassVar[bool] = False
    """Whether the kind's rows tell opening hours (sales): ``StoreDirectory.infer_hours`` after writing."""

    def __init__(
        self,
        session: Session,
        table: Table,
        fingerprint: str,
        rejects: RejectsWriter | None,
        options: ImportOptions,
    ):
        self.session = session
        self.table = table
        self.fingerprint = fingerprint
        self.options = options
        self.cols: ColumnMap = map_columns(table, self.fields, options.mapping)
        self.check_columns()
        self.h = self.cols.header
        self.stores = StoreDirectory(session, create=options.create_stores, timezone=options.timezone)
        self.log = ProblemLog(table.name, rejects)
        self.ticker = Ticker(options.progress, options.cancel, table.total_estimate)
        self.store_fields = [f for f in (*STORE_COLUMNS, "store_timezone") if f in self.cols]
        self.rows_read = 0
        self.staging: StagedWriter | None = None
        self._stores_committed = 0

    # -- the frame -------------------------------------------------------------------------------
    @classmethod
    def run(
        cls,
        session_factory: sessionmaker[Session],
        path: str | Path,
        options: ImportOptions | None,
        overrides: dict[str, Any],
    ) -> ImportResult:
        """Import ``path`` with ``options`` (``overrides`` applied) in one transaction."""
        opts = options_for(f"import_{cls.kind}", cls.accepts, options, overrides)
        if opts.now is None:
            opts = dataclasses.replace(opts, now=datetime.now(UTC))

        def body(
            session: Session, table: Table, fingerprint: str, rejects: RejectsWriter | None
        ) -> ImportResult:
            return cls(session, table, fingerprint, rejects, opts).execute()

        return run_import(cls.kind, session_factory, path, alias_index(cls.fields), opts, body)

    def execute(self) -> ImportResult:
        """Read, refuse (nothing written) or reject, write, commit."""
        try:
            counts = self.read_and_write()
        except BaseException:
            if self.staged:
                self.abandon()
            raise
        self.ticker.done(self.rows_read)
        return ImportResult(
            batch_id=self.batch_id,
            rows_read=self.rows_read,
            rejected=self.log.problems[:],
            rejected_count=self.log.count,
            stores_created=list(self.stores.created),
            **counts,
        )

    def read_and_write(self) -> dict[str, Any]:
        counts = self.write(self.checked_plan())
        if self.infers_hours:
            # In the last transaction, with every bucket this import wrote.
            counts["hours_inferred"] = self.stores.infer_hours()
        self.ticker.check_cancel()
        if self.staging is not None:
            self.staging.finish()
        else:
            self.session.commit()
        return counts

    def checked_plan(self) -> Sized:
        """Read and validate every row; raise what the file is refused for (a dry run stops here)."""
        plan = self.read()
        self.ticker.check_cancel()
        plan = self.validate(plan)
        if self.log.count and not self.options.skip_bad:
            raise self.log.fail()
        if self.rows_read == 0:
            raise file_problem(
                self.table.name, "the file has a header but no data rows", line=self.table.header_line
            )
        if not plan and self.log.count:
            raise self.log.fail()
        return plan

    def abandon(self) -> None:
        """Undo a staged import that failed: its rows, its batch and the stores it created."""
        if self.staging is not None:
            self.staging.abandon()
        else:
            self.session.rollback()
        if self._stores_committed:
            self.stores.remove_created()

    # -- what a kind says ------------------------------------------------------------------------
    def check_columns(self) -> None:
        """Raise ``unusable(...)`` for the first of the kind's ``requirements`` the file misses."""
        for need in self.requirements:
            if not need.met(self.cols.index, self.options.store_code):
                raise unusable(self.table, self.fields, need.problem, need.example)

    @abstractmethod
    def read(self) -> Sized:
        """Every row of ``rows()`` into the plan, or into ``reject``."""

    def validate(self, plan: Sized) -> Sized:
        """Problems that need the whole plan (overlaps, refunds); returns what remains to write."""
        return plan

    @abstractmethod
    def write(self, plan: Sized) -> dict[str, Any]:
        """Write the plan (``new_batch()`` first, or where the kind needs it); the result's counts."""

    # -- helpers for the kinds -------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, list]]:
        """``(line, cells)`` of every data row, counted, with progress and cancel on the way."""
        next_tick = PROGRESS_EVERY
        for item in self.table.rows():
            self.rows_read += 1
            if self.rows_read >= next_tick:
                next_tick += PROGRESS_EVERY
                self.ticker(self.rows_read)
            yield item

    def reject(self, line: int, row: list, column: str, problem: CellError) -> None:
        """A row that cannot be read: a problem of its line, unless it is blank or ``ignorable``."""
        if not any(str(c).strip() for c in row) or self.ignorable(row):
            self.rows_read -= 1
            return
        self.log.add(line, column, str(problem), row)

    def ignorable(self, row: list) -> bool:
        """A row that is not data (a totals row, say): not counted and not a problem."""
        return False

    def new_batch(self) -> int:
        """The ImportBatch every written row points to; a staged kind's is committed as ``writing``."""
        batch = new_batch(
            self.session, self.kind, self.table.path, self.fingerprint, self.rows_read,
            self.options.actor, self.options.now, WRITING if self.staged else DONE,
        )  # fmt: skip
        self.batch_id = batch.id
        if self.staged:
            self.session.commit()
            self.staging = StagedWriter(self.session, batch.id, self.ticker.check_cancel)
        return batch.id

    def insert_rows(self, table: SqlTable, rows: list[dict]) -> None:
        """Insert ``rows`` into ``table``: in short transactions for a staged kind, else in this one."""
        if self.staging is not None:
            self.staging.insert(table, rows)
            return
        for i in range(0, len(rows), ROWS_PER_STATEMENT):
            self.session.execute(insert(table), rows[i : i + ROWS_PER_STATEMENT])
            self.ticker.check_cancel()

    def cell(self, row: list, fieldname: str) -> object:
        i = self.cols.get(fieldname)
        return row[i] if i is not None else ""

    def text(self, row: list, fieldname: str) -> str:
        return check_name(str(self.cell(row, fieldname)).strip())

    def fixed_store(self) -> StoreRef | None:
        """The store ``--store`` names for a one-store file, or None."""
        code = self.options.store_code
        if not code:
            return None
        try:
            return self._created_now(self.stores.resolve(code=code))
        except CellError as exc:
            raise file_problem(self.table.name, f"--store {code}: {exc}", column="store") from exc

    def store_in(self, cells: dict[str, object]) -> StoreRef:
        """The store named by a row's store cells (field -> value)."""
        return self._created_now(
            self.stores.resolve(
                check_name(str(cells.get("store_code", ""))),
                check_name(str(cells.get("store_name", ""))),
                check_name(str(cells.get("store_location", ""))),
                check_name(str(cells.get("store_timezone", ""))),
            )
        )

    def _created_now(self, ref: StoreRef) -> StoreRef:
        """A staged import commits a store it created at once (``abandon`` removes it on failure)
        rather than keep the write lock through the rest of the file."""
        if self.staged and len(self.stores.created) > self._stores_committed:
            self.session.commit()
            self._stores_committed = len(self.stores.created)
        return ref
