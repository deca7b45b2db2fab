"""Chain scale (issue 15): rules cycles and a pressure week over demo chains built in the database.

For each engine and chain size, a child process builds the demo chain
(``storemon.services.demo.build_demo``) in a fresh database and times, in that one run:

- first cycle: ``rules.evaluate`` on a worker that has just started (it fits the pooled forecast);
- cold cycle: ``rules.evaluate`` again with the forecast fitted but nothing else kept (every
  store's day modelled, every live picture written, every alert raised; rolled back);
- pressure week: ``region_pressure`` for the whole chain, D-6 .. D, in this process (its forecast
  already fitted by the cycles), and ``storemon report pressure`` for the same week as a user runs
  it, a fresh process writing the CSV: the figure the issue's target is for;
- the per-store cost of today's picture on the old path (``store_day`` store by store, on a
  sample of stores) beside the new one (the cold cycle's ``store_days_many`` share);
- peak memory (ru_maxrss) of the child that measured the cycles and the in-process week, so sizes
  do not inherit each other's peak, and of ``report pressure`` (its process and its second
  process, which run at once, added up).
- with ``--incremental``, only the worker's cycle (``storemon.rules_cycle``): cold, unchanged a
  minute later, after one edit, and when the next 15-minute interval begins.

The issue's targets are printed beside the figures (1,000 stores: cycle <= 10 s, week <= 20 s;
2,000 stores: cycle <= 20 s; <= 1.5 GB). The PostgreSQL server is a throw-away one started here
from the installed binaries (``tests/pgserver.py``), as in ``bench_alerts.py``.

    .venv/bin/python benchmarks/bench_chain.py [--stores 100,1000,2000] [--weeks 4]
        [--engine sqlite|postgresql|both] [--sample 30] [--incremental]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from benchmarks.bench_alerts import fresh_pg_database, start_postgres  # noqa: E402
from benchmarks.report import print_table  # noqa: E402
from storemon.db.engine import make_engine, make_session_factory  # noqa: E402
from storemon.db.migrate import upgrade  # noqa: E402
from storemon.db.models import Store  # noqa: E402
from storemon.services.access import SYSTEM  # noqa: E402
from storemon.services.demo import build_demo  # noqa: E402
from storemon.services.pressure_report import region_pressure  # noqa: E402
from storemon.services.rules import evaluate  # noqa: E402
from storemon.services.store_days import store_day, store_days_many  # noqa: E402

ANCHOR = date(2026, 3, 9)
NOW = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # mid-morning in the demo's Chinese stores
TARGETS = {1000: {"cycle": 10.0, "week": 20.0}, 2000: {"cycle": 20.0}}
PEAK_MB = 1536


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


REPORT_CLI = """
import json, resource, sys
from storemon.cli.main import main
code = main(["--db", sys.argv[1], "report", "pressure", "--from", sys.argv[2], "--to", sys.argv[3]])
# the command's process and its second process (run_in_child) run at once: their peaks add up
peak = sum(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"peak_kb": peak}), file=sys.stderr)
sys.exit(code)
"""


def report_pressure_cli(url: str, first: date, last: date) -> float:
    """``storemon report pressure`` as a user runs it: a fresh process that imports, models the
    chain's week and writes the rows (to nowhere); answers its peak memory in MB (both processes)."""
    with tempfile.TemporaryDirectory(prefix="bench-chain-home-") as home:
        done = subprocess.run(
            [sys.executable, "-c", REPORT_CLI, url, first.isoformat(), last.isoformat()],
            check=True,
            cwd=ROOT,
            env={**os.environ, "STOREMON_HOME": home},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    return json.loads(done.stderr.strip().splitlines()[-1])["peak_kb"] / 1024


def measure(url: str, n_stores: int, weeks: int, sample: int) -> dict:
    """One chain in this process: every figure of one table row."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    start = time.perf_counter()
    with sessions() as session:
        build_demo(session, stores=n_stores, weeks=weeks, seed=7, anchor=ANCHOR)
        session.commit()
    figures = {"build": time.perf_counter() - start}
    with sessions() as session:
        figures["first"] = timed(lambda: evaluate(session, NOW))
        session.rollback()
    with sessions() as session:
        figures["cold"] = timed(lambda: evaluate(session, NOW))
        session.rollback()
    day = ANCHOR - timedelta(days=1)
    with sessions() as session:
        figures["week"] = timed(
            lambda: region_pressure(session, SYSTEM, None, day - timedelta(days=6), day, NOW)
        )
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    figures["report_peak_mb"] = report_pressure_cli(url, day - timedelta(days=6), day)
    figures["week_cli"] = time.perf_counter() - started
    with sessions() as session:
        stores = list(session.scalars(select(Store).order_by(Store.code)))
        today = {s.id: [NOW.astimezone(ZoneInfo(s.timezone)).date()] for s in stores}
        new = timed(lambda: store_days_many(session, SYSTEM, today, NOW))
        picked = stores[:: max(1, len(stores) // sample)][:sample]
        old = timed(lambda: [store_day(session, SYSTEM, s.id, today[s.id][0], NOW) for s in picked])
    figures["per_store_new_ms"] = 1000 * new / len(stores)
    figures["per_store_old_ms"] = 1000 * old / len(picked)
    engine.dispose()
    return figures


def row(engine_name: str, n: int, f: dict) -> list[str]:
    target = TARGETS.get(n, {})

    def verdict(key: str, figure: str) -> str:
        return "" if key not in target else ("yes" if f[figure] <= target[key] else "NO")

    return [
        engine_name,
        str(n),
        f"{f['build']:.1f}",
        f"{f['first']:.1f}",
        f"{f['cold']:.1f}",
        verdict("cycle", "cold"),
        f"{f['week']:.1f}",
        f"{f['week_cli']:.1f}",
        verdict("week", "week_cli"),
        f"{f['per_store_old_ms']:.1f}",
        f"{f['per_store_new_ms']:.2f}",
        f"{f['per_store_old_ms'] / f['per_store_new_ms']:.0f}x",
        f"{f['peak_mb']:.0f}",
        f"{f['report_peak_mb']:.0f}",
        "yes" if max(f["peak_mb"], f["report_peak_mb"]) <= PEAK_MB else "NO",
    ]


def measure_incremental(engine_name: str, url: str, n_stores: int, weeks: int) -> list[object]:
    """The worker's rules cycle (``storemon.rules_cycle``, committed): cold, then a minute later with
    nothing changed, then after one store's roster edit (the change feed reports it)."""
    import threading

    from storemon.db.changes import watch
    from storemon.db.models import RosterShift
    from storemon.rules_cycle import RulesCycle
    from storemon.services.database import Database
    from storemon.services.rule_memory import INPUT_KINDS

    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        build_demo(session, stores=n_stores, weeks=weeks, seed=7, anchor=ANCHOR)
    clock = {"now": NOW + timedelta(seconds=70)}
    cycle = RulesCycle(
        Database(engine, sessions, None), "bench", lambda: clock["now"], every=timedelta(minutes=1)
    )
    stop, ready = threading.Event(), threading.Event()
    feed = watch(engine, cycle.memory.changed, stop, ready, INPUT_KINDS)
    ready.wait(10)
    cold = cycle.run_once()
    clock["now"] += timedelta(minutes=1)
    quiet = cycle.run_once()
    with sessions.begin() as session:
        shift = session.scalars(select(RosterShift).where(RosterShift.starts_at > NOW).limit(1)).one()
        shift.ends_at -= timedelta(minutes=15)
        store = shift.store_id
    deadline = time.monotonic() + 10
    version = cycle.memory.versions([store])[store]
    while cycle.memory.versions([store])[store] == version and time.monotonic() < deadline:
        time.sleep(0.05)
    clock["now"] += timedelta(minutes=1)
    edited = cycle.run_once()
    clock["now"] = clock["now"].replace(minute=clock["now"].minute // 15 * 15, second=5) + timedelta(
        minutes=15
    )
    interval = cycle.run_once()  # every store again, from its cached day model
    stop.set()
    feed.join(5)
    engine.dispose()
    return [
        engine_name,
        n_stores,
        f"{cold.seconds:.1f}",
        len(cold.evaluated),
        f"{quiet.seconds:.2f}",
        len(quiet.evaluated),
        f"{edited.seconds:.2f}",
        len(edited.evaluated),
        f"{interval.seconds:.1f}",
        len(interval.evaluated),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="100,1000,2000", help="chain sizes, comma-separated")
    parser.add_argument("--weeks", type=int, default=4, help="weeks of demo sales before the anchor")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sample", type=int, default=30, help="stores timed on the old path")
    parser.add_argument(
        "--incremental", action="store_true", help="only the worker's rules cycle: cold, unchanged, one edit"
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)  # URL: measure one chain here, print JSON
    args = parser.parse_args()
    sizes = [int(n) for n in args.stores.split(",")]
    if args.one:
        print(json.dumps(measure(args.one, sizes[0], args.weeks, args.sample)))
        return
    if args.incremental:
        return incremental_table(args, sizes)
    rows = []

    def child(engine_name: str, url: str, n: int) -> None:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                url,
                "--stores",
                str(n),
                "--weeks",
                str(args.weeks),
                "--sample",
                str(args.sample),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(row(engine_name, n, json.loads(out.stdout.strip().splitlines()[-1])))
        print(*rows[-1], flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-chain-") as tmp:
        if args.engine in ("sqlite", "both"):
            for n in sizes:
                child("sqlite", f"sqlite:///{Path(tmp) / f'chain-{n}.sqlite3'}", n)
        if args.engine in ("postgresql", "both"):
            server, _ = start_postgres()
            try:
                for n in sizes:
                    child("postgresql", fresh_pg_database(server, f"chain_{n}"), n)
            finally:
                server.stop()
    print()
    print_table(
        [
            "engine",
            "stores",
            "build s",
            "first cycle s",
            "cold cycle s",
            "met",
            "pressure week s",
            "report pressure s",
            "met",
            "old ms/store",
            "new ms/store",
            "speed-up",
            "peak MB",
            "report peak MB",
            "<= 1.5 GB",
        ],
        rows,
        left=(0,),
    )


def incremental_table(args, sizes: list[int]) -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        if args.engine in ("sqlite", "both"):
            for n in sizes:
                url = f"sqlite:///{Path(tmp) / f'inc-{n}.sqlite3'}"
                rows.append(measure_incremental("sqlite", url, n, args.weeks))
                print(*rows[-1], flush=True)
        if args.engine in ("postgresql", "both"):
            server, _ = start_postgres()
            try:
                for n in sizes:
                    rows.append(
                        measure_incremental(
                            "postgresql", fresh_pg_database(server, f"inc_{n}"), n, args.weeks
                        )
                    )
                    print(*rows[-1], flush=True)
            finally:
                server.stop()
    print()
    header = [
        "engine",
        "stores",
        "cold s",
        "evaluated",
        "unchanged s",
        "evaluated",
        "one edit s",
        "evaluated",
        "next interval s",
        "evaluated",
    ]
    print_table(header, rows, left=(0,))


if __name__ == "__main__":
    main()
