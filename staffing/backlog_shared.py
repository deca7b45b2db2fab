"""``backlog_day`` for many rows that share their intervals: one pair of matrices per distinct interval.

Roster recommendations model a day with each candidate block added (``recommend``): 100-200 rows
that differ from the roster by one person in a few intervals, so an interval takes only two or
three distinct (arrivals, servers, speed, patience, cap) among all rows. ``backlog_day`` pays its
uniformization series (100-200 terms an interval at a 4-minute patience) for every row and every
call; here each distinct interval becomes, once, the matrices E = e^{Ah} (the distribution at its
end) and J = (1/h)∫₀ʰ e^{At} dt (its time-average), all distinct intervals of a call together by
scaling and squaring, and every row crosses the interval by one matrix product. A ``SharedBacklog``
keeps its matrices between calls: the greedy search's next step reuses all but the few intervals
where its roster changed.

Same chain and figures as ``backlog_day`` (``backlog_rows.interval_figures``). The one difference
is the state space: one top state for every row, raised until it holds under 1e-12 of any row's
probability, where ``backlog_day`` cuts each row at a Poisson tail of its own; the two agree to
about 1e-9 (tests/staffing/test_backlog_shared.py).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from staffing.backlog import _TAIL, INTERVAL_MINUTES, BacklogResult, _result, backlog_day
from staffing.backlog_rows import FIGURE_KEYS, DayRows, day_rows, figures_from_sums, mean_weights

TOP_MASS = 1e-12
"""Largest probability any row may hold in the top state, where arrivals are held back by the cut."""
MAX_STATES = 160
"""Beyond this many states (a long queue with nobody on and no patience) ``backlog_day`` is used."""
_GROWTH = 1.2  # states × this when the top state was reached (each miss costs a rebuild)
_TAYLOR_TERMS = 20  # with Λτ <= 1 the Poisson weights left after 20 terms are below 1e-19


class SharedBacklog:
    """A backlog kernel with the signature of ``backlog_day`` that remembers its interval matrices.

    Use one per store-day being searched (the matrices of one day's intervals are few); it is as
    exact as ``backlog_day`` for any input, and falls back to it past ``MAX_STATES`` states.
    """

    def __init__(self) -> None:
        self.states = 0
        self._index: dict[bytes, int] = {}
        self._stack: np.ndarray | None = None  # (matrices, rows, states): see _interval_matrices

    def __call__(
        self,
        arrivals_per_interval: ArrayLike,
        service_minutes: ArrayLike,
        servers: ArrayLike,
        interval_minutes: float = INTERVAL_MINUTES,
        initial_in_store: ArrayLike = 0,
        steps_per_interval: int | None = None,
        patience_minutes: ArrayLike | None = None,
        queue_cap: ArrayLike | None = None,
        keep_states: bool = True,
    ) -> BacklogResult:
        """``backlog_day``'s figures for the same arguments (``steps_per_interval`` is ignored there too)."""
        del steps_per_interval
        d = day_rows(
            arrivals_per_interval,
            service_minutes,
            servers,
            interval_minutes,
            initial_in_store,
            patience_minutes,
            queue_cap,
        )
        distinct, which = _distinct_intervals(d)
        states = self.states or _first_states(d)
        while states <= MAX_STATES:
            if states != self.states:
                self.states, self._index, self._stack = states, {}, None
            where = self._matrices_for(distinct)
            found = _propagate(d, self._stack, where[which], states, keep_states)
            if found is not None:
                return found
            states = math.ceil(states * _GROWTH)
        return backlog_day(
            arrivals_per_interval,
            service_minutes,
            servers,
            interval_minutes,
            initial_in_store,
            patience_minutes=patience_minutes,
            queue_cap=queue_cap,
            keep_states=keep_states,
        )

    def _matrices_for(self, distinct: np.ndarray) -> np.ndarray:
        """Where each distinct interval's stacked matrices are in ``self._stack``, built where missing."""
        names = [row.tobytes() for row in distinct]
        missing = [j for j, name in enumerate(names) if name not in self._index]
        if missing:
            built = _interval_matrices(distinct[missing], self.states)
            for j in missing:
                self._index[names[j]] = len(self._index)
            start = len(self._index) - len(missing)
            if self._stack is None or len(self._index) > self._stack.shape[0]:
                grown = np.zeros((max(2 * len(self._index), 64), *built.shape[1:]))
                if self._stack is not None:
                    grown[:start] = self._stack[:start]
                self._stack = grown
            self._stack[start : start + len(missing)] = built
        return np.array([self._index[name] for name in names], dtype=np.int64)


def _distinct_intervals(d: DayRows) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (λ, k, μ, θ, cap, h) among all (row, interval), and which one each is (flat, n).

    Sorted by a 64-bit hash of the five rates (one sort, where ``np.unique`` over rows of floats
    sorts lexicographically), then checked: on a collision, by the rates themselves."""
    fields = np.stack([f.ravel() for f in (d.birth_f, d.k_f, d.mu_f, d.theta_f, d.cap_f)], axis=1)
    bits = np.ascontiguousarray(fields).view(np.uint64)
    with np.errstate(over="ignore"):
        code = (bits * _HASH_MULTIPLIERS).sum(axis=1, dtype=np.uint64)
    _, first, which = np.unique(code, return_index=True, return_inverse=True)
    which = which.ravel()
    if not np.array_equal(bits[first][which], bits):
        _, first, which = np.unique(bits, axis=0, return_index=True, return_inverse=True)
        which = which.ravel()
    distinct = np.concatenate([fields[first], np.full((first.size, 1), d.h)], axis=1)
    return distinct, which.reshape(d.flat, d.n)


_HASH_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)


def _first_states(d: DayRows) -> int:
    """A first guess of the states a day needs: the servers plus an interval's arrivals from empty
    (a rush carries its queue over, so this is often raised once or twice)."""
    reach = np.where(
        d.theta_f > 0, -np.expm1(-d.theta_f * d.h) / np.where(d.theta_f > 0, d.theta_f, 1.0), d.h
    )
    reach = reach * d.birth_f
    top = d.k_f + np.ceil(reach + 5.0 * np.sqrt(reach) + 5.0)
    top = np.minimum(top, d.k_f + d.cap_f)
    return int(max(top.max(initial=0.0), d.start_n.max(initial=0))) + 2


def _interval_matrices(keys: np.ndarray, size: int) -> np.ndarray:
    """[E; J] (2·size, size) for each interval (births λ, servers k, per-server μ, θ, cap, h).

    Scaling and squaring on the uniformized chain: with Λ its fastest state and τ = h/2^s so that
    Λτ <= 1, e^{Aτ} = Σ_m Pois(m; Λτ)·P^m and ∫₀^τ e^{At} dt = Σ_m P(Pois(Λτ) > m)·P^m/Λ, with
    P = I + A/Λ (non-negative: no cancellation); then s doublings, e^{2Aτ} = e^{Aτ}·e^{Aτ} and
    ∫₀^{2τ} = ∫₀^τ + e^{Aτ}·∫₀^τ.
    """
    birth, k, mu, theta, cap, h = (keys[:, j, None] for j in range(6))
    states = np.arange(size, dtype=float)[None, :]
    waiting = np.maximum(states - k, 0.0)
    up = np.where((waiting < cap) & (states < size - 1), birth, 0.0)
    down = mu * np.minimum(states, k) + theta * waiting
    rate = np.maximum((up + down).max(axis=1), 1e-300)
    h = h[:, 0]
    doublings = max(0, math.ceil(math.log2(max(float((rate * h).max(initial=0.0)), 1.0))))
    tau = h / 2.0**doublings
    x = rate * tau
    diag = np.arange(size)
    step = np.zeros((keys.shape[0], size, size))  # P[to, from]
    step[:, diag, diag] = 1.0 - (up + down) / rate[:, None]
    step[:, diag[1:], diag[:-1]] = up[:, :-1] / rate[:, None]
    step[:, diag[:-1], diag[1:]] = down[:, 1:] / rate[:, None]
    m = np.arange(_TAYLOR_TERMS + 1, dtype=float)
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(m[1:]))])
    with np.errstate(divide="ignore"):
        weights = np.exp(m * np.log(x[:, None]) - x[:, None] - log_factorial)
    weights[:, 0] = np.exp(-x)
    # ∫ weights P(Pois > m)/Λ = τ·Σ_{j>m} e^{−x}·x^{j−1}/j!: summed from the top, never 1 − cdf,
    # which loses a quiet interval (Λτ ≈ 0) to rounding.
    with np.errstate(divide="ignore"):
        shifted = np.exp((m[1:] - 1.0) * np.log(x[:, None]) - x[:, None] - log_factorial[1:])
    shifted[:, 0] = np.exp(-x)
    above = np.cumsum(shifted[:, ::-1], axis=1)[:, ::-1]
    tails = np.concatenate([above, np.zeros((x.size, 1))], axis=1) * tau[:, None]
    eye = np.broadcast_to(np.eye(size), step.shape)
    end = weights[:, 0, None, None] * eye
    integral = tails[:, 0, None, None] * eye
    power = np.array(eye)
    for j in range(1, _TAYLOR_TERMS + 1):
        power = step @ power
        end += weights[:, j, None, None] * power
        integral += tails[:, j, None, None] * power
    for _ in range(doublings):
        integral += end @ integral
        end = end @ end
    mean = integral / h[:, None, None]
    # The figures are sums of per-state weights against the distributions (``backlog_rows``): as
    # rows on the start distribution they cost every row one matrix product per interval.
    column = states.T
    weights = mean_weights(column, k[:, 0], mu[:, 0], theta[:, 0], up.T, True)
    sums = np.stack(weights, axis=1).transpose(2, 1, 0)  # (keys, MEAN_SUMS, states)
    rows = [
        waiting[:, None, :],  # queue at the start
        np.einsum("ks,kst->kt", waiting, end)[:, None, :],  # queue at the end
        np.einsum("s,kst->kt", states[0], end)[:, None, :],  # orders in store at the end
        np.einsum("kjs,kst->kjt", sums, mean),
        mean[:, -1:, :],  # probability held at the top state (for the check of the cut)
    ]
    return np.concatenate([end, *rows, mean], axis=1)


_SUM_ROWS = 3 + 6 + 1  # q0, q1, bl, MEAN_SUMS, top


def _propagate(
    d: DayRows, matrices: np.ndarray, which: np.ndarray, size: int, keep_states: bool
) -> BacklogResult | None:
    """Every row through the day; None when some row reaches the top state (more states needed)."""
    if int(d.start_n.max(initial=0)) >= size - 1:
        return None
    p = np.zeros((size, d.flat))
    p[d.start_n.ravel(), np.arange(d.flat)] = 1.0
    used = 2 * size + _SUM_ROWS if keep_states else size + _SUM_ROWS
    sums = np.zeros((d.n, _SUM_ROWS, d.flat))
    means = np.zeros((d.n, size, d.flat)) if keep_states else None
    moving = np.zeros(d.n, dtype=bool)
    top = 0.0
    for i in range(d.n):
        if not d.birth_f[:, i].any() and p[0].min(initial=1.0) > 1.0 - _TAIL:
            continue  # closed or idle and empty: nothing changes (as in backlog_day)
        moving[i] = True
        col = which[:, i]
        first = col[0]
        if (col == first).all():
            both = matrices[first, :used] @ p
        else:
            both = np.empty((used, d.flat))
            for key in np.unique(col):
                rows = np.flatnonzero(col == key)
                both[:, rows] = matrices[key, :used] @ p[:, rows]
        p = both[:size]
        sums[i] = both[size : size + _SUM_ROWS]
        if keep_states:
            means[i] = both[size + _SUM_ROWS :]
        top = max(top, float((p[-1] * (d.k_f[:, i] + d.cap_f[:, i] > size - 1)).max(initial=0.0)))
    cut = (d.k_f + d.cap_f > size - 1).T[moving]  # rows whose top state holds arrivals back
    if max(top, float((sums[moving, -1] * cut).max(initial=0.0))) > TOP_MASS:
        return None
    out = {key: np.zeros((d.flat, d.n)) for key in FIGURE_KEYS}
    out["util"][:] = np.where(d.c_f > 0, 0.0, np.nan)
    out["share"][:] = 1.0
    if moving.any():
        got = sums[moving].transpose(1, 0, 2)  # (sums, moving intervals, rows)

        def per(x: np.ndarray) -> np.ndarray:
            return x.T[moving]

        figures = figures_from_sums(
            got[0],
            got[1],
            got[2],
            list(got[3:9]),
            per(d.k_f),
            per(d.mu_f),
            per(d.theta_f),
            per(d.birth_f),
            d.h,
        )
        for key, value in zip(FIGURE_KEYS, figures, strict=True):
            out[key][:, moving] = value.T
    states_arr = None
    if keep_states:
        states_arr = np.ascontiguousarray(np.transpose(means, (2, 0, 1))).reshape(d.batch + (d.n, size))
        if not moving.any():
            states_arr = np.zeros(d.batch + (d.n, 1))
            states_arr[..., 0] = 1.0
    return _result(d, out, p, states_arr)
