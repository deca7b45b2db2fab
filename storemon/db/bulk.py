"""Loading millions of generated rows in the session's transaction: COPY on PostgreSQL, executemany on SQLite.

``session.execute(insert(Model), rows)`` runs every value of every row through the column types in
Python (about 10 µs a row); the demo chain's 2,000 stores × 8 weeks are 5-6 million sales buckets.
Here the caller hands over values already in the database's own form (``db_timestamps`` for
``UTCDateTime`` columns, plain numbers), and the driver takes them as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Table
from sqlalchemy.orm import Session

from storemon.db.changes import note_written


def db_timestamps(naive_utc: np.ndarray) -> np.ndarray:
    """``datetime64`` naive UTC instants as the text ``UTCDateTime`` stores (SQLAlchemy's SQLite
    DATETIME form, ``YYYY-MM-DD HH:MM:SS.ffffff``, which PostgreSQL's COPY reads as well)."""
    text = np.datetime_as_string(np.asarray(naive_utc, dtype="datetime64[us]"), unit="us")
    return np.char.replace(text, "T", " ")


def load_rows(session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, values in the database's own form) into
    ``table`` within the session's transaction; answers how many."""
    if not rows:
        return 0
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.dbapi_connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            copy.write("".join("\t".join(map(str, row)) + "\n" for row in rows))
        note_written(connection, table.name)  # the change feed's hook sees only SQLAlchemy's cursors
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(rows))
    return len(rows)


def after_explicit_ids(session: Session, table: Table) -> None:
    """After rows were loaded with ids chosen by the caller: PostgreSQL's id sequence moves past them
    (SQLite gives the next row max(id) + 1 by itself), so later inserts do not collide."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
        )
