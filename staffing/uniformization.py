"""Transient distribution of many birth-death chains over one interval, by uniformization.

``backlog_day``'s numpy path calls ``transient`` once per 15-minute interval with one column per
store-day: p(h) = Σ_m Pois(m; Λh)·p·P^m with P = I + Q/Λ, and ∫p = Σ_m P(Pois(Λh) > m)·p·P^m/Λ,
each column with its own rate Λ (its fastest state), so a busy store-day does not set the work of
the quiet ones. With numba the whole day runs compiled instead (``uniformization_compiled.day``,
the same steps row by row); this series then runs compiled too wherever it is still called
(``uniformization_compiled.series``), and as vectorised numpy otherwise. ``STOREMON_PURE_NUMPY=1``
forces the numpy path; both agree to rounding (tests/staffing/test_uniformization.py).
"""

from __future__ import annotations

import numpy as np

from staffing.compiled import LazyKernel, numba_jit

_HISTORY_CELLS = 2_000_000  # up to this many terms × states × columns, numpy keeps every term


def _build_series():
    """The numba kernel of the series, or None (``staffing.compiled``)."""
    if numba_jit() is None:
        return None
    from staffing.uniformization_compiled import series

    return series


SERIES = LazyKernel(_build_series)


def compiled() -> bool:
    """Whether the series runs compiled (numba) in this process."""
    return SERIES.get() is not None


def transient(p: np.ndarray, birth: np.ndarray, death: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """p(h) and the time-average of p over [0, h] for the birth-death generator, per column.

    ``p``, ``birth`` and ``death`` have shape (states, columns). Each column needs about
    Λh + 6√(Λh) + 8 terms; the work is the sum of the columns' own term counts.
    """
    total_rate = (birth + death).max(axis=0)
    rate = np.maximum(total_rate, 1e-12)
    x = rate * h
    terms = np.ceil(x + 6.0 * np.sqrt(x) + 8.0).astype(np.int64)
    terms[total_rate <= 0] = 0
    b, d = birth / rate, death / rate
    stay = 1.0 - b - d
    m_max = int(terms.max(initial=0))
    # Every Poisson weight and tail the series needs, computed at once (log space: Λh may pass 700).
    ms = np.arange(m_max + 1, dtype=float)[:, None]
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, m_max + 1)))])[:, None]
    weights = np.exp(ms * np.log(x) - x - log_factorial)
    taken = ms <= terms  # each column stops at its own term count
    weights *= taken
    tails = np.maximum(1.0 - np.cumsum(weights, axis=0), 0.0) * taken
    cdf = weights.sum(axis=0)
    tail_sum = tails.sum(axis=0)  # Σ_m P(Pois > m) over the terms taken (→ Λh): normalises the average
    end, integral = _series(p, stay, b, d, weights, tails, terms)
    # The series stops where the Poisson weights left are ~1e-10: dividing by the weights actually
    # summed keeps every distribution's mass at exactly 1 (orders are conserved to rounding).
    end = end / np.where(cdf > 0, cdf, 1.0)
    mean = integral / np.where(tail_sum > 0, tail_sum, x)
    idle = terms == 0
    if idle.any():  # nothing moves: the distribution stays
        end[:, idle] = p[:, idle]
        mean[:, idle] = p[:, idle]
    return end, mean


def _series(p, stay, b, d, weights, tails, terms) -> tuple[np.ndarray, np.ndarray]:
    """The compiled series where numba works here, else numpy (and numpy from then on when
    numba fails to compile on this machine: the model must not stop for want of a compiler)."""
    kernel = SERIES.get()
    if kernel is not None:
        try:
            end_t, integral_t = kernel(
                np.ascontiguousarray(p.T),
                np.ascontiguousarray(stay.T),
                np.ascontiguousarray(b.T),
                np.ascontiguousarray(d.T),
                np.ascontiguousarray(weights),
                np.ascontiguousarray(tails),
                terms,
                _reached(p, b, d),
            )
            return end_t.T, integral_t.T
        except Exception:  # noqa: BLE001 - numba's errors share no base class; any means "use numpy"
            SERIES.failed("uniformization")
    return _numpy_series(p, stay, b, d, weights, tails, terms)


def _reached(p: np.ndarray, b: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Per column, how many states the chain can occupy: up to one above its highest state that is
    occupied or moves. Above that every state stays at 0, so the compiled series skips them (a
    quiet store-day's queue reaches a few customers, the batch's busiest one sets the array)."""
    moving = (b > 0) | (d > 0) | (p != 0)
    size = moving.shape[0]
    highest = size - 1 - np.argmax(moving[::-1], axis=0)
    return np.minimum(highest + 2, size).astype(np.int64)


def _numpy_series(p, stay, b, d, weights, tails, terms) -> tuple[np.ndarray, np.ndarray]:
    """Σ_m weights[m]·p·P^m and Σ_m tails[m]·p·P^m in numpy, columns sorted by their term count so
    each drops out of the loop when its own terms are done."""
    order = np.argsort(-terms, kind="stable")
    sorted_terms = terms[order]
    v, stay, b, d = p[:, order], stay[:, order], b[:, order], d[:, order]
    weights, tails = weights[:, order], tails[:, order]
    m_max = int(sorted_terms[0]) if sorted_terms.size else 0
    width = v.shape[1]
    if (m_max + 1) * v.size <= _HISTORY_CELLS:
        # Narrow batches (a store's week, the Today screen): keep every p·P^m and weigh them in two
        # einsums at the end, three numpy calls per term instead of seven (the calls, not the
        # arithmetic, are what a narrow batch costs).
        history = np.zeros((m_max + 1, *v.shape))
        history[0] = v
        for m in range(1, m_max + 1):
            while width and sorted_terms[width - 1] < m:
                width -= 1
            if not width:
                break
            vv, nxt = history[m - 1, :, :width], history[m, :, :width]
            np.multiply(stay[:, :width], vv, out=nxt)
            nxt[1:] += b[:-1, :width] * vv[:-1]
            nxt[:-1] += d[1:, :width] * vv[1:]
        end = np.einsum("msw,mw->sw", history, weights)
        integral = np.einsum("msw,mw->sw", history, tails)
    else:
        v = v.copy()
        end = v * weights[0]
        integral = v * tails[0]
        for m in range(1, m_max + 1):
            while width and sorted_terms[width - 1] < m:
                width -= 1
            if not width:
                break
            vv = v[:, :width]
            nxt = stay[:, :width] * vv
            nxt[1:] += b[:-1, :width] * vv[:-1]
            nxt[:-1] += d[1:, :width] * vv[1:]
            v[:, :width] = nxt
            end[:, :width] += weights[m, :width] * nxt
            integral[:, :width] += tails[m, :width] * nxt
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return end[:, inverse], integral[:, inverse]
