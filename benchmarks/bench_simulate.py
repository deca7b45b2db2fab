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
        [--warmup 1000] [--no-peer]

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
from staffing.backlog import backlog_day  # noqa: E402
from staffing.queueing import mean_wait_minutes  # noqa: E402
from staffing.simulate import simulate_day, simulate_mmc  # noqa: E402

SERVICE_MINUTES = 2.0
SERVERS = 2
UTILISATION = 0.83
ARRIVALS_PER_HOUR = UTILISATION * SERVERS * 60.0 / SERVICE_MINUTES
CIW_VERSION = "ciw==3.2.7"

# Runs in the peer venv: argv[1] is a JSON job; prints one JSON line with its timing and waits.
CIW_SCRIPT = r"""
import json, sys, time
import ciw

job = json.loads(sys.argv[1])
start = time.perf_counter()
total = count = 0.0
rep_means = []
for rep in range(job["replications"]):
    ciw.seed(job["seed"] + rep)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=job["arrivals_per_minute"])],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / job["service_minutes"])],
        number_of_servers=[job["servers"]],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(job["customers"], method="Finish")
    waits = [r.waiting_time for r in sim.get_all_records() if r.id_number > job["warmup"]]
    total += sum(waits)
    count += len(waits)
    rep_means.append(sum(waits) / len(waits))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "mean_wait": total / count, "counted": count,
                  "rep_means": rep_means, "ciw": ciw.__version__}))
"""


def peaked_day(base: float, morning: float, lunch: float) -> np.ndarray:
    """Expected orders per 15 minutes, 07:00-21:00, rushes 07:30-09:30 and 11:30-13:30 (as in the tests)."""
    minutes = 7 * 60 + 15 * np.arange(56) + 7.5

    def rush(peak_hour: float, spread_minutes: float) -> np.ndarray:
        return np.exp(-0.5 * ((minutes - peak_hour * 60) / spread_minutes) ** 2)

    return base + morning * rush(8.5, 25) + lunch * rush(12.5, 35)


def run_ciw(replications: int, customers: int, warmup: int, seed: int) -> dict:
    python = peer_python([CIW_VERSION])
    job = {
        "replications": replications,
        "customers": customers,
        "warmup": warmup,
        "seed": seed,
        "arrivals_per_minute": ARRIVALS_PER_HOUR / 60.0,
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
    args = parser.parse_args()
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
