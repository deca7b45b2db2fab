"""The change feed's database side: what changed (alerts, sales, roster, settings...) and for which stores.

Every open screen on every PC must learn within a second that another process committed
something it shows (a relief request from the kiosk, a colleague's import). Two mechanisms, one
answer (``watch`` calls ``on_change(kinds, store_ids)``; empty ``store_ids`` means "any store"):

- **PostgreSQL**: every transaction that writes a watched table sends one ``NOTIFY`` on
  ``CHANNEL`` as it commits (``track_changes``: the tables come from the statements sent, the
  stores from the ORM objects flushed). NOTIFY is delivered only on commit, so listeners never
  see a change that was rolled back. ``watch`` LISTENs on its own psycopg connection.
- **SQLite**: no NOTIFY. ``watch`` asks ``PRAGMA data_version`` once a second on a dedicated
  connection (it changes when any other connection commits); only then a digest of the watched
  tables (counts, max ids, stamps, per store where a table has one) says what changed. No
  schema change and nothing for writers to do.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, event, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "storemon_changes"
"""PostgreSQL NOTIFY channel of the change feed."""
POLL_SECONDS = 1.0
"""SQLite: how often the change counter is read."""
MAX_PAYLOAD = 7000
"""NOTIFY payloads must stay under 8000 bytes; beyond this the stores are sent as "any"."""

ALERTS, INCIDENTS, SALES, ROSTER, SETTINGS, USERS, JOBS = (
    "alerts",
    "incidents",
    "sales",
    "roster",
    "settings",
    "users",
    "jobs",
)
ALL_KINDS = frozenset({ALERTS, INCIDENTS, SALES, ROSTER, SETTINGS, USERS, JOBS})

OnChange = Callable[[frozenset[str], frozenset[int]], None]


@dataclass(frozen=True)
class Source:
    """One watched table: the kind of change it means and, on SQLite, its digest query.

    The query's first column is the store id (NULL where the table has none); the rest, compared
    between two polls, say whether that store's rows changed.
    """

    table: str
    kind: str
    digest: str


def _per_store(table: str, store: str, columns: str) -> str:
    return f"SELECT {store}, {columns} FROM {table} GROUP BY {store}"


SOURCES: tuple[Source, ...] = (
    Source("alerts", ALERTS, _per_store("alerts", "store_id", "count(*), max(id), max(updated_at)")),
    Source("notifications", ALERTS, "SELECT NULL, max(id), count(read_at) FROM notifications"),
    Source("escalation_steps", ALERTS, "SELECT NULL, max(id) FROM escalation_steps"),
    Source("cover_offers", ALERTS, "SELECT NULL, count(*), max(id), max(answered_at) FROM cover_offers"),
    Source(
        "commitments",
        ALERTS,
        _per_store("commitments", "store_id", "count(*), max(id), max(reminded_at), max(done_at)"),
    ),
    Source("incidents", INCIDENTS, _per_store("incidents", "store_id", "count(*), max(id)")),
    # Sales become visible when their batch does (one transaction, or a large import's last one
    # marking it done): the batches say when, not the rows written invisibly before, nor the
    # writing import's heartbeat (``alive_at``), which would reload every screen every few seconds.
    Source(
        "import_batches", SALES, "SELECT NULL, count(*), max(id), sum(state = 'done') FROM import_batches"
    ),
    Source(
        "roster_shifts",
        ROSTER,
        _per_store(
            "roster_shifts",
            "store_id",
            "count(*), max(id), total(julianday(starts_at)), total(julianday(ends_at)), total(staff_id)",
        ),
    ),
    Source("staff_members", ROSTER, "SELECT home_store_id, * FROM staff_members"),
    Source("check_ins", ROSTER, _per_store("check_ins", "store_id", "count(*), max(id)")),
    Source("settings", SETTINGS, "SELECT NULL, * FROM settings"),
    Source("stores", SETTINGS, "SELECT id, * FROM stores"),
    Source("store_hours", SETTINGS, "SELECT store_id, * FROM store_hours"),
    Source("regions", SETTINGS, "SELECT NULL, * FROM regions"),
    Source("tier_policies", SETTINGS, "SELECT NULL, * FROM tier_policies"),
    Source("tier_bands", SETTINGS, "SELECT NULL, * FROM tier_bands"),
    Source("users", USERS, "SELECT NULL, * FROM users"),
    Source("heartbeats", JOBS, "SELECT NULL, max(beat_at) FROM heartbeats"),
    Source("job_leases", JOBS, "SELECT NULL, max(ran_at), max(expires_at) FROM job_leases"),
)
TABLE_KINDS = {source.table: source.kind for source in SOURCES}
"""Watched table -> kind of change; other tables (the audit log, lockouts, the sales rows of a
batch, see above) concern no screen."""
QUIET_COLUMNS = {
    "import_batches": frozenset({"alive_at"}),
    "notifications": frozenset(
        {
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "delivered_at",
            "lease_owner",
            "lease_expires_at",
        }
    ),
}
"""Columns whose UPDATE alone is no change to show (PostgreSQL; the SQLite digest leaves them out):
a writing import's heartbeat, and the outbox dispatcher's claims and delivery marks (no screen
shows them; a chain's workers make thousands)."""


@dataclass
class Change:
    """What one transaction or one poll found: per kind, the stores (None: some row had no store)."""

    stores: dict[str, set[int] | None]

    def add(self, kind: str, store: int | None) -> None:
        if store is None:
            self.stores[kind] = None
        elif self.stores.setdefault(kind, set()) is not None:
            self.stores[kind].add(store)  # type: ignore[union-attr]

    def flat(self) -> tuple[frozenset[str], frozenset[int]]:
        """The kinds, and the stores if every change named one (else empty: any store)."""
        kinds = frozenset(self.stores)
        if any(s is None for s in self.stores.values()):
            return kinds, frozenset()
        return kinds, frozenset().union(*self.stores.values()) if self.stores else frozenset()


# -- PostgreSQL: NOTIFY on commit --------------------------------------------------------------------
_DML = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+\"?(\w+)\"?", re.IGNORECASE)
_SET = re.compile(r"\bSET\s+(.*?)(?:\s+(?:WHERE|FROM|RETURNING)\b|$)", re.IGNORECASE | re.DOTALL)
_ASSIGNED = re.compile(r"\"?(\w+)\"?\s*=")
_TOUCHED = "storemon_changes_tables"
_STORES = "storemon_changes_stores"


def track_changes(engine: Engine) -> None:
    """On PostgreSQL, make every committing transaction that wrote a watched table NOTIFY ``CHANNEL``."""
    if engine.dialect.name != "postgresql" or event.contains(engine, "commit", _notify_on_commit):
        return
    event.listen(engine, "after_cursor_execute", _note_statement)
    event.listen(engine, "commit", _notify_on_commit)
    event.listen(engine, "rollback", _forget)
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)


def _note_statement(conn, cursor, statement: str, _params, _context, _executemany) -> None:
    # An UPDATE or DELETE that matched no row changed nothing (marking nothing read must not
    # wake every screen, which would mark nothing read again...).
    match = _DML.match(statement)
    if (
        match
        and match.group(1) in TABLE_KINDS
        and cursor.rowcount != 0
        and not _quiet(match.group(1), statement)
    ):
        conn.info.setdefault(_TOUCHED, set()).add(match.group(1))


def note_written(conn, table: str) -> None:
    """A write the statement hook cannot see (a COPY on the driver's own cursor, ``storemon.db.bulk``)."""
    if table in TABLE_KINDS and event.contains(conn.engine, "commit", _notify_on_commit):
        conn.info.setdefault(_TOUCHED, set()).add(table)


def _quiet(table: str, statement: str) -> bool:
    """An UPDATE that sets only ``QUIET_COLUMNS`` of its table."""
    quiet = QUIET_COLUMNS.get(table)
    assigned = _SET.search(statement) if quiet else None
    return assigned is not None and set(_ASSIGNED.findall(assigned.group(1))) <= quiet


def _note_flush(session: Session, _flush_context) -> None:
    """The stores of the ORM rows just flushed (an alert's store, a notification's alert's store)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    stores: dict[str, set[int] | None] = session.connection().info.setdefault(_STORES, {})
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(getattr(obj, "__table__", None), "name", "")
        if table not in TABLE_KINDS:
            continue
        store = _store_of(session, obj, table)
        if store is None:
            stores[table] = None
        elif stores.setdefault(table, set()) is not None:
            stores[table].add(store)  # type: ignore[union-attr]


def _store_of(session: Session, obj: object, table: str) -> int | None:
    if table == "stores":
        return getattr(obj, "id", None)
    for attribute in ("store_id", "home_store_id"):
        value = getattr(obj, attribute, None)
        if value is not None:
            return value
    alert_id = getattr(obj, "alert_id", None)
    if alert_id is not None:
        from storemon.db.models import Alert

        alert = session.identity_map.get(inspect(Alert).identity_key_from_primary_key((alert_id,)))
        return getattr(alert, "store_id", None)
    return None


def _forget(conn) -> None:
    conn.info.pop(_TOUCHED, None)
    conn.info.pop(_STORES, None)


def _notify_on_commit(conn) -> None:
    """Runs just before COMMIT is sent: the NOTIFY joins the transaction and goes out with it."""
    touched = conn.info.pop(_TOUCHED, None)
    flushed = conn.info.pop(_STORES, None) or {}
    if not touched:
        return
    change = Change({})
    for table in touched:
        stores = flushed.get(table)
        for store in stores if stores else [None]:
            change.add(TABLE_KINDS[table], store)
    payload = encode(change)
    with conn.connection.dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))


def encode(change: Change) -> str:
    """``{"alerts": [3, 5], "sales": null}``; all stores "any" if the list would not fit a NOTIFY."""
    body = {kind: sorted(stores) if stores is not None else None for kind, stores in change.stores.items()}
    text = json.dumps(body, separators=(",", ":"))
    if len(text) > MAX_PAYLOAD:
        text = json.dumps(dict.fromkeys(change.stores), separators=(",", ":"))
    return text


def decode(payload: str) -> Change:
    """The change a NOTIFY carried; a payload not ours means "everything may have changed"."""
    try:
        body = json.loads(payload)
        return Change({str(k): set(map(int, v)) if v is not None else None for k, v in body.items()})
    except (ValueError, TypeError, AttributeError):
        return Change(dict.fromkeys(ALL_KINDS))


# -- SQLite: the change counter and the digest ----------------------------------------------------
class Digest:
    """The watched tables' digests; ``changes()`` compares with the previous call."""

    def __init__(self, sources: Iterable[Source] = SOURCES) -> None:
        self.sources = tuple(sources)
        self._last: dict[str, dict[int | None, str]] | None = None

    def read(self, cursor) -> dict[str, dict[int | None, str]]:
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        found: dict[str, dict[int | None, str]] = {}
        for source in self.sources:
            if source.table not in tables:
                continue
            rows: dict[int | None, list] = {}
            for row in cursor.execute(source.digest):
                rows.setdefault(row[0], []).append(row[1:])
            found[source.table] = {
                store: hashlib.blake2b(repr(values).encode(), digest_size=12).hexdigest()
                for store, values in rows.items()
            }
        return found

    def changes(self, cursor) -> Change:
        """What changed since the last call (nothing on the first: that one sets the baseline)."""
        now = self.read(cursor)
        before, self._last = self._last, now
        change = Change({})
        if before is None:
            return change
        unkeyed: set[str] = set()
        for source in self.sources:
            old, new = before.get(source.table, {}), now.get(source.table, {})
            for store in set(old) | set(new):
                if old.get(store) != new.get(store):
                    if store is None:
                        unkeyed.add(source.kind)
                    else:
                        change.add(source.kind, store)
        # A table without stores (notifications, steps) changes with one that has them (alerts):
        # when the kind already names its stores, those are the ones.
        for kind in unkeyed:
            if kind not in change.stores:
                change.add(kind, None)
        return change


def _only(change: Change, kinds: frozenset[str] | None) -> Change:
    """The part of ``change`` about ``kinds`` (all of it when None)."""
    return change if kinds is None else Change({k: v for k, v in change.stores.items() if k in kinds})


def _sqlite_loop(
    engine: Engine,
    on_change: OnChange,
    stop: threading.Event,
    ready: threading.Event,
    kinds: frozenset[str] | None = None,
) -> None:
    digest = Digest(s for s in SOURCES if kinds is None or s.kind in kinds)
    raw = None
    version = None
    while not stop.is_set():
        try:
            if raw is None:
                raw = engine.raw_connection()
                version = None
            cursor = raw.cursor()
            current = cursor.execute("PRAGMA data_version").fetchone()[0]
            if current != version:
                change = digest.changes(cursor)
                version = current
                if change.stores:
                    on_change(*change.flat())
            cursor.close()
            raw.rollback()
        except (sqlite3.Error, SQLAlchemyError) as exc:  # a locked or vanished file: reconnect
            log.warning("change feed: cannot read the database (%s); retrying", exc)
            if raw is not None:
                try:
                    raw.close()
                except sqlite3.Error:  # already broken
                    log.debug("closing a broken feed connection failed", exc_info=True)
            raw = None
        ready.set()
        stop.wait(POLL_SECONDS)
    if raw is not None:
        raw.close()


def _postgres_loop(
    engine: Engine,
    on_change: OnChange,
    stop: threading.Event,
    ready: threading.Event,
    kinds: frozenset[str] | None = None,
) -> None:
    import psycopg

    # libpq does not know SQLAlchemy's "+psycopg" driver suffix.
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connected_before = False
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                if connected_before:  # what was committed while the connection was down
                    on_change(ALL_KINDS if kinds is None else kinds, frozenset())
                connected_before = True
                ready.set()
                while not stop.is_set():
                    for notice in conn.notifies(timeout=0.5, stop_after=1):
                        change = _only(decode(notice.payload), kinds)
                        if change.stores:
                            on_change(*change.flat())
        except psycopg.Error as exc:
            log.warning("change feed: LISTEN connection lost (%s); retrying", exc)
            ready.set()
            stop.wait(2.0)


def watch(
    engine: Engine,
    on_change: OnChange,
    stop: threading.Event,
    ready: threading.Event | None = None,
    kinds: frozenset[str] | None = None,
) -> threading.Thread:
    """Call ``on_change(kinds, store_ids)`` from a daemon thread whenever anyone commits a change to a
    watched table, until ``stop`` is set. ``ready`` is set once the watch is in place (listening, or
    the SQLite baseline read): a change committed after that is never missed.

    ``kinds``: only changes of these kinds (the rules job: its inputs, not the alerts it writes
    itself), so one poll's alerts in some stores do not count as a roster change there."""
    loop = _postgres_loop if engine.dialect.name == "postgresql" else _sqlite_loop
    ready = ready or threading.Event()
    thread = threading.Thread(
        target=loop, args=(engine, on_change, stop, ready, kinds), name="storemon-changes", daemon=True
    )
    thread.start()
    return thread


# -- A data version for caches -------------------------------------------------------------------------
_POSTGRES_DIGESTS = {
    "import_batches": "SELECT NULL, count(*), max(id), sum(CASE WHEN state = 'done' THEN 1 ELSE 0 END) "
    "FROM import_batches",
    "roster_shifts": _per_store(
        "roster_shifts",
        "store_id",
        "count(*), max(id), sum(extract(epoch FROM starts_at)), sum(extract(epoch FROM ends_at)), "
        "sum(staff_id)",
    ),
}
"""The digests whose SQLite query uses SQLite-only functions, in PostgreSQL's words."""


def data_version(connection: Connection, store_ids: Iterable[int], kinds: Iterable[str]) -> str:
    """A version of what ``store_ids`` are computed from: the digests of the watched tables of
    ``kinds``, their rows of these stores and their chain-wide rows (settings, regions, policies,
    import batches). Equal versions, same data; any commit touching one of these stores or the
    chain-wide rows changes it. Read in the caller's transaction, on SQLite and PostgreSQL."""
    wanted, kinds = set(store_ids), set(kinds)
    postgres = connection.dialect.name == "postgresql"
    version = hashlib.blake2b(digest_size=16)
    for source in SOURCES:
        if source.kind not in kinds:
            continue
        query = _POSTGRES_DIGESTS.get(source.table, source.digest) if postgres else source.digest
        rows = sorted(
            repr(tuple(row))
            for row in connection.exec_driver_sql(query)
            if row[0] is None or row[0] in wanted
        )
        version.update(f"{source.table}:{len(rows)}:".encode())
        version.update("\n".join(rows).encode())
    return version.hexdigest()
