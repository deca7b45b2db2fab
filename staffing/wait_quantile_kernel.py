"""The customer wait quantile of many rows (store-days and shifts), compiled with numba.

``backlog.customer_wait_quantile_of`` reduces each row to per-interval terms and then finds, per
row, the wait t at which the served arrivals reach the share q of all served (``served_by(t) =
q·served_by(∞)``). In numpy every evaluation is a pass over every row, interval and queue length,
and every row waits for the slowest one's bracket. Here each row is solved on its own, by the
same bracket doubling and Illinois steps (``backlog._illinois``), so both paths give the same
answer to the solver's tolerance; a row stops as soon as it is within it, and the sum over queue
lengths stops once the Poisson tail has used up the whole probability.
"""

from __future__ import annotations

import math

import numpy as np

from staffing.compiled import LazyKernel, numba_jit

FOREVER = 1e6
"""Minutes standing in for "however long it takes": everyone who is served is served by then."""


def _build():
    njit = numba_jit(error_model="numpy")  # a zero denominator gives inf/nan, as in numpy
    if njit is None:
        return None

    @njit
    def served_by(r, t, below, found, rows, lam, rate, theta):  # pragma: no cover - compiled
        span = found.shape[2]
        day = rows[r]
        total = 0.0
        for c in range(below.shape[1]):
            if lam[r, c] == 0.0:  # an interval outside the row's mask: nobody counted arrives
                continue
            th = theta[r, c]
            rt = rate[r, c]
            phi = -math.expm1(-th * t) / th if th > 0 else t
            term = math.exp(-(rt + th) * t)
            tail = term
            s = below[r, c]
            for j in range(span):
                if j:
                    if tail >= 1.0:  # every later term would add (arrivals served) x 0
                        break
                    term = term * ((rt + j * th) / j) * phi
                    tail += term
                # the arrivals finding j waiting ahead who will be served (backlog.py's served_ahead)
                ahead = found[day, c, j] * lam[r, c] * (rt / (rt + (j + 1) * th) if rt > 0 else 0.0)
                s += ahead * min(max(1.0 - tail, 0.0), 1.0)
            total += s
        return total

    @njit
    def quantiles(below, found, rows, lam, rate, theta, q, tol, rounds):  # pragma: no cover - compiled
        out = np.zeros(below.shape[0])
        for r in range(below.shape[0]):
            everyone = served_by(r, FOREVER, below, found, rows, lam, rate, theta)
            if not everyone > 0:
                continue
            goal = q * everyone
            lo, hi = 0.0, 1.0
            f_lo = served_by(r, lo, below, found, rows, lam, rate, theta) - goal
            f_hi = served_by(r, hi, below, found, rows, lam, rate, theta) - goal
            for _ in range(rounds):  # an upper bound
                if f_hi >= 0:
                    break
                lo, f_lo = hi, f_hi
                hi = hi * 2.0
                f_hi = served_by(r, hi, below, found, rows, lam, rate, theta) - goal
            side = 0
            for step in range(rounds):  # Illinois, as backlog._illinois does for every row at once
                if hi - lo < tol:
                    break
                guess = hi - f_hi * (hi - lo) / (f_hi - f_lo)
                usable = np.isfinite(guess) and lo < guess < hi and step % 3 != 2
                mid = guess if usable else 0.5 * (lo + hi)
                mid = min(max(mid, lo + 0.25 * tol), hi - 0.25 * tol)
                f_mid = served_by(r, mid, below, found, rows, lam, rate, theta) - goal
                if f_mid < 0:
                    if side == -1:
                        f_hi = 0.5 * f_hi
                    lo, f_lo, side = mid, f_mid, -1
                else:
                    if side == 1:
                        f_lo = 0.5 * f_lo
                    hi, f_hi, side = mid, f_mid, 1
            out[r] = 0.5 * (lo + hi)
        return out

    return quantiles


QUANTILES = LazyKernel(_build)


def row_quantiles(
    below: np.ndarray,
    found: np.ndarray,
    rows: np.ndarray,
    lam: np.ndarray,
    rate: np.ndarray,
    theta: np.ndarray,
    q: float,
    tol: float,
    rounds: int,
) -> np.ndarray | None:
    """Each row's quantile wait (0 where nobody is served), or None when numba is not in use here.

    ``found`` is (days, intervals, span): the probability that an arrival finds j = 0 .. span - 1
    waiting ahead and may join (0 past the cap); ``rows`` maps each row to its day. ``below``,
    ``lam``, ``rate`` and ``theta`` are (rows, intervals): the arrivals served at once, the
    arrivals counted, the total service rate and the abandonment rate.
    """
    kernel = QUANTILES.get()
    if kernel is None:
        return None
    try:
        return kernel(
            *(np.ascontiguousarray(a, dtype=float) for a in (below, found)),
            np.ascontiguousarray(rows, dtype=np.int64),
            *(np.ascontiguousarray(a, dtype=float) for a in (lam, rate, theta)),
            float(q),
            float(tol),
            int(rounds),
        )
    except Exception:  # noqa: BLE001 - numba's errors share no base class; any means "use numpy"
        QUANTILES.failed("wait quantile")
        return None
