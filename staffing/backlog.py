"""A store-day's queue interval by interval, carrying unserved orders into the next interval.

Erlang C per interval (``staffing.queueing``) assumes every interval starts in steady state: an
interval at ρ >= 1 is "infinite", and a rush's leftover queue vanishes at the next interval.
This module follows the whole distribution of orders in the store through the day instead.

``backlog_day`` (issue 14/15): customers walk away after an exponential patience and may balk at a
queue cap, so the chain's deaths are μ'·min(n, k) + θ·max(n − k, 0) with k = ⌈c⌉ servers at speed
c/k (``erlang_a.servers_and_speed``: capacity = staff − chores, one model for any team). Each
interval is solved exactly by uniformization with every store-day's own rate, so batches of
store-days share no step count; waits, walk-aways and customer percentiles come from the states
arrivals find (``erlang_a.served_within`` for the per-state terms). Without abandonment it agrees
with the former solver, described below and kept as ``backlog_day_rk4``, to 1e-6.

Former solver (``backlog_day_rk4``). Model: the number of orders in the store is the birth-death process of the M(t)/M/c(t) queue
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

from staffing.backlog_rows import (
    FIGURE_KEYS,
    DayRows,
    after_close,
    checked_inputs,
    day_rows,
    interval_figures,
    start_orders,
)
from staffing.compiled import LazyKernel, numba_jit
from staffing.uniformization import transient
from staffing.wait_quantile_kernel import FOREVER, row_quantiles

INTERVAL_MINUTES = 15.0
_TAIL = 1e-11  # probability below which the top states are treated as empty when sizing
QUANTILE_TOL = 1e-3
"""Minutes within which a customer wait quantile is found (the index shows waits to 0.1 min)."""
QUANTILE_ROUNDS = 60


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
    walked_away: np.ndarray | None = None
    """Expected customers who leave without being served during the interval (patience or balking)."""
    nobody_rostered: np.ndarray | None = None
    """True where orders arrive and nobody is serving: everyone arriving is lost (or waits for later staff)."""
    served_share: np.ndarray | None = None
    """Share of the interval's arrivals that will be served (the rest walk away)."""
    walked_away_after_close: np.ndarray | None = None
    """Expected walk-aways among the orders still in the store after the last interval, shape (...)."""
    _arrival_states: np.ndarray | None = None
    """P(N = n) seen by arrivals per interval, (..., n_intervals, states); kept for customer percentiles."""
    _rate: np.ndarray | None = None
    _theta: np.ndarray | None = None
    _servers: np.ndarray | None = None
    _cap: np.ndarray | None = None

    @property
    def lost_orders(self) -> np.ndarray:
        """Expected customers lost over the day (walked away, balked, or left after close), shape (...)."""
        walked = np.zeros(self.arrivals.shape) if self.walked_away is None else self.walked_away
        after = 0.0 if self.walked_away_after_close is None else self.walked_away_after_close
        return (walked.sum(axis=-1) + after)[()]

    def lost_revenue(self, average_ticket: float | np.ndarray) -> np.ndarray:
        """Lost orders × the average ticket (the caller's currency), shape (...)."""
        return (self.lost_orders * np.asarray(average_ticket, dtype=float))[()]

    def wait_quantile(self, q: float = 0.9, mask: np.ndarray | None = None) -> np.ndarray:
        """The q-quantile of a served customer's wait over the intervals in ``mask`` (all by default).

        From the state distribution, not from interval means: the mixture over the states an
        arrival finds and over the intervals, weighted by arrivals, of P(served, wait <= t | state);
        see ``customer_wait_quantile``. Shape (...); 0 where nobody in the mask is served.
        """
        return customer_wait_quantile(self, q, mask)

    @property
    def day_mean_wait(self) -> np.ndarray:
        """Mean wait of the day's served orders, shape (...); 0 for a day without orders."""
        served = self.arrivals if self.served_share is None else self.arrivals * self.served_share
        total = served.sum(axis=-1)
        weighted = (served * self.mean_wait).sum(axis=-1)
        return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), 0.0)[()]

    @property
    def peak_wait(self) -> np.ndarray:
        """Longest interval mean wait of the day, shape (...)."""
        return self.mean_wait.max(axis=-1)[()]


def backlog_day_rk4(
    arrivals_per_interval: ArrayLike,
    service_minutes: ArrayLike,
    servers: ArrayLike,
    interval_minutes: float = INTERVAL_MINUTES,
    initial_in_store: ArrayLike = 0,
    steps_per_interval: int | None = None,
) -> BacklogResult:
    """The previous solver (Runge-Kutta, no abandonment), kept as the reference ``backlog_day`` is tested on.

    ``arrivals_per_interval``: expected orders arriving in each interval (not per hour), shape
    (..., n_intervals); leading axes are stores or days, all computed at once.
    ``service_minutes``: mean minutes per order, scalar or per interval. ``servers``: servers per
    interval, possibly fractional effective servers (``erlang_a.effective_capacity``). The three
    broadcast together. ``initial_in_store``: whole orders already in the store at the start,
    shape (...). After the last interval its capacity (or the last non-zero one) is assumed to
    stay until everyone is served. ``steps_per_interval``: Runge-Kutta steps per interval (at
    least 8 by default; raised where stability needs more).
    """
    lam, svc, c = checked_inputs(arrivals_per_interval, service_minutes, servers, interval_minutes)
    batch, n = lam.shape[:-1], lam.shape[-1]
    start_n = start_orders(initial_in_store, batch)

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


# --------------------------------------------------------------------------------------------
# Uniformization with abandonment: the batched kernel
# --------------------------------------------------------------------------------------------


def backlog_day(
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
    """Expected queue, waits, walk-aways and backlog of each interval of a day, many days at once.

    ``arrivals_per_interval``: expected orders per interval, shape (..., n_intervals); leading axes
    are store-days. ``service_minutes``: minutes per order; ``servers``: serving capacity c per
    interval (``erlang_a.effective_capacity``: staff − chore load), modelled as k = ⌈c⌉ servers at
    speed c/k; ``patience_minutes``: mean exponential patience (None or inf: nobody walks away);
    ``queue_cap``: customers finding this many waiting balk. All broadcast to (..., n_intervals).

    The state distribution follows the forward equations of the birth-death chain with births λ
    (0 at the cap) and deaths μ·min(n, k) + θ·max(n − k, 0), solved exactly per interval by
    uniformization: p(t) = Σ_m Pois(m; Λt)·p·P^m with P = I + Q/Λ and each store-day's own Λ,
    and ∫p = Σ_m P(Pois(Λh) > m)·p·P^m/Λ. With numba each row goes through its whole day compiled
    (``uniformization_compiled.day``: no numpy call per interval, and a row's figures do not depend
    on the rows beside it); in numpy every row moves at once, interval by interval, sorted by term
    count so the busy rows do not set the work of the quiet ones. Customer figures (``mean_wait``, ``wait_probability``,
    ``served_share``, ``wait_quantile``) are for arrivals during the interval, from the states they
    find and the capacity of that interval (a later change of roster is not foreseen in a waiting
    customer's wait; it is in the states). ``steps_per_interval`` is ignored (kept for callers of the
    Runge-Kutta solver, ``backlog_day_rk4``).
    """
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
    compiled = _compiled_day(d, keep_states)
    if compiled is not None:
        return _result(d, *compiled)
    return _numpy_day(d, keep_states)


def _build_day():
    """The compiled day (``uniformization_compiled.day``), or None (``staffing.compiled``)."""
    if numba_jit() is None:
        return None
    from staffing.uniformization_compiled import day

    return day


DAY = LazyKernel(_build_day)


def _compiled_day(d: DayRows, keep_states: bool) -> tuple | None:
    """``backlog_day``'s figures, last distributions and kept arrival states from the compiled
    day (``uniformization_compiled.day``), or None where numba is not in use here."""
    kernel = DAY.get()
    if kernel is None:
        return None
    from staffing.uniformization_compiled import unpacked

    try:
        figures, kept, kept_at, kept_len, ends, ends_at, ends_len = kernel(
            d.birth_f,
            d.k_f,
            d.mu_f,
            d.theta_f,
            d.cap_f,
            d.c_f,
            d.start_n.reshape(d.flat),
            d.h,
            _TAIL,
            keep_states,
        )
        p_end = np.ascontiguousarray(unpacked(ends, ends_at, ends_len, int(ends_len.max(initial=1))).T)
        states_arr = None
        if keep_states and not (kept_at >= 0).any():  # every interval idle: all in state 0
            states_arr = np.zeros(d.batch + (d.n, 1))
            states_arr[..., 0] = 1.0
        elif keep_states:
            top = int(kept_len.max())
            states_arr = unpacked(kept, kept_at, kept_len, top).reshape(d.batch + (d.n, top))
    except Exception:  # noqa: BLE001 - numba's errors share no base class; any means "use numpy"
        DAY.failed("backlog day")
        return None
    return dict(zip(FIGURE_KEYS, figures, strict=True)), p_end, states_arr


def _numpy_day(d: DayRows, keep_states: bool) -> BacklogResult:
    """``backlog_day`` in numpy: interval by interval, every row at once (padded to the biggest)."""
    batch, n, start_n, flat, h = d.batch, d.n, d.start_n, d.flat, d.h
    c_f, theta_f, cap_f, k_f, mu_f, birth_f = d.c_f, d.theta_f, d.cap_f, d.k_f, d.mu_f, d.birth_f

    p = np.zeros((int(start_n.max(initial=0)) + 1, flat))
    p[start_n.ravel(), np.arange(flat)] = 1.0
    out = {key: np.zeros((flat, n)) for key in FIGURE_KEYS}
    kept: list[tuple[int, np.ndarray]] = []
    for i in range(n):
        lam_i, k_i, mu_i, th_i, cap_i = birth_f[:, i], k_f[:, i], mu_f[:, i], theta_f[:, i], cap_f[:, i]
        if not lam_i.any() and p[0].min(initial=1.0) > 1.0 - _TAIL:
            out["util"][:, i] = np.where(c_f[:, i] > 0, 0.0, np.nan)
            out["share"][:, i] = 1.0
            continue
        # Each row's own top state: its highest occupied state plus the arrivals it can gain in the
        # interval (a Poisson quantile of λ·(1 − e^{−θh})/θ: waiting customers leave at θ each, so
        # with patience the queue cannot grow by a whole interval's arrivals), bounded by the cap.
        # Above it a row's rates are 0, so its uniformization rate Λ stays that of its own states.
        reach = np.where(th_i > 0, -np.expm1(-th_i * h) / np.where(th_i > 0, th_i, 1.0), h) * lam_i
        occupied = p.shape[0] - 1 - np.argmax(p[::-1] > _TAIL, axis=0)
        top_r = occupied + np.ceil(reach + 5.0 * np.sqrt(reach) + 5.0)
        top_r = np.minimum(top_r, np.maximum(k_i + cap_i, occupied))
        p = _pad(p, int(top_r.max(initial=0.0)) + 1)
        states = np.arange(p.shape[0], dtype=float)[:, None]
        waiting = np.maximum(states - k_i, 0.0)
        busy = np.minimum(states, k_i)
        inside = states <= top_r
        birth = np.where((waiting < cap_i) & (states < top_r), lam_i, 0.0)
        death = np.where(inside, mu_i * busy + th_i * waiting, 0.0)
        p0 = p
        p, mean_p = transient(p, birth, death, h)
        if keep_states:
            kept.append((i, mean_p))
        figures = interval_figures(p0, p, mean_p, states, k_i, mu_i, th_i, lam_i, birth, inside, h)
        for key, value in zip(FIGURE_KEYS, figures, strict=True):
            out[key][:, i] = value

    states_arr = None
    if keep_states and not kept:
        states_arr = np.zeros(batch + (n, 1))
        states_arr[..., 0] = 1.0
    elif keep_states:
        top = max(m.shape[0] for _, m in kept)
        states_arr = np.zeros((flat, n, top))
        for i, m in kept:
            states_arr[:, i, : m.shape[0]] = m.T
        states_arr = states_arr.reshape(batch + (n, top))
    return _result(d, out, p, states_arr)


def _result(d: DayRows, out: dict[str, np.ndarray], p_end: np.ndarray, states_arr) -> BacklogResult:
    """The ``BacklogResult`` of a day's figures per row (flat, n) and its last distribution ``p_end``."""
    after = after_close(p_end, d.k_f, d.mu_f, d.theta_f)
    lam, svc, c = d.lam, d.svc, d.c
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(lam == 0, 0.0, lam * svc / (d.h * c))

    def shaped(x: np.ndarray) -> np.ndarray:
        return x.reshape(d.batch + (d.n,))

    return BacklogResult(
        arrivals=lam.copy(),
        served=shaped(out["served"]),
        queue_start=shaped(out["q0"]),
        queue_end=shaped(out["q1"]),
        mean_queue=shaped(out["mq"]),
        backlog_end=shaped(out["bl"]),
        mean_wait=shaped(out["w"]),
        wait_probability=shaped(out["pw"]),
        utilisation=shaped(out["util"]),
        offered_utilisation=rho,
        interval_minutes=d.h,
        walked_away=shaped(out["walk"]),
        nobody_rostered=(c == 0) & (lam > 0),
        served_share=shaped(out["share"]),
        walked_away_after_close=after.reshape(d.batch)[()],
        _arrival_states=states_arr,
        _rate=shaped(d.k_f * d.mu_f),
        _theta=shaped(d.theta_f),
        _servers=shaped(d.k_f),
        _cap=shaped(d.cap_f),
    )


def _pad(p: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([p, np.zeros((size - p.shape[0], p.shape[1]))]) if p.shape[0] < size else p


def customer_wait_quantile(
    result: BacklogResult, q: float = 0.9, mask: np.ndarray | None = None
) -> np.ndarray:
    """The q-quantile of a served customer's wait over the masked intervals of each store-day.

    F(t) = Σ_i λ_i Σ_n p_i(n)·P(served, wait <= t | n) / Σ_i λ_i Σ_n p_i(n)·P(served | n), with the
    per-state terms of ``erlang_a.served_within``; solved for F(t) = q by regula falsi (to 1e-3 min, 0.06 s).
    Needs the states kept (``backlog_day(..., keep_states=True)``).
    """
    if result._arrival_states is None:
        raise ValueError("the backlog was computed with keep_states=False")
    return customer_wait_quantile_of(
        result.arrivals,
        result._arrival_states,
        result._rate,
        result._theta,
        result._servers,
        result._cap,
        q,
        mask,
    )


def _illinois(f, goal, lo, hi, f_lo, f_hi, tol=QUANTILE_TOL, rounds=QUANTILE_ROUNDS):
    """Shrink every row's bracket [lo, hi] (f(lo) < goal <= f(hi)) around f(t) = goal to ``tol``.

    Regula falsi with the Illinois modification, a bisection step every third round, so a
    smooth monotone F needs 6-10 evaluations instead of bisection's 17 (each one is a pass over
    every state of every interval of every row); rows already within ``tol`` stay put.
    """
    side = np.zeros(lo.shape, dtype=np.int8)  # which end moved last: -1 low, +1 high
    for step in range(rounds):
        open_rows = (hi - lo) >= tol
        if not open_rows.any():
            break
        with np.errstate(invalid="ignore", divide="ignore"):
            guess = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        usable = np.isfinite(guess) & (guess > lo) & (guess < hi) & (step % 3 != 2)
        mid = np.where(usable, guess, 0.5 * (lo + hi))
        # Stop short of the bracket's ends so each round shrinks it by at least tol/4.
        mid = np.clip(mid, lo + 0.25 * tol, hi - 0.25 * tol)
        f_mid = f(mid) - goal
        low = (f_mid < 0) & open_rows
        high = (f_mid >= 0) & open_rows
        # Illinois: an end that stays twice in a row has its value halved, so the next secant
        # moves towards it instead of creeping.
        f_hi = np.where(low & (side == -1), 0.5 * f_hi, f_hi)
        f_lo = np.where(high & (side == 1), 0.5 * f_lo, f_lo)
        lo, f_lo = np.where(low, mid, lo), np.where(low, f_mid, f_lo)
        hi, f_hi = np.where(high, mid, hi), np.where(high, f_mid, f_hi)
        side = np.where(low, -1, np.where(high, 1, side)).astype(np.int8)
    return lo, hi


def customer_wait_quantile_of(
    arrivals, states, rate, theta, servers, cap, q=0.9, mask=None, rows=None
) -> np.ndarray:
    """``customer_wait_quantile`` on plain arrays (arrivals (..., n), states (..., n, S), per-interval
    total service rate, abandonment rate θ, servers k and queue cap).

    With ``rows``, the arrays are days (D, n, ...) and ``mask`` is (R, n): row r is the masked
    intervals of day ``rows[r]`` (a store-day and each of its shifts), shape (R,). The per-state
    terms are then taken once per day, not once per mask.
    """
    if not 0 < q < 1:
        raise ValueError("q must be in (0, 1)")
    states = np.asarray(states)
    batch = states.shape[:-2]
    n, top = states.shape[-2:]
    days = math.prod(batch)
    arrivals = np.asarray(arrivals, dtype=float)
    lam_day = arrivals.reshape(days, n)
    if rows is None:
        rows = np.arange(days)
        weight = lam_day
        if mask is not None:
            weight = lam_day * np.broadcast_to(np.asarray(mask, dtype=bool), arrivals.shape).reshape(days, n)
    else:
        rows = np.asarray(rows, dtype=np.int64)
        batch = rows.shape
        weight = lam_day[rows] * np.asarray(mask, dtype=bool)
    flat = rows.size
    # Only intervals with arrivals in some mask count: drop the rest (nights, closed hours).
    cols = np.flatnonzero((weight > 0).any(axis=0))
    pm = states.reshape(days, n, top)[:, cols]
    k_day = np.asarray(servers).reshape(days, n)[:, cols].astype(np.int64)
    cap_day = np.asarray(cap).reshape(days, n)[:, cols]
    lam = weight[:, cols]
    rate = np.asarray(rate).reshape(days, n)[:, cols][rows]
    theta = np.asarray(theta).reshape(days, n)[:, cols][rows]
    n_idx = np.arange(top)
    below = (pm * (n_idx < k_day[..., None])).sum(axis=-1)[rows] * lam
    queued = pm * (n_idx >= k_day[..., None])
    occupied = np.flatnonzero((queued > 1e-13).any(axis=(0, 1)))
    span = int(occupied[-1] - max(int(k_day.min(initial=0)), 0) + 1) if occupied.size else 0
    span = max(min(span, top), 1)  # j = 0 .. span - 1
    ahead = k_day[..., None] + np.arange(span)  # (days, intervals, j): the state found
    found = np.take_along_axis(pm, np.minimum(ahead, top - 1), axis=-1)
    found = np.where((ahead < top) & (np.arange(span) < cap_day[..., None]), found, 0.0)
    compiled = row_quantiles(below, found, rows, lam, rate, theta, q, QUANTILE_TOL, QUANTILE_ROUNDS)
    if compiled is not None:
        return compiled.reshape(batch)[()]
    # Per j, what every evaluation reuses: the arrivals finding j waiting ahead who will be served
    # (states found × arrivals × P(served | j); zero where balking or past the top) and the ratio
    # of consecutive Poisson-tail terms (without φ).
    served_ahead = []
    for j in range(span):
        with np.errstate(invalid="ignore", divide="ignore"):
            served_ahead.append(
                found[rows, :, j] * lam * np.where(rate > 0, rate / (rate + (j + 1) * theta), 0.0)
            )
    ratios = [(rate + j * theta) / j for j in range(1, span)]

    def served_by(t: np.ndarray) -> np.ndarray:
        tt = np.broadcast_to(t[:, None], rate.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            phi = np.where(theta > 0, -np.expm1(-theta * tt) / np.where(theta > 0, theta, 1.0), tt)
        term = np.exp(-(rate + theta) * tt)
        tail = term.copy()
        total = below.copy()
        for j in range(span):
            if j:
                term = term * ratios[j - 1] * phi
                tail += term
            total += served_ahead[j] * np.minimum(np.maximum(1.0 - tail, 0.0), 1.0)
        return total.sum(axis=-1)

    big = np.full(flat, FOREVER)
    everyone = served_by(big)
    goal = q * everyone
    lo, hi = np.zeros(flat), np.full(flat, 1.0)
    f_lo, f_hi = served_by(lo) - goal, served_by(hi) - goal
    for _ in range(QUANTILE_ROUNDS):  # find an upper bound
        short = f_hi < 0
        if not short.any():
            break
        lo, f_lo = np.where(short, hi, lo), np.where(short, f_hi, f_lo)
        hi = np.where(short, hi * 2.0, hi)
        f_hi = np.where(short, served_by(hi) - goal, f_hi)
    lo, hi = _illinois(served_by, goal, lo, hi, f_lo, f_hi)
    out = np.where(everyone > 0, 0.5 * (lo + hi), 0.0)
    return out.reshape(batch)[()]
