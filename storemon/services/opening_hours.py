"""A store's opening hours per weekday: read them, turn them into open/closed grids, infer them.

A weekday with a ``store_hours`` row has its own hours; any other weekday uses the store's
``opens_at``/``closes_at``. Every screen and report that asks "is the store open in this
interval" asks ``open_days`` so a Saturday that opens later is modelled as such.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from staffing.roster import INTERVAL_MINUTES
from storemon.db.models import Store
from storemon.errors import StoremonError
from storemon.services.timegrid import open_mask

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as the command line writes them; the index is ``date.weekday()`` (0 = Monday)."""

Hours = tuple[time, time]

DEFAULT_HOURS: Hours = (time(7), time(21))
"""What a store gets before anyone (or any import) says otherwise (the ``stores`` column defaults)."""

OPENS_QUANTILE = 0.2
"""Opening is the 20th percentile (nearest rank) of the days' first orders, closing the 80th of the
last: one stray early or late order (a staff coffee before opening) does not move the hours, while
a store whose first customer comes some minutes after opening still opens on time."""

STRAY_GAP_MINUTES = 90
"""A day's first (or last) order an hour and a half or more away from all its other orders is a
stray (a staff coffee before opening, a late delivery), not the store opening or closing."""

MIN_ACTIVE_QUARTERS = 4
"""A day counts towards the inferred hours only with orders in at least four quarter-hours; a lone
order on a day the store is closed (a delivery, a test sale) says nothing about opening hours."""


STORE_EDIT = "store.edit"
"""The audit action of a store's settings edited by hand (``storemon store edit``, the store editor)."""


HOURS_EDITED = "hours_text"
"""The key of a ``STORE_EDIT`` entry's details that says its opening hours were set by hand."""


def store_subject(code: str) -> str:
    """The audit subject of a store (``store SH001``)."""
    return f"store {code}"


class BadHours(StoremonError, ValueError):
    """Opening hours or a time zone that cannot be used as given; the message says what to write."""


DISPLAY_ZONES = {
    # Rails/ActiveSupport display names, which Square, Shopify and other POS exports print.
    "eastern time (us & canada)": "America/New_York",
    "central time (us & canada)": "America/Chicago",
    "mountain time (us & canada)": "America/Denver",
    "pacific time (us & canada)": "America/Los_Angeles",
    "arizona": "America/Phoenix",
    "alaska": "America/Juneau",
    "hawaii": "Pacific/Honolulu",
    "atlantic time (canada)": "America/Halifax",
    "newfoundland": "America/St_Johns",
    "london": "Europe/London",
    "edinburgh": "Europe/London",
    "dublin": "Europe/Dublin",
    "paris": "Europe/Paris",
    "berlin": "Europe/Berlin",
    "amsterdam": "Europe/Amsterdam",
    "madrid": "Europe/Madrid",
    "beijing": "Asia/Shanghai",
    "chongqing": "Asia/Chongqing",
    "hong kong": "Asia/Hong_Kong",
    "taipei": "Asia/Taipei",
    "singapore": "Asia/Singapore",
    "kuala lumpur": "Asia/Kuala_Lumpur",
    "tokyo": "Asia/Tokyo",
    "seoul": "Asia/Seoul",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "auckland": "Pacific/Auckland",
    "utc": "UTC",
    # Windows time-zone ids, which exports made on Windows tills print.
    "eastern standard time": "America/New_York",
    "central standard time": "America/Chicago",
    "mountain standard time": "America/Denver",
    "pacific standard time": "America/Los_Angeles",
    "gmt standard time": "Europe/London",
    "china standard time": "Asia/Shanghai",
    "tokyo standard time": "Asia/Tokyo",
    "singapore standard time": "Asia/Singapore",
    "aus eastern standard time": "Australia/Sydney",
}
"""Zone names tills print that are not IANA names, lower-cased, with the IANA zone they mean."""

_GMT_PREFIX = re.compile(r"^\((?:gmt|utc)\s*[+-]?\d{1,2}:?\d{0,2}\)\s*", re.IGNORECASE)


def zone_named(name: str) -> ZoneInfo:
    """The zone called ``name``: an IANA name (America/New_York), or a display name a till prints
    ("Eastern Time (US & Canada)", "(GMT+08:00) Beijing", "China Standard Time"); ``BadHours``
    saying so otherwise."""
    text = name.strip()
    text = DISPLAY_ZONES.get(_GMT_PREFIX.sub("", text).casefold(), text)
    try:
        if not text or text.startswith(("/", ".")):
            raise ValueError(text)
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadHours(
            f"{name!r} is not a known time zone; give an IANA name such as America/New_York, "
            "Europe/London or Asia/Shanghai"
        ) from None


@dataclass(frozen=True)
class WeekHours:
    """Opening and closing time for each weekday (index 0 = Monday); ``own``: weekdays set one by one."""

    days: tuple[Hours, ...]
    own: frozenset[int] = frozenset()

    def on(self, day: date) -> Hours:
        return self.days[day.weekday()]

    def mask(self, days: Sequence[date]) -> np.ndarray:
        """``[len(days), intervals per day]``: True where the store is open on that local day."""
        per_weekday = [_day_mask(opens, closes) for opens, closes in self.days]
        if not days:
            return np.zeros((0, len(per_weekday[0])), dtype=bool)
        return np.stack([per_weekday[d.weekday()] for d in days])

    def describe(self) -> str:
        """``Mon-Fri 07:00-21:00, Sat 08:00-18:00``: runs of weekdays with the same hours."""
        runs: list[tuple[int, int, Hours]] = []
        for weekday, hours in enumerate(self.days):
            if runs and runs[-1][2] == hours:
                runs[-1] = (runs[-1][0], weekday, hours)
            else:
                runs.append((weekday, weekday, hours))
        parts = []
        for first, last, (opens, closes) in runs:
            name = WEEKDAYS[first].title() + ("" if first == last else "-" + WEEKDAYS[last].title())
            parts.append(f"{name} {opens:%H:%M}-{closes:%H:%M}")
        return ", ".join(parts)


@functools.lru_cache(maxsize=256)
def _day_mask(opens: time, closes: time) -> np.ndarray:
    """One local day's open grid (read-only: shared by every store with these hours)."""
    mask = open_mask(1, opens, closes)
    mask.flags.writeable = False
    return mask


def week_hours(store: Store) -> WeekHours:
    """The store's hours per weekday: its ``store_hours`` rows over its default hours."""
    default = (store.opens_at or DEFAULT_HOURS[0], store.closes_at or DEFAULT_HOURS[1])
    days = [default] * 7
    own = set()
    for row in store.hours:
        days[row.weekday] = (row.opens_at, row.closes_at)
        own.add(row.weekday)
    return WeekHours(tuple(days), frozenset(own))


def open_days(store: Store, days: Sequence[date]) -> np.ndarray:
    """``[len(days), intervals per day]`` open/closed grid of these local days, by each day's weekday."""
    return week_hours(store).mask(days)


# ------------------------------------------------------------------------------ reading hours


def parse_clock(text: str) -> time:
    """``07:00``, ``7:30`` or ``24:00`` (midnight at the end of the day, stored as 00:00)."""
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise BadHours(f"{text!r} is not a time of day; write it as HH:MM, e.g. 07:30")
    h, m = int(hours), int(minutes)
    if (h, m) == (24, 0):
        return time(0)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise BadHours(f"{text!r} is not a time of day; hours 00-23, minutes 00-59")
    return time(h, m)


def parse_hours_spec(spec: str) -> dict[int | None, Hours]:
    """``07:00-21:00`` (every day) or ``sat=08:00-18:00`` / ``mon-fri=07:00-19:00`` (those weekdays).

    Returns weekday -> hours, with the key None for "every day". Opening and closing must differ;
    a closing time before the opening time means after midnight.
    """
    days_text, sep, span = spec.partition("=")
    if not sep:
        days_text, span = "", spec
    opens_text, dash, closes_text = span.partition("-")
    if not dash:
        raise BadHours(f"{spec!r}: write opening hours as 07:00-21:00, or sat=08:00-18:00 for one weekday")
    try:
        hours = (parse_clock(opens_text), parse_clock(closes_text))
    except BadHours as exc:
        raise BadHours(f"{spec!r}: {exc}") from None
    if hours[0] == hours[1]:
        raise BadHours(f"{spec!r}: opening and closing time are the same; a store is open for some time")
    if not days_text.strip():
        return {None: hours}
    return {weekday: hours for weekday in _weekdays(days_text, spec)}


def _weekdays(text: str, spec: str) -> list[int]:
    def index(name: str) -> int:
        key = name.strip().casefold()[:3]
        if key not in WEEKDAYS:
            raise BadHours(
                f"{spec!r}: {name.strip()!r} is not a weekday; use mon, tue, wed, thu, fri, sat, sun"
            )
        return WEEKDAYS.index(key)

    result: list[int] = []
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if dash:
            a, b = index(first), index(last)
            result.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            result.append(index(first))
    return result


# ------------------------------------------------------------------------------ inferring hours


@dataclass(frozen=True)
class InferredHours:
    """Hours read from sales: per weekday seen, and how many days each weekday was read from."""

    days: dict[int, Hours]
    days_used: dict[int, int]


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _clock(minute: int) -> time:
    minute %= 24 * 60  # 24:00, the end of the day, is midnight
    return time(minute // 60, minute % 60)


def _nearest_rank(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def infer_hours(bucket_starts: Iterable[datetime]) -> InferredHours:
    """Opening hours per weekday from the local starts of the 15-minute buckets that had orders.

    Each day's first order opens it (rounded down to its quarter-hour) and its last order closes
    it (rounded up to the end of its quarter-hour), unless that order is a stray
    (``STRAY_GAP_MINUTES`` from the rest); per weekday, ``OPENS_QUANTILE`` over the days makes an
    odd day harmless. Days with orders in fewer than ``MIN_ACTIVE_QUARTERS``
    quarter-hours are left out. Days are local calendar days: a store open past midnight is seen
    as open from its first order to midnight.
    """
    by_day: dict[date, set[int]] = defaultdict(set)
    for start in bucket_starts:
        by_day[start.date()].add(start.hour * 60 + start.minute - start.minute % INTERVAL_MINUTES)
    firsts: dict[int, list[int]] = defaultdict(list)
    lasts: dict[int, list[int]] = defaultdict(list)
    for day, quarters in by_day.items():
        ordered = sorted(quarters)
        if len(ordered) < MIN_ACTIVE_QUARTERS:
            continue
        if ordered[1] - ordered[0] >= STRAY_GAP_MINUTES:
            ordered = ordered[1:]
        if ordered[-1] - ordered[-2] >= STRAY_GAP_MINUTES:
            ordered = ordered[:-1]
        firsts[day.weekday()].append(ordered[0])
        lasts[day.weekday()].append(ordered[-1] + INTERVAL_MINUTES)
    days = {
        weekday: (
            _clock(_nearest_rank(firsts[weekday], OPENS_QUANTILE)),
            _clock(_nearest_rank(lasts[weekday], 1 - OPENS_QUANTILE)),
        )
        for weekday in sorted(firsts)
    }
    return InferredHours(days, {weekday: len(firsts[weekday]) for weekday in sorted(firsts)})


def widest(hours: Iterable[Hours]) -> Hours:
    """The earliest opening and latest closing (midnight counts as the end of the day)."""
    spans = [(_minutes(o), _minutes(c) or 24 * 60) for o, c in hours]
    return _clock(min(s for s, _ in spans)), _clock(max(e for _, e in spans))
