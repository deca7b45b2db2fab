"""Chores and abandonment: effective capacity and Erlang-A (M/M/c+M), vectorised with numpy.

Customers who wait too long walk away (exponential patience); counter staff lose some of each hour
to chores, so a team of ``staff`` serves like ``staff - chore_load`` servers. Built on the Erlang
B/C core of ``staffing.queueing``; the backlog model (``staffing.backlog``) and the simulator use
the same people model (``servers_and_speed``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from staffing.queueing import FloatArray, _erlang_b_flat, _erlang_c_flat, _floats, _out

DEFAULT_PATIENCE_MINUTES = 4.0
"""Mean of the exponential patience of a walk-in customer (docs/pressure.md gives the source)."""


def effective_capacity(staff: ArrayLike, chore_load: ArrayLike = 0.0):
    """Serving capacity c = staff − chore load, in people's worth of serving, never below 0.

    ``chore_load`` is the chores (cleaning, restocking, deliveries, the till) in people: 18 minutes
    of chores per hour is 0.3. The same for any number of staff: one person alone is one server
    carrying all the chores (0.7), two people carry them together (1.7).
    """
    n = _floats(staff, "staff", finite=True)
    load = _floats(chore_load, "chore_load", finite=True)
    return np.maximum(n - load, 0.0)[()]


def servers_and_speed(capacity: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The people model behind a capacity c: k = ⌈c⌉ servers, each serving at speed c/k.

    Chores are shared by the people serving, so 0.7 is one person at 70 % speed and 1.7 two people
    at 85 %; every queue model here (steady state, backlog, Monte Carlo) uses this same model, so
    their answers can be checked against each other exactly. k = 0 (speed 0) where c = 0.
    """
    c = np.asarray(capacity, dtype=np.float64)
    k = np.ceil(c - 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = np.where(k > 0, c / np.where(k > 0, k, 1.0), 0.0)
    return k, speed


def served_within(rate: FloatArray, theta: FloatArray, t: FloatArray, ahead: int) -> FloatArray:
    """P(served and waited <= t | j customers waiting ahead) for j = 0..ahead, shape (ahead+1, ...).

    All servers busy serve at total ``rate`` (per minute), everyone waiting leaves at ``theta``.
    A customer with j ahead waits V = Σ_{i=0..j} Exp(rate + i·θ) and is served iff V <= patience.
    Tilting by the patience, P(served, V <= t) = p_s(j)·P(V' <= t) with p_s(j) = rate/(rate + (j+1)θ)
    and V' = Σ_{i=1..j+1} Exp(rate + iθ) = −ln(U)/θ, U ~ Beta(rate/θ + 1, j + 1), whose
    distribution function for a whole second parameter is the positive finite sum
    P(V' > t) = Σ_{m=0..j} T_m, T_0 = e^{−(rate+θ)t}, T_m = T_{m−1}·(rate + mθ)·φ/m,
    φ = (1 − e^{−θt})/θ (→ t as θ → 0, giving the Erlang distribution of M/M/c).
    """
    rate, theta, t = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (rate, theta, t)))
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.where(theta > 0, -np.expm1(-theta * t) / np.where(theta > 0, theta, 1.0), t)
    term = np.exp(-(rate + theta) * t)
    tail = term.copy()
    out = np.empty((ahead + 1,) + rate.shape)
    for j in range(ahead + 1):
        if j:
            term = term * (rate + j * theta) * phi / j
            tail = tail + term
        with np.errstate(invalid="ignore", divide="ignore"):
            p_s = np.where(rate > 0, rate / (rate + (j + 1) * theta), 0.0)
        out[j] = p_s * np.clip(1.0 - tail, 0.0, 1.0)
    return out


class ErlangA(NamedTuple):
    """Steady-state figures of an M/M/c+M queue (arrays of one shape; see `erlang_a`)."""

    wait_probability: FloatArray
    """P(an arriving customer finds every server busy), balkers included."""
    abandon_probability: FloatArray
    """P(an arriving customer walks away): runs out of patience in the queue, or balks."""
    balk_probability: FloatArray
    mean_wait_served: FloatArray
    """Mean wait in minutes of the customers who are served (0 where nobody is)."""
    mean_wait: FloatArray
    """Mean time in minutes in the queue over all arrivals (served or not): Lq/λ."""
    service_level: FloatArray
    """P(served within the target wait); walk-aways count as missed."""
    mean_queue: FloatArray
    occupancy: FloatArray
    """Busy share of the serving capacity."""
    walked_away: FloatArray
    """Expected customers lost per interval of ``interval_minutes``."""


def erlang_a(
    arrivals_per_hour: ArrayLike,
    service_minutes: ArrayLike,
    capacity: ArrayLike,
    patience_minutes: ArrayLike = DEFAULT_PATIENCE_MINUTES,
    target_wait_minutes: ArrayLike = 3.0,
    queue_cap: ArrayLike | None = None,
    interval_minutes: float = 15.0,
) -> ErlangA:
    """Erlang-A (M/M/c+M, Palm 1946; Garnett, Mandelbaum & Reiman, MSOM 4(3), 2002), vectorised.

    ``capacity``: serving capacity c (``effective_capacity``), k = ⌈c⌉ servers at speed c/k.
    ``patience_minutes``: mean exponential patience (inf: nobody leaves, Erlang C, where c <= the
    load gives inf waits). ``queue_cap``: customers who find this many already waiting balk (leave
    at once); None for no balking. Computed from the birth-death chain: P(N = n) ∝ a'^n/n! up to k
    (the Erlang B recursion), then ratios λ/(kμ' + iθ); the sums run until the terms fall below
    1e-18 of the total past the peak, with rescaling so heavy loads cannot overflow.
    """
    lam = _floats(arrivals_per_hour, "arrivals_per_hour", finite=True)
    svc = _floats(service_minutes, "service_minutes", positive=True, finite=True)
    c = _floats(capacity, "capacity", finite=True)
    pat = _floats(patience_minutes, "patience_minutes", positive=True)
    t = _floats(target_wait_minutes, "target_wait_minutes", finite=True)
    cap = np.inf if queue_cap is None else _floats(queue_cap, "queue_cap")
    lam, svc, c, pat, t, cap = np.broadcast_arrays(lam, svc, c, pat, t, np.asarray(cap, dtype=float))
    shape = lam.shape
    lam, svc, c, pat, t, cap = (x.ravel() for x in (lam, svc, c, pat, t, cap))
    out = _erlang_a_flat(lam / 60.0, svc, c, 1.0 / pat, t, np.floor(cap), interval_minutes)
    return ErlangA(*(_out(x, shape) for x in out))


def _erlang_a_flat(lam, svc, c, theta, t, cap, interval_minutes):
    size = lam.size
    k, speed = servers_and_speed(c)
    mu = speed / svc  # per server, per minute
    rate = k * mu  # total service rate when all k are busy
    with np.errstate(invalid="ignore", divide="ignore"):
        load = np.where(mu > 0, lam / np.where(mu > 0, mu, 1.0), 0.0)
    # Erlang C limit (θ = 0) without a cap: closed form, inf where unstable.
    erlang_c = (theta == 0) & ~np.isfinite(cap)
    b = np.ones(size)
    has_k = k > 0
    if has_k.any():
        b[has_k] = _erlang_b_flat(load[has_k], k[has_k])
    with np.errstate(divide="ignore", over="ignore"):
        inv_b = 1.0 / b  # P(N <= k)/P(N = k) relative to P(N = k) = 1; inf for B underflow
    # Running sums relative to P(N = k) = 1 (rescaled by `scale` when terms get huge).
    r = np.ones(size)
    s_r = np.ones(size)  # Σ_{j>=0} r_j
    s_jr = np.zeros(size)  # Σ j·r_j  (queue length)
    s_served = np.zeros(size)  # Σ r_j·p_s(j)
    s_wait = np.zeros(size)  # Σ r_j·p_s(j)·H_j
    s_level = np.zeros(size)  # Σ r_j·P(served within t | j)
    last = np.zeros(size)  # r at the cap (balking)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.where(theta > 0, -np.expm1(-theta * t) / np.where(theta > 0, theta, 1.0), t)
    term = np.exp(-(rate + theta) * t)
    tail = term.copy()
    harmonic = np.zeros(size)
    active = np.flatnonzero(~erlang_c & (lam > 0))
    j = 0
    while active.size:
        ra, th = rate[active], theta[active]
        if j:
            term[active] *= (ra + j * th) * phi[active] / j
            tail[active] += term[active]
        p_s = np.where(ra > 0, ra / (ra + (j + 1) * th), 0.0)
        with np.errstate(divide="ignore"):
            harmonic[active] += np.where(ra + (j + 1) * th > 0, 1.0 / (ra + (j + 1) * th), 0.0)
        rj = r[active]
        at_cap = j >= cap[active]
        p_s = np.where(at_cap, 0.0, p_s)  # arrivals at the cap balk
        last[active] = np.where(at_cap, rj, 0.0)
        s_served[active] += rj * p_s
        s_wait[active] += rj * p_s * harmonic[active]
        s_level[active] += rj * p_s * np.clip(1.0 - tail[active], 0.0, 1.0)
        # Next ratio r_{j+1} = r_j·λ/(kμ' + (j+1)θ).
        den = ra + (j + 1) * th
        with np.errstate(divide="ignore", invalid="ignore"):
            nxt = np.where(den > 0, rj * lam[active] / np.where(den > 0, den, 1.0), 0.0)
        past_peak = lam[active] <= den
        done = at_cap | (past_peak & (nxt * (j + 2) <= 1e-18 * s_r[active]))
        nxt = np.where(at_cap, 0.0, nxt)
        r[active] = nxt
        s_r[active] += nxt
        s_jr[active] += (j + 1) * nxt
        big = s_r[active] > 1e250
        if big.any():
            idx = active[big]
            for arr in (r, s_r, s_jr, s_served, s_wait, s_level, last):
                arr[idx] *= 1e-250
            inv_b[idx] *= 1e-250
        active = active[~done]
        j += 1
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total = inv_b - 1.0 + s_r  # Σ_n P(N = n) relative to P(N = k); the r_0 = 1 is in s_r
        p_below = np.where(np.isinf(inv_b), 1.0, (inv_b - 1.0) / total)  # P(N < k)
        p_wait = np.where(np.isinf(inv_b), 0.0, s_r / total)
        p_balk = np.where(np.isinf(inv_b), 0.0, last / total)
        mean_queue = np.where(np.isinf(inv_b), 0.0, s_jr / total)
        p_served = p_below + np.where(np.isinf(inv_b), 0.0, s_served / total)
        wait_served = np.where(
            p_served > 0,
            np.where(np.isinf(inv_b), 0.0, s_wait / total) / np.where(p_served > 0, p_served, 1),
            0.0,
        )
        level = p_below + np.where(np.isinf(inv_b), 0.0, s_level / total)
        p_abandon = np.clip(1.0 - p_served, 0.0, 1.0)
        mean_wait = np.where(lam > 0, mean_queue / np.where(lam > 0, lam, 1.0), 0.0)
        # busy share of the capacity; the served share's rounding must not push it past 1
        occ = np.where(c > 0, np.minimum(lam * (1.0 - p_abandon) * svc / np.where(c > 0, c, 1.0), 1.0), 0.0)
    if erlang_c.any():
        idx = np.flatnonzero(erlang_c)
        kk, ll, ss, tt = k[idx], lam[idx], svc[idx], t[idx]
        a_eff = np.where(speed[idx] > 0, ll * ss / np.where(speed[idx] > 0, speed[idx], 1.0), np.inf)
        pw = _erlang_c_flat(np.where(np.isfinite(a_eff), a_eff, 0.0), kk)
        pw = np.where(np.isfinite(a_eff), pw, 1.0)
        stable = a_eff < kk
        mu_i = mu[idx]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            wq = np.where(stable, pw / (kk * mu_i - ll), np.inf)
            sl = np.where(stable, 1.0 - pw * np.exp(-(kk * mu_i - ll) * tt), 0.0)
        idle = ll == 0
        p_wait[idx] = np.where(idle, 0.0, pw)
        p_balk[idx] = 0.0
        p_abandon[idx] = 0.0
        wait_served[idx] = np.where(idle, 0.0, wq)
        mean_wait[idx] = np.where(idle, 0.0, wq)
        level[idx] = np.where(idle, 1.0, sl)
        mean_queue[idx] = np.where(idle, 0.0, ll * wq)
        occ[idx] = np.where(
            c[idx] > 0, ll * ss / np.where(c[idx] > 0, c[idx], 1.0), np.where(idle, 0.0, np.inf)
        )
    idle = lam == 0
    p_wait[idle], p_balk[idle], p_abandon[idle] = 0.0, 0.0, 0.0
    wait_served[idle], mean_wait[idle], mean_queue[idle], occ[idle] = 0.0, 0.0, 0.0, 0.0
    level[idle] = 1.0
    walked = lam * p_abandon * interval_minutes
    return p_wait, p_abandon, p_balk, wait_served, mean_wait, level, mean_queue, occ, walked


def required_staff(
    arrivals_per_hour: ArrayLike,
    service_minutes: ArrayLike,
    target_wait_minutes: ArrayLike,
    target_service_level: ArrayLike,
    chore_load: ArrayLike = 0.0,
    patience_minutes: ArrayLike = DEFAULT_PATIENCE_MINUTES,
    max_occupancy: ArrayLike | None = None,
    max_staff: int = 50,
):
    """The fewest whole staff whose capacity (staff − chore load) meets the service-level target.

    One definition for every staff count, alone or not: P(served within the target wait) from
    Erlang-A (walk-aways count as missed) >= ``target_service_level`` and, if given, occupancy <=
    ``max_occupancy``. 0 where there are no arrivals; ``max_staff + 1`` where even ``max_staff``
    would not do. Staff counts are tried upwards from the fewest that could be stable, all cases at
    once, each dropping out at its first pass.
    """
    lam = _floats(arrivals_per_hour, "arrivals_per_hour", finite=True)
    svc = _floats(service_minutes, "service_minutes", positive=True, finite=True)
    t = _floats(target_wait_minutes, "target_wait_minutes", finite=True)
    level = np.asarray(target_service_level, dtype=np.float64)
    chores = _floats(chore_load, "chore_load", finite=True)
    pat = _floats(patience_minutes, "patience_minutes", positive=True)
    occ = np.asarray(np.inf if max_occupancy is None else max_occupancy, dtype=np.float64)
    arrays = np.broadcast_arrays(lam, svc, t, level, chores, pat, occ)
    shape = arrays[0].shape
    lam, svc, t, level, chores, pat, occ = (x.ravel() for x in arrays)
    staff = np.where(lam > 0, np.floor(lam * svc / 60.0 + chores), 0.0)
    staff = np.maximum(staff, np.where(lam > 0, 1.0, 0.0))
    result = np.where(lam > 0, max_staff + 1, 0).astype(np.intp)
    active = np.flatnonzero(lam > 0)
    while active.size:
        s = staff[active]
        fig = _erlang_a_flat(
            lam[active] / 60.0,
            svc[active],
            np.maximum(s - chores[active], 0.0),
            1.0 / pat[active],
            t[active],
            np.full(active.size, np.inf),
            15.0,
        )
        ok = (fig[5] >= level[active]) & (fig[7] <= occ[active]) & (s - chores[active] > 0)
        result[active[ok]] = s[ok].astype(np.intp)
        keep = ~ok & (s < max_staff)
        staff[active] = s + 1.0
        active = active[keep]
    return _out(result, shape)
