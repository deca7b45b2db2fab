"""A worker's hour on a 2,000-store chain, shortened by a fast clock (issue 15): no run is skipped.

Builds the demo chain in a fresh SQLite file, then runs the worker's jobs (``storemon.worker.Jobs``
and ``start_scheduler``: rules loop, due escalations, heartbeat; delivery is not exercised) with
a clock running ``--speed`` times real time and the rules interval divided by the same factor, for
``--minutes`` simulated minutes: an hour is 60 rules intervals and four 15-minute interval starts,
where every store is evaluated again. Prints every rules cycle and counts APScheduler's
"maximum number of running instances reached" lines (a job run skipped because the previous
one was still running), which the old interval job logged even on a 30-store chain.

    .venv/bin/python benchmarks/bench_worker_run.py [--stores 2000] [--speed 12] [--minutes 60]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import print_table  # noqa: E402
from staffing.day import warm_up  # noqa: E402
from storemon import worker  # noqa: E402
from storemon.db.engine import make_engine, make_session_factory  # noqa: E402
from storemon.db.migrate import upgrade  # noqa: E402
from storemon.services.database import Database  # noqa: E402
from storemon.services.demo import build_demo  # noqa: E402

ANCHOR = date(2026, 3, 9)
START = datetime(2026, 3, 8, 22, 1, 10, tzinfo=UTC)  # 06:01 on the 9th in Shanghai: the rush ahead
SKIPPED = "maximum number of running instances"


class SkipCounter(logging.Handler):
    """Counts the scheduler's skipped-run lines, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if SKIPPED in record.getMessage():
            self.lines.append(record.getMessage())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=2, help="weeks of demo sales before the anchor")
    parser.add_argument("--speed", type=float, default=12.0, help="simulated seconds per real second")
    parser.add_argument("--minutes", type=float, default=60.0, help="simulated minutes to run")
    args = parser.parse_args()
    warm_up()
    skips = SkipCounter()
    logging.getLogger().addHandler(skips)
    logging.getLogger().setLevel(logging.DEBUG)
    for noisy in ("sqlalchemy", "numba", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-worker-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'chain.sqlite3'}")
        upgrade(engine)
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        with sessions.begin() as session:
            build_demo(session, stores=args.stores, weeks=args.weeks, seed=3, anchor=ANCHOR)
        print(
            f"demo chain of {args.stores} stores built in {time.perf_counter() - started:.1f} s", flush=True
        )
        worker.RULES_EVERY = timedelta(minutes=1) / args.speed  # read when the jobs start
        real_start = time.monotonic()
        jobs = worker.Jobs(
            Database(engine, sessions, None),
            clock=lambda: START + timedelta(seconds=(time.monotonic() - real_start) * args.speed),
            worker_id="bench:1",
        )
        cycles: list[list[str]] = []
        record = jobs.record_rules

        def recorded(report) -> None:
            record(report)
            simulated = jobs.clock() - START
            cycles.append(
                [
                    str(report.cycle),
                    f"{simulated.total_seconds() / 60:.1f}",
                    f"{report.seconds:.2f}",
                    str(len(report.evaluated)),
                    str(len(report.skipped)),
                ]
            )
            print(*cycles[-1], flush=True)

        jobs.record_rules = recorded
        scheduler = worker.start_scheduler(jobs, dispatch=False)
        try:
            time.sleep(args.minutes * 60 / args.speed)
        finally:
            scheduler.shutdown(wait=True)
        engine.dispose()
    print()
    print_table(["cycle", "simulated min", "seconds", "evaluated", "skipped as unchanged"], cycles)
    print()
    seconds = sorted(float(c[2]) for c in cycles)
    print(
        f"{len(cycles)} rules cycles in {args.minutes:g} simulated minutes at {args.speed:g}x "
        f"(rules every {60 / args.speed:.1f} s real); longest {seconds[-1]:.1f} s, "
        f"median {seconds[len(seconds) // 2]:.2f} s; "
        f'"{SKIPPED}" lines: {len(skips.lines)}'
    )


if __name__ == "__main__":
    main()
