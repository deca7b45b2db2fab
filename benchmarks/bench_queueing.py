"""Benchmark staffing.queueing against a brute-force reference and the peer library pyworkforce.

    /work/main/.venv/bin/python benchmarks/bench_queueing.py [--cases N] [--sample N] [--peer-cases N]
        [--erlang-a-only]

1. Generates store-intervals with offered loads of 0.3–25 Erlangs (random arrivals, service
   times, service-level targets and occupancy caps) and times storemon computing the required
   servers and the mean wait at that staffing, in one call (`staffing_requirement`) and as two
   calls (`required_servers` + `mean_wait_minutes`). Wall time is the best of --repeat runs;
   extra peak memory is measured with tracemalloc (numpy reports its buffers to it) in a
   separate, untimed run.
2. Checks a random sample against a brute-force reference written independently of the
   vectorised code: plain Python floats, the textbook Erlang C sums, c = 1, 2, … per case.
3. Times pyworkforce's ErlangC.required_positions on a subsample, in a Python 3.12 venv
   (benchmarks/peer_env.py) as a subprocess, and counts how often it misses the true minimum.
4. Erlang-A (M/M/c+M) on store-intervals up to 40 % overloaded, with patience 2-8 min and capacity
   staff − 0.3 chores: `erlang_a` for all cases against a plain-Python reference on a sample
   (speed-up per case and the largest difference in P(abandon) and service level).
Targets: storemon under 0.25 s and 200 MB extra for 1,000,000 cases, >= 50x faster per case.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from peer_env import PeerEnvError, peer_python  # noqa: E402

from benchmarks.report import print_table  # noqa: E402
from staffing.queueing import (  # noqa: E402
    erlang_a,
    mean_wait_minutes,
    required_servers,
    staffing_requirement,
)

MAX_SERVERS = 200
PEER_REQUIREMENT = "pyworkforce==0.5.4"

# pyworkforce units: transactions per interval, aht and asa in the interval's time unit
# (minutes). With interval = 60 minutes, transactions = orders per hour and
# intensity = transactions / interval * aht = λ·S/60 Erlangs, the same load as storemon's.
PEER_SCRIPT = r"""
import json, sys, time, tracemalloc
from pyworkforce.queuing import ErlangC

cases = json.load(sys.stdin)

def solve():
    out = []
    for lam, svc, wait, level, occ in cases:
        erlang = ErlangC(transactions=lam, aht=svc, asa=wait, interval=60, shrinkage=0)
        out.append(erlang.required_positions(service_level=level, max_occupancy=occ)["raw_positions"])
    return out

seconds = float("inf")
for _ in range(int(sys.argv[1])):
    t0 = time.perf_counter()
    positions = solve()
    seconds = min(seconds, time.perf_counter() - t0)
tracemalloc.start()
base = tracemalloc.get_traced_memory()[0]
solve()
peak = tracemalloc.get_traced_memory()[1] - base
import pyworkforce
json.dump({"seconds": seconds, "positions": positions, "peak_bytes": peak,
           "version": getattr(pyworkforce, "__version__", "?")}, sys.stdout)
"""


def make_cases(n: int, seed: int = 2024) -> dict[str, np.ndarray]:
    """Random store-intervals: loads 0.3–25 Erlangs, drinks 1.5–4 min, mixed targets."""
    rng = np.random.default_rng(seed)
    service = rng.uniform(1.5, 4.0, n)  # minutes per order
    load = rng.uniform(0.3, 25.0, n)  # Erlangs
    return {
        "arrivals": load * 60.0 / service,  # orders per hour
        "service": service,
        "target_wait": rng.uniform(0.5, 5.0, n),  # minutes
        "target_level": rng.uniform(0.5, 0.95, n),
        "max_occupancy": rng.uniform(0.8, 1.0, n),
    }


def reference_required(lam: float, svc: float, wait: float, level: float, occ: float) -> tuple[int, float]:
    """Brute force in plain floats: first c = 1, 2, … with a < c, a/c <= occ and SL >= level.

    Uses the textbook sums Σ a^k/k! (not the Erlang B recursion of the vectorised code).
    Returns (servers, mean wait in minutes at those servers).
    """
    a = lam * svc / 60.0
    term, partial = 1.0, 0.0  # a^c/c!, Σ_{k<c} a^k/k!
    for c in range(1, MAX_SERVERS + 1):
        partial += term
        term *= a / c
        if a >= c or a / c > occ:
            continue
        top = term * c / (c - a)
        p_wait = top / (partial + top)
        if 1.0 - p_wait * math.exp(-(c - a) * wait / svc) >= level:
            return c, p_wait * svc / (c - a)
    return MAX_SERVERS + 1, math.nan


FIELDS = ("arrivals", "service", "target_wait", "target_level", "max_occupancy")


def storemon_combined(cases):
    req = staffing_requirement(*(cases[k] for k in FIELDS[:4]), cases["max_occupancy"], MAX_SERVERS)
    return req.servers, req.mean_wait_minutes


def storemon_two_calls(cases):
    servers = required_servers(*(cases[k] for k in FIELDS[:4]), cases["max_occupancy"], MAX_SERVERS)
    return servers, mean_wait_minutes(cases["arrivals"], cases["service"], servers)


def time_best(fn, cases, repeat: int) -> tuple[float, float]:
    """(best, median) wall time of `repeat` runs after one warm-up run."""
    fn(cases)
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(cases)
        runs.append(time.perf_counter() - t0)
    return min(runs), statistics.median(runs)


def peak_extra_mb(fn, cases) -> float:
    """Peak traced memory of one run above what was allocated before it (results included)."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    result = fn(cases)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del result
    return peak / 1e6


def rows_of(cases, idx) -> list[list[float]]:
    return [[float(cases[k][i]) for k in FIELDS] for i in idx]


def run_peer(cases, idx, repeat: int) -> dict | str:
    """pyworkforce on the cases at idx in the peer venv: its results, or why it could not run."""
    try:
        python = peer_python([PEER_REQUIREMENT])
    except PeerEnvError as exc:
        return f"PEER NOT RUN, the peer venv is unavailable (no network?): {exc}"
    proc = subprocess.run(
        [str(python), "-c", PEER_SCRIPT, str(repeat)],
        input=json.dumps(rows_of(cases, idx)),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return "PEER NOT RUN, pyworkforce failed:\n" + "\n".join(proc.stderr.strip().splitlines()[-5:])
    return json.loads(proc.stdout)


def fmt_speedup(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}x" if x >= 10 else f"{x:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000, help="cases checked against brute force")
    parser.add_argument("--peer-cases", type=int, default=5_000, help="cases run through pyworkforce")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best is reported")
    parser.add_argument("--erlang-a-only", action="store_true", help="only the Erlang-A case")
    args = parser.parse_args()
    if args.erlang_a_only:
        erlang_a_case(args.cases, args.repeat)
        return

    cases = make_cases(args.cases)
    load = cases["arrivals"] * cases["service"] / 60.0
    print(
        f"{args.cases:,} store-intervals, {load.min():.2f}-{load.max():.2f} Erlangs; numpy {np.__version__}, "
        f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )

    # Brute-force reference on a random sample; the peer runs on the first part of that sample.
    rng = np.random.default_rng(7)
    sample = rng.choice(args.cases, size=min(args.sample, args.cases), replace=False)
    t0 = time.perf_counter()
    reference = [reference_required(*row) for row in rows_of(cases, sample)]
    ref_seconds = time.perf_counter() - t0
    ref_servers = np.array([r[0] for r in reference])
    ref_wait = np.array([r[1] for r in reference])
    peer_idx = sample[: args.peer_cases]
    peer = run_peer(cases, peer_idx, args.repeat)
    peer_us = peer["seconds"] / peer_idx.size * 1e6 if isinstance(peer, dict) else None

    rows, notes = [], []
    for name, fn in (
        ("storemon staffing_requirement", storemon_combined),
        ("storemon required_servers+mean_wait", storemon_two_calls),
    ):
        best, median = time_best(fn, cases, args.repeat)
        mb = peak_extra_mb(fn, cases)
        servers, wait = fn(cases)
        bad = int(np.count_nonzero(servers[sample] != ref_servers))
        ok = np.isfinite(ref_wait) & (ref_wait > 0)
        wait_err = float(np.max(np.abs(wait[sample][ok] / ref_wait[ok] - 1.0)))
        us = best / args.cases * 1e6
        rows.append(
            (
                name,
                f"{args.cases:,}",
                f"{best:.3f}",
                f"{us:.3f}",
                fmt_speedup(peer_us and peer_us / us),
                f"{bad} / {sample.size:,}",
                f"{mb:.1f}",
            )
        )
        verdict = ""
        if args.cases == 1_000_000:
            verdict = (
                f"; targets < 0.25 s {'met' if best < 0.25 else 'NOT met'}, < 200 MB "
                f"{'met' if mb < 200 else 'NOT met'}, >= 50x "
                + ("not measured" if peer_us is None else "met" if peer_us / us >= 50 else "NOT met")
            )
        notes.append(
            f"{name}: median {median:.3f} s, mean waits within {wait_err:.1e} (relative) of reference"
            + verdict
        )
    ref_us = ref_seconds / sample.size * 1e6
    rows.append(
        (
            "brute-force reference (Python)",
            f"{sample.size:,}",
            f"{ref_seconds:.3f}",
            f"{ref_us:.2f}",
            fmt_speedup(peer_us and peer_us / ref_us),
            "(reference)",
            "-",
        )
    )
    if isinstance(peer, dict):
        diff = np.array(peer["positions"]) - ref_servers[: peer_idx.size]
        over = diff > 0
        rows.append(
            (
                f"pyworkforce {peer['version']} (Python 3.12)",
                f"{peer_idx.size:,}",
                f"{peer['seconds']:.3f}",
                f"{peer_us:.1f}",
                "1.0x",
                f"{np.count_nonzero(diff)} / {peer_idx.size:,}",
                f"{peer['peak_bytes'] / 1e6:.1f}",
            )
        )
        frac_high = bool(np.all(load[peer_idx][over] % 1.0 >= 0.5))
        notes.append(
            f"pyworkforce: {peer_us * args.cases / 1e6:,.0f} s extrapolated to {args.cases:,} cases; "
            f"{over.sum()} over-staffed by {sorted(set(diff[over].tolist()))}, {(diff < 0).sum()} "
            f"under-staffed; all over-staffed cases have frac(load) >= 0.5: {frac_high}. It returns "
            "positions only, storemon's rows include the mean waits."
        )
    else:
        notes.append(peer)

    print()
    print_table(
        ("library", "cases", "seconds", "µs/case", "speed-up", "disagreements vs reference", "peak extra MB"),
        rows,
    )
    print()
    print(
        f"seconds: best of {args.repeat} runs (the reference: one run); speed-up: pyworkforce "
        "µs/case divided by the row's; disagreement: a different required server count."
    )
    for note in notes:
        print(note)
    erlang_a_case(args.cases, args.repeat)


def reference_erlang_a(lam_h: float, svc: float, c: float, patience: float, t: float) -> tuple[float, float]:
    """Plain-Python Erlang-A, written apart from the vectorised code: the birth-death product form
    summed state by state, and the served-within-t probability by Poisson-tail terms per state.
    Returns (P(abandon), P(served within t))."""
    k = math.ceil(c - 1e-12)
    speed = c / k
    lam, mu, theta = lam_h / 60.0, speed / svc, 1.0 / patience
    weights, n, w = [1.0], 0, 1.0
    while True:
        n += 1
        w *= lam / (mu * min(n, k) + theta * max(n - k, 0))
        weights.append(w)
        if n > k and lam < mu * k + theta * (n - k) and w < 1e-18 * sum(weights):
            break
    total = sum(weights)
    served = sum(weights[:k]) / total
    within = served
    rate = k * mu
    phi = (1.0 - math.exp(-theta * t)) / theta
    for n in range(k, len(weights)):
        j = n - k
        p_s = rate / (rate + (j + 1) * theta)
        term = math.exp(-(rate + theta) * t)
        tail = term
        for m in range(1, j + 1):
            term *= (rate + m * theta) * phi / m
            tail += term
        served += weights[n] / total * p_s
        within += weights[n] / total * p_s * max(0.0, 1.0 - tail)
    return 1.0 - served, within


def erlang_a_case(cases: int, repeat: int) -> None:
    """Erlang-A (M/M/c+M) on the same kind of store-intervals: capacity staff − 0.3 chores."""
    rng = np.random.default_rng(14)
    service = rng.uniform(1.5, 4.0, cases)
    staff = rng.integers(1, 12, cases).astype(float)
    capacity = staff - 0.3
    load = capacity * rng.uniform(0.3, 1.4, cases)  # up to 40 % overload: people walk away
    arrivals = load * 60.0 / service
    patience = rng.uniform(2.0, 8.0, cases)
    target = rng.uniform(0.5, 5.0, cases)
    seconds = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fig = erlang_a(arrivals, service, capacity, patience, target)
        seconds = min(seconds, time.perf_counter() - t0)
    sample = rng.choice(cases, size=min(2_000, cases), replace=False)
    t0 = time.perf_counter()
    ref = [reference_erlang_a(arrivals[i], service[i], capacity[i], patience[i], target[i]) for i in sample]
    ref_seconds = time.perf_counter() - t0
    ref_ab = np.array([r[0] for r in ref])
    ref_sl = np.array([r[1] for r in ref])
    err = max(
        float(np.abs(fig.abandon_probability[sample] - ref_ab).max()),
        float(np.abs(fig.service_level[sample] - ref_sl).max()),
    )
    ours_us = seconds / cases * 1e6
    ref_us = ref_seconds / sample.size * 1e6
    print()
    print(
        f"Erlang-A (M/M/c+M): {cases:,} store-intervals, 1-11 staff less 0.3 chores, load 0.3-1.4 x capacity,"
    )
    print(
        "patience 2-8 min; all figures (P(wait), P(abandon), served wait, service level, walk-aways) in one call"
    )
    print_table(
        ("implementation", "cases", "seconds", "µs/case", "speed-up", "max abs. difference", "peak extra MB"),
        [
            (
                "storemon erlang_a",
                f"{cases:,}",
                f"{seconds:.2f}",
                f"{ours_us:.2f}",
                f"{ref_us / ours_us:.0f}x",
                f"{err:.1e}",
                "-",
            ),
            (
                "plain Python",
                f"{sample.size:,}",
                f"{ref_seconds:.2f}",
                f"{ref_us:.1f}",
                "1x",
                "reference",
                "-",
            ),
        ],
    )


if __name__ == "__main__":
    main()
