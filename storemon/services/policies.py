"""Tier policies between the database and the pure ``staffing.policy`` model."""

from __future__ import annotations

from staffing.policy import TierBand as DomainBand
from staffing.policy import TierPolicy as DomainPolicy
from storemon.db.models import TierBand, TierPolicy


def to_domain(policy: TierPolicy) -> DomainPolicy:
    """The stored policy as the staffing engine's value object."""
    return DomainPolicy.of(
        policy.name,
        [
            DomainBand(
                None if b.min_revenue is None else float(b.min_revenue),
                None if b.max_revenue is None else float(b.max_revenue),
                b.staff_per_shift,
                b.daypart,
            )
            for b in policy.bands
        ],
    )


def from_domain(policy: DomainPolicy, description: str = "") -> TierPolicy:
    """A new database row for a domain policy (used by the demo and policy imports)."""
    return TierPolicy(
        name=policy.name,
        description=description,
        bands=[
            TierBand(
                position=i,
                min_revenue=band.min_revenue,
                max_revenue=band.max_revenue,
                staff_per_shift=band.staff_per_shift,
                daypart=band.daypart,
            )
            for i, band in enumerate(policy.bands)
        ],
    )
