"""How the screens write times, dates, money, numbers and durations: one place, the viewer's locale.

Clock times are 24-hour "HH:MM" everywhere (the stores' staff and rosters count that way); dates,
date-times, numbers and money follow the UI locale (``QLocale()``, set from the language choice).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from ui.i18n import fill, translate

CURRENCY = "¥"
"""Amounts are renminbi (DOMAIN.md); the symbol is written before the number in every locale."""

DAY_MINUTES = 24 * 60


def clock(moment: datetime | time) -> str:
    """A local ``datetime`` or ``time`` as a 24-hour clock time: "06:45"."""
    return clock_minutes(moment.hour * 60 + moment.minute)


def clock_minutes(minutes: int) -> str:
    """Minutes after local midnight as "HH:MM"; the end of the day is "24:00"."""
    minutes = int(minutes)
    if minutes != DAY_MINUTES:
        minutes %= DAY_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def clock_hours(hours: float) -> str:
    """Hours after local midnight (a chart's x) as "HH:MM"; the end of the day is "24:00"."""
    return clock_minutes(int(round(hours * 60)))


def short_date(day: date) -> str:
    """A date in the locale's short format."""
    return QLocale().toString(QDate(day.year, day.month, day.day), QLocale.FormatType.ShortFormat)


def date_time(moment: datetime) -> str:
    """A wall-clock date and time (already local) in the locale's short format, to the minute."""
    value = QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))
    return QLocale().toString(value, QLocale.FormatType.ShortFormat)


def number(value: float | int | Decimal, decimals: int = 0) -> str:
    """A number with the locale's digit grouping: "12,480", "3.5"."""
    if decimals == 0:
        return QLocale().toString(round(float(value)))
    return QLocale().toString(float(value), "f", decimals)


def money(amount: float | int | Decimal | None, decimals: int = 0) -> str:
    """An amount of money: "¥1,250" (a missing amount is ¥0)."""
    return QLocale().toCurrencyString(float(amount or 0), CURRENCY, decimals)


def duration(minutes: int) -> str:
    """A length of time in hours and minutes: "7 h", "45 min", "7 h 30 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not rest:
        return fill(translate("Format", "%1 h"), number(hours))
    if not hours:
        return fill(translate("Format", "%1 min"), number(rest))
    return fill(translate("Format", "%1 h %2 min"), number(hours), number(rest))
