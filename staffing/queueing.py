"""Erlang B / Erlang C (M/M/c) queue physics for one store-interval, vectorised with numpy.

Units throughout: arrivals λ in orders per hour, mean service time S in minutes per order,
c servers (staff actually serving the queue), waits in minutes. Offered load a = λ·S/60
Erlangs, occupancy ρ = a/c. Every function broadcasts its arguments like a numpy ufunc and
returns an array of the broadcast shape (a numpy scalar for scalar inputs).

Fractional servers. A person working alone also runs the till, cleans and restocks, so they
serve the queue only part of the time (`effective_servers`). All queue functions therefore
accept non-integer c, using the continuous Erlang B of Jagerman (1974): 1/B(c, a) =
a·∫₀^∞ e^(−a·t)·(1+t)^c dt, and the usual Erlang C and waiting-time formulas built on it.
Why this extension rather than interpolating between ⌊c⌋ and ⌈c⌉: it is the standard analytic
continuation (exact at integers, smooth, decreasing in c, increasing in a) and near saturation
it tracks the physical "one slower server" model of a solo worker, where interpolation does
not (a = 0.6 Erlangs, c = 0.7: P(wait) 0.88 here, 0.86 for an M/M/1 at 70% speed, 0.72 by
interpolation). Interpolating the mean wait itself would make every solo wait infinite,
since it is infinite at c = 0.

Since issue 14 the day model uses one people model instead: capacity c = staff − chore load for
any number of staff (`effective_capacity`), served by ⌈c⌉ servers at speed c/⌈c⌉, with customers
walking away (`staffing.erlang_a`: `erlang_a`, `required_staff`). The Erlang C functions stay exact for whole servers.

References for the formulas quoted in comments:
  [Cooper]   R. B. Cooper, Introduction to Queueing Theory, 2nd ed. (1981), ch. 3 (Erlang B,
             Erlang C and the M/M/c waiting-time distribution).
  [Jagerman] D. L. Jagerman, "Some properties of the Erlang loss function",
             Bell System Technical Journal 53(3), 1974.
  [NR]       Press et al., Numerical Recipes, 3rd ed., §6.2 (incomplete gamma function).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "effective_servers",
    "erlang_b",
    "mean_wait_minutes",
    "occupancy",
    "offered_load",
    "required_servers",
    "service_level",
    "staffing_requirement",
    "StaffingRequirement",
    "wait_probability",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def _floats(x: ArrayLike, name: str, *, positive: bool = False, finite: bool = False) -> FloatArray:
    """`x` as a float64 array, rejecting negative (or, if `positive`, zero) and NaN values."""
    arr = np.asarray(x, dtype=np.float64)
    ok = arr > 0 if positive else arr >= 0  # NaN fails both
    if finite:
        ok &= np.isfinite(arr)
    if not np.all(ok):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}{' and finite' if finite else ''}")
    return arr


def _out(arr: np.ndarray, shape: tuple[int, ...]):
    # ufunc-like return: an array of the broadcast shape, a numpy scalar for 0-d input.
    return arr.reshape(shape)[()]


# --------------------------------------------------------------------------------------------
# Erlang B, integer and fractional servers (flat 1-d arrays of equal length, already validated)
# --------------------------------------------------------------------------------------------

# Lanczos approximation of Γ(z) with Godfrey's g = 7, n = 9 coefficients (the set quoted in
# Wikipedia, "Lanczos approximation"); relative error about 1e-15 on [1, 2].
_LANCZOS_G = 7.0
_LANCZOS = (
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
)


def _gamma(z: FloatArray) -> FloatArray:
    """Γ(z) for z >= 0.5 (here z = 1 + f with 0 < f < 1)."""
    z = z - 1.0
    x = np.full_like(z, _LANCZOS[0])
    for i, p in enumerate(_LANCZOS[1:], start=1):
        x += p / (z + i)
    t = z + _LANCZOS_G + 0.5
    return math.sqrt(2.0 * math.pi) * t ** (z + 0.5) * np.exp(-t) * x


def _inverse_b_fraction(a: FloatArray, f: FloatArray) -> FloatArray:
    """1/B(f, a) for 0 < f < 1 and a > 0 by Jagerman's integral.

    a·∫₀^∞ e^(−a·t)(1+t)^f dt = e^a · a^(−f) · Γ(1+f, a)  (upper incomplete gamma, s = 1+f),
    evaluated as in [NR] §6.2: the power series of γ(s, a) for a < s+1, the continued fraction
    of Γ(s, a) (modified Lentz) otherwise. Both are scaled by e^a·a^(−s) so nothing overflows.
    """
    s = 1.0 + f
    out = np.empty_like(a)
    series = a < s + 1.0
    if np.any(series):
        x, ss = a[series], s[series]
        term = 1.0 / ss
        total = term.copy()
        ap = ss.copy()
        for _ in range(200):  # terms x^n / (s(s+1)…(s+n)); x < 3 so ~40 terms reach 1e-17
            ap += 1.0
            term *= x / ap
            total += term
            if np.all(term <= total * 1e-17):
                break
        # x·[e^x x^(−s) Γ(s) − Σ] = e^x x^(−f) Γ(1+f) − x·Σ; x^(−f) overflows to +inf only for
        # subnormal x, where 1/B = +inf (B = 0) is the right float answer.
        with np.errstate(over="ignore"):
            out[series] = np.exp(x) * x ** (-(ss - 1.0)) * _gamma(ss) - x * total
    cf = ~series
    if np.any(cf):
        x, ss = a[cf], s[cf]
        tiny = 1e-300
        b = x + 1.0 - ss
        c = np.full_like(x, 1.0 / tiny)
        d = 1.0 / b
        h = d.copy()
        for i in range(1, 500):
            an = -i * (i - ss)
            b = b + 2.0
            d = an * d + b
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1.0 / d
            delta = d * c
            h *= delta
            if np.all(np.abs(delta - 1.0) < 4e-16):
                break
        out[cf] = x * h  # h = e^x x^(−s) Γ(s, x)
    # 1/B >= 1 exactly; near f = 0 the series cancels to 1 and can land an ulp below.
    return np.maximum(out, 1.0, out=out)


# Large inputs are processed in blocks of this many cases: a block's working arrays then stay
# in the CPU caches (measured 1.5-2x faster than whole-array passes on 1e6 cases) and the
# temporary memory stays a few MB whatever the input size.
_BLOCK = 32768


def _recursion_order(n: IntArray) -> tuple[IntArray | None, IntArray]:
    """Order cases by server count, largest first, and count the cases with n >= k for each k.

    In that order the cases still recursing at step k are a prefix (a view, no copy), so the
    total work is Σ n rather than size·max(n). A stable sort of small unsigned ints is a radix
    sort in numpy: a few ms per million cases. `order` is None when all counts are equal.
    """
    n_max = int(n.max()) if n.size else 0
    if n.size == 0 or int(n.min()) == n_max:
        return None, np.full(n_max + 1, n.size, dtype=np.intp)
    key = (n_max - n).astype(np.uint16 if n_max < 65536 else np.uint32)
    order = np.argsort(key, kind="stable")
    active = np.bincount(n, minlength=n_max + 1)[::-1].cumsum()[::-1]
    return order, active


def _recurse_b(a: FloatArray, b: FloatArray, f: FloatArray | None, active: IntArray) -> None:
    """In place: b ← B(f + n, a) from b = B(f, a), for cases in `_recursion_order`.

    B(x) = a·B(x−1) / (x + a·B(x−1)) ([Cooper]; it holds for the continuous B too,
    [Jagerman]). Every term is positive, so there is no cancellation and B never overflows;
    it only underflows towards 0 for tiny loads, which is the right limit.
    """
    t = np.empty_like(a)
    den = np.empty_like(a)
    for k in range(1, len(active)):
        m = int(active[k])
        tk, dk, bk = t[:m], den[:m], b[:m]
        np.multiply(a[:m], bk, out=tk)
        np.add(tk, float(k), out=dk)
        if f is not None:
            dk += f[:m]
        np.divide(tk, dk, out=bk)


def _erlang_b_flat(a: FloatArray, c: FloatArray) -> FloatArray:
    """Erlang B for flat arrays; c may be fractional (B(f) by Jagerman's integral, then recursion)."""
    if a.size > _BLOCK:
        out = np.empty_like(a)
        for lo in range(0, a.size, _BLOCK):
            out[lo : lo + _BLOCK] = _erlang_b_block(a[lo : lo + _BLOCK], c[lo : lo + _BLOCK])
        return out
    return _erlang_b_block(a, c)


def _erlang_b_block(a: FloatArray, c: FloatArray) -> FloatArray:
    n = np.floor(c)
    f = c - n
    b = np.ones_like(a)
    frac = np.flatnonzero(f > 0)
    if frac.size:
        af = a.take(frac)
        bf = np.zeros_like(af)  # B(f, 0) = 0 for f > 0
        pos = np.flatnonzero(af > 0)
        bf[pos] = 1.0 / _inverse_b_fraction(af.take(pos), f.take(frac).take(pos))
        b[frac] = bf
    order, active = _recursion_order(n.astype(np.intp))
    if len(active) == 1:
        return b
    if order is None:
        _recurse_b(a, b, f if frac.size else None, active)
        return b
    b_sorted = b.take(order)
    _recurse_b(a.take(order), b_sorted, f.take(order) if frac.size else None, active)
    b[order] = b_sorted
    return b


def _erlang_c_from_b(a: FloatArray, c: FloatArray, b: FloatArray) -> FloatArray:
    # C = c·B / (c − a·(1 − B)) for a < c ([Cooper]); the denominator equals
    # (c − a) + a·B > 0, so this cannot divide by zero or go negative. C <= 1 exactly; the
    # clip stops rounding at tiny c − a from pushing it an ulp above.
    den = 1.0 - b
    den *= a
    np.subtract(c, den, out=den)
    out = c * b
    out /= den
    return np.minimum(out, 1.0, out=out)


def _service_level_from_b(a: FloatArray, c: FloatArray, b: FloatArray, ratio: FloatArray) -> FloatArray:
    return _service_level_from_c(a, c, _erlang_c_from_b(a, c, b), ratio)


def _service_level_from_c(a: FloatArray, c: FloatArray, p_wait: FloatArray, ratio: FloatArray) -> FloatArray:
    # P(Wq <= t) = 1 − C·exp(−(c − a)·t/S) ([Cooper], with μ = 1/S); ratio = t/S.
    # Written in place to spare temporaries: this runs once per step of required_servers.
    e = c - a
    e *= ratio
    np.negative(e, out=e)
    np.exp(e, out=e)
    e *= p_wait
    np.subtract(1.0, e, out=e)
    return e


def _erlang_c_flat(a: FloatArray, c: FloatArray) -> FloatArray:
    """Erlang C for flat arrays: 1 where a >= c, else from Erlang B."""
    stable = a < c
    if stable.all():
        return _erlang_c_from_b(a, c, _erlang_b_flat(a, c))
    out = np.ones_like(a)
    idx = np.flatnonzero(stable)
    if idx.size:
        aa, cc = a.take(idx), c.take(idx)
        out[idx] = _erlang_c_from_b(aa, cc, _erlang_b_flat(aa, cc))
    return out


def _solve_blocks(
    a: FloatArray,
    ratio: FloatArray,
    target: FloatArray,
    occ: FloatArray | None,
    max_servers: int,
) -> Iterator[tuple[slice, IntArray, FloatArray]]:
    """Solve flat arrays block by block: (slice, minimum servers, Erlang B there or NaN)."""
    for lo in range(0, a.size, _BLOCK):
        part = slice(lo, lo + _BLOCK)
        servers, b = _solve_block(
            a[part], ratio[part], target[part], None if occ is None else occ[part], max_servers
        )
        yield part, servers, b


def _solve_block(
    a: FloatArray,
    ratio: FloatArray,
    target: FloatArray,
    occ: FloatArray | None,
    max_servers: int,
) -> tuple[IntArray, FloatArray]:
    """Minimum servers per case (flat arrays) and Erlang B at that count (NaN where none).

    Every case starts at a lower bound of the answer: ⌊a⌋ + 1 (the fewest servers with a stable
    queue), raised to the fewest servers meeting max_occupancy. Erlang B is computed there once,
    then the unfinished cases step c → c + 1 together with one step of the same recursion,
    the working set shrinking as cases pass. Each case's first passing count is its minimum.
    """
    size = a.size
    servers = np.zeros(size, dtype=np.intp)  # no arrivals -> 0 servers
    b_at = np.full(size, np.nan)
    start = np.floor(a)
    start += 1.0
    if occ is not None:
        # The fewest c with a/c <= occ, exactly as the division rounds (a/c only falls as c
        # grows, so larger c pass too); ⌈a/occ⌉ − 1 is at most two below it.
        c_occ = np.ceil(a / occ)
        c_occ -= 1.0
        np.maximum(c_occ, 1.0, out=c_occ)
        short = np.flatnonzero(a / c_occ > occ)
        while short.size:
            c_occ[short] += 1.0
            short = short[a.take(short) / c_occ.take(short) > occ.take(short)]
        np.maximum(start, c_occ, out=start)
        del c_occ
    busy = a > 0
    reachable = start <= max_servers
    servers[busy & ~reachable] = max_servers + 1
    idx = np.flatnonzero(busy & reachable)
    if idx.size == 0:
        return servers, b_at

    order, active = _recursion_order(start.take(idx).astype(np.intp))
    if order is not None:
        idx = idx.take(order)
    a, c, ratio, target = a.take(idx), start.take(idx), ratio.take(idx), target.take(idx)
    del start
    b = np.ones_like(a)
    _recurse_b(a, b, None, active)
    while True:
        ok = _service_level_from_b(a, c, b, ratio) >= target
        done = np.flatnonzero(ok)
        if done.size:
            finished = idx.take(done)
            servers[finished] = c.take(done)
            b_at[finished] = b.take(done)
            if done.size == idx.size:
                break
            keep = np.flatnonzero(~ok)
            idx, a, c, b, ratio, target = (x.take(keep) for x in (idx, a, c, b, ratio, target))
        c += 1.0
        if c.max() > max_servers:
            over = c > max_servers
            servers[idx[over]] = max_servers + 1
            keep = np.flatnonzero(~over)
            if keep.size == 0:
                break
            idx, a, c, b, ratio, target = (x.take(keep) for x in (idx, a, c, b, ratio, target))
        ab = a * b  # B(c) from B(c − 1): the same operations, in the same order, as _recurse_b
        np.divide(ab, ab + c, out=b)
    return servers, b_at


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def offered_load(arrivals_per_hour: ArrayLike, service_minutes: ArrayLike):
    """Offered load a = λ·S/60 in Erlangs: the average number of staff the orders keep busy."""
    lam = _floats(arrivals_per_hour, "arrivals_per_hour")
    svc = _floats(service_minutes, "service_minutes")
    return (lam * svc / 60.0)[()]


def occupancy(arrivals_per_hour: ArrayLike, service_minutes: ArrayLike, servers: ArrayLike):
    """Occupancy ρ = a/c: the share of serving time that is busy (>= 1: the queue grows).

    0 where there are no arrivals, +inf where there are arrivals but no servers.
    """
    a = np.asarray(offered_load(arrivals_per_hour, service_minutes))
    c = _floats(servers, "servers", finite=True)
    a, c = np.broadcast_arrays(a, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(a == 0, 0.0, a / c)
    return rho[()]


def effective_servers(staff: ArrayLike, solo_service_share: float = 0.7):
    """Deprecated (issue 14): chores vanish when a second person arrives here. Use `effective_capacity`.

    Servers the queue actually gets from `staff` people on shift.

    Alone, one person also runs the till, cleans and restocks, so only `solo_service_share`
    of their time serves the queue; with two or more the others cover those chores and
    everybody serves. 0 staff -> 0, 1 -> solo_service_share, n >= 2 -> n.
    """
    if not 0.0 < solo_service_share <= 1.0:
        raise ValueError("solo_service_share must be in (0, 1]")
    n = _floats(staff, "staff", finite=True)
    return np.where(n == 1.0, float(solo_service_share), n)[()]


def erlang_b(load: ArrayLike, servers: ArrayLike):
    """Erlang B blocking probability B(c, a) of an M/M/c/c loss system, continuous in c.

    Computed by a recursion with only positive terms, so it is stable at any size (tested to
    200 servers and 150 Erlangs). 1 for c = 0; 0 for a = 0 < c.
    """
    a = _floats(load, "load", finite=True)
    c = _floats(servers, "servers", finite=True)
    a, c = np.broadcast_arrays(a, c)
    return _out(_erlang_b_flat(a.ravel(), c.ravel()), a.shape)


def wait_probability(load: ArrayLike, servers: ArrayLike):
    """Erlang C: the probability that an arriving order has to wait at all, P(Wq > 0).

    1 where load >= servers (an unstable queue; this includes no servers), 0 where
    load = 0 < servers. Fractional servers use the continuous extension (module docstring).
    """
    a = _floats(load, "load")
    c = _floats(servers, "servers", finite=True)
    a, c = np.broadcast_arrays(a, c)
    return _out(_erlang_c_flat(a.ravel(), c.ravel()), a.shape)


def mean_wait_minutes(arrivals_per_hour: ArrayLike, service_minutes: ArrayLike, servers: ArrayLike):
    """Mean time an order waits before its service starts: Wq = C·S/(c − a) minutes.

    Formula from [Cooper]. +inf where load >= servers (the queue grows for as long as the
    rate lasts). An interval with no arrivals has nobody waiting: 0, even with no servers.
    """
    lam = _floats(arrivals_per_hour, "arrivals_per_hour")
    svc = _floats(service_minutes, "service_minutes", positive=True)
    c = _floats(servers, "servers", finite=True)
    lam, svc, c = np.broadcast_arrays(lam, svc, c)
    shape = lam.shape
    lam, svc, c = lam.ravel(), svc.ravel(), c.ravel()
    a = lam * svc / 60.0
    stable = a < c
    with np.errstate(over="ignore"):  # c − a can be subnormal: the wait is then +inf in float
        if stable.all():
            wq = _erlang_c_from_b(a, c, _erlang_b_flat(a, c))
            wq *= svc
            wq /= c - a
        else:
            wq = np.full_like(a, np.inf)
            idx = np.flatnonzero(stable)
            if idx.size:
                aa, cc = a.take(idx), c.take(idx)
                wq[idx] = _erlang_c_from_b(aa, cc, _erlang_b_flat(aa, cc)) * svc.take(idx) / (cc - aa)
    wq[lam == 0] = 0.0
    return _out(wq, shape)


def service_level(
    arrivals_per_hour: ArrayLike,
    service_minutes: ArrayLike,
    servers: ArrayLike,
    target_wait_minutes: ArrayLike,
):
    """Share of orders served within the target wait: P(Wq <= t) = 1 − C·exp(−(c − a)·t/S).

    Formula from [Cooper]. 0 where load >= servers (an unstable queue meets no finite
    target); 1 where there are no arrivals and some serving capacity.
    """
    lam = _floats(arrivals_per_hour, "arrivals_per_hour")
    svc = _floats(service_minutes, "service_minutes", positive=True)
    c = _floats(servers, "servers", finite=True)
    t = _floats(target_wait_minutes, "target_wait_minutes")
    lam, svc, c, t = np.broadcast_arrays(lam, svc, c, t)
    shape = lam.shape
    lam, svc, c, t = lam.ravel(), svc.ravel(), c.ravel(), t.ravel()
    a = lam * svc / 60.0
    sl = np.zeros_like(a)
    idx = np.flatnonzero(a < c)
    if idx.size:
        aa, cc = a.take(idx), c.take(idx)
        ratio = t.take(idx) / svc.take(idx)
        sl[idx] = _service_level_from_b(aa, cc, _erlang_b_flat(aa, cc), ratio)
    return _out(sl, shape)


class StaffingRequirement(NamedTuple):
    """Minimum servers per case and what the orders see at that count (arrays, one shape)."""

    servers: IntArray
    wait_probability: FloatArray
    mean_wait_minutes: FloatArray
    service_level: FloatArray
    occupancy: FloatArray


def _requirement_inputs(
    arrivals_per_hour,
    service_minutes,
    target_wait_minutes,
    target_service_level,
    max_occupancy,
    max_servers,
):
    lam = _floats(arrivals_per_hour, "arrivals_per_hour", finite=True)
    svc = _floats(service_minutes, "service_minutes", positive=True, finite=True)
    t = _floats(target_wait_minutes, "target_wait_minutes")
    target = np.asarray(target_service_level, dtype=np.float64)
    if not np.all((target >= 0) & (target <= 1)):
        raise ValueError("target_service_level must be in [0, 1]")
    arrays = [lam, svc, t, target]
    if max_occupancy is not None:
        occ = np.asarray(max_occupancy, dtype=np.float64)
        if not np.all((occ > 0) & (occ <= 1)):
            raise ValueError("max_occupancy must be in (0, 1]")
        arrays.append(occ)
    if int(max_servers) != max_servers or max_servers < 0:
        raise ValueError("max_servers must be a whole number >= 0")
    arrays = np.broadcast_arrays(*arrays)
    shape = arrays[0].shape
    lam, svc, t, target, *rest = (x.ravel() for x in arrays)
    return shape, lam, svc, t, target, (rest[0] if rest else None)


def required_servers(
    arrivals_per_hour: ArrayLike,
    service_minutes: ArrayLike,
    target_wait_minutes: ArrayLike,
    target_service_level: ArrayLike,
    max_occupancy: ArrayLike | None = None,
    max_servers: int = 200,
):
    """The true minimum whole number of servers meeting a service-level target.

    That is the smallest integer c with a < c (a stable queue), service_level(c) >= the target
    and, if given, a/c <= max_occupancy. No arrivals -> 0 servers. Where even `max_servers`
    would not do, the result is the sentinel `max_servers + 1` ("more than max_servers").

    The search is vectorised: all cases start at a lower bound of their answer and step up
    together (see `_solve_block`). Starting below the answer is what makes the result the
    minimum; pyworkforce starts at round(a + 1) and so over-staffs by one whenever the fraction
    of a is >= 0.5 and ⌊a⌋ + 1 servers already meet the target.
    """
    shape, lam, svc, t, target, occ = _requirement_inputs(
        arrivals_per_hour,
        service_minutes,
        target_wait_minutes,
        target_service_level,
        max_occupancy,
        max_servers,
    )
    servers = np.empty(lam.size, dtype=np.intp)
    for part, block, _ in _solve_blocks(lam * svc / 60.0, t / svc, target, occ, int(max_servers)):
        servers[part] = block
    return _out(servers, shape)


def staffing_requirement(
    arrivals_per_hour: ArrayLike,
    service_minutes: ArrayLike,
    target_wait_minutes: ArrayLike,
    target_service_level: ArrayLike,
    max_occupancy: ArrayLike | None = None,
    max_servers: int = 200,
) -> StaffingRequirement:
    """`required_servers` plus the queue figures at that count, in one pass.

    Reuses the Erlang B value the search ends on instead of recomputing it as a separate
    `mean_wait_minutes` call would. The figures equal the public functions at `servers`
    (sentinel cases included), except for intervals with no arrivals, which report 0 servers
    and a trivially met target: P(wait) 0, wait 0, service level 1, occupancy 0.
    """
    shape, lam, svc, t, target, occ = _requirement_inputs(
        arrivals_per_hour,
        service_minutes,
        target_wait_minutes,
        target_service_level,
        max_occupancy,
        max_servers,
    )
    a = lam * svc / 60.0
    ratio = t / svc
    servers = np.empty(a.size, dtype=np.intp)
    p_wait, wait, level, rho = (np.empty(a.size) for _ in range(4))
    # The figures are computed block by block too, right after each block is solved, while its
    # arrays are still in cache. Rows with no arrivals or no solution get NaN here (fixed below).
    with np.errstate(invalid="ignore", divide="ignore"):
        for part, block, b in _solve_blocks(a, ratio, target, occ, int(max_servers)):
            servers[part] = block
            aa, c = a[part], block.astype(np.float64)
            p = _erlang_c_from_b(aa, c, b)
            p_wait[part] = p
            level[part] = _service_level_from_c(aa, c, p, ratio[part])
            p *= svc[part]
            p /= c - aa
            wait[part] = p
            np.divide(aa, c, out=rho[part])
    idle = np.flatnonzero(a == 0)
    p_wait[idle], wait[idle], level[idle], rho[idle] = 0.0, 0.0, 1.0, 0.0
    over = np.flatnonzero(servers > max_servers)  # sentinel cases: evaluate at max_servers + 1
    if over.size:
        lo, so, to = lam.take(over), svc.take(over), t.take(over)
        co = servers.take(over).astype(np.float64)
        p_wait[over] = wait_probability(a.take(over), co)
        wait[over] = mean_wait_minutes(lo, so, co)
        level[over] = service_level(lo, so, co, to)
    return StaffingRequirement(*(_out(x, shape) for x in (servers, p_wait, wait, level, rho)))
