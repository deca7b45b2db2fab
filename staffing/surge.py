"""Surge calendar: dated periods that raise (or lower) expected demand and alert sensitivity.

The default calendar holds the 3·15 consumer-rights season: from late February until Consumer
Rights Day (15 March) complaints rise and demands get harsher (DOMAIN.md §4). Holidays and
promotions are added as further periods. Overlapping periods *multiply* their demand factors
(a promotion lifts demand by its own share whatever the season) and take the *largest* alert
sensitivity (sensitivity is how cautious alerts are, and stacking it would make them fire on noise).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

DateLike = date | np.datetime64 | str


def as_days(dates: DateLike | Iterable[DateLike] | np.ndarray) -> np.ndarray:
    """Dates (``date``, ISO strings or ``datetime64``) as a 1-D ``datetime64[D]`` array."""
    if isinstance(dates, date | np.datetime64 | str):
        dates = [dates]
    elif not isinstance(dates, np.ndarray):
        dates = list(dates)
    return np.asarray(dates, dtype="datetime64[D]").ravel()


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 ... Sunday = 6 for a ``datetime64[D]`` array (1970-01-01 was a Thursday)."""
    return (days.astype(np.int64) + 3) % 7


def _month_day(days: np.ndarray) -> np.ndarray:
    """Month and day as one comparable integer, MMDD (e.g. 315 for 15 March)."""
    months = days.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return month * 100 + day


@dataclass(frozen=True)
class SurgePeriod:
    """A date range (both ends inclusive) with a demand factor and an alert-sensitivity factor.

    With ``yearly`` only the month and day of ``start`` and ``end`` count and the period recurs every
    year (a range such as 20 Dec - 5 Jan wraps over New Year). ``stores`` limits the period to some
    stores (e.g. a regional promotion); ``None`` means every store.
    """

    label: str
    start: date
    end: date
    demand_factor: float = 1.0
    alert_sensitivity: float = 1.0
    yearly: bool = False
    stores: frozenset[str] | None = field(default=None)

    def __post_init__(self) -> None:
        if not self.demand_factor > 0 or not self.alert_sensitivity > 0:
            raise ValueError(f"surge period {self.label!r}: factors must be positive")
        if not self.yearly and self.end < self.start:
            raise ValueError(
                f"surge period {self.label!r}: ends ({self.end}) before it starts ({self.start})"
            )
        if self.stores is not None:
            object.__setattr__(self, "stores", frozenset(self.stores))

    def active(self, days: np.ndarray) -> np.ndarray:
        """Boolean mask: which of ``days`` (``datetime64[D]``) fall in this period."""
        if not self.yearly:
            return (days >= np.datetime64(self.start, "D")) & (days <= np.datetime64(self.end, "D"))
        md = _month_day(days)
        lo = self.start.month * 100 + self.start.day
        hi = self.end.month * 100 + self.end.day
        return (md >= lo) & (md <= hi) if lo <= hi else (md >= lo) | (md <= hi)

    def applies_to(self, store: str | None) -> bool:
        """Whether the period covers ``store`` (``None``: the chain-wide view, only unrestricted periods)."""
        return self.stores is None or (store is not None and store in self.stores)


# Year 2000 is only a carrier for month and day (a leap year, so 29 February is representable).
CONSUMER_RIGHTS_SEASON = SurgePeriod(
    label="3·15 consumer-rights season",
    start=date(2000, 2, 20),
    end=date(2000, 3, 15),
    demand_factor=1.15,
    alert_sensitivity=1.25,
    yearly=True,
)


@dataclass(frozen=True)
class SurgeCalendar:
    """An editable set of surge periods; immutable, so edits return a new calendar."""

    periods: tuple[SurgePeriod, ...] = ()

    @classmethod
    def default(cls) -> SurgeCalendar:
        """The built-in calendar: the consumer-rights season only."""
        return cls((CONSUMER_RIGHTS_SEASON,))

    def with_period(self, period: SurgePeriod) -> SurgeCalendar:
        """This calendar plus ``period`` (a holiday or a promotion)."""
        return replace(self, periods=(*self.periods, period))

    def without(self, label: str) -> SurgeCalendar:
        """This calendar without the periods called ``label``."""
        return replace(self, periods=tuple(p for p in self.periods if p.label != label))

    def factor_for(
        self, dates: DateLike | Iterable[DateLike], stores: Sequence[str] | None = None
    ) -> np.ndarray:
        """Demand factor per date: the product of every period covering it (1.0 outside all periods).

        Shape ``(len(dates),)``, or ``(len(stores), len(dates))`` when ``stores`` is given.
        """
        return self._combine(dates, stores, "demand_factor", np.multiply)

    def sensitivity_for(
        self, dates: DateLike | Iterable[DateLike], stores: Sequence[str] | None = None
    ) -> np.ndarray:
        """Alert-sensitivity factor per date: the largest of the periods covering it (1.0 outside)."""
        return self._combine(dates, stores, "alert_sensitivity", np.maximum)

    def labels_for(self, day: DateLike, store: str | None = None) -> tuple[str, ...]:
        """Labels of the periods covering ``day``, for display ("3·15 consumer-rights season")."""
        days = as_days(day)
        return tuple(p.label for p in self.periods if p.applies_to(store) and bool(p.active(days)[0]))

    def _combine(
        self,
        dates: DateLike | Iterable[DateLike],
        stores: Sequence[str] | None,
        attribute: str,
        combine: np.ufunc,
    ) -> np.ndarray:
        days = as_days(dates)
        rows = [None] if stores is None else list(stores)
        out = np.ones((len(rows), days.size))
        for period in self.periods:
            mask = period.active(days)
            if not mask.any():
                continue
            value = getattr(period, attribute)
            for r, store in enumerate(rows):
                if period.applies_to(store):
                    out[r, mask] = combine(out[r, mask], value)
        return out[0] if stores is None else out
