"""The numba side of ``wait_quantile_kernel``: imported only when numba is in use.

The kernels are module-level functions so that numba's on-disk cache finds them again in the next
process: defined inside a builder, the outer kernel's reference to the inner one was a fresh object
each time, every process compiled it again (0.7 s, in every child process) and wrote one more
cache file.
"""

from __future__ import annotations

import math

import numpy as np

from staffing.compiled import kernel_decorator
from staffing.wait_quantile_kernel import FOREVER

njit = kernel_decorator(error_model="numpy")  # a zero denominator gives inf/nan, as in numpy


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
