"""The Region screen's overview: modelled in a child process, kept while its data is unchanged.

A 2,000-store overview is minutes of CPU-bound Python (``region.region_overview``). On a thread of
the window's process it would hold the GIL and freeze the window for tenths of seconds at a time;
in a child process (``child_process.run_in_child``) the window keeps every millisecond, and a
cancel (the user left the screen, or asked again) stops the child at once.

A second look at the same stores' week with nothing changed answers from memory: the key is who
asks (their scope), the region, the number of days, each store time zone's "today" (it decides
which days count as sales rather than forecast) and the data version of the stores in scope. A
commit touching any of those stores (sales batches, rosters, store or chain settings), on any PC,
changes the version, and the next load models the week again. The version is either

- the change feed's per-store counters (``StoreVersions``, bumped by every change the window's
  feed reports: ``db.changes`` polls the SQLite change counter / listens to PostgreSQL NOTIFY),
  free to read; the window uses these while its feed runs;
- else the digest of those stores' rows (``db.changes.data_version``), read from the database:
  exact without a feed, but a scan of the roster table (about 0.2-0.5 s for 2,000 stores).
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import select

from storemon.db.changes import data_version
from storemon.db.models import Store
from storemon.services import region
from storemon.services.access import Actor
from storemon.services.changes import DATA_KINDS
from storemon.services.child_process import ChildCancelled, Progress, run_in_child, shares_processes
from storemon.services.database import Database
from storemon.services.door import resolve_actor
from storemon.services.region import StoreOverview, region_overview
from storemon.services.timegrid import local_date

CACHED_OVERVIEWS = 4
"""Overviews kept (whole chain, a region or two): about 0.2 MB each per 1,000 stores."""
IN_PROCESS_MAX_STORES = 30
"""Up to this many stores are modelled on the caller's thread: a second or two of work, less than
starting a child process costs, and too short to matter for the window's GIL."""
KILL_AFTER_CANCEL_SECONDS = 0.5
"""A cancelled overview's child is killed if it has not stopped by then: it only reads."""
MAX_OVERVIEW_PROCESSES = 4
"""Child processes sharing one overview at most (one per core up to this): each also reads the
chain's summaries and fits its forecast, which more processes would only repeat."""
CHILD_NICENESS = 5
"""The children yield the CPU to the window's process (and its GUI thread) whenever it wants it."""
POLL_SECONDS = 0.1


class StoreVersions:
    """Per-store change counters, bumped by the change feed (thread-safe).

    ``note(kinds, store_ids)`` is what the feed reports; an empty ``store_ids`` means any store.
    ``version(store_ids)`` changes whenever a data change (``DATA_KINDS``) of one of these stores,
    or of no particular store, has been noted since.
    """

    def __init__(self) -> None:
        self._counts: dict[int, int] = {}
        self._any = 0
        self._lock = threading.Lock()

    def note(self, kinds: frozenset[str], store_ids: frozenset[int]) -> None:
        if not set(kinds) & DATA_KINDS:
            return
        with self._lock:
            if not store_ids:
                self._any += 1
            for store_id in store_ids:
                self._counts[store_id] = self._counts.get(store_id, 0) + 1

    def version(self, store_ids: list[int]) -> str:
        with self._lock:
            counts = tuple((i, self._counts[i]) for i in sorted(store_ids) if i in self._counts)
            return f"feed:{self._any}:{counts}"


@dataclass(frozen=True)
class OverviewKey:
    """What an overview was computed from; an equal key means an equal overview."""

    username: str
    role: str
    scope: tuple[int | None, int | None]
    region_id: int | None
    days: int
    today: tuple[date, ...]
    version: str


def overview_key(
    database: Database,
    actor: Actor | str,
    region_id: int | None,
    days: int,
    now: datetime,
    versions: StoreVersions | None = None,
) -> tuple[OverviewKey, int]:
    """The key of ``region_overview(actor, region_id, days, now)`` as the data stands now, and the
    number of stores it covers: the stores in scope from the database, their version from
    ``versions`` if given, else read."""
    with database.sessions() as session:
        actor = resolve_actor(session, actor)
        stmt = actor.scope_stores(select(Store.id, Store.timezone))
        if region_id is not None:
            stmt = stmt.where(Store.region_id == region_id)
        stores = session.execute(stmt).all()
        ids = [s.id for s in stores]
        version = versions.version(ids) if versions else data_version(session.connection(), ids, DATA_KINDS)
    key = OverviewKey(
        actor.username,
        str(actor.role),
        (actor.store_id, actor.region_id),
        region_id,
        days,
        tuple(sorted({local_date(now, zone) for zone in {s.timezone for s in stores}})),
        version,
    )
    return key, len(ids)


class OverviewCache:
    """The last few overviews by ``OverviewKey`` (thread-safe; the newest used stays longest)."""

    def __init__(self, size: int = CACHED_OVERVIEWS) -> None:
        self._size = size
        self._entries: OrderedDict[OverviewKey, list[StoreOverview]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: OverviewKey) -> list[StoreOverview] | None:
        with self._lock:
            rows = self._entries.get(key)
            if rows is not None:
                self._entries.move_to_end(key)
            return None if rows is None else list(rows)

    def put(self, key: OverviewKey, rows: list[StoreOverview]) -> None:
        with self._lock:
            self._entries[key] = list(rows)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


def _overview_task(
    services, *, progress, cancel, actor: str, region_id, days: int, now: datetime, part, size
):
    """Runs in a child process: its part of the overview, at a lower priority than the window's."""
    os.nice(CHILD_NICENESS)
    return pack_rows(
        services.region.overview(
            actor, region_id, days=days, now=now, progress=progress, cancel=cancel, part=part, chunk_size=size
        )
    )


FIELDS = tuple(f.name for f in dataclasses.fields(StoreOverview))


def pack_rows(rows: list[StoreOverview]) -> dict:
    """Overview rows as columns, for the trip from the child: one list of plain values per field
    and the hourly utilisation as one float matrix. Unpickling 1,000 row objects was one C call
    holding the window process's GIL for 40-150 ms; these columns unpickle in a few, and the rows
    are rebuilt in Python (``unpack_rows``), which lets the GUI thread in every few milliseconds."""
    columns = {name: [getattr(r, name) for r in rows] for name in FIELDS if name != "hourly_utilisation"}
    hourly = np.array(
        [[np.nan if v is None else v for v in r.hourly_utilisation] for r in rows], dtype=float
    ).reshape(len(rows), -1)
    return {"columns": columns, "hourly": hourly}


def unpack_rows(packed: dict) -> list[StoreOverview]:
    """The rows ``pack_rows`` packed, equal to the originals."""
    columns = packed["columns"]
    hourly = [tuple(None if v != v else v for v in row) for row in packed["hourly"].tolist()]
    names = [name for name in FIELDS if name != "hourly_utilisation"]
    return [
        StoreOverview(**dict(zip(names, values, strict=True)), hourly_utilisation=hours)
        for values, hours in zip(zip(*(columns[n] for n in names), strict=True), hourly, strict=True)
    ]


def overview_processes(stores: int) -> int:
    """How many child processes share an overview of ``stores``: one per core (up to
    ``MAX_OVERVIEW_PROCESSES``), never more than there are chunks of stores to share."""
    cores = min(os.cpu_count() or 1, MAX_OVERVIEW_PROCESSES)
    return max(1, min(cores, -(-stores // region.OVERVIEW_CHUNK)))


def _in_children(
    url: str, kwargs: dict, parts: int, stores: int, progress: Progress | None, cancel
) -> list[StoreOverview]:
    """The overview of ``stores`` modelled by ``parts`` child processes at once, each
    ``part=(k, parts)`` of it, joined in order. Progress is their sum (out of ``stores`` until
    each child has said how many it models); a cancel, or one child failing, stops them all."""
    halt = threading.Event()
    counts: list[tuple[int, int] | None] = [None] * parts
    lock = threading.Lock()

    def report(k: int, done: int, total: int) -> None:
        with lock:
            counts[k] = (done, total)
            done = sum(c[0] for c in counts if c)
            total = sum(c[1] for c in counts if c) if all(counts) else stores
        if progress is not None:
            progress(done, total)

    def run(k: int) -> list[StoreOverview]:
        packed = run_in_child(
            url,
            _overview_task,
            {**kwargs, "part": (k, parts), "size": region.OVERVIEW_CHUNK},
            died=lambda code: (
                f"modelling the stores' week stopped without a result (exit code {code}); "
                "open the screen again, and if it happens again run `storemon report pressure` to see why"
            ),
            progress=lambda done, total, k=k: report(k, done, total),
            cancel=halt,
            kill_after_cancel=KILL_AFTER_CANCEL_SECONDS,
        )
        return unpack_rows(packed)

    with ThreadPoolExecutor(parts, thread_name_prefix="overview-child") as pool:
        futures = [pool.submit(run, k) for k in range(parts)]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_EXCEPTION)
            if (cancel is not None and cancel.is_set()) or any(f.exception() for f in finished):
                halt.set()
    failures = [f.exception() for f in futures if f.exception() is not None]
    if failures:  # the child that failed says why; the others were only stopped
        raise next((e for e in failures if not isinstance(e, ChildCancelled)), failures[0])
    return [row for f in futures for row in f.result()]


def overview_off_process(
    database: Database,
    cache: OverviewCache,
    actor: Actor | str,
    region_id: int | None = None,
    days: int = 7,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    versions: StoreVersions | None = None,
) -> list[StoreOverview]:
    """``region_overview`` from ``cache`` when its data is unchanged, else modelled in a child process.

    The window's way to the overview: nothing here holds the GIL for long (a key read, then waiting
    on the child). A few stores (``IN_PROCESS_MAX_STORES``), or an in-memory database, which
    another process cannot open, are modelled here. A cancelled overview raises ``ChildCancelled``
    (or returns the stores done) and is not kept. ``versions``: the change feed's counters, when
    the caller's feed runs (see the module docstring).
    """
    now = now or datetime.now(UTC)
    key, stores = overview_key(database, actor, region_id, days, now, versions)
    rows = cache.get(key)
    if rows is not None:
        if progress is not None:
            progress(len(rows), len(rows))
        return rows
    url = database.engine.url
    if stores > IN_PROCESS_MAX_STORES and shares_processes(url):
        username = actor.username if isinstance(actor, Actor) else actor
        rows = _in_children(
            url.render_as_string(hide_password=False),
            {"actor": username, "region_id": region_id, "days": days, "now": now},
            overview_processes(stores),
            stores,
            progress,
            cancel,
        )
    else:
        with database.sessions() as session:
            rows = region_overview(
                session, resolve_actor(session, actor), region_id, days, now, progress, cancel
            )
    if cancel is None or not cancel.is_set():
        cache.put(key, rows)
    return rows
