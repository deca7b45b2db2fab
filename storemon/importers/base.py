"""What every importer shares: problems, results, the store directory, progress and rejects.

An import reads a whole file, collects every problem it finds (file:line: column: what and
what to do), and writes either everything or nothing in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import os
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storemon.db.import_state import DONE, WRITING
from storemon.db.models import AuditEntry, ImportBatch, SalesBucket, Store, StoreHours
from storemon.errors import StoremonError
from storemon.importers.headers import HeaderMatch, MoneyRule, UnusedColumn
from storemon.services.opening_hours import (
    DEFAULT_HOURS,
    HOURS_EDITED,
    STORE_EDIT,
    BadHours,
    infer_hours,
    store_subject,
    week_hours,
    widest,
    zone_named,
)

MAX_PROBLEMS = 1000  # kept in memory and shown; the rest are counted ("and N more")
MAX_REJECTS_IN_RESULT = 10_000  # the rejects file gets them all
PROGRESS_EVERY = 50_000
DEFAULT_TIMEZONE = "Asia/Shanghai"
STORE_SCOPE = "storemon.import.store_ids"
"""``session.info`` key: the ids of the stores an import may write to (absent: every store)."""

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """One bad cell, row or file: where it is and what is wrong, in words a store manager can act on."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


class ImportFailed(StoremonError):
    """Nothing was written; ``problems`` says why (at most ``MAX_PROBLEMS``, ``total`` counts all)."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        super().__init__(self._message())

    def __reduce__(self):
        # Rebuilt from its problems (an import run in a child process sends it back whole).
        return (type(self), (self.problems, self.total))

    def _message(self) -> str:
        shown = self.problems[:20]
        lines = [str(p) for p in shown]
        more = self.total - len(shown)
        if more > 0:
            lines.append(f"and {more} more")
        return "\n".join(lines)


class ImportCancelled(StoremonError):
    """The user cancelled the import; nothing was written."""


@dataclass
class ImportResult:
    """What an import did. ``rejected`` holds at most 10,000 problems; ``rejected_count`` counts all.

    Sales imports also say what the file held once duplicates and rejects were left out: ``orders``
    in ``stores`` (codes) over ``days`` local days, ``revenue`` (per store in ``revenue_by_store``),
    ``duplicate_rows`` dropped (the first at ``duplicate_lines``), ``priceless_orders`` counted as
    arrivals without revenue, where the revenue came from (``money_rule``) and how the columns were
    read (``columns``, ``unused_columns``). ``dry_run``: read and checked, nothing written.
    """

    batch_id: int | None
    rows_read: int = 0
    rows_imported: int = 0
    orders_added: int = 0
    skipped_duplicates: int = 0
    rejected: list[Problem] = field(default_factory=list)
    rejects_file: Path | None = None
    already_imported: bool = False
    stores_created: list[str] = field(default_factory=list)
    rejected_count: int = 0
    created: int = 0
    updated: int = 0
    staff_created: list[str] = field(default_factory=list)
    orders: int = 0
    stores: list[str] = field(default_factory=list)
    days: int = 0
    revenue: Decimal | None = None
    revenue_by_store: dict[str, Decimal] = field(default_factory=dict)
    duplicate_rows: int = 0
    duplicate_lines: list[int] = field(default_factory=list)
    priceless_orders: int = 0
    money_rule: MoneyRule | None = None
    columns: list[HeaderMatch] = field(default_factory=list)
    unused_columns: list[UnusedColumn] = field(default_factory=list)
    dry_run: bool = False
    hours_inferred: dict[str, StoreHoursRead] = field(default_factory=dict)
    """Store code -> the opening hours this import read from the store's sales and saved."""


@dataclass(frozen=True)
class StoreHoursRead:
    """Opening hours an import inferred for one store: weekday (0 = Monday) -> (opens, closes), the days
    each weekday was read from, and what ``describe`` prints (``Mon-Fri 07:00-21:00, Sat 08:00-18:00``)."""

    days: dict[int, tuple[time, time]]
    days_used: dict[int, int]
    described: str


class CellError(ValueError):
    """A cell that cannot be read; the message says what was found and what is expected."""


# --------------------------------------------------------------------------- text helpers


def normalise_name(text: str) -> str:
    """Case-, width- and whitespace-insensitive form of a name, for matching stores and people."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def slugify(text: str, max_len: int = 64) -> str:
    """A code made from a name: lower case, words joined by '-'; Chinese characters are kept."""
    s = unicodedata.normalize("NFKC", text).strip().casefold()
    out: list[str] = []
    dash = False
    for ch in s:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif out and not dash:
            out.append("-")
            dash = True
    slug = "".join(out).strip("-")
    if not slug:
        slug = "x" + hashlib.sha1(s.encode()).hexdigest()[:10]
    if len(slug) > max_len:
        slug = slug[: max_len - 9] + "-" + hashlib.sha1(s.encode()).hexdigest()[:8]
    return slug


def file_fingerprint(path: Path) -> str:
    """sha256 of the file's bytes: the same file imported twice is recognised."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_batch(session: Session, kind: str, fingerprint: str) -> ImportBatch | None:
    """The finished import of this very file, if any."""
    return session.scalars(
        select(ImportBatch).where(
            ImportBatch.kind == kind, ImportBatch.fingerprint == fingerprint, ImportBatch.state == DONE
        )
    ).first()


# --------------------------------------------------------------------------- problems and rejects


class RejectsWriter:
    """Streams rejected rows to ``<target>.part`` and moves it into place only when the import commits."""

    def __init__(self, target: Path, headers: list[str]):
        self.target = target
        self.headers = headers
        self._part = target.with_name(target.name + ".part")
        self._fh = None
        self._writer = None

    def write(self, problem: Problem, row: Iterable[object] | None) -> None:
        if self._writer is None:
            # Stays open while rows stream in; closed by commit() or discard().
            self._fh = open(self._part, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._fh)
            self._writer.writerow(["rejected_line", "rejected_column", "rejected_problem", *self.headers])
        cells = ["" if v is None else str(v) for v in row] if row is not None else []
        self._writer.writerow([problem.line, problem.column, problem.message, *cells])

    @property
    def used(self) -> bool:
        return self._writer is not None

    def commit(self) -> Path | None:
        if self._fh is None:
            return None
        self._fh.close()
        os.replace(self._part, self.target)
        return self.target

    def discard(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._part.unlink(missing_ok=True)
            self._fh = None
            self._writer = None


class ProblemLog:
    """Collects problems (the first ``MAX_PROBLEMS``) and counts all; with skip_bad, they are rejects."""

    def __init__(self, file: str, rejects: RejectsWriter | None = None, keep: int = MAX_PROBLEMS):
        self.file = file
        self.rejects = rejects
        self.keep = keep
        self.problems: list[Problem] = []
        self.count = 0
        self.lines: set[int] = set()

    def add(self, line: int, column: str, message: str, row: Iterable[object] | None = None) -> None:
        problem = Problem(self.file, line, column, message)
        self.count += 1
        self.lines.add(line)
        if len(self.problems) < self.keep:
            self.problems.append(problem)
        if self.rejects is not None:
            self.rejects.write(problem, row)

    def fail(self) -> ImportFailed:
        return ImportFailed(sorted(self.problems, key=lambda p: p.line), self.count)


def file_problem(file: str, message: str, line: int = 1, column: str = "file") -> ImportFailed:
    return ImportFailed([Problem(file, line, column, message)])


# --------------------------------------------------------------------------- progress and cancel


class Ticker:
    """Calls ``progress`` every ``PROGRESS_EVERY`` rows and turns a set ``cancel`` event into ImportCancelled."""

    def __init__(self, progress: ProgressCallback | None, cancel: threading.Event | None, total: int):
        self.progress = progress
        self.cancel = cancel
        self.total = max(total, 1)

    def __call__(self, done: int) -> None:
        self.check_cancel()
        if self.progress is not None:
            self.total = max(self.total, done)
            self.progress(done, self.total)

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ImportCancelled("import cancelled; nothing was written")

    def done(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, done)


# --------------------------------------------------------------------------- stores


@dataclass
class StoreRef:
    id: int
    code: str
    name: str
    tz: ZoneInfo


class StoreDirectory:
    """Finds a file's store by code, name or location, creating it when the user allowed that.

    An import limited to some stores (``STORE_SCOPE`` in ``session.info``, set by ``run_import``)
    treats a row for any other store as a problem of that row, and creates no stores.

    Times in a file are the store's local times, so a store's zone is settled when it is created,
    before any of its rows is bucketed: the row's time-zone cell, else ``timezone`` (``--timezone``),
    else ``DEFAULT_TIMEZONE``. A row whose zone differs from its existing store's is a problem.
    """

    def __init__(self, session: Session, *, create: bool, timezone: str | None = None):
        self.session = session
        self.create = create
        self.allowed: frozenset[int] | None = session.info.get(STORE_SCOPE)
        self.created: list[str] = []
        self.created_ids: set[int] = set()
        self.used: set[int] = set()
        self.by_code: dict[str, StoreRef | None] = {}
        self.by_name: dict[str, StoreRef | None] = {}
        self.by_location: dict[str, StoreRef | None] = {}
        self.by_id: dict[int, StoreRef] = {}
        self._zones: dict[str, ZoneInfo] = {}
        try:
            self.default_zone = zone_named(timezone or DEFAULT_TIMEZONE)
        except BadHours as exc:
            raise BadHours(f"time zone of new stores: {exc}") from None
        for store in session.scalars(select(Store)):
            self._remember(store)

    def _zone(self, name: str, code: str) -> ZoneInfo:
        zone = self._zones.get(name)
        if zone is None:
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise CellError(
                    f"store {code!r} has time zone {name!r}, which is not a known zone; "
                    f"fix it with `storemon store edit {code} --timezone ZONE` (e.g. Asia/Shanghai)"
                ) from exc
            self._zones[name] = zone
        return zone

    def _cell_zone(self, text: str) -> ZoneInfo:
        zone = self._zones.get(text)
        if zone is None:
            try:
                zone = self._zones[text] = zone_named(text)
            except BadHours as exc:
                raise CellError(str(exc)) from None
        return zone

    def _remember(self, store: Store) -> None:
        try:
            tz = self._zone(store.timezone or DEFAULT_TIMEZONE, store.code)
        except CellError:
            tz = None  # reported when a row uses this store
        ref = StoreRef(store.id, store.code, store.name, tz)  # type: ignore[arg-type]
        self.by_id[store.id] = ref
        self._index(self.by_code, store.code, ref)
        self._index(self.by_name, store.name, ref)
        if store.location:
            self._index(self.by_location, store.location, ref)

    @staticmethod
    def _index(table: dict[str, StoreRef | None], text: str, ref: StoreRef) -> None:
        # Names need not be unique; a name two stores share matches neither (None).
        key = normalise_name(text)
        if key in table and table[key] is not None and table[key].id != ref.id:
            table[key] = None
        else:
            table.setdefault(key, ref)

    def _checked(self, ref: StoreRef) -> StoreRef:
        if self.allowed is not None and ref.id not in self.allowed:
            raise CellError(
                f"store {ref.code} ({ref.name}) is outside your scope: only its own store manager, "
                "its region's supervisor or head office may import for it"
            )
        if ref.tz is None:
            store = self.session.get(Store, ref.id)
            self._zone(store.timezone, store.code)  # raises with the message
        self.used.add(ref.id)
        return ref

    def home(self, store_id: int) -> StoreRef:
        """A person's home store, checked like a store named in the file."""
        return self._checked(self.by_id[store_id])

    def _by_code(self, code: str) -> StoreRef | None:
        key = normalise_name(code)
        if key in self.by_code and self.by_code[key] is None:
            raise CellError(
                f"store code {code!r} names several stores (their codes differ only in case, width or "
                "spaces); give the stores distinct codes first"
            )
        return self.by_code.get(key)

    def find(self, code: str = "", name: str = "", location: str = "") -> StoreRef | None:
        """By code; else (or when the code is the till's own numbering) by a name or location only one
        store has; else a code spelled like the name."""
        if code:
            ref = self._by_code(code)
            if ref is not None:
                return ref
        for text in (name, location):
            if not text:
                continue
            key = normalise_name(text)
            for table in (self.by_name, self.by_location):
                if key in table:
                    ref = table[key]
                    if ref is None:
                        raise CellError(
                            f"several stores are called {text!r}; give the store code (门店编号) instead"
                        )
                    return ref
            if not code:
                ref = self._by_code(text) or self._by_code(slugify(text))
                if ref is not None:
                    return ref
        return None

    def resolve(self, code: str = "", name: str = "", location: str = "", timezone: str = "") -> StoreRef:
        """The store for these cells; raises CellError saying what to do when there is none.

        ``timezone`` (the row's time-zone cell) sets a new store's zone and must agree with an
        existing store's: the row's times are read on that clock.
        """
        code, name, location, timezone = code.strip(), name.strip(), location.strip(), timezone.strip()
        if not (code or name or location):
            raise CellError("no store given; fill in the store, or pass --store CODE for a one-store file")
        zone = self._cell_zone(timezone) if timezone else None
        ref = self.find(code, name, location)
        if ref is not None:
            ref = self._checked(ref)
            if zone is not None and ref.tz.key != zone.key:
                raise CellError(
                    f"the row says time zone {zone.key} but store {ref.code} keeps {ref.tz.key}; its times "
                    f"would be read on the wrong clock: fix the column, or the store "
                    f"(`storemon store edit {ref.code} --timezone {zone.key}`)"
                )
            return ref
        shown = code or name or location
        if self.create and self.allowed is not None:
            raise CellError(
                f"unknown store {shown!r}; only head office may create stores: ask them to add it first"
            )
        if not self.create:
            raise CellError(
                f"unknown store {shown!r}; create the store first, or pass --create-stores to create it"
            )
        new_code = code or slugify(name or location)
        base, n = new_code, 2
        while normalise_name(new_code) in self.by_code:
            new_code = f"{base[:60]}-{n}"
            n += 1
        store = Store(
            code=new_code,
            name=(name or location or code)[:200],
            location=location[:300],
            timezone=(zone or self.default_zone).key,
        )
        self.session.add(store)
        self.session.flush()
        self._remember(store)
        self.created.append(new_code)
        self.created_ids.add(store.id)
        ref = self._checked(self.by_id[store.id])
        # Later rows may name the store by any of the cells this row used.
        for text, table in ((name, self.by_name), (location, self.by_location)):
            if text:
                self._index(table, text, ref)
        return ref

    def remove_created(self) -> None:
        """Delete the stores this import created and committed (a staged import that failed).

        A store someone has meanwhile given shifts or staff stays: deleting it would fail.
        """
        ids = [self.by_code[normalise_name(code)].id for code in self.created]
        self.session.rollback()
        try:
            self.session.execute(delete(Store).where(Store.id.in_(ids)))
            self.session.commit()
        except IntegrityError:
            self.session.rollback()

    # -- opening hours ---------------------------------------------------------------------------

    def infer_hours(self) -> dict[str, StoreHoursRead]:
        """Opening hours per weekday from the sales of the stores this import created, saved.

        Run after the import's sales are written (same transaction). An existing store the import
        used gets them too while its hours were never set: the column defaults (07:00-21:00), no
        ``store_hours`` rows, and no hand edit in the audit log. Hours someone chose are kept.
        """
        result = {}
        for store_id in sorted(self.used):
            store = self.session.get(Store, store_id)
            if store_id not in self.created_ids and not self._never_set(store):
                continue
            bucket_starts = self.session.scalars(
                select(SalesBucket.bucket_start).where(
                    SalesBucket.store_id == store_id, SalesBucket.orders > 0
                )
            ).all()
            zone = ZoneInfo(store.timezone)
            inferred = infer_hours(start.astimezone(zone).replace(tzinfo=None) for start in bucket_starts)
            if not inferred.days:
                continue
            store.opens_at, store.closes_at = widest(inferred.days.values())
            store.hours = [
                StoreHours(weekday=weekday, opens_at=opens, closes_at=closes)
                for weekday, (opens, closes) in inferred.days.items()
            ]
            self.session.flush()
            result[store.code] = StoreHoursRead(
                inferred.days, inferred.days_used, week_hours(store).describe()
            )
        return result

    def _never_set(self, store: Store) -> bool:
        if (store.opens_at, store.closes_at) != DEFAULT_HOURS or store.hours:
            return False
        edits = self.session.scalars(
            select(AuditEntry.details).where(
                AuditEntry.action == STORE_EDIT, AuditEntry.subject == store_subject(store.code)
            )
        )
        return not any(HOURS_EDITED in details for details in edits)


def new_batch(
    session: Session,
    kind: str,
    path: Path,
    fingerprint: str,
    rows: int,
    actor: str,
    now: datetime,
    state: str = DONE,
) -> ImportBatch:
    batch = ImportBatch(
        kind=kind,
        source_name=path.name[:500],
        fingerprint=fingerprint,
        row_count=rows,
        imported_at=now,
        imported_by=actor[:100],
        state=state,
        alive_at=now if state == WRITING else None,
    )
    session.add(batch)
    session.flush()
    return batch
