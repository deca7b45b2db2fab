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

import numpy as np

from staffing.compiled import LazyKernel, numba_jit

FOREVER = 1e6
"""Minutes standing in for "however long it takes": everyone who is served is served by then."""


def _build():
    if numba_jit() is None:
        return None
    from staffing.wait_quantile_compiled import quantiles

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
