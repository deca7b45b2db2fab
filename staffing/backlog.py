"""A store-day's queue interval by interval, carrying unserved orders into the next interval.

Erlang C per interval (``staffing.queueing``) assumes every interval starts in steady state: an
interval at ρ >= 1 is "infinite", and a rush's leftover queue vanishes at the next interval.
This module follows the whole distribution of orders in the store through the day instead.

Model: the number of orders in the store is the birth-death process of the M(t)/M/c(t) queue
(orders arrive at λ(t), leave at μ·min(n, c(t))), and its Kolmogorov forward equations are
integrated with classical Runge-Kutta over a truncated state space that grows as needed. This is
the "exact method" of A. Ingolfsson, E. Akhmetshina, S. Budge, Y. Li and X. Wu, "A survey and
experimental comparison of service-level-approximation methods for nonstationary M(t)/M/s(t)
queueing systems with exhaustive discipline", INFORMS J. Computing 19(2):201-214, 2007. So:

- A steady interval with integer c settles exactly at Erlang C (``queueing.mean_wait_minutes``).
- ρ >= 1 for half an hour gives a queue that grows by about (λ − cμ) per minute, finite, and
  drains at cμ − λ afterwards; the drain time of the carried backlog is part of later waits.
- Fractional (effective) servers c < 1 are one server working at c·μ, the physical "solo worker
  who also runs the till" model; ``queueing`` uses the continuous Erlang C for these, which
  agrees near saturation but gives longer waits at low load (a = 0.3, c = 0.7: 2.6 vs 2.1 min).

Why not the Pointwise Stationary Fluid Flow Approximation (Wang, Tipper & Banerjee, INFOCOM '96),
which only tracks the mean: on peaked days with ρ up to 1.1-1.2 for half an hour it came out
6-12 % above the simulation (the stationary mean-to-throughput map under-serves a queue that is
building up, and drains it too early); this method stays within the simulation's own noise
(≤ 3 %) and costs about the same for fractional servers: 1-3 ms per store-day in a batch.

The wait of an order arriving at t: it starts at the (N − k + 1)-th start after it arrives, where N
is the number in the store and k = ⌈c⌉ the servers; starts happen at the roster's capacity c/S
while everyone is busy, plus one at once for each server joining later. Its expected wait is the
time that capacity needs to work off E[(N − k + 1)⁺] orders from t on (exact for constant c; in
steady state it is C·S/(c − a)). When servers leave, the model lowers the service rate at once,
where real staff finish the order in hand (a small approximation; ``simulate`` does the latter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

INTERVAL_MINUTES = 15.0
_TAIL = 1e-11  # probability below which the top states are treated as empty when sizing


@dataclass(frozen=True)
class BacklogResult:
    """Expected values per interval, arrays of shape (..., n_intervals).

    Orders are expected counts, waits minutes. ``queue_*`` counts orders waiting (not yet being
    made); ``backlog_end`` counts every order still in the store at the end of the interval
    (waiting or being made), which the next interval inherits. ``mean_wait`` and
    ``wait_probability`` are for an order arriving during the interval. ``utilisation`` is the busy
    share of the (effective) servers, NaN where nobody is on; ``offered_utilisation`` is the
    interval's own ρ = λ·S/(60·c) (it may exceed 1; +inf with orders but nobody on).
    """

    arrivals: np.ndarray
    served: np.ndarray
    queue_start: np.ndarray
    queue_end: np.ndarray
    mean_queue: np.ndarray
    backlog_end: np.ndarray
    mean_wait: np.ndarray
    wait_probability: np.ndarray
    utilisation: np.ndarray
    offered_utilisation: np.ndarray
    interval_minutes: float = INTERVAL_MINUTES

    @property
    def day_mean_wait(self) -> np.ndarray:
        """Mean wait of the day's orders (arrival-weighted), shape (...); 0 for a day without orders."""
        total = self.arrivals.sum(axis=-1)
        weighted = (self.arrivals * self.mean_wait).sum(axis=-1)
        return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), 0.0)[()]

    @property
    def peak_wait(self) -> np.ndarray:
        """Longest interval mean wait of the day, shape (...)."""
        return self.mean_wait.max(axis=-1)[()]


def backlog_day(
    arrivals_per_interval: ArrayLike,
    service_minutes: ArrayLike,
    servers: ArrayLike,
    interval_minutes: float = INTERVAL_MINUTES,
    initial_in_store: ArrayLike = 0,
    steps_per_interval: int | None = None,
) -> BacklogResult:
    """Expected queue, waits and backlog of each interval of a day; see the module docstring.

    ``arrivals_per_interval``: expected orders arriving in each interval (not per hour), shape
    (..., n_intervals); leading axes are stores or days, all computed at once.
    ``service_minutes``: mean minutes per order, scalar or per interval. ``servers``: servers per
    interval, possibly fractional effective servers (``queueing.effective_servers``). The three
    broadcast together. ``initial_in_store``: whole orders already in the store at the start,
    shape (...). After the last interval its capacity (or the last non-zero one) is assumed to
    stay until everyone is served. ``steps_per_interval``: Runge-Kutta steps per interval (at
    least 8 by default; raised where stability needs more).
    """
    lam, svc, c = np.broadcast_arrays(
        np.asarray(arrivals_per_interval, dtype=float),
        np.asarray(service_minutes, dtype=float),
        np.asarray(servers, dtype=float),
    )
    if lam.ndim == 0:
        raise ValueError("need at least one interval: shape (..., n_intervals)")
    if not np.all(np.isfinite(lam + svc + c)) or np.any(lam < 0) or np.any(c < 0) or np.any(svc <= 0):
        raise ValueError("arrivals and servers must be finite and >= 0, service_minutes > 0")
    if interval_minutes <= 0:
        raise ValueError("interval_minutes must be > 0")
    batch, n = lam.shape[:-1], lam.shape[-1]
    start_n = np.broadcast_to(np.asarray(initial_in_store), batch)
    if np.any(start_n < 0) or np.any(start_n != np.round(start_n)):
        raise ValueError("initial_in_store must be whole numbers of orders >= 0")
    start_n = start_n.astype(np.int64)

    rate_in = lam / interval_minutes  # orders per minute
    mu = 1.0 / svc
    capacity = c * mu  # starts per minute while every server is busy
    k_servers = np.ceil(c - 1e-9)  # an order waits iff it finds at least k in the store
    drain = _DrainClock(capacity, k_servers, interval_minutes)

    # The distribution is kept as p[state, store-day] (batch flattened), so that the shifts of
    # the forward equation move whole contiguous rows.
    flat = math.prod(batch)
    p = np.zeros((int(start_n.max(initial=0)) + 1, flat))
    p[start_n.ravel(), np.arange(flat)] = 1.0

    def per_store(values: np.ndarray) -> np.ndarray:
        return values.reshape(batch + values.shape[1:])

    keys = ("served", "q0", "q1", "mq", "bl", "w", "pw", "util")
    out = {key: np.empty(lam.shape) for key in keys}
    for i in range(n):
        lam_i, mu_i, c_i, k_i = rate_in[..., i], mu[..., i], c[..., i], k_servers[..., i]
        if not lam[..., i].any() and p[0].min(initial=1.0) > 1.0 - _TAIL:
            # Closed or idle: nobody arrives and the store is empty, so nothing changes (this
            # skips the night and most of a quiet day without integrating anything).
            for key in ("served", "q0", "q1", "mq", "bl", "w", "pw"):
                out[key][..., i] = 0.0
            out["util"][..., i] = np.where(c_i > 0, 0.0, np.nan)
            continue
        p = _with_headroom(p, float((lam[..., i] + 6.0 * np.sqrt(lam[..., i])).max(initial=0.0)) + 10.0)
        states = np.arange(p.shape[0], dtype=float)[:, None]
        death = mu_i.ravel() * np.minimum(states, c_i.ravel())
        birth = lam_i.ravel()
        fastest = float((lam_i + capacity[..., i]).max(initial=0.0))
        # Steps with dt·(λ + cμ) <= 1 keep classical Runge-Kutta stable (its limit is 1.39); an
        # even count for Simpson's rule. The grid is shared, so the fastest store-day sets it.
        m = max(steps_per_interval or 8, math.ceil(interval_minutes * fastest))
        m += m % 2
        dt = interval_minutes / m
        stats = _Stats(c_i.ravel(), k_i.ravel(), m + 1)
        stats.record(0, p)
        for step in range(1, m + 1):
            p = _rk4_step(p, birth, death, dt)
            stats.record(step, p)
        weights = np.where(np.arange(m + 1) % 2 == 1, 4.0, 2.0) / (3.0 * m)  # Simpson; λ is
        weights[[0, -1]] = 1.0 / (3.0 * m)  # constant within the interval, so time-average
        times = (i + np.linspace(0.0, 1.0, m + 1)) * interval_minutes

        waits = drain.wait(times, per_store(stats.ahead), i)
        in_store, queue = per_store(stats.in_store), per_store(stats.queue)
        out["served"][..., i] = in_store[..., 0] + lam[..., i] - in_store[..., -1]
        out["q0"][..., i], out["q1"][..., i] = queue[..., 0], queue[..., -1]
        out["mq"][..., i] = queue @ weights
        out["bl"][..., i] = in_store[..., -1]
        out["w"][..., i] = waits @ weights
        out["pw"][..., i] = per_store(stats.waits) @ weights
        with np.errstate(invalid="ignore", divide="ignore"):
            out["util"][..., i] = np.where(c_i > 0, (per_store(stats.busy) @ weights) / c_i, np.nan)

    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(lam == 0, 0.0, lam * svc / (interval_minutes * c))
    return BacklogResult(
        arrivals=lam.copy(),
        served=out["served"],
        queue_start=out["q0"],
        queue_end=out["q1"],
        mean_queue=out["mq"],
        backlog_end=out["bl"],
        mean_wait=out["w"],
        wait_probability=out["pw"],
        utilisation=out["util"],
        offered_utilisation=rho,
        interval_minutes=float(interval_minutes),
    )


def _with_headroom(p: np.ndarray, growth: float) -> np.ndarray:
    """Add states so that ``growth`` more orders fit above the highest occupied one (axis 0)."""
    occupied = np.nonzero((p > _TAIL).any(axis=1))[0]
    top = int(occupied[-1]) if occupied.size else 0
    needed = top + math.ceil(growth) + 1
    if needed <= p.shape[0]:
        return p
    return np.concatenate([p, np.zeros((needed - p.shape[0], p.shape[1]))])


def _forward(p: np.ndarray, birth: np.ndarray, death: np.ndarray) -> np.ndarray:
    """dp/dt of the birth-death chain; arrivals at the top state are held (headroom keeps it empty)."""
    up = birth * p
    down = death * p
    dp = -up
    dp -= down
    dp[1:] += up[:-1]
    dp[:-1] += down[1:]
    dp[-1] += up[-1]
    return dp


def _rk4_step(p: np.ndarray, birth: np.ndarray, death: np.ndarray, dt: float) -> np.ndarray:
    k = _forward(p, birth, death)
    total = k.copy()
    k = _forward(p + (0.5 * dt) * k, birth, death)
    total += 2.0 * k
    k = _forward(p + (0.5 * dt) * k, birth, death)
    total += 2.0 * k
    k = _forward(p + dt * k, birth, death)
    total += k
    total *= dt / 6.0
    total += p
    return total


class _Stats:
    """Expectations over the state distribution at each Runge-Kutta point of one interval.

    Everything comes from E[N] and the few states below k = ⌈c⌉: with q_n = P(N = n),
    E[min(N, c)] = c − Σ_{n<k} (c − n)·q_n, E[(N − k)⁺] = E[N] − k + Σ_{n<k} (k − n)·q_n,
    and the orders to start before an arrival, E[(N − k + 1)⁺] = E[(N − k)⁺] + P(N >= k).
    Arrays are (store-days, points); p is (states, store-days).
    """

    def __init__(self, c: np.ndarray, k: np.ndarray, points: int) -> None:
        shape = c.shape + (points,)
        self.c, self.k = c, k
        low = max(int(k.max(initial=0.0)), 1)
        j = np.arange(low, dtype=float)[:, None]
        below = j < k
        self.w_busy = np.where(below, c - j, 0.0)
        self.w_queue = np.where(below, k - j, 0.0)
        self.w_free = below.astype(float)
        self.low = low
        self.in_store, self.queue, self.busy = np.empty(shape), np.empty(shape), np.empty(shape)
        self.ahead, self.waits = np.empty(shape), np.empty(shape)

    def record(self, point: int, p: np.ndarray) -> None:
        head = p[: self.low]
        if head.shape[0] < self.low:  # fewer states than servers: the rest are empty
            head = np.concatenate([head, np.zeros((self.low - head.shape[0], p.shape[1]))])
        mean = np.arange(p.shape[0], dtype=float) @ p
        queue = np.maximum(mean - self.k + (head * self.w_queue).sum(axis=0), 0.0)
        waits = np.clip(1.0 - (head * self.w_free).sum(axis=0), 0.0, 1.0)
        self.in_store[:, point] = mean
        self.queue[:, point] = queue
        self.busy[:, point] = self.c - (head * self.w_busy).sum(axis=0)
        self.ahead[:, point] = queue + waits
        self.waits[:, point] = waits


class _DrainClock:
    """Minutes until the roster has made ``ahead`` starts from time t.

    K(t), the starts available by t, rises at the capacity c/S of each interval and jumps by the
    servers that join at an interval's start (each takes the head of the queue at once). After
    closing it goes on at the last non-zero capacity.
    """

    def __init__(self, capacity: np.ndarray, k_servers: np.ndarray, interval_minutes: float) -> None:
        n = capacity.shape[-1]
        self.t = interval_minutes
        self.rate = capacity
        joins = np.zeros(capacity.shape)
        joins[..., 1:] = np.maximum(np.diff(k_servers, axis=-1), 0.0)
        work = capacity * interval_minutes
        before = np.cumsum(work, axis=-1) - work  # capacity of the intervals before each one
        self.start = before + np.cumsum(joins, axis=-1)  # K at each interval's start, after joins
        self.end = self.start + work
        positive = capacity > 0
        last = n - 1 - np.argmax(positive[..., ::-1], axis=-1)
        after = np.take_along_axis(capacity, last[..., None], axis=-1)[..., 0]
        self.after_close = np.where(positive.any(axis=-1), after, 0.0)

    def wait(self, times: np.ndarray, ahead: np.ndarray, interval: int) -> np.ndarray:
        """Waits at ``times`` (m,) inside ``interval`` with ``ahead`` (..., m) starts needed."""
        n = self.rate.shape[-1]
        now = self.start[..., interval, None] + self.rate[..., interval, None] * (times - interval * self.t)
        target = now + ahead
        j = (self.end[..., None, :] < target[..., None]).sum(axis=-1)  # interval that reaches it
        jj = np.minimum(j, n - 1)
        k0 = np.take_along_axis(self.start, jj, axis=-1)
        rate = np.take_along_axis(self.rate, jj, axis=-1)
        short = np.maximum(target - k0, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            t_in = jj * self.t + np.where(short > 0, short / np.where(rate > 0, rate, 1.0), 0.0)
            t_after = n * self.t + (target - self.end[..., n - 1, None]) / self.after_close[..., None]
        done = np.where(j < n, t_in, t_after)
        return np.where(ahead > 0, np.maximum(done - times, 0.0), 0.0)
