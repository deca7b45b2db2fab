"""Quantiles of count distributions (Poisson and negative binomial), numpy only.

A forecast of orders per interval is a count with more spread than Poisson. We describe it by
its mean ``m`` and a *dispersion* ``a`` so that ``variance = m + a·m²`` (``a = 0`` is Poisson,
``a = 1/r`` is the negative binomial with size ``r``). Quantiles are exact, found by
summing the probability mass from 0 (the ratio of consecutive masses is ``(1 + a·k)/(k + 1) ·
m/(1 + a·m)``, so no gamma function is needed), except where ``P(Y = 0)`` would underflow or
the walk would be very long: means of hundreds with little extra spread, close to normal,
which use the Cornish-Fisher expansion with the distribution's own skewness and land within
one order of the exact quantile (tests/staffing/test_counts.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

EXACT_LIMIT = 5000.0
"""Distributions whose upper tail (mean + 12 sd) reaches past this many orders use Cornish-Fisher."""
SMALLEST_LOG_P0 = -600.0
"""... and so do those whose P(Y = 0) is below e^-600 (it would underflow): near-normal ones."""


def count_quantiles(qs: Sequence[float] | float, mean, dispersion) -> np.ndarray:
    """Smallest ``k`` with ``P(Y ≤ k) ≥ q`` for each ``q``: shape ``(len(qs), *mean.shape)``.

    ``Y`` has the given ``mean`` and ``variance = mean + dispersion · mean²`` (negative
    binomial; Poisson where ``dispersion`` is 0). Arrays broadcast; a mean of 0 gives 0.
    """
    qs = np.atleast_1d(np.asarray(qs, dtype=float))
    if ((qs <= 0) | (qs >= 1)).any():
        raise ValueError(f"quantile levels must lie strictly between 0 and 1, got {qs.tolist()}")
    mean, dispersion = np.broadcast_arrays(np.asarray(mean, dtype=float), np.asarray(dispersion, dtype=float))
    if (mean < 0).any() or not np.isfinite(mean).all():
        raise ValueError("means must be finite and non-negative")
    m = mean.ravel()
    a = np.clip(np.nan_to_num(dispersion.ravel()), 0.0, None)
    sd = np.sqrt(m + a * m * m)
    out = np.zeros((qs.size, m.size), dtype=np.int64)
    am = a * m
    log_p0 = np.where(a > 1e-12, -np.log1p(am) / np.where(a > 1e-12, a, 1.0), -m)
    exact = (m > 0) & (m + 12 * sd + 10 <= EXACT_LIMIT) & (log_p0 > SMALLEST_LOG_P0)
    if exact.any():
        idx = np.flatnonzero(exact)
        out[:, idx] = _exact(qs, m[idx], a[idx])
    approx = np.flatnonzero(~exact & (m > 0))
    if approx.size:
        out[:, approx] = _cornish_fisher(qs, m[approx], a[approx], sd[approx])
    return out.reshape((qs.size, *mean.shape))


def count_quantile(q: float, mean, dispersion) -> np.ndarray:
    """One quantile level of :func:`count_quantiles`, shaped like ``mean``."""
    return count_quantiles([q], mean, dispersion)[0]


def _exact(qs: np.ndarray, m: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Walk k = 0, 1, ... adding the mass until each cell's CDF reaches each level."""
    n = m.size
    out = np.zeros((qs.size, n), dtype=np.int64)
    # log P(Y = 0) = -log(1 + a·m)/a, which tends to -m (Poisson) as a -> 0.
    am = a * m
    log_p0 = np.where(a > 1e-12, -np.log1p(am) / np.where(a > 1e-12, a, 1.0), -m)
    pmf = np.exp(log_p0)
    cdf = pmf.copy()
    step = m / (1 + am)
    target = qs[:, None] * (1 - 1e-12)
    pending = cdf[None, :] < target
    active = np.arange(n)
    k = 0
    while active.size:
        keep = pending.any(axis=0)
        if not keep.all():
            active, pmf, cdf, a, step, pending, target = (
                active[keep],
                pmf[keep],
                cdf[keep],
                a[keep],
                step[keep],
                pending[:, keep],
                target[:, keep] if target.shape[1] > 1 else target,
            )
            if not active.size:
                break
        k += 1
        pmf = pmf * (1 + a * (k - 1)) / k * step
        cdf = cdf + pmf
        hit = pending & (cdf[None, :] >= target)
        if hit.any():
            rows, cols = np.nonzero(hit)
            out[rows, active[cols]] = k
            pending &= ~hit
        if k > 4 * EXACT_LIMIT:  # rounding kept a CDF just below a level: it is the last k
            rows, cols = np.nonzero(pending)
            out[rows, active[cols]] = k
            break
    return out


def _cornish_fisher(qs: np.ndarray, m: np.ndarray, a: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Normal quantile corrected for skewness ``(1 + 2·a·m)/sd``, with a continuity correction."""
    skew = (1 + 2 * a * m) / sd
    out = np.empty((qs.size, m.size), dtype=np.int64)
    for j, q in enumerate(qs):
        z = NormalDist().inv_cdf(float(q))
        x = z + (z * z - 1) * skew / 6
        out[j] = np.maximum(np.ceil(m + sd * x - 0.5), 0).astype(np.int64)
    return out
