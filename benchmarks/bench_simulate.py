"""Queue simulation speed and accuracy against the peer library ciw, plus the backlog model's check.

1. M/M/2 at utilisation 0.83 (2 min per order, 49.8 orders/hour): ``staffing.simulate.simulate_mmc``
   and ciw (run in the Python 3.12 peer venv, see peer_env.py) simulate the same replications ×
   customers, each replication from an empty store, and both leave the first ``--warmup``
   customers of each replication out of the statistics. Timed: everything from building the
   model to the pooled waits. Targets: storemon >= 50× faster, pooled mean wait within 2 % of
   Erlang C.
2. The peaked days of tests/staffing/test_backlog.py: ``backlog.backlog_day`` against
   ``simulate.simulate_day`` (arrival-weighted day mean wait).

    .venv/bin/python benchmarks/bench_simulate.py [--replications 80] [--customers 100000]
        [--warmup 1000] [--no-peer] [--reneging-only] [--narrow-only]

3. Issue 14: M/M/2+M (patience 4 min, 20 % overload) against ciw's reneging and Erlang-A; the
   reneging backlog against the simulation on peaked solo and two-person days (mean wait,
   walk-aways, customer P90); the batched backlog kernel (uniformization) against the former
   Runge-Kutta solver on 1,000 store-days.

The defaults (8 million customers, enough for a standard error of about 0.5 % on the mean wait)
take about 4 minutes, nearly all of it ciw's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from peer_env import PeerEnvError, peer_python  # noqa: E402

from benchmarks.report import print_table  # noqa: E402
from staffing.backlog import backlog_day, backlog_day_rk4  # noqa: E402
from staffing.erlang_a import erlang_a  # noqa: E402
from staffing.queueing import mean_wait_minutes  # noqa: E402
from staffing.simulate import simulate_day, simulate_mmc  # noqa: E402

SERVICE_MINUTES = 2.0
SERVERS = 2
UTILISATION = 0.83
ARRIVALS_PER_HOUR = UTILISATION * SERVERS * 60.0 / SERVICE_MINUTES
CIW_VERSION = "ciw==3.2.7"
PATIENCE_MINUTES = 4.0

# Runs in the peer venv: argv[1] is a JSON job; prints one JSON line with its timing and waits.
CIW_SCRIPT = r"""
import json, sys, time
import ciw

job = json.loads(sys.argv[1])
start = time.perf_counter()
total = count = 0.0
rep_means = []
renege_total = arrived_total = 0
for rep in range(job["replications"]):
    ciw.seed(job["seed"] + rep)
    extra = {}
    if job.get("patience_minutes"):
        extra["reneging_time_distributions"] = [ciw.dists.Exponential(rate=1.0 / job["patience_minutes"])]
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=job["arrivals_per_minute"])],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / job["service_minutes"])],
        number_of_servers=[job["servers"]],
        **extra,
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(job["customers"], method="Finish")
    records = [r for r in sim.get_all_records() if r.id_number > job["warmup"]]
    waits = [r.waiting_time for r in records if getattr(r, "record_type", "service") == "service"]
    reneged = sum(1 for r in records if getattr(r, "record_type", "service") == "renege")
    renege_total += reneged
    arrived_total += len(records)
    total += sum(waits)
    count += len(waits)
    rep_means.append(sum(waits) / len(waits))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "mean_wait": total / count, "counted": count,
                  "rep_means": rep_means, "ciw": ciw.__version__,
                  "abandon_share": renege_total / max(arrived_total, 1)}))
"""


def peaked_day(base: float, morning: float, lunch: float) -> np.ndarray:
    """Expected orders per 15 minutes, 07:00-21:00, rushes 07:30-09:30 and 11:30-13:30 (as in the tests)."""
    minutes = 7 * 60 + 15 * np.arange(56) + 7.5

    def rush(peak_hour: float, spread_minutes: float) -> np.ndarray:
        return np.exp(-0.5 * ((minutes - peak_hour * 60) / spread_minutes) ** 2)

    return base + morning * rush(8.5, 25) + lunch * rush(12.5, 35)


def run_ciw(
    replications: int,
    customers: int,
    warmup: int,
    seed: int,
    patience_minutes: float | None = None,
    arrivals_per_hour: float = ARRIVALS_PER_HOUR,
) -> dict:
    python = peer_python([CIW_VERSION])
    job = {
        "patience_minutes": patience_minutes,
        "replications": replications,
        "customers": customers,
        "warmup": warmup,
        "seed": seed,
        "arrivals_per_minute": arrivals_per_hour / 60.0,
        "service_minutes": SERVICE_MINUTES,
        "servers": SERVERS,
    }
    proc = subprocess.run([str(python), "-c", CIW_SCRIPT, json.dumps(job)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise PeerEnvError(f"ciw run failed:\n{proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stderr(values: list[float] | np.ndarray) -> float:
    values = np.asarray(values, dtype=float)
    return float(values.std(ddof=1) / np.sqrt(values.size))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replications", type=int, default=80)
    parser.add_argument("--customers", type=int, default=100_000, help="per replication, warm-up included")
    parser.add_argument("--warmup", type=int, default=1_000, help="first customers per replication left out")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-peer", action="store_true", help="skip ciw")
    parser.add_argument("--reneging-only", action="store_true", help="only the issue-14 cases (section 3)")
    parser.add_argument("--narrow-only", action="store_true", help="only the one-store-per-call kernel case")
    args = parser.parse_args()
    if args.narrow_only:
        narrow_batches()
        return 0
    if args.reneging_only:
        reneging_cases(args)
        return 0
    reps, n, warm = args.replications, args.customers, args.warmup
    simulated = reps * n
    erlang_c = float(mean_wait_minutes(ARRIVALS_PER_HOUR, SERVICE_MINUTES, SERVERS))

    print(
        f"M/M/{SERVERS}, utilisation {UTILISATION}, {SERVICE_MINUTES:g} min per order, "
        f"{ARRIVALS_PER_HOUR:g} orders/h; {reps} replications x {n:,} customers, "
        f"first {warm:,} of each left out of the statistics (both libraries)"
    )

    simulate_mmc(ARRIVALS_PER_HOUR, SERVICE_MINUTES, SERVERS, 1_000, 10, seed=0)  # import/JIT-free warm-up
    start = time.perf_counter()
    ours = simulate_mmc(ARRIVALS_PER_HOUR, SERVICE_MINUTES, SERVERS, n, reps, warmup=warm, seed=args.seed)
    ours_seconds = time.perf_counter() - start
    rows = [("storemon", ours_seconds, ours.mean_wait, ours.mean_wait_stderr)]

    peer_note = ""
    if args.no_peer:
        peer_note = "ciw skipped (--no-peer)."
    else:
        try:
            theirs = run_ciw(reps, n, warm, args.seed)
            rows.append(
                (f"ciw {theirs['ciw']}", theirs["seconds"], theirs["mean_wait"], stderr(theirs["rep_means"]))
            )
        except (PeerEnvError, OSError, ValueError) as exc:
            peer_note = f"PEER NOT RUN: ciw could not be installed or run, so no speed-up is shown.\n{exc}"

    print()
    print_table(
        (
            "library",
            "reps",
            "customers",
            "seconds",
            "customers/s",
            "speed-up",
            "mean wait",
            "Erlang C",
            "rel. error",
        ),
        [
            (
                name,
                reps,
                f"{simulated:,}",
                f"{seconds:.2f}",
                f"{simulated / seconds:,.0f}",
                f"{seconds / ours_seconds:.1f}x",
                f"{wait:.3f}±{se:.3f}",
                f"{erlang_c:.3f}",
                f"{(wait / erlang_c - 1):+.2%}",
            )  # fmt: skip
            for name, seconds, wait, se in rows
        ],
    )
    if peer_note:
        print(peer_note)
    print(
        "(mean wait ± standard error from the spread of replication means, minutes; speed-up = "
        "ciw seconds / storemon seconds, so storemon's own row is 1.0x)"
    )
    ok_accuracy = abs(ours.mean_wait / erlang_c - 1) <= 0.02
    verdicts = [f"storemon within 2 % of Erlang C: {'yes' if ok_accuracy else 'NO'}"]
    if len(rows) > 1:
        verdicts.append(
            f"storemon >= 50x faster than ciw: {'yes' if rows[1][1] / ours_seconds >= 50 else 'NO'}"
        )
    print("; ".join(verdicts))

    print()
    print(
        "Backlog model vs simulation, peaked day 07:00-21:00 (rho >= 1 for 30 min), "
        "arrival-weighted day mean wait"
    )
    day_rows = []
    for store, shape, service, staff in (
        ("solo", (3.0, 5.0, 3.0), 2.0, 1),
        ("two-person", (5.0, 10.0, 6.0), 2.5, 2),
    ):
        orders = peaked_day(*shape)
        roster = np.full(orders.size, staff)
        t0 = time.perf_counter()
        model = backlog_day(orders, service, roster)
        t1 = time.perf_counter()
        sim = simulate_day(orders, service, roster, replications=2000, seed=args.seed)
        t2 = time.perf_counter()
        rho = float(np.max(orders * service / (15 * staff)))
        day_rows.append(
            (
                store, f"{rho:.2f}", f"{float(model.day_mean_wait):.3f} ({t1 - t0:.2f})",
                f"{sim.mean_wait:.3f}±{sim.mean_wait_stderr:.3f} ({t2 - t1:.2f})",
                f"{float(model.day_mean_wait) / sim.mean_wait - 1:+.2%}",
            )
        )  # fmt: skip
    print_table(("store", "max rho", "backlog (s)", "simulation (s)", "rel. diff"), day_rows)
    print("(simulation: 2,000 replications of the day; seconds in brackets)")
    reneging_cases(args)
    return 0


def reneging_cases(args: argparse.Namespace) -> None:
    """Issue 14: abandonment in the simulation (vs ciw's reneging) and in the backlog model."""
    lam = 1.2 * ARRIVALS_PER_HOUR  # 20 % more than M/M/2 at 0.83: overloaded, people walk away
    reps, n, warm = args.replications, max(args.customers // 10, 2_000), args.warmup // 4
    exact = erlang_a(lam, SERVICE_MINUTES, SERVERS, PATIENCE_MINUTES)
    t0 = time.perf_counter()
    ours = simulate_mmc(
        lam, SERVICE_MINUTES, SERVERS, n, reps, warmup=warm, seed=args.seed, patience_minutes=PATIENCE_MINUTES
    )
    ours_seconds = time.perf_counter() - t0
    rows = [("storemon", ours_seconds, ours.mean_wait, ours.abandon_share)]
    note = ""
    if not args.no_peer:
        try:
            theirs = run_ciw(reps, n, warm, args.seed, PATIENCE_MINUTES, lam)
            rows.append(
                (f"ciw {theirs['ciw']}", theirs["seconds"], theirs["mean_wait"], theirs["abandon_share"])
            )
        except (PeerEnvError, OSError, ValueError) as exc:
            note = f"PEER NOT RUN: {exc}"
    print()
    print(
        f"M/M/{SERVERS}+M (Erlang-A): {lam:g} orders/h (offered load {lam * SERVICE_MINUTES / 60 / SERVERS:.2f} "
        f"per server), patience {PATIENCE_MINUTES:g} min; {reps} replications x {n:,} customers"
    )
    header = f"{'library':<12} {'seconds':>8} {'speed-up':>9} {'served wait':>12} {'Erlang-A':>9} {'walked away':>12} {'Erlang-A':>9}"
    print(header)
    print("-" * len(header))
    for name, seconds, wait, share in rows:
        print(
            f"{name:<12} {seconds:>8.2f} {seconds / ours_seconds:>8.1f}x {wait:>12.3f} "
            f"{float(exact.mean_wait_served):>9.3f} {share:>12.2%} {float(exact.abandon_probability):>9.2%}"
        )
    if note:
        print(note)

    print()
    print(
        "Reneging backlog (uniformization, patience 4 min, chores 0.3) vs simulation (3,000 days), peaked days"
    )
    header = f"{'store':<12} {'mean wait':>17} {'walked away':>17} {'customer P90':>17} {'backlog s':>9} {'sim s':>6}"
    print(header)
    print("-" * len(header))
    for store, shape, service, staff in (
        ("solo", (2.0, 5.0, 3.0), 2.0, 1),
        ("two-person", (4.0, 11.0, 7.0), 2.2, 2),
    ):
        orders = peaked_day(*shape)
        capacity = np.full(orders.size, staff - 0.3)
        t0 = time.perf_counter()
        model = backlog_day(orders, service, capacity, patience_minutes=PATIENCE_MINUTES)
        p90 = float(model.wait_quantile(0.9))
        t1 = time.perf_counter()
        sim = simulate_day(
            orders, service, capacity, replications=3000, seed=args.seed, patience_minutes=PATIENCE_MINUTES
        )
        t2 = time.perf_counter()
        served = orders * model.served_share
        mean = float((served * model.mean_wait).sum() / served.sum())
        print(
            f"{store:<12} {mean:>6.3f} vs {sim.mean_wait:>6.3f} {float(model.lost_orders):>6.2f} vs "
            f"{sim.walked_away:>6.2f} {p90:>6.3f} vs {sim.p90_wait:>6.3f} {t1 - t0:>9.3f} {t2 - t1:>6.2f}"
        )
    print("(model vs simulation; walked away: customers per day)")

    print()
    print("Batched backlog kernel: 1,000 store-days (500 solo + 500 two-person peaked days) in one call")
    days = np.stack([peaked_day(2.0, 5.0, 3.0), peaked_day(4.0, 11.0, 7.0)] * 500)
    svc = np.tile([[2.0], [2.2]], (500, 1))
    whole = np.tile([[1.0], [2.0]], (500, 1))
    timings = []
    for name, fn in (
        ("Runge-Kutta (former), no abandonment", lambda: backlog_day_rk4(days, svc, whole)),
        ("uniformization, no abandonment", lambda: backlog_day(days, svc, whole, keep_states=False)),
        (
            "uniformization, patience 4 min, chores 0.3",
            lambda: backlog_day(days, svc, whole - 0.3, patience_minutes=PATIENCE_MINUTES, keep_states=False),
        ),
    ):
        t0 = time.perf_counter()
        fn()
        timings.append((name, time.perf_counter() - t0))
    print_kernel_timings(timings)

    print()
    print("Mixed batch: 990 quiet solo days + 10 busy six-person days in one call (the former kernel's")
    print("step count is set by its busiest row; uniformization gives every row its own)")
    mixed = np.stack([peaked_day(0.5, 1.5, 1.0)] * 990 + [peaked_day(20.0, 40.0, 30.0)] * 10)
    staff = np.concatenate([np.full((990, 1), 1.0), np.full((10, 1), 6.0)])
    timings = []
    for name, fn in (
        ("Runge-Kutta (former), no abandonment", lambda: backlog_day_rk4(mixed, 2.0, staff)),
        ("uniformization, no abandonment", lambda: backlog_day(mixed, 2.0, staff, keep_states=False)),
        (
            "uniformization, patience 4 min, chores 0.3",
            lambda: backlog_day(
                mixed, 2.0, staff - 0.3, patience_minutes=PATIENCE_MINUTES, keep_states=False
            ),
        ),
    ):
        t0 = time.perf_counter()
        fn()
        timings.append((name, time.perf_counter() - t0))
    print_kernel_timings(timings)


def narrow_batches() -> None:
    """The app's own calls: one store's week (7 store-days) or one day per call, 30 stores each.

    Timed in CPU seconds (``time.process_time``) so that other work on the machine does not count.
    """
    print()
    print("Narrow batches as the app calls the kernel: 30 stores, one call per store (CPU seconds)")
    shapes = [(0.5, 1.5, 1.0), (2.0, 5.0, 3.0), (4.0, 11.0, 7.0)]
    rng = np.random.default_rng(14)
    weeks = [
        np.stack([peaked_day(*shapes[s % 3]) * rng.uniform(0.8, 1.2) for _ in range(7)]) for s in range(30)
    ]
    staff = [np.full((7, 56), 1.0 + s % 3) for s in range(30)]
    rows = []
    for label, days in (("a week per call (Region)", 7), ("a day per call (Today)", 1)):
        timings = []
        for name, fn in (
            ("Runge-Kutta (former), no abandonment", lambda w, c: backlog_day_rk4(w, SERVICE_MINUTES, c)),
            ("uniformization, no abandonment", lambda w, c: backlog_day(w, SERVICE_MINUTES, c)),
            (
                "uniformization, patience 4 min, chores 0.3",
                lambda w, c: backlog_day(w, SERVICE_MINUTES, c - 0.3, patience_minutes=PATIENCE_MINUTES),
            ),
        ):
            best = float("inf")
            for _ in range(3):
                t0 = time.process_time()
                for week, on in zip(weeks, staff, strict=True):
                    fn(week[:days], on[:days])
                best = min(best, time.process_time() - t0)
            timings.append((name, best))
        base = timings[0][1]
        rows += [
            (label, name, f"{sec:.2f}", f"{sec / 30 / days * 1e3:.1f}", f"{base / sec:.2f}x")
            for name, sec in timings
        ]
    print_table(("calls", "kernel", "CPU s", "ms/store-day", "vs former"), rows, left=(0, 1))


def print_kernel_timings(timings: list[tuple[str, float]]) -> None:
    base = timings[0][1]
    for name, seconds in timings:
        print(
            f"{name:<45} {seconds:>7.2f} s  {seconds / 1000 * 1e3:>6.2f} ms/store-day  {base / seconds:>5.2f}x"
        )


if __name__ == "__main__":
    sys.exit(main())
