"""Import speed: a 1,000,000-row line-item POS export into a fresh SQLite file.

Compares Storemon's sales import (parse, validate, group into orders, bucket, dedup, insert,
one transaction) with the floor of any importer: a bare ``sqlite3`` executemany of the same
raw rows into a plain table. Target: Storemon under 60 s on a 2-core machine.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import print_table  # noqa: E402
from storemon.db.engine import make_engine, make_session_factory  # noqa: E402
from storemon.db.migrate import upgrade  # noqa: E402
from storemon.importers import import_sales  # noqa: E402

HEADER = ["order_no", "date", "time", "store_id", "store_name", "item", "qty", "unit_price"]
MENU = [("Latte", "28.00"), ("Americano", "22.00"), ("Mocha", "30.00"), ("Croissant", "15.50"),
        ("Tea", "18.00"), ("Flat White", "29.00"), ("Muffin", "12.00")]  # fmt: skip


def generate(path: Path, rows: int, stores: int = 30, days: int = 60, seed: int = 7) -> int:
    """A line-item CSV: ``rows`` lines, ~2.5 lines per order, stores open 07:00-21:00. Returns orders."""
    rng = random.Random(seed)
    first = date(2026, 1, 5)
    day_strings = [(first + timedelta(days=d)).isoformat() for d in range(days)]
    orders_per_store_day = max(1, round(rows / 2.5 / stores / days))
    written = orders = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        while written < rows:
            for day in day_strings:
                for s in range(stores):
                    code, name = f"S{s + 1:03d}", f"Store {s + 1}"
                    for _ in range(orders_per_store_day):
                        orders += 1
                        secs = 7 * 3600 + int(rng.random() * 14 * 3600)
                        stamp = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
                        lines = 1 + (rng.random() < 0.75) + (rng.random() < 0.5) + (rng.random() < 0.25)
                        for _ in range(lines):
                            item, price = MENU[rng.randrange(len(MENU))]
                            qty = 1 + (rng.random() < 0.2)
                            out.writerow([orders, day, stamp, code, name, item, qty, price])
                            written += 1
                            if written >= rows:
                                return orders
    return orders


def bare_sqlite(csv_path: Path, db_path: Path) -> tuple[int, float]:
    """The floor: csv.reader + executemany of raw text rows into a plain table, one transaction."""
    start = time.perf_counter()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE raw ({', '.join(f'{h} TEXT' for h in HEADER)})")
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        with conn:
            conn.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(HEADER))})", reader)
    count = conn.execute("SELECT count(*) FROM raw").fetchone()[0]
    conn.close()
    return count, time.perf_counter() - start


def storemon_import(csv_path: Path, db_path: Path) -> tuple[int, float, str]:
    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine)
    factory = make_session_factory(engine)
    start = time.perf_counter()
    result = import_sales(factory, csv_path, create_stores=True)
    elapsed = time.perf_counter() - start
    engine.dispose()
    detail = f"{result.orders_added:,} orders, {len(result.stores_created)} stores"
    return result.rows_read, elapsed, detail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the files here instead of a temp dir")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        csv_path = work / "pos_export.csv"
        t0 = time.perf_counter()
        orders = generate(csv_path, args.rows)
        gen = time.perf_counter() - t0
        size_mb = csv_path.stat().st_size / 1e6
        print(f"generated {args.rows:,} line items ({orders:,} orders, {size_mb:.0f} MB) in {gen:.1f} s")
        results = [
            ("sqlite3 executemany, raw rows", *bare_sqlite(csv_path, work / "bare.sqlite3"), ""),
            ("storemon import_sales", *storemon_import(csv_path, work / "storemon.sqlite3")),
        ]
    print()
    print_table(
        ("what", "rows", "seconds", "rows/s", "detail"),
        [
            (what, f"{rows:,}", f"{secs:.2f}", f"{rows / secs:,.0f}", detail)
            for what, rows, secs, detail in results
        ],
        left=(0, 4),
    )
    storemon_secs = results[1][2]
    verdict = "OK" if storemon_secs < 60 else "TOO SLOW"
    print(f"\ntarget: storemon < 60 s for 1,000,000 rows -> {verdict} ({storemon_secs:.1f} s)")
    return 0 if storemon_secs < 60 or args.rows != 1_000_000 else 1


if __name__ == "__main__":
    raise SystemExit(main())
