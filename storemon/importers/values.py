"""Cell parsers for dates, times, timestamps, money and quantities, with caches.

Dates and times repeat across a sales file (a few hundred dates, a few tens of thousands of
times), so each distinct string is parsed once. Local times are carried as integer seconds
since 0001-01-01 00:00 (``ordinal * 86400 + seconds of day``): cheap to compare and bucket.
Only unambiguous date formats are accepted unless the caller says day-first or month-first.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from storemon.importers.base import CellError

DAY = 86400
MONEY_SCALE = 10_000  # money is carried as integer 1/10000 units until it is summed per bucket
MAX_AMOUNT = Decimal(1_000_000_000)
"""No sale line or order is this large; a bigger cell is a wrong column or a lost decimal point.
(The database keeps revenue as NUMERIC(14, 2), and Decimal arithmetic has 28 digits.)"""
MAX_QUANTITY = 1_000_000
"""Items on one line; the database counts items per bucket in a 32-bit integer."""

_YMD = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})$")
_NAMED = re.compile(r"^(\d{1,2})[-\s]+([A-Za-z]{3,9})\.?[-\s,]+(\d{4})$")
_NAMED_US = re.compile(r"^([A-Za-z]{3,9})\.?[-\s]+(\d{1,2})(?:st|nd|rd|th)?,?[-\s]+(\d{4})$")
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_TIME = re.compile(
    r"^(?:(上午|下午|晚上|中午|凌晨|早上)\s*)?(\d{1,2})\s*[:：时點点]\s*(\d{1,2})"
    r"(?:\s*[:：分]\s*(\d{1,2})(?:[.,]\d+)?\s*秒?)?\s*分?\s*([AaPp]\.?[Mm]\.?)?$"
)
_TIME_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{2})$")
_TZ = re.compile(r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
_STAMP_SPLIT = re.compile(
    r"^(.*?)(?:[\sT]+|(?<=[日号]))((?:上午|下午|晚上|中午|凌晨|早上)?\s*\d{1,2}\s*[:：时点].*)$"
)
_EXCEL_EPOCH = datetime(1899, 12, 30)

DATE_EXAMPLES = "2026-03-02, 2026/3/2, 2026年3月2日 or 20260302"
TIME_EXAMPLES = "08:15, 8:15:03, 8:15 PM or 8时15分"


FIRST_YEAR, LAST_YEAR = 1990, 2100
"""Sales and rosters outside these years are a wrong column or a broken export, not history."""


def _sane(day: date, text: str) -> int:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CellError(
            f"{text!r} is in the year {day.year}, outside {FIRST_YEAR}-{LAST_YEAR}; check that this is "
            "the date column and that the export wrote the dates correctly"
        )
    return day.toordinal() * DAY


_DIRECTION_MARKS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder how text is shown (Trojan Source): a name never needs them."""


def check_name(text: str) -> str:
    """A name or code as typed, unless it hides control or direction-changing characters."""
    for ch in text:
        if ch in _DIRECTION_MARKS or unicodedata.category(ch) == "Cc":
            raise CellError(
                f"contains the invisible character U+{ord(ch):04X} ({unicodedata.name(ch, 'control')}), "
                "which can disguise text on screen; remove it in the source file"
            )
    return text


def _make_date(y: int, m: int, d: int, text: str) -> int:
    try:
        return _sane(date(y, m, d), text)
    except ValueError as exc:
        raise CellError(
            f"{text!r} is not a real date ({exc}); expected a date such as {DATE_EXAMPLES}"
        ) from exc


def parse_date(value: object, day_first: bool | None = None) -> int:
    """A date cell -> ``ordinal * 86400`` (local midnight), between 1990 and 2100."""
    if isinstance(value, datetime):
        return _sane(value.date(), value.isoformat())
    if isinstance(value, date):
        return _sane(value, value.isoformat())
    text = str(value).strip()
    if not text:
        raise CellError(f"the date is empty; expected a date such as {DATE_EXAMPLES}")
    for pattern in (_YMD, _CN, _COMPACT):
        m = pattern.match(text)
        if m:
            return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    m = _DMY.match(text)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            if day_first is None:
                raise CellError(
                    f"{text!r} has a two-digit year and is ambiguous; use a four-digit year such as "
                    "2026-03-02, or say the order with --day-first / --month-first"
                )
            y += 2000
        if day_first is None:
            if a > 12 >= b:
                day_first = True
            elif b > 12 >= a:
                day_first = False
            elif a == b:
                day_first = True
            else:
                raise CellError(
                    f"{text!r} is ambiguous (day/month or month/day?); pass --day-first or "
                    "--month-first, or export dates as YYYY-MM-DD"
                )
        return _make_date(y, b, a, text) if day_first else _make_date(y, a, b, text)
    for pattern, day_i, month_i in ((_NAMED, 1, 2), (_NAMED_US, 2, 1)):
        m = pattern.match(text)
        if m and m[month_i].casefold() in _MONTHS:
            return _make_date(int(m[3]), _MONTHS[m[month_i].casefold()], int(m[day_i]), text)
    raise CellError(f"{text!r} is not a date; expected a date such as {DATE_EXAMPLES}")


def _time_of(text: str) -> int:
    m = _TIME.match(text)
    if m:
        half, h, mi, s, ampm = m[1], int(m[2]), int(m[3]), int(m[4] or 0), m[5]
        if ampm:
            if not 1 <= h <= 12:
                raise CellError(f"{text!r} is not a time: hour {h} with AM/PM; expected e.g. {TIME_EXAMPLES}")
            pm = ampm[0] in "Pp"
            h = (h % 12) + (12 if pm else 0)
        elif (half in ("下午", "晚上") and h < 12) or (half == "中午" and h < 11):
            h += 12
        if h > 23 or mi > 59 or s > 59:
            raise CellError(f"{text!r} is not a time of day; expected e.g. {TIME_EXAMPLES}")
        return h * 3600 + mi * 60 + s
    m = _TIME_COMPACT.match(text)
    if m:
        h, mi, s = int(m[1]), int(m[2]), int(m[3])
        if h <= 23 and mi <= 59 and s <= 59:
            return h * 3600 + mi * 60 + s
    raise CellError(f"{text!r} is not a time; expected e.g. {TIME_EXAMPLES}")


def parse_time(value: object) -> int:
    """A time cell -> seconds since local midnight."""
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, datetime):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, date):
        raise CellError(f"{value.isoformat()!r} is a date, not a time; expected e.g. {TIME_EXAMPLES}")
    text = str(value).strip()
    if not text:
        raise CellError(f"the time is empty; expected e.g. {TIME_EXAMPLES}")
    try:
        number = float(text)
    except ValueError:
        return _time_of(text)
    if 0 <= number < 1 and "." in text:  # an Excel time exported as a day fraction
        return round(number * DAY) % DAY
    return _time_of(text)


def _offset_seconds(tz: str) -> int:
    tz = tz.upper()
    if tz in ("Z", "UTC", "GMT"):
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)


def parse_timestamp(value: object, day_first: bool | None = None) -> int | tuple[int, int]:
    """A date-and-time cell -> local seconds, or ``(seconds, utc_offset)`` when the cell names its zone."""
    if isinstance(value, datetime):
        secs = _sane(value.date(), value.isoformat()) + value.hour * 3600 + value.minute * 60 + value.second
        offset = value.utcoffset()
        return secs if offset is None else (secs, int(offset.total_seconds()))
    if isinstance(value, date):
        raise CellError(f"{value.isoformat()!r} has no time of day; 15-minute buckets need the time")
    if isinstance(value, (int, float)) or (
        isinstance(value, str) and re.fullmatch(r"\d{5}\.\d+", value.strip())
    ):
        serial = float(value)
        if 20000 < serial < 80000:  # an Excel serial date-time
            stamp = _EXCEL_EPOCH + timedelta(days=serial)
            stamp = stamp.replace(microsecond=0) + timedelta(seconds=round(stamp.microsecond / 1e6))
            return parse_timestamp(stamp)
    text = str(value).strip()
    if not text:
        raise CellError(
            f"the date and time are empty; expected e.g. 2026-03-02 08:15:03 or {DATE_EXAMPLES} + time"
        )
    m = _STAMP_SPLIT.match(text)
    if not m:
        try:
            parse_date(text, day_first)
        except CellError:
            pass
        else:
            raise CellError(
                f"{text!r} has no time of day; 15-minute buckets need the time: add it, or map a time column"
            )
        raise CellError(f"{text!r} is not a date and time; expected e.g. 2026-03-02 08:15:03")
    date_part, time_part = m[1].strip(), m[2].strip()
    offset = None
    tz = _TZ.search(time_part)
    if tz and not re.search(r"[AaPp]\.?[Mm]\.?$", time_part):
        offset = _offset_seconds(tz[1])
        time_part = time_part[: tz.start()]
    secs = parse_date(date_part, day_first) + parse_time(time_part)
    return secs if offset is None else (secs, offset)


def parse_money(value: object) -> int:
    """An amount -> integer 1/10000 units. Accepts ¥/$/€, thousands separators and a decimal comma."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = str(value).strip()
    if not text:
        raise CellError("the amount is empty; expected a number such as 12.50")
    original = text
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = re.sub(r"[\s¥￥$€£元RMBCNYrmbcny]", "", text)
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.endswith("-"):
        negative, text = not negative, text[:-1]
    if "," in text:
        if "." in text:
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif re.fullmatch(r"\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")
        elif re.fullmatch(r"\d+,\d{1,2}", text):
            text = text.replace(",", ".")
        else:
            raise CellError(f"{original!r} is not an amount; expected a number such as 12.50")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{original!r} is not an amount; expected a number such as 12.50") from None
    if not amount.is_finite():
        raise CellError(f"{original!r} is not an amount; expected a number such as 12.50")
    if abs(amount) >= MAX_AMOUNT:
        raise CellError(
            f"{original[:40]!r}{'…' if len(original) > 40 else ''} is too large for a sale "
            f"(at most {MAX_AMOUNT:,}); check the amount column and its decimal separator"
        )
    units = int((amount * MONEY_SCALE).to_integral_value(ROUND_HALF_UP))
    return -units if negative else units


def _whole_number(text: str) -> int:
    try:
        d = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise CellError(f"{text!r} is not a quantity; expected a whole number such as 2") from None
    if not d.is_finite() or d != d.to_integral_value():
        raise CellError(f"{text!r} is not a whole number of items; expected e.g. 1 or 2")
    return int(d)


def parse_quantity(value: object) -> int:
    """A quantity -> a whole number of items, at least 0."""
    text = str(value).strip()
    try:
        q = int(text)
    except ValueError:
        q = _whole_number(text)
    if q < 0:
        raise CellError(
            f"negative quantity {q} (a refund or void?); only sales are imported: "
            "remove the row, or use --skip-bad to leave it out"
        )
    if q > MAX_QUANTITY:
        raise CellError(
            f"{q:,} items on one line is more than any sale (at most {MAX_QUANTITY:,}); check the column"
        )
    return q


def money_to_decimal(units: int) -> Decimal:
    """Integer 1/10000 units -> Decimal rounded to cents."""
    return (Decimal(units) / MONEY_SCALE).quantize(Decimal("0.01"), ROUND_HALF_UP)


def seconds_to_datetime(secs: int) -> datetime:
    """Local seconds -> naive datetime."""
    return datetime.fromordinal(secs // DAY) + timedelta(seconds=secs % DAY)


class CellReader:
    """The parsers above with caches; one per import."""

    def __init__(self, day_first: bool | None = None):
        self.day_first = day_first
        self.dates: dict[object, int] = {}
        self.times: dict[object, int] = {}
        self.stamps: dict[object, int | tuple[int, int]] = {}
        self.money: dict[object, int] = {}
        self.quantities: dict[object, int] = {}

    def date(self, value: object) -> int:
        r = self.dates.get(value)
        if r is None:
            r = self.dates[value] = parse_date(value, self.day_first)
        return r

    def time(self, value: object) -> int:
        r = self.times.get(value)
        if r is None:
            r = self.times[value] = parse_time(value)
        return r

    def stamp(self, value: object) -> int | tuple[int, int]:
        """Split 'date time' at the first space and parse each half through its cache."""
        if value.__class__ is str:
            d, sep, t = value.partition(" ")
            if sep:
                dr = self.dates.get(d)
                tr = self.times.get(t)
                if dr is not None and tr is not None:
                    return dr + tr
                if d and t and d[0].isdigit() and t[0].isdigit() and ":" in t and "+" not in t:
                    try:
                        return self.date(d) + self.time(t)
                    except CellError:
                        pass
        r = self.stamps.get(value)
        if r is None:
            r = parse_timestamp(value, self.day_first)
            if len(self.stamps) < 200_000:
                self.stamps[value] = r
        return r

    def amount(self, value: object) -> int:
        r = self.money.get(value)
        if r is None:
            r = self.money[value] = parse_money(value)
        return r

    def quantity(self, value: object) -> int:
        r = self.quantities.get(value)
        if r is None:
            r = self.quantities[value] = parse_quantity(value)
        return r
