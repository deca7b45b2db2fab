"""Demand forecast backtest on the demo chain: storemon's model against "same interval last week".

Builds the default demo chain (30 stores, 8 weeks) in a temporary SQLite file, holds out the
last two weeks, and prints MAPE (intervals with orders) and WAPE for both forecasts, chain-wide
and the share of stores where the model wins. Run: .venv/bin/python benchmarks/bench_demand.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report import print_table
from staffing.demand import DemandHistory, backtest
from storemon.db.models import Store
from storemon.services.access import SYSTEM, visible_store
from storemon.services.database import open_database
from storemon.services.demo import build_demo
from storemon.services.store_days import orders_grid

ANCHOR = date(2026, 4, 20)  # history runs through the 3.15 season and out of it
WEEKS = 8


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/demand.sqlite3", paths=None)
        with db.sessions() as session:
            build_demo(session, weeks=WEEKS, anchor=ANCHOR)
            session.commit()
            first = ANCHOR - timedelta(days=7 * WEEKS)
            codes = session.scalars(select(Store.code).order_by(Store.code)).all()
            stores = [visible_store(session, SYSTEM, code) for code in codes]
            grid = np.stack([orders_grid(session, s, first, 7 * WEEKS) for s in stores])
        db.close()
    started = time.perf_counter()
    result = backtest(DemandHistory(grid, first), holdout_weeks=2)
    seconds = time.perf_counter() - started
    wins = float(np.mean(np.asarray(result.store_wape) < np.asarray(result.naive_store_wape)))
    print(
        f"Demo chain: {len(stores)} stores, {WEEKS} weeks to {ANCHOR - timedelta(days=1)}; "
        f"held out {result.holdout_days} days from {result.holdout_start}; {result.n_intervals:,} intervals\n"
    )
    print_table(
        ("forecast", "MAPE", "WAPE"),
        [
            ("storemon (profile x trend x surge)", f"{result.mape:.1f}%", f"{result.wape:.1f}%"),
            ("naive: same interval last week", f"{result.naive_mape:.1f}%", f"{result.naive_wape:.1f}%"),
        ],
    )
    print(f"\nstoremon better on WAPE in {wins:.0%} of stores; backtest took {seconds:.3f} s")
    print(
        "model beats naive:",
        "yes" if result.wape < result.naive_wape and result.mape < result.naive_mape else "NO",
    )


if __name__ == "__main__":
    main()
