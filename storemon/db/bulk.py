"""Loading millions of generated rows in the session's transaction: COPY on PostgreSQL, executemany on SQLite.

``session.execute(insert(Model), rows)`` runs every value of every row through the column types in
Python (about 10 µs a row); the demo chain's 2,000 stores × 8 weeks are 5-6 million sales buckets.
Here the caller hands over values already in the database's own form (``db_timestamps`` for
``UTCDateTime`` columns, plain numbers), and the driver takes them as they are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from sqlalchemy import Table
from sqlalchemy.orm import Session

from storemon.db.changes import note_written

log = logging.getLogger(__name__)


def db_timestamps(naive_utc: np.ndarray) -> np.ndarray:
    """``datetime64`` naive UTC instants as the text ``UTCDateTime`` stores (SQLAlchemy's SQLite
    DATETIME form, ``YYYY-MM-DD HH:MM:SS.ffffff``, which PostgreSQL's COPY reads as well)."""
    text = np.datetime_as_string(np.asarray(naive_utc, dtype="datetime64[us]"), unit="us")
    return np.char.replace(text, "T", " ") if text.size else text  # replace() fails on no strings


def load_rows(session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, values in the database's own form) into
    ``table`` within the session's transaction; answers how many.

    Values go into COPY's text format as ``str()`` gives them, unescaped: no None, and no text
    holding a tab, a newline or a backslash (the generated rows have none)."""
    if not rows:
        return 0
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.dbapi_connection.cursor()
        line = "\t".join(["%s"] * len(columns)) + "\n"  # one C-level format a row: str() of each value
        with cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            copy.write("".join(map(line.__mod__, rows)))
        note_written(connection, table.name)  # the change feed's hook sees only SQLAlchemy's cursors
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(rows))
    return len(rows)


class BulkLoader:
    """Rows for several tables gathered and loaded together once ``limit`` rows wait (``load_rows``
    each time): a few large COPYs or executemanys instead of one per table and store.

    Tables are loaded in the order they were first given rows, so rows pointing at another table's
    (ids chosen by the caller) go after it; ``counts`` says how many rows went into each table."""

    def __init__(self, session: Session, limit: int) -> None:
        self.session = session
        self.limit = limit
        self.counts: dict[str, int] = {}
        self._pending: dict[str, tuple[Table, Sequence[str], list[tuple]]] = {}
        self._waiting = 0

    def add(self, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        self._pending.setdefault(table.name, (table, columns, []))[2].extend(rows)
        self.counts.setdefault(table.name, 0)
        self._waiting += len(rows)
        if self._waiting >= self.limit:
            self.flush()

    def flush(self) -> None:
        """Load every waiting row now."""
        for name, (table, columns, rows) in self._pending.items():
            self.counts[name] += load_rows(self.session, table, columns, rows)
            rows.clear()
        self._waiting = 0


def reserve_ids(session: Session, table: Table, count: int) -> np.ndarray:
    """``count`` new ids for rows of ``table`` that the caller loads with their ids (rows that other
    rows point at before either is loaded), in ascending order.

    PostgreSQL: drawn from the table's id sequence, so later inserts never collide; ``nextval``
    needs only the USAGE right of the application role (docs/security.md), where moving the
    sequence past loaded ids with ``setval`` would need UPDATE. SQLite: the ids after the largest
    in the table, which it gives the next row by itself (load these rows before asking again)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        drawn = connection.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %(n)s)",
            {"n": count},
        )
        return np.sort(np.fromiter(drawn.scalars(), dtype=np.int64, count=count))
    start = (connection.exec_driver_sql(f"SELECT max(id) FROM {table.name}").scalar() or 0) + 1
    return np.arange(start, start + count, dtype=np.int64)


@contextmanager
def checks_after_load(session: Session, tables: Sequence[Table]) -> Iterator[None]:
    """PostgreSQL: fill empty ``tables`` without their foreign keys, unique constraints and secondary
    indexes, and put them back (validated, built by a sort) when the block ends; then ANALYZE them,
    so the first queries after the load are planned on real statistics.

    A row COPYed into a table with them pays a foreign-key check (a trigger and a lookup per key)
    and an insert into every index: ~14 µs of server time a row for the demo's sales buckets,
    against ~2 µs without; rebuilding them after 5.6 million rows takes ~10 s (PostgreSQL's
    manual, "Populating a Database", advises the same). The definitions are read from the catalogue, so
    they come back exactly as the migrations made them; the DDL is part of the transaction, so a
    failed load rolls them back with the rows. It locks the tables until commit: for filling an
    empty database (the demo). Nothing to do on SQLite, whose inserts keep the indexes cheaply,
    nor for a role that does not own the tables (``_owns``).
    """
    connection = session.connection()
    names = [table.name for table in tables]
    if connection.dialect.name != "postgresql" or not _owns(connection, names):
        yield
        return
    constraints = connection.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%(names)s::regclass[]) AND contype IN ('f', 'u') "
        "ORDER BY contype DESC, conname",  # unique constraints first: a foreign key may need one
        {"names": names},
    ).all()
    indexes = connection.exec_driver_sql(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%(names)s::regclass[]) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        {"names": names},
    ).all()
    for table, name, _definition in reversed(constraints):
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    yield
    statements = [
        *(definition for _name, definition in indexes),
        *(
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            for table, name, definition in constraints
        ),
        f"ANALYZE {', '.join(names)}",  # the planner's statistics now, not at autovacuum's next round
    ]
    for statement in statements:
        started = time.perf_counter()
        connection.exec_driver_sql(statement)
        log.debug("%.2f s: %s", time.perf_counter() - started, statement)


def _owns(connection, names: list[str]) -> bool:
    """Whether this role may alter the tables (owns them, as the owner role of docs/security.md
    does); the application role may not, and loads with the checks in place, more slowly."""
    owner = connection.exec_driver_sql(
        "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid = ANY(%(names)s::regclass[])",
        {"names": names},
    ).scalar()
    if not owner:
        log.info("not the owner of %s: loading with their constraints and indexes in place", ", ".join(names))
    return bool(owner)
