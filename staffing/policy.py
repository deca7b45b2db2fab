"""Revenue-tier staffing policies: daily revenue band -> staff per shift.

The source rule (DOMAIN.md section 1) is "below 5,000: 1 person; 6,000 and above: 2",
which says nothing about 5,000-6,000. ``validate`` names such gaps and any overlaps, and
``staff_for`` returns ``GAP`` for a revenue no band covers, so a store in a gap is reported
rather than silently given a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GAP = -1
"""What ``staff_for`` returns for a revenue no band covers."""


@dataclass(frozen=True)
class TierBand:
    """``min_revenue <= daily revenue < max_revenue`` gets ``staff_per_shift`` people.

    ``None`` means an open end. ``daypart`` limits the band to one part of the day
    (e.g. "morning"); bands without a daypart apply all day.
    """

    min_revenue: float | None
    max_revenue: float | None
    staff_per_shift: int
    daypart: str | None = None

    @property
    def low(self) -> float:
        return -math.inf if self.min_revenue is None else float(self.min_revenue)

    @property
    def high(self) -> float:
        return math.inf if self.max_revenue is None else float(self.max_revenue)

    def label(self) -> str:
        if self.min_revenue is None and self.max_revenue is None:
            span = "any revenue"
        elif self.min_revenue is None:
            span = f"below {self.high:,.0f}"
        elif self.max_revenue is None:
            span = f"{self.low:,.0f} and above"
        else:
            span = f"{self.low:,.0f}-{self.high:,.0f}"
        return span + (f" ({self.daypart})" if self.daypart else "")


@dataclass(frozen=True)
class PolicyIssue:
    """A problem ``validate`` found: ``kind`` is "gap", "overlap" or "invalid"."""

    kind: str
    low: float
    high: float
    daypart: str | None
    message: str


@dataclass(frozen=True)
class TierPolicy:
    """A named set of revenue bands."""

    name: str
    bands: tuple[TierBand, ...]

    @classmethod
    def of(cls, name: str, bands: Sequence[TierBand]) -> TierPolicy:
        return cls(name, tuple(bands))

    def dayparts(self) -> list[str | None]:
        """The dayparts the policy names; ``[None]`` when every band is all-day."""
        named = sorted({b.daypart for b in self.bands if b.daypart is not None})
        return named or [None]

    def bands_for(self, daypart: str | None) -> list[TierBand]:
        """Bands that apply to ``daypart``: its own plus the all-day ones, sorted by lower bound."""
        chosen = [b for b in self.bands if b.daypart is None or b.daypart == daypart]
        return sorted(chosen, key=lambda b: (b.low, b.high))


SOURCE_RULE = TierPolicy.of(
    "Source rule (below 5,000: 1; 6,000 and above: 2)",
    [TierBand(None, 5000, 1), TierBand(6000, None, 2)],
)
"""The chain's rule as reported in seeds/000, gap included."""


def _fmt(value: float) -> str:
    return "-inf" if value == -math.inf else "inf" if value == math.inf else f"{value:,.0f}"


def _band_problems(band: TierBand) -> list[PolicyIssue]:
    problems = []
    if band.high <= band.low:
        problems.append(f"band {band.label()} is empty: its upper bound is not above its lower bound")
    if band.staff_per_shift < 1:
        problems.append(f"band {band.label()} gives {band.staff_per_shift} staff; a shift needs at least 1")
    return [PolicyIssue("invalid", band.low, band.high, band.daypart, text) for text in problems]


def validate(policy: TierPolicy) -> list[PolicyIssue]:
    """Gaps, overlaps and invalid bands over daily revenue from 0 upwards, per daypart."""
    issues = [issue for band in policy.bands for issue in _band_problems(band)]
    for daypart in policy.dayparts():
        where = f" in the {daypart} daypart" if daypart else ""
        covered_to = 0.0  # revenue is never negative, so coverage must start at 0
        for band in policy.bands_for(daypart):
            if band.high <= band.low or band.high <= 0:
                continue
            low = max(band.low, 0.0)
            if low > covered_to:
                issues.append(
                    PolicyIssue(
                        "gap",
                        covered_to,
                        low,
                        daypart,
                        f"daily revenue {_fmt(covered_to)}-{_fmt(low)} is covered by no band{where}: "
                        "stores there get no staffing rule",
                    )
                )
            elif low < covered_to:
                issues.append(
                    PolicyIssue(
                        "overlap",
                        low,
                        min(covered_to, band.high),
                        daypart,
                        f"daily revenue {_fmt(low)}-{_fmt(min(covered_to, band.high))} "
                        f"is covered by more than one band{where}",
                    )
                )
            covered_to = max(covered_to, band.high)
        if covered_to < math.inf:
            issues.append(
                PolicyIssue(
                    "gap",
                    covered_to,
                    math.inf,
                    daypart,
                    f"daily revenue {_fmt(covered_to)} and above is covered by no band{where}",
                )
            )
    return issues


def staff_for(
    policy: TierPolicy, revenue: np.ndarray | Sequence[float] | float, daypart: str | None = None
) -> np.ndarray:
    """Staff per shift for each daily revenue; ``GAP`` where no band covers it.

    Where bands overlap the larger staffing wins: the safe reading of an ambiguous rule.
    """
    revenue = np.asarray(revenue, dtype=float)
    result = np.full(revenue.shape, GAP, dtype=np.int64)
    for band in policy.bands_for(daypart):
        inside = (revenue >= band.low) & (revenue < band.high)
        result = np.where(inside, np.maximum(result, band.staff_per_shift), result)
    return result


def gap_for(policy: TierPolicy, revenue: float, daypart: str | None = None) -> PolicyIssue | None:
    """The gap a revenue falls into, so a report can say which band is missing."""
    for issue in validate(policy):
        if issue.kind == "gap" and issue.daypart == daypart and issue.low <= revenue < issue.high:
            return issue
    return None
