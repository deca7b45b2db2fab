"""Labour cost: what a shift, a day or an added cover costs, and labour as a share of sales.

Money is ``Decimal`` (DESIGN.md): a shift's cost is its paid minutes × the hourly wage / 60,
rounded once, half up, to the cent. A day's cost is the sum of its shifts' rounded costs, so the
figures on a roster add up to the day's total exactly as a payroll would.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MINUTES_PER_HOUR = 60


class WageError(ValueError):
    """A wage that cannot be used (negative, not a number); the message says what to give."""


def to_cents(amount: Decimal) -> Decimal:
    """``amount`` rounded half up to the cent (0.005 -> 0.01), the way a payslip rounds."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def check_wage(wage: Decimal | int | str | float, where: str = "the hourly wage") -> Decimal:
    """A wage as a ``Decimal`` to the cent; a negative or non-numeric one raises ``WageError``."""
    try:
        value = Decimal(str(wage).strip().lstrip("¥￥").replace(",", ""))
    except ArithmeticError:
        raise WageError(f"{where} {wage!r} is not an amount; give a number such as 32.50") from None
    if not value.is_finite() or value < 0:
        raise WageError(f"{where} {wage!r} must be zero or more; give a number such as 32.50")
    if value >= Decimal("100000"):
        raise WageError(f"{where} {wage!r} is not an hourly wage; give the wage per hour, e.g. 32.50")
    return to_cents(value)


def shift_cost(minutes: float, hourly_wage: Decimal) -> Decimal:
    """The cost of ``minutes`` of paid time at ``hourly_wage`` per hour, to the cent.

    Minutes are whole (a roster's 15-minute grid, or seconds / 60 of a clipped shift rounded);
    the product is exact in ``Decimal`` before the one rounding.
    """
    if minutes <= 0:
        return Decimal("0.00")
    return to_cents(Decimal(round(minutes)) * Decimal(hourly_wage) / MINUTES_PER_HOUR)


def hours_cost(hours: float, hourly_wage: Decimal) -> Decimal:
    """``shift_cost`` of a length in hours (what-ifs and recommendations count staff-hours).

    Negative hours (a candidate roster with fewer staff-hours) give a negative cost: a saving.
    """
    cost = shift_cost(abs(hours) * MINUTES_PER_HOUR, hourly_wage)
    return -cost if hours < 0 else cost


def total_cost(costs: Iterable[Decimal]) -> Decimal:
    """The sum of already rounded costs (a day's shifts, a week's days)."""
    return sum(costs, Decimal("0.00"))


def labour_percent(cost: Decimal, revenue: Decimal | float) -> float | None:
    """Labour cost as a percentage of sales, to 0.1 %; None without sales (no meaningful share)."""
    revenue = Decimal(str(revenue))
    if revenue <= 0:
        return None
    return float((Decimal(cost) * 100 / revenue).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
