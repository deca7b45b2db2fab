"""Roster recommendations and the demo chain (issue 15 item 5): old and new path in the same run.

1. Recommendations: store-days of a demo chain (``storemon.services.whatif.recommendation_inputs``),
   each searched twice, on the reference kernel (``backlog_day`` at every step: the former path)
   and on the default one (one ``SharedBacklog`` for the whole search); time per store-day, and
   whether the two recommend the same blocks.
2. Demo build: ``build_demo`` for each chain size in a fresh database (8 weeks), wall and CPU time.
   The machine is shared, so CPU seconds (user + system of this process) are printed beside the
   wall clock; on an idle machine the wall time is close to the CPU time.

    .venv/bin/python benchmarks/bench_recommend.py [--store-days 12] [--stores 100,1000,2000]
        [--engine sqlite|postgresql|both] [--skip-demo] [--skip-recommend]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402

from benchmarks.bench_alerts import fresh_pg_database, start_postgres  # noqa: E402
from benchmarks.report import print_table  # noqa: E402
from staffing.backlog import backlog_day  # noqa: E402
from staffing.recommend import recommend_additions  # noqa: E402
from storemon.db.engine import make_engine, make_session_factory  # noqa: E402
from storemon.db.migrate import upgrade  # noqa: E402
from storemon.db.models import Store  # noqa: E402
from storemon.services.demo import build_demo  # noqa: E402
from storemon.services.whatif import recommendation_inputs  # noqa: E402

ANCHOR = date(2026, 3, 9)
NOW = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)


def timed(work: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU seconds of ``work()``, and what it answered."""
    wall, cpu = time.perf_counter(), time.process_time()
    answer = work()
    return time.perf_counter() - wall, time.process_time() - cpu, answer


def recommendations(n_store_days: int, tmp: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp / 'recommend.sqlite3'}")
    upgrade(engine)
    with make_session_factory(engine)() as session:
        build_demo(session, stores=max(3, (n_store_days + 2) // 3), weeks=3, seed=11, anchor=ANCHOR)
        session.commit()
        stores = list(session.scalars(select(Store).order_by(Store.code)))
        days = [ANCHOR - timedelta(days=3), ANCHOR, ANCHOR + timedelta(days=2)]
        cases = [(s, d) for s in stores for d in days][:n_store_days]
        inputs = [(s.code, d, recommendation_inputs(session, s, d, NOW)) for s, d in cases]
    engine.dispose()
    rows, old_all, new_all = [], [], []
    for code, day, args in inputs:
        old_wall, old_cpu, old = timed(lambda args=args: recommend_additions(*args, backlog=backlog_day))
        new_wall, new_cpu, new = timed(lambda args=args: recommend_additions(*args))
        old_all.append((old_wall, old_cpu))
        new_all.append((new_wall, new_cpu))
        rows.append(
            [
                code,
                day.isoformat(),
                len(new.additions),
                f"{old_wall * 1000:.0f}",
                f"{new_wall * 1000:.0f}",
                f"{old_cpu * 1000:.0f}",
                f"{new_cpu * 1000:.0f}",
                f"{old_cpu / new_cpu:.1f}x",
                "yes" if old.additions == new.additions else "NO",
            ]
        )
        print(*rows[-1], flush=True)
    old_a, new_a = np.array(old_all), np.array(new_all)
    rows.append(
        [
            "mean",
            "",
            "",
            f"{old_a[:, 0].mean() * 1000:.0f}",
            f"{new_a[:, 0].mean() * 1000:.0f}",
            f"{old_a[:, 1].mean() * 1000:.0f}",
            f"{new_a[:, 1].mean() * 1000:.0f}",
            f"{old_a[:, 1].mean() / new_a[:, 1].mean():.1f}x",
            "",
        ]
    )
    rows.append(
        ["max", "", "", "", "", f"{old_a[:, 1].max() * 1000:.0f}", f"{new_a[:, 1].max() * 1000:.0f}", "", ""]
    )
    print()
    print_table(
        [
            "store",
            "day",
            "blocks",
            "old wall ms",
            "new wall ms",
            "old CPU ms",
            "new CPU ms",
            "speed-up",
            "same blocks",
        ],
        rows,
        left=(0, 1),
    )


def demo_build(engine_name: str, url: str, n_stores: int) -> list[object]:
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine)() as session:

        def build():
            summary = build_demo(session, stores=n_stores, weeks=8, seed=7, anchor=ANCHOR)
            session.commit()
            return summary

        wall, cpu, summary = timed(build)
    engine.dispose()
    return [
        engine_name,
        n_stores,
        f"{summary.sales_buckets:,}",
        f"{summary.shifts:,}",
        f"{wall:.1f}",
        f"{cpu:.1f}",
        f"{cpu / n_stores * 1000:.0f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store-days", type=int, default=12, help="store-days to recommend for")
    parser.add_argument("--stores", default="100,1000,2000", help="demo chain sizes, comma-separated")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-recommend", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-recommend-") as tmp:
        if not args.skip_recommend:
            recommendations(args.store_days, Path(tmp))
            print()
        if args.skip_demo:
            return
        rows = []
        for n in (int(x) for x in args.stores.split(",")):
            if args.engine in ("sqlite", "both"):
                rows.append(demo_build("sqlite", f"sqlite:///{Path(tmp) / f'demo-{n}.sqlite3'}", n))
                print(*rows[-1], flush=True)
        if args.engine in ("postgresql", "both"):
            server, _ = start_postgres()
            try:
                for n in (int(x) for x in args.stores.split(",")):
                    rows.append(demo_build("postgresql", fresh_pg_database(server, f"demo_{n}"), n))
                    print(*rows[-1], flush=True)
            finally:
                server.stop()
        print()
        print_table(
            ["engine", "stores", "sales buckets", "shifts", "build wall s", "build CPU s", "CPU ms/store"],
            rows,
            left=(0,),
        )


if __name__ == "__main__":
    main()
