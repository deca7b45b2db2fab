"""Chain scale (issue 15): a region's week and a rules cycle over demo chains built in the database.

For each engine and chain size, builds the demo chain (``storemon.services.demo.build_demo``) in a
fresh database, fits the pooled forecast once (cached, as in the app), then times in the same run:

- region week: every store's last seven days, store by store (``store_days`` per store, the old
  path) beside all stores at once (``store_days_many``);
- rules days: every store's today, store by store (``store_day``) beside ``store_days_many``;
- the whole rules cycle (``rules.evaluate``: day models, live pictures, alerts; rolled back);
- with ``--incremental``, only the worker's cycle: cold, unchanged a minute later, after one edit,
  and when the next 15-minute interval begins.

The PostgreSQL server is a throw-away one started here from the installed binaries
(``tests/pgserver.py``), as in ``bench_alerts.py``.

    .venv/bin/python benchmarks/bench_chain.py [--stores 100,300] [--weeks 4]
        [--engine sqlite|postgresql|both] [--incremental]
"""

from __future__ import annotations

import argparse
import resource
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
from storemon.services.rules import evaluate  # noqa: E402
from storemon.services.store_days import store_day, store_days, store_days_many  # noqa: E402

ANCHOR = date(2026, 3, 9)
NOW = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # mid-morning in the demo's Chinese stores


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def measure(engine_name: str, url: str, n_stores: int, weeks: int) -> list[object]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    start = time.perf_counter()
    with sessions() as session:
        build_demo(session, stores=n_stores, weeks=weeks, seed=7, anchor=ANCHOR)
        session.commit()
    build = time.perf_counter() - start
    week = [ANCHOR - timedelta(days=k) for k in range(7, 0, -1)]
    with sessions() as session:
        stores = list(session.scalars(select(Store).order_by(Store.code)))
        ids = [s.id for s in stores]
        fit = timed(lambda: store_days(session, SYSTEM, ids[0], week, NOW))  # fits the pooled forecast once
        region_old = timed(lambda: [store_days(session, SYSTEM, i, week, NOW) for i in ids])
        region_new = timed(lambda: store_days_many(session, SYSTEM, {i: week for i in ids}, NOW))
        today = {s.id: [NOW.astimezone(ZoneInfo(s.timezone)).date()] for s in stores}
        store_days_many(session, SYSTEM, {ids[0]: today[ids[0]]}, NOW)  # today's history day fitted
        rules_old = timed(lambda: [store_day(session, SYSTEM, i, today[i][0], NOW) for i in ids])
        rules_new = timed(lambda: store_days_many(session, SYSTEM, today, NOW))
        cycle = timed(lambda: evaluate(session, NOW))
        session.rollback()
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        engine_name,
        n_stores,
        f"{build:.1f}",
        f"{fit:.1f}",
        f"{region_old:.1f}",
        f"{region_new:.1f}",
        f"{region_old / region_new:.1f}x",
        f"{rules_old:.1f}",
        f"{rules_new:.1f}",
        f"{rules_old / rules_new:.1f}x",
        f"{cycle:.1f}",
        f"{peak:.0f}",
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
    parser.add_argument("--stores", default="100,300", help="chain sizes, comma-separated")
    parser.add_argument("--weeks", type=int, default=4, help="weeks of demo sales before the anchor")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--incremental", action="store_true", help="only the worker's rules cycle: cold, unchanged, one edit"
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.stores.split(",")]
    if args.incremental:
        return incremental_table(args, sizes)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-chain-") as tmp:
        if args.engine in ("sqlite", "both"):
            for n in sizes:
                rows.append(measure("sqlite", f"sqlite:///{Path(tmp) / f'chain-{n}.sqlite3'}", n, args.weeks))
                print(*rows[-1], flush=True)
        if args.engine in ("postgresql", "both"):
            server, _ = start_postgres()
            try:
                for n in sizes:
                    rows.append(measure("postgresql", fresh_pg_database(server, f"chain_{n}"), n, args.weeks))
                    print(*rows[-1], flush=True)
            finally:
                server.stop()
    print()
    print_table(
        [
            "engine",
            "stores",
            "build s",
            "fit s",
            "region old s",
            "region new s",
            "speed-up",
            "rules days old s",
            "rules days new s",
            "speed-up",
            "rules cycle s",
            "peak MB",
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
