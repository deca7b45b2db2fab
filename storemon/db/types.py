"""Column types shared by the models, and reading many rows of numbers fast."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy import DateTime, Float, Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores an aware datetime as naive UTC and gives it back aware.

    SQLite keeps no time zone and PostgreSQL's ``timestamptz`` converts to the session zone;
    naive UTC in a plain ``timestamp`` column behaves the same on both, and this type makes
    sure nothing local leaks in (DESIGN.md: times are stored in UTC).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given; Storemon stores aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class epoch_seconds(FunctionElement):
    """Seconds since 1970-01-01 UTC of a ``UTCDateTime`` column, computed by the database.

    Chain-wide reads (every shift of every store over four weeks: 200,000 rows for 1,000 stores)
    spend more time making aware datetime objects than querying; numpy wants plain numbers.
    """

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw) -> str:
    # The columns are naive UTC timestamps: their epoch is taken as UTC, whatever the session zone.
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"


def number_rows(session: Session, statement: Select) -> np.ndarray:
    """Every row of ``statement`` as one float array (rows, columns), for columns that are plain
    numbers (integers, floats, ``epoch_seconds``; nothing SQLAlchemy converts on the way out).

    The rows come straight from the driver's cursor (``CursorResult.cursor``): a SQLAlchemy
    ``Row`` per row costs more than the query itself for a chain's million sales buckets.
    """
    result = session.connection().execute(statement)  # Core's CursorResult, in the session's transaction
    columns = len(result.keys())
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return np.array(rows, dtype=float).reshape(len(rows), columns)
