"""Local days and 15-minute grids of a store, between UTC storage and local display."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np

from staffing.roster import INTERVAL_MINUTES

INTERVALS_PER_DAY = 24 * 60 // INTERVAL_MINUTES


def local_midnight(day: date, tz: str) -> datetime:
    """The UTC instant at which ``day`` starts in the store's time zone."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local_date(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def minutes_since(origin: datetime, instants: list[datetime]) -> np.ndarray:
    """Minutes from ``origin`` to each instant, as a float array (for ``staffing.roster``)."""
    return np.array([(t - origin).total_seconds() / 60.0 for t in instants], dtype=float)


def open_mask(days: int, opens: time, closes: time) -> np.ndarray:
    """A flat boolean grid over ``days`` local days: True where the store is open.

    Uses wall-clock intervals of the local day; a store closing after midnight is open until
    the end of the day and from the start of the next.
    """
    minute = np.arange(INTERVALS_PER_DAY) * INTERVAL_MINUTES
    start = opens.hour * 60 + opens.minute
    end = closes.hour * 60 + closes.minute
    day = (minute >= start) & (minute < end) if end > start else (minute >= start) | (minute < end)
    return np.tile(day, days)
