"""Monte Carlo of a store-day's queue: time-varying Poisson orders, a roster, FCFS service.

The check on the analytic models (``staffing.queueing`` for one steady interval,
``staffing.backlog`` for a whole day). Every replication of a day is simulated at once: the
loop runs over customers in arrival order and each step updates all replications as numpy
arrays (Kiefer-Wolfowitz recursion: the next customer starts on the server that is free
first). Waits are queue waits in minutes: from arriving to starting to be served.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from staffing.erlang_a import servers_and_speed

INTERVAL_MINUTES = 15.0

SeedLike = int | np.random.Generator | None


@dataclass(frozen=True)
class SimulationResult:
    """Waits and queues of ``replications`` simulated days, pooled over every customer.

    ``interval_mean_wait`` is by the interval the customer arrived in (NaN where nobody
    arrived in any replication); ``interval_mean_queue`` is the time-average number of orders
    waiting (not yet being made) during the interval. ``max_queue`` is the most orders seen
    waiting at once in any replication (-1 when customers walk away: not tracked then). ``customers`` counts all replications together.
    """

    mean_wait: float
    p50_wait: float
    p90_wait: float
    p95_wait: float
    max_queue: int
    interval_mean_wait: np.ndarray
    interval_mean_queue: np.ndarray
    customers: int
    replications: int
    replication_mean_waits: np.ndarray
    walked_away: float = 0.0
    """Mean customers per day who walked away (ran out of patience)."""
    interval_walked_away: np.ndarray | None = None
    """Mean walk-aways per day by the interval they arrived in."""
    arrived: int = 0
    """Customers who arrived, all replications (``customers`` counts the served ones)."""

    @property
    def mean_wait_stderr(self) -> float:
        """Standard error of ``mean_wait`` from the spread of the replications' own means."""
        return _stderr(self.replication_mean_waits)


@dataclass(frozen=True)
class StationaryResult:
    """Waits of a constant-rate M/M/c (or M/G/c) queue after ``warmup`` customers per replication.

    ``customers`` counts the customers in the statistics (replications × (customers − warmup)).
    """

    mean_wait: float
    p50_wait: float
    p90_wait: float
    p95_wait: float
    customers: int
    replications: int
    warmup: int
    replication_mean_waits: np.ndarray
    abandon_share: float = 0.0
    """Share of customers (after warm-up) who walked away; waits are of the served ones."""

    @property
    def mean_wait_stderr(self) -> float:
        """Standard error of ``mean_wait`` from the spread of the replications' own means."""
        return _stderr(self.replication_mean_waits)


def simulate_day(
    arrivals_per_interval: ArrayLike,
    service_minutes: ArrayLike,
    servers: ArrayLike,
    replications: int = 200,
    seed: SeedLike = None,
    service_cv: float | None = None,
    interval_minutes: float = INTERVAL_MINUTES,
    patience_minutes: float | None = None,
    dispersion: float | None = None,
) -> SimulationResult:
    """Simulate ``replications`` days of one store and pool every customer's wait.

    ``arrivals_per_interval``: expected orders in each interval (Poisson, uniform within the
    interval). ``service_minutes``: mean service time, a scalar or one per interval (the
    interval the order arrived in). ``servers``: whole staff on duty per interval; a server
    going off duty finishes the order in hand first. After the last interval the last
    interval's staff (or, if none, the last staff of the day) serve whoever is still waiting.
    Service times are exponential, or lognormal with coefficient of variation ``service_cv``.

    ``servers`` may be a fractional serving capacity c (staff − chore load): then k = ⌈c⌉ servers
    work at speed c/k (chores interrupt each of them; the order started in an interval takes its
    work divided by that interval's speed), the people model of ``erlang_a.servers_and_speed``.
    ``patience_minutes``: each customer's patience is exponential with this mean; one who would
    start later than that walks away (and takes no server's time). ``dispersion``: arrivals per
    interval are negative binomial (gamma-mixed Poisson) with variance mean·(1 + mean/dispersion),
    the over-dispersion of real order counts; None for Poisson.
    """
    lam = np.asarray(arrivals_per_interval, dtype=float)
    if lam.ndim != 1:
        raise ValueError("arrivals_per_interval must be one day: shape (n_intervals,)")
    n = lam.size
    capacity = np.asarray(servers, dtype=float)
    if capacity.shape != (n,):
        raise ValueError(f"servers must have shape ({n},), got {capacity.shape}")
    if np.any(capacity < 0) or not np.all(np.isfinite(capacity)):
        raise ValueError("servers must be finite, non-negative serving capacities")
    k_servers, speed = servers_and_speed(capacity)
    roster = k_servers.astype(np.int64)
    if patience_minutes is not None and not patience_minutes > 0:
        raise ValueError("patience_minutes must be > 0")
    if dispersion is not None and not dispersion > 0:
        raise ValueError("dispersion must be > 0")
    mean_service = np.broadcast_to(np.asarray(service_minutes, dtype=float), (n,))
    if np.any(lam < 0) or np.any(mean_service <= 0):
        raise ValueError("arrivals must be >= 0 and service_minutes > 0")
    if replications < 1:
        raise ValueError("replications must be >= 1")
    rng = np.random.default_rng(seed)

    arrival, interval_of = _day_arrivals(rng, lam, replications, interval_minutes, dispersion)  # (M, R)
    arrived = int(np.isfinite(arrival).sum())
    if arrived and roster.max() == 0 and patience_minutes is None:
        raise ValueError("orders arrive but the roster has no staff at any time")
    service = _service_times(rng, arrival.shape, service_cv) * mean_service[interval_of]
    patience = None
    if patience_minutes is not None:
        patience = rng.exponential(float(patience_minutes), size=arrival.shape)
    start = _fcfs_roster(arrival, service, roster, interval_minutes, speed, patience)

    walked = np.isfinite(arrival) & np.isnan(start)
    lost_by_interval = np.bincount(interval_of[walked], minlength=n) / replications
    real = np.isfinite(arrival) & ~walked
    total = int(real.sum())
    with np.errstate(invalid="ignore"):  # padding: inf - inf
        waits = np.where(real, start - arrival, np.nan)
    pooled = waits[real]
    per_rep_n = real.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rep_means = np.where(per_rep_n > 0, np.nansum(waits, axis=0) / per_rep_n, 0.0)

    counts = np.bincount(interval_of[real], minlength=n)
    sums = np.bincount(interval_of[real], weights=pooled, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        interval_wait = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    edges = np.arange(n + 1) * interval_minutes
    # Walk-aways wait until they leave: arrival + patience.
    left_at = np.where(walked, arrival + (patience if patience is not None else 0.0), start)
    queued = np.isfinite(arrival)
    waited = _cumulative_waiting(arrival[queued], left_at[queued], edges)
    interval_queue = np.diff(waited) / (interval_minutes * replications)

    p50, p90, p95 = np.percentile(pooled, [50, 90, 95]) if total else (0.0, 0.0, 0.0)
    return SimulationResult(
        mean_wait=float(pooled.mean()) if total else 0.0,
        p50_wait=float(p50),
        p90_wait=float(p90),
        p95_wait=float(p95),
        max_queue=_max_queue(arrival, np.where(walked, left_at, start)) if not walked.any() else -1,
        interval_mean_wait=interval_wait,
        interval_mean_queue=interval_queue,
        customers=total,
        replications=replications,
        replication_mean_waits=rep_means,
        walked_away=float(walked.sum() / replications),
        interval_walked_away=lost_by_interval,
        arrived=arrived,
    )


def simulate_mmc(
    arrivals_per_hour: float,
    service_minutes: float,
    servers: int,
    customers: int,
    replications: int = 100,
    warmup: int = 0,
    seed: SeedLike = None,
    service_cv: float | None = None,
    patience_minutes: float | None = None,
) -> StationaryResult:
    """Simulate ``replications`` independent M/M/c queues, each from empty for ``customers`` orders.

    The first ``warmup`` customers of each replication are simulated but left out of the
    statistics (they see an emptier store than the steady state). Lognormal service times
    with coefficient of variation ``service_cv`` give an M/G/c queue instead.
    """
    if servers < 1 or int(servers) != servers:
        raise ValueError("servers must be a whole number >= 1")
    if not 0 <= warmup < customers:
        raise ValueError("need 0 <= warmup < customers")
    if arrivals_per_hour <= 0 or service_minutes <= 0:
        raise ValueError("arrivals_per_hour and service_minutes must be > 0")
    rng = np.random.default_rng(seed)
    shape = (customers, replications)
    # Customers along axis 0 so that each step of the recursion reads one contiguous row.
    arrival = np.cumsum(rng.exponential(60.0 / arrivals_per_hour, size=shape), axis=0)
    service = _service_times(rng, shape, service_cv) * service_minutes
    if patience_minutes is None:
        start = _fcfs_constant(arrival, service, int(servers))
        waits = (start - arrival)[warmup:]
        walked = 0.0
    else:  # M/M/c+M: a customer who would start after their patience walks away
        patience = rng.exponential(float(patience_minutes), size=shape)
        start = _fcfs_patient(arrival, service, int(servers), patience)
        kept = start[warmup:] - arrival[warmup:]
        walked = float(np.isnan(kept).mean())
        waits = np.where(np.isnan(kept), np.nan, kept)
        per_rep = np.nanmean(waits, axis=0)
        waits = waits[~np.isnan(waits)]
        return _stationary(waits, replications, warmup, per_rep, walked)
    return _stationary(waits, replications, warmup, waits.mean(axis=0), 0.0)


def _stationary(
    waits: np.ndarray, replications: int, warmup: int, per_rep: np.ndarray, walked: float
) -> StationaryResult:
    """The summary of the served customers' waits (flattened) and the share that walked away."""
    p50, p90, p95 = np.percentile(waits, [50, 90, 95])
    return StationaryResult(
        mean_wait=float(waits.mean()),
        p50_wait=float(p50),
        p90_wait=float(p90),
        p95_wait=float(p95),
        customers=waits.size,
        replications=replications,
        warmup=warmup,
        replication_mean_waits=per_rep,
        abandon_share=walked,
    )


def _stderr(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else math.nan


def _service_times(rng: np.random.Generator, shape: tuple[int, ...], cv: float | None) -> np.ndarray:
    """Unit-mean service times: exponential, or lognormal with coefficient of variation ``cv``."""
    if cv is None:
        return rng.standard_exponential(size=shape)
    if cv < 0:
        raise ValueError("service_cv must be >= 0")
    sigma2 = math.log1p(cv * cv)
    return rng.lognormal(-sigma2 / 2.0, math.sqrt(sigma2), size=shape)


def _day_arrivals(
    rng: np.random.Generator,
    lam: np.ndarray,
    replications: int,
    interval_minutes: float,
    dispersion: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted arrival times (M, R) padded with +inf, and each one's interval index (0 for padding)."""
    n = lam.size
    if dispersion is None:
        counts = rng.poisson(lam, size=(replications, n))
    else:  # gamma-mixed Poisson: mean λ, variance λ + λ²/dispersion
        counts = rng.poisson(rng.gamma(dispersion, lam / dispersion, size=(replications, n)))
    totals = counts.sum(axis=1)
    longest = int(totals.max()) if replications else 0
    rep = np.repeat(np.arange(replications), totals)
    interval = np.repeat(np.tile(np.arange(n), replications), counts.ravel())
    times = (interval + rng.random(rep.size)) * interval_minutes
    # Sort within each replication: blocks are already in replication order, so offset the keys.
    horizon = (n + 1) * interval_minutes
    order = np.argsort(rep * horizon + times, kind="stable")
    times, interval = times[order], interval[order]
    position = np.arange(rep.size) - np.repeat(np.cumsum(totals) - totals, totals)
    arrival = np.full((longest, replications), np.inf)
    arrival[position, rep] = times
    interval_of = np.zeros((longest, replications), dtype=np.int64)
    interval_of[position, rep] = interval
    return arrival, interval_of


def _fcfs_constant(arrival: np.ndarray, service: np.ndarray, servers: int) -> np.ndarray:
    """Service start times for c identical servers, FCFS; rows are customers, columns replications."""
    start = np.empty_like(arrival)
    replications = arrival.shape[1]
    if servers == 1:
        free = np.zeros(replications)
        for i in range(arrival.shape[0]):
            s = np.maximum(arrival[i], free, out=start[i])
            np.add(s, service[i], out=free)
        return start
    if servers == 2:
        # Keep the two free-at times sorted: first <= second.
        first = np.zeros(replications)
        second = np.zeros(replications)
        done = np.empty(replications)
        for i in range(arrival.shape[0]):
            s = np.maximum(arrival[i], first, out=start[i])
            np.add(s, service[i], out=done)
            np.minimum(done, second, out=first)
            np.maximum(done, second, out=second)
        return start
    free = np.zeros((replications, servers))
    rows = np.arange(replications)
    for i in range(arrival.shape[0]):
        k = free.argmin(axis=1)
        s = np.maximum(arrival[i], free[rows, k], out=start[i])
        free[rows, k] = s + service[i]
    return start


def _fcfs_patient(arrival: np.ndarray, service: np.ndarray, servers: int, patience: np.ndarray) -> np.ndarray:
    """Start times for c identical servers, FCFS, with walk-aways (NaN starts); see ``_fcfs_roster``."""
    start = np.empty_like(arrival)
    replications = arrival.shape[1]
    if servers <= 2:
        # Keep the free-at times sorted, first <= second (one server: second stays +inf).
        first = np.zeros(replications)
        second = np.zeros(replications) if servers == 2 else np.full(replications, np.inf)
        for i in range(arrival.shape[0]):
            s = np.maximum(arrival[i], first)
            served = s <= arrival[i] + patience[i]
            start[i] = np.where(served, s, np.nan)
            done = np.where(served, s + service[i], first)
            first = np.where(served, np.minimum(done, second), first)
            second = np.where(served, np.maximum(done, second), second)
        return start
    free = np.zeros((replications, servers))
    rows = np.arange(replications)
    for i in range(arrival.shape[0]):
        k = free.argmin(axis=1)
        s = np.maximum(arrival[i], free[rows, k])
        served = s <= arrival[i] + patience[i]
        start[i] = np.where(served, s, np.nan)
        free[rows, k] = np.where(served, s + service[i], free[rows, k])
    return start


def _fcfs_roster(
    arrival: np.ndarray,
    service: np.ndarray,
    roster: np.ndarray,
    interval_minutes: float,
    speed: np.ndarray | None = None,
    patience: np.ndarray | None = None,
) -> np.ndarray:
    """Service start times under a roster: server slot k works in the intervals where roster > k.

    A customer starts at the earliest moment a slot is both free and on duty; a slot going off
    duty mid-service finishes the order. Padded (+inf) arrivals get +inf starts. With ``speed``
    (per interval) an order's work takes work/speed of the interval it starts in; with ``patience``
    a customer who would start later than arrival + patience walks away (start NaN) and takes no
    slot's time: FCFS with abandonment keeps the recursion, since a walk-away never delays anyone.
    """
    n = roster.size
    last = int(np.flatnonzero(roster)[-1]) if roster.any() else n - 1
    after_close = int(roster[last])
    extended = np.append(roster, after_close)  # index n: after the last interval, open-ended
    speed_ext = np.ones(n + 1) if speed is None else np.append(speed, speed[last])
    speed_ext = np.where(speed_ext > 0, speed_ext, 1.0)
    slots = max(int(extended.max()), 1)
    on_duty = extended[None, :] > np.arange(slots)[:, None]  # (slots, n + 1)
    # next_on[k, j]: when slot k is next on duty, from the start of interval j (inf if never).
    next_on = np.full((slots, n + 2), np.inf)
    for j in range(n, -1, -1):
        next_on[:, j] = np.where(on_duty[:, j], j * interval_minutes, next_on[:, j + 1])
    on_flat = on_duty.ravel()
    next_flat = next_on[:, : n + 1].ravel()
    slot_base = (np.arange(slots) * (n + 1))[None, :]

    close = n * interval_minutes
    replications = arrival.shape[1]
    rows = np.arange(replications)
    free = np.zeros((replications, slots))
    start = np.empty_like(arrival)
    for i in range(arrival.shape[0]):
        t = np.maximum(arrival[i][:, None], free)
        j = (np.minimum(t, close) // interval_minutes).astype(np.int64)  # +inf -> n
        flat = slot_base + j
        ready = np.where(on_flat[flat], t, next_flat[flat])
        k = ready.argmin(axis=1)
        s = ready[rows, k]
        if patience is None:
            start[i] = s
            free[rows, k] = (
                s + service[i] / speed_ext[(np.minimum(s, close) // interval_minutes).astype(np.int64)]
            )
            continue
        served = s <= arrival[i] + patience[i]
        start[i] = np.where(served, s, np.nan)
        j_s = (np.minimum(np.where(served, s, 0.0), close) // interval_minutes).astype(np.int64)
        free[rows, k] = np.where(served, s + service[i] / speed_ext[j_s], free[rows, k])
    return start


def _cumulative_waiting(arrival: np.ndarray, start: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Total order-minutes spent waiting up to each edge: sum over orders of |[a, s) ∩ [0, t)|."""

    def sum_min(values: np.ndarray) -> np.ndarray:
        # sum_n min(t, v_n) for every t in edges, via one sort and a cumulative sum.
        v = np.sort(values)
        below = np.searchsorted(v, edges, side="right")
        prefix = np.concatenate(([0.0], np.cumsum(v)))
        return prefix[below] + edges * (v.size - below)

    return sum_min(start) - sum_min(arrival)


def _max_queue(arrival: np.ndarray, start: np.ndarray) -> int:
    """Most orders waiting at once: just after customer i arrives, i+1 minus those already started.

    FCFS makes start times non-decreasing per replication, so "already started" is a sorted
    search; each replication's rows are offset so that one flat search covers them all.
    """
    if arrival.size == 0:
        return 0
    m, replications = arrival.shape
    finite = np.isfinite(arrival)
    span = float(np.max(start[finite], initial=0.0)) + 1.0
    offset = np.arange(replications)[None, :] * (2.0 * span)
    s_key = (np.where(finite, start, span) + offset).T.ravel()
    a_key = (np.where(finite, arrival, 0.0) + offset).T.ravel()
    started = np.searchsorted(s_key, a_key, side="right") - np.repeat(np.arange(replications) * m, m)
    waiting = np.arange(m)[None, :].repeat(replications, axis=0).ravel() + 1 - started
    return int(np.max(np.where(finite.T.ravel(), waiting, 0), initial=0))
