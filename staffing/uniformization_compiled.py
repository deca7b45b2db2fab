"""The numba side of ``uniformization`` and ``backlog.backlog_day``: imported only when numba is in use.

``day`` is the whole of ``backlog_day``'s interval loop for one store-day after another: each row
(store-day) is sized, moved through its intervals by uniformization and summed up into the
interval figures on its own, so a chain's week costs the series itself and not a hundred numpy
calls per interval, and a row's answer does not depend on the rows beside it. It follows the numpy
path of ``backlog_day`` step by step (same truncation, rates, Poisson weights and sums); the two
agree to rounding (tests/staffing/test_uniformization.py). Functions are module-level so numba's
disk cache finds them in the next process.
"""

from __future__ import annotations

import math

import numpy as np

from staffing.compiled import kernel_decorator

njit = kernel_decorator()

FIGURES = 10
"""Figures per interval, in ``backlog_rows.FIGURE_KEYS`` order."""


@njit
def column_series(v, stay, b, d, weights, tails, terms, top, end, integral, cur, nxt):  # pragma: no cover
    """Σ_m weights[m]·v·P^m and Σ_m tails[m]·v·P^m of one column into ``end`` and ``integral``, for
    the states below ``top`` (above it every state stays 0); ``cur`` and ``nxt`` are work space."""
    for s in range(top):
        cur[s] = v[s]
        end[s] = weights[0] * cur[s]
        integral[s] = tails[0] * cur[s]
    for m in range(1, terms + 1):
        wm = weights[m]
        tm = tails[m]
        for s in range(top):
            x = stay[s] * cur[s]
            if s > 0:
                x += b[s - 1] * cur[s - 1]
            if s < top - 1:
                x += d[s + 1] * cur[s + 1]
            nxt[s] = x
            end[s] += wm * x
            integral[s] += tm * x
        cur, nxt = nxt, cur


@njit
def series(v, stay, b, d, weights, tails, terms, limits):  # pragma: no cover - compiled
    """``uniformization.transient``'s series for columns (rows of ``v``), each to its own term count."""
    columns, size = v.shape
    end = np.zeros((columns, size))
    integral = np.zeros((columns, size))
    cur = np.empty(size)
    nxt = np.empty(size)
    for w in range(columns):
        column_series(
            v[w],
            stay[w],
            b[w],
            d[w],
            weights[:, w],
            tails[:, w],
            terms[w],
            limits[w],
            end[w],
            integral[w],
            cur,
            nxt,
        )
    return end, integral


@njit
def _grown(a, needed):  # pragma: no cover - compiled
    """``a`` itself when it holds ``needed`` values, else a copy at least twice as long."""
    if a.shape[0] >= needed:
        return a
    bigger = np.zeros(max(needed, 2 * a.shape[0]))
    bigger[: a.shape[0]] = a
    return bigger


@njit
def day(lam, k, mu, theta, cap, c, start_n, h, tail, keep):  # pragma: no cover - compiled
    """Every row's day: ``lam`` arrivals per minute, ``k`` servers of rate ``mu``, abandonment
    ``theta``, queue cap ``cap`` and capacity ``c`` per (row, interval); ``start_n`` orders in the
    store at the start. Returns the figures (FIGURES, rows, intervals), the time-averaged state
    distributions of the intervals (``keep``: packed, with each one's offset and length; -1
    where the row skipped the interval), and each row's last distribution, packed likewise."""
    rows, n = lam.shape
    out = np.zeros((FIGURES, rows, n))
    kept = np.zeros(1024)
    kept_at = np.full((rows, n), -1, np.int64)
    kept_len = np.zeros((rows, n), np.int64)
    used = 0
    ends = np.zeros(1024)
    ends_at = np.zeros(rows, np.int64)
    ends_len = np.zeros(rows, np.int64)
    ends_used = 0
    log_factorial = np.zeros(1)
    weights = np.zeros(64)
    tails = np.zeros(64)
    size0 = 64
    p = np.zeros(size0)
    birth, death = np.zeros(size0), np.zeros(size0)
    b, d, stay = np.zeros(size0), np.zeros(size0), np.zeros(size0)
    end, mean = np.zeros(size0), np.zeros(size0)
    cur, nxt = np.zeros(size0), np.zeros(size0)
    for w in range(rows):
        size = start_n[w] + 1
        p = _grown(p, size)
        p[:] = 0.0
        p[start_n[w]] = 1.0
        for i in range(n):
            lam_i, k_i, mu_i, th, cap_i = lam[w, i], k[w, i], mu[w, i], theta[w, i], cap[w, i]
            if lam_i == 0.0 and p[0] > 1.0 - tail:  # nobody comes, nobody is waiting: nothing moves
                out[7, w, i] = 0.0 if c[w, i] > 0 else np.nan
                out[8, w, i] = 1.0
                continue
            # The row's top state: its highest occupied one plus the arrivals it can gain (a Poisson
            # quantile of λ·(1 − e^{−θh})/θ), bounded by the cap; its rates are 0 above it.
            reach = (-math.expm1(-th * h) / th if th > 0 else h) * lam_i
            occupied = size - 1
            for s in range(size - 1, -1, -1):
                if p[s] > tail:
                    occupied = s
                    break
            top_r = min(
                occupied + math.ceil(reach + 5.0 * math.sqrt(reach) + 5.0), max(k_i + cap_i, occupied)
            )
            new_size = max(size, int(top_r) + 1)
            if new_size > p.shape[0]:
                p = _grown(p, new_size)
                birth, death = _grown(birth, new_size), _grown(death, new_size)
                b, d, stay = _grown(b, new_size), _grown(d, new_size), _grown(stay, new_size)
                end, mean = _grown(end, new_size), _grown(mean, new_size)
                cur, nxt = _grown(cur, new_size), _grown(nxt, new_size)
            size = new_size
            total = 0.0
            q0 = 0.0
            for s in range(size):
                waiting = max(s - k_i, 0.0)
                birth[s] = lam_i if waiting < cap_i and s < top_r else 0.0
                death[s] = mu_i * min(s, k_i) + th * waiting if s <= top_r else 0.0
                total = max(total, birth[s] + death[s])
                q0 += p[s] * waiting
            if total <= 0:  # nothing moves: the distribution stays
                end[:size] = p[:size]
                mean[:size] = p[:size]
            else:
                rate = max(total, 1e-12)
                x = rate * h
                terms = int(math.ceil(x + 6.0 * math.sqrt(x) + 8.0))
                if log_factorial.shape[0] <= terms:
                    grown = np.zeros(2 * terms + 1)
                    grown[: log_factorial.shape[0]] = log_factorial
                    for m in range(log_factorial.shape[0], grown.shape[0]):
                        grown[m] = grown[m - 1] + math.log(m)
                    log_factorial = grown
                weights, tails = _grown(weights, terms + 1), _grown(tails, terms + 1)
                cdf = 0.0
                tail_sum = 0.0
                for m in range(terms + 1):
                    weights[m] = math.exp(m * math.log(x) - x - log_factorial[m])
                    cdf += weights[m]
                    tails[m] = max(1.0 - cdf, 0.0)
                    tail_sum += tails[m]
                highest = 0
                for s in range(size):
                    b[s] = birth[s] / rate
                    d[s] = death[s] / rate
                    stay[s] = 1.0 - b[s] - d[s]
                    if b[s] > 0 or d[s] > 0 or p[s] != 0:
                        highest = s
                top = min(highest + 2, size)
                end[top:size] = 0.0
                mean[top:size] = 0.0
                column_series(p, stay, b, d, weights, tails, terms, top, end, mean, cur, nxt)
                # Dividing by the weights actually summed keeps every distribution's mass at 1.
                norm = cdf if cdf > 0 else 1.0
                average = tail_sum if tail_sum > 0 else x
                for s in range(size):
                    end[s] = end[s] / norm
                    mean[s] = mean[s] / average
            # The interval's figures from the states at its start, end and on average (the sums of
            # ``backlog_rows.interval_figures``; the customer weights of ``customer_weights``).
            rate_k = mu_i * k_i
            harmonic = 0.0
            mq = busy = blocked = found_busy = share = wait_sum = q1 = in_store = 0.0
            for s in range(size):
                waiting = max(s - k_i, 0.0)
                j = s - k_i
                queued = j >= 0
                den = rate_k + (j + 1.0) * th
                served = (rate_k / den if den > 0 else 0.0) if queued else 1.0
                if queued and den > 0:
                    harmonic += 1.0 / den
                if queued and not birth[s] > 0:
                    served = 0.0  # balking: nobody joins
                mq += mean[s] * waiting
                busy += mean[s] * min(s, k_i)
                blocked += mean[s] * (1.0 if birth[s] == 0 and s <= top_r else 0.0)
                found_busy += mean[s] * (1.0 if s >= k_i else 0.0)
                share += mean[s] * served
                wait_sum += mean[s] * (served * harmonic if queued else 0.0)
                q1 += end[s] * waiting
                in_store += s * end[s]
            arriving = lam_i > 0
            out[0, w, i] = q0
            out[1, w, i] = q1
            out[2, w, i] = mq
            out[3, w, i] = in_store
            out[4, w, i] = h * mu_i * busy
            out[5, w, i] = h * (th * mq + lam_i * (blocked if arriving else 0.0))
            out[6, w, i] = found_busy if arriving else 0.0
            out[7, w, i] = busy / k_i if k_i > 0 else np.nan
            out[8, w, i] = share if arriving else 1.0
            if not arriving:
                out[9, w, i] = 0.0
            elif share > 1e-12:
                out[9, w, i] = wait_sum / share
            else:  # nobody served: the mean time spent waiting before walking away
                out[9, w, i] = 1.0 / th if th > 0 else 0.0
            if keep:
                kept = _grown(kept, used + size)
                kept[used : used + size] = mean[:size]
                kept_at[w, i] = used
                kept_len[w, i] = size
                used += size
            p[:size] = end[:size]
        ends = _grown(ends, ends_used + size)
        ends[ends_used : ends_used + size] = p[:size]
        ends_at[w] = ends_used
        ends_len[w] = size
        ends_used += size
    return out, kept, kept_at, kept_len, ends, ends_at, ends_len


@njit
def unpacked(packed, at, length, top):  # pragma: no cover - compiled
    """Packed vectors (``day``'s) as one array (..., top), zero-padded; zeros where ``at`` is -1."""
    flat_at = at.ravel()
    flat_len = length.ravel()
    result = np.zeros((flat_at.shape[0], top))
    for r in range(flat_at.shape[0]):
        if flat_at[r] >= 0:
            result[r, : flat_len[r]] = packed[flat_at[r] : flat_at[r] + flat_len[r]]
    return result
