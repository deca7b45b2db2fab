"""The rows behind ``backlog.backlog_day``: checked inputs as per-minute rates, and the figures of an
interval from its state distributions, shared by the uniformization kernel and by
``backlog_shared`` (which moves rows through a day by per-interval matrices instead)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from staffing.erlang_a import servers_and_speed


def checked_inputs(
    arrivals_per_interval, service_minutes, servers, interval_minutes: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrivals, service minutes and servers broadcast to one shape, or ValueError saying what is wrong."""
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
    return lam, svc, c


def start_orders(initial_in_store, batch: tuple[int, ...]) -> np.ndarray:
    """Whole orders in the store at the start of each row's day, checked (ValueError), as a writable
    int64 array of shape ``batch``: the compiled day is specialised for exactly that array type,
    and a read-only broadcast view made numba compile a second version (~7 s) at first real use."""
    start = np.broadcast_to(np.asarray(initial_in_store), batch)
    if np.any(start < 0) or np.any(start != np.round(start)):
        raise ValueError("initial_in_store must be whole numbers of orders >= 0")
    return start.astype(np.int64)


FIGURE_KEYS = ("q0", "q1", "mq", "bl", "served", "walk", "pw", "util", "share", "w")
"""The per-interval figures ``interval_figures`` returns, in its order."""


@dataclass(frozen=True)
class DayRows:
    """A batch of store-days checked and flattened to rows (flat, n_intervals) of per-minute rates."""

    lam: np.ndarray
    svc: np.ndarray
    c: np.ndarray
    batch: tuple[int, ...]
    n: int
    start_n: np.ndarray  # int64, shape batch: ``start_orders``
    flat: int
    h: float
    c_f: np.ndarray
    theta_f: np.ndarray
    cap_f: np.ndarray
    k_f: np.ndarray
    mu_f: np.ndarray
    birth_f: np.ndarray


def day_rows(
    arrivals_per_interval,
    service_minutes,
    servers,
    interval_minutes,
    initial_in_store,
    patience_minutes,
    queue_cap,
) -> DayRows:
    """The inputs of ``backlog_day`` checked (ValueError saying what is wrong) and as per-row rates."""
    lam, svc, c = checked_inputs(arrivals_per_interval, service_minutes, servers, interval_minutes)
    patience = np.inf if patience_minutes is None else np.asarray(patience_minutes, dtype=float)
    if not np.all(np.asarray(patience) > 0):
        raise ValueError("patience_minutes must be > 0 (inf: nobody walks away)")
    theta = np.broadcast_to(1.0 / patience, lam.shape).astype(float)
    cap_arr = np.inf if queue_cap is None else np.asarray(queue_cap, dtype=float)
    if not np.all(np.asarray(cap_arr) >= 0):
        raise ValueError("queue_cap must be >= 0")
    cap = np.broadcast_to(np.floor(cap_arr), lam.shape).astype(float)
    batch, n = lam.shape[:-1], lam.shape[-1]
    start_n = start_orders(initial_in_store, batch)
    flat = math.prod(batch)
    h = float(interval_minutes)

    def rows(x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(x.reshape(flat, n))

    lam_f, svc_f, c_f, theta_f, cap_f = (rows(x) for x in (lam, svc, c, theta, cap))
    k_f, speed_f = servers_and_speed(c_f)
    mu_f = speed_f / svc_f  # per server, per minute
    return DayRows(lam, svc, c, batch, n, start_n, flat, h, c_f, theta_f, cap_f, k_f, mu_f, lam_f / h)


MEAN_SUMS = ("waiting", "busy", "blocked", "found_busy", "share", "wait_sum")
"""What ``mean_weights`` weighs the states arrivals find by, in its order."""


def mean_weights(states, k, mu, theta, birth, inside) -> list[np.ndarray]:
    """Per-state weights (states, columns) whose sums against the time-averaged distribution are
    ``MEAN_SUMS``: orders waiting, servers busy, arrivals blocked (cap or truncation), arrivals
    finding everyone busy, and the customers' served share and wait (``customer_weights``)."""
    waiting = np.maximum(states - k, 0.0)
    busy = np.minimum(states, k)
    blocked = ((birth == 0) & inside).astype(float)
    found_busy = (states >= k).astype(float)
    p_s, wait_weight = customer_weights(states, k, mu * k, theta, birth > 0)
    return [waiting, busy, blocked, found_busy, p_s, wait_weight]


def interval_figures(p0, p, mean_p, states, k, mu, theta, lam, birth, inside, h) -> tuple[np.ndarray, ...]:
    """The figures of ``FIGURE_KEYS`` for columns of state distributions (states, columns): at the
    interval's start ``p0``, end ``p`` and time-average ``mean_p``, with the columns' servers ``k``,
    per-server rate ``mu``, abandonment ``theta``, arrivals per minute ``lam``, the chain's births
    per state ``birth`` and the states ``inside`` its truncation."""
    weights = mean_weights(states, k, mu, theta, birth, inside)
    waiting = weights[0]
    sums = [(mean_p * w).sum(axis=0) for w in weights]
    return figures_from_sums(
        (p0 * waiting).sum(axis=0), (p * waiting).sum(axis=0), states[:, 0] @ p, sums, k, mu, theta, lam, h
    )


def figures_from_sums(q0, q1, bl, sums, k, mu, theta, lam, h) -> tuple[np.ndarray, ...]:
    """``FIGURE_KEYS`` from the queue at the start and end, the orders in store at the end and the
    ``MEAN_SUMS`` of the time-averaged distribution, for columns with servers ``k``, per-server rate
    ``mu``, abandonment ``theta`` and arrivals per minute ``lam``."""
    mq, busy, blocked, found_busy, share, wait_sum = sums
    served = h * mu * busy
    walk = h * (theta * mq + lam * (blocked * np.where(lam > 0, 1.0, 0.0)))
    pw = np.where(lam > 0, found_busy, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        util = np.where(k > 0, busy / np.where(k > 0, k, 1), np.nan)
        # Where nobody is served (nobody on), the mean time spent waiting before walking away
        # instead: the mean patience 1/θ (0 without patience).
        wait = np.where(
            share > 1e-12,
            wait_sum / np.where(share > 1e-12, share, 1.0),
            np.where(theta > 0, 1.0 / np.where(theta > 0, theta, 1.0), 0.0),
        )
    return (
        q0,
        q1,
        mq,
        bl,
        served,
        walk,
        pw,
        util,
        np.where(lam > 0, share, 1.0),
        np.where(lam > 0, wait, 0.0),
    )


def customer_weights(states, k, rate, theta, enters) -> tuple[np.ndarray, np.ndarray]:
    """Per state found: the chance to be served, and the expected wait counted for the served.

    With j = n − k waiting ahead: P(served) = rate/(rate + (j+1)θ) and E[wait; served] =
    P(served)·Σ_{i=0..j} 1/(rate + (i+1)θ) (the customer's offered wait is a sum of exponentials
    with rates rate + iθ; see ``erlang_a.served_within``). Balking states (``enters`` False) serve nobody.
    """
    j = states - k
    queued = j >= 0
    den = rate + (j + 1.0) * theta
    with np.errstate(invalid="ignore", divide="ignore"):
        p_s = np.where(queued, np.where(den > 0, rate / np.where(den > 0, den, 1.0), 0.0), 1.0)
        inv = np.where(queued & (den > 0), 1.0 / np.where(den > 0, den, 1.0), 0.0)
    p_s = np.where(enters | ~queued, p_s, 0.0)
    harmonic = np.cumsum(inv, axis=0)
    return p_s, np.where(queued, p_s * harmonic, 0.0)


def after_close(p: np.ndarray, k: np.ndarray, mu: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Expected walk-aways among the orders left at the end (the last non-zero capacity serves on)."""
    rate = k * mu
    positive = rate > 0
    n_int = rate.shape[1]
    last = n_int - 1 - np.argmax(positive[:, ::-1], axis=1)
    pick = np.arange(rate.shape[0])
    r_end = np.where(positive.any(axis=1), rate[pick, last], 0.0)
    k_end = np.where(positive.any(axis=1), k[pick, last], 0.0)
    th = theta[:, -1]
    states = np.arange(p.shape[0], dtype=float)[:, None]
    waiting = np.maximum(states - k_end, 0.0)
    # The j-th waiting order (0-based) leaves with probability (j+1)θ/(rate + (j+1)θ) when nobody new comes.
    top = p.shape[0]
    jj = np.arange(top, dtype=float)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        leave = np.where(
            th > 0, (jj + 1) * th / np.where(r_end + (jj + 1) * th > 0, r_end + (jj + 1) * th, 1.0), 0.0
        )
    leave = np.where((r_end == 0) & (th == 0), 1.0, leave)  # nobody ever serves them
    cum = np.concatenate([np.zeros((1, p.shape[1])), np.cumsum(leave, axis=0)])[:top]
    idx = np.minimum(waiting.astype(np.int64), top - 1)
    return (p * np.take_along_axis(cum, idx, axis=0)).sum(axis=0)
