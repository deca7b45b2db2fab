"""The Region screen on demo chains from the database: time to shown, cold and cached, and the
longest pause of the window meanwhile (issue 15: 2,000 stores ≤ 20 s cold, ≤ 1 s cached, no GUI
gap over 200 ms).

For each chain size a demo chain is built (``build_demo``, two weeks of sales by default) into
``--db-dir`` (kept there and reused by later runs), then the Region screen is opened offscreen as
the administrator with the change feed running, as in the app:

- cold: from ``show()`` to the table filled (the stores' week modelled in child processes, one
  per core: column "children");
- cached: ``refresh()`` again with nothing changed, to the table filled (from the cache);
- max gap: the longest interval between two ticks of a 15 ms timer on the GUI thread, over the
  load and 0.3 s after it (the first paint included); "of which modelling": before the rows
  arrived, while the child modelled the stores.

    .venv/bin/python benchmarks/bench_region_screen.py [--stores 300 1000 2000] [--weeks 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.gui_gaps import GapLogger  # noqa: E402
from benchmarks.report import print_table  # noqa: E402
from storemon.services.api import Services  # noqa: E402
from storemon.services.database import open_database  # noqa: E402
from storemon.services.demo import build_demo  # noqa: E402
from storemon.services.region_cache import overview_processes  # noqa: E402
from ui.app import ensure_app  # noqa: E402
from ui.context import AppContext, AppEvents  # noqa: E402
from ui.i18n import install_translator  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402
from ui.views.region import RegionView  # noqa: E402

COLD_TARGET_S = 20.0
CACHED_TARGET_S = 1.0
GAP_TARGET_S = 0.2
ANCHOR = datetime(2026, 3, 9, tzinfo=UTC)
NOW = ANCHOR + timedelta(hours=3, minutes=30)  # 11:30 in Shanghai


def chain(db_dir: Path, stores: int, weeks: int) -> tuple[Path, float | None]:
    """The demo chain's file, built unless already there, and the seconds the build took."""
    path = db_dir / f"region-demo-{stores}-{weeks}w.sqlite3"
    if path.exists():
        return path, None
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    database = open_database(f"sqlite:///{partial}")
    with database.sessions() as session:
        build_demo(session, stores=stores, weeks=weeks, seed=5, anchor=ANCHOR.date())
        session.commit()
    database.close()
    partial.rename(path)
    return path, time.perf_counter() - started


def _until(app: QApplication, done, timeout_s: float) -> None:
    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the Region screen did not finish loading within {timeout_s:.0f} s")
        app.processEvents()
        time.sleep(0.002)


def measure(app: QApplication, path: Path, settings_dir: Path, timeout_s: float) -> dict[str, float]:
    """Open the Region screen on ``path``; cold and cached time to shown and their longest gaps."""
    database = open_database(f"sqlite:///{path}")
    services = Services(database)
    settings = QSettings(str(settings_dir / "bench-region.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(
        services, services.auth.actor("admin"), TaskRunner(), AppEvents(), settings, clock=lambda: NOW
    )
    ctx.changes.start(services)
    ctx.changes.wait_ready()
    view = RegionView(ctx)
    view.resize(1280, 800)

    def loaded() -> bool:
        return view.loaded_once and not view.is_loading

    def settle() -> None:
        end = time.perf_counter() + 0.3
        _until(app, lambda: time.perf_counter() > end, 5)

    figures: dict[str, float] = {}
    gaps = GapLogger()
    modelled: list[float] = []  # the longest gap before the rows arrived (while modelling)
    view.model.modelAboutToBeReset.connect(lambda: modelled.append(gaps.longest()))
    try:
        gaps.start()
        started = time.perf_counter()
        view.show()
        _until(app, loaded, timeout_s)
        figures["cold"] = time.perf_counter() - started
        settle()
        figures["cold gap"] = gaps.stop()
        figures["modelling gap"] = modelled[-1]
        figures["rows"] = view.proxy.rowCount()

        gaps.start()
        started = time.perf_counter()
        view.refresh()
        _until(app, loaded, timeout_s)
        figures["cached"] = time.perf_counter() - started
        settle()
        figures["cached gap"] = gaps.stop()
    finally:
        view.close()
        view.deleteLater()
        ctx.changes.stop()
        ctx.tasks.wait()
        database.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, nargs="+", default=[300, 1000, 2000])
    parser.add_argument("--weeks", type=int, default=2, help="weeks of demo sales (default 2)")
    parser.add_argument("--db-dir", type=Path, default=Path.home() / ".cache" / "storemon-bench")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per cold load")
    args = parser.parse_args(argv)
    args.db_dir.mkdir(parents=True, exist_ok=True)
    app = ensure_app()
    install_translator("en")

    rows = []
    ok = True
    for stores in args.stores:
        path, built = chain(args.db_dir, stores, args.weeks)
        figures = measure(app, path, args.db_dir, args.timeout)
        verdict = (
            figures["cached"] <= CACHED_TARGET_S
            and max(figures["cold gap"], figures["cached gap"]) <= GAP_TARGET_S
            and (stores < 2000 or figures["cold"] <= COLD_TARGET_S)
        )
        ok &= verdict
        rows.append(
            (
                f"{stores:,}",
                "sqlite",
                "-" if built is None else f"{built:.0f}",
                f"{int(figures['rows']):,}",
                str(overview_processes(stores)),
                f"{figures['cold']:.1f}",
                f"{figures['cold gap'] * 1000:.0f}",
                f"{figures['modelling gap'] * 1000:.0f}",
                f"{figures['cached'] * 1000:.0f}",
                f"{figures['cached gap'] * 1000:.0f}",
                "OK" if verdict else "MISSED",
            )
        )
    print(
        f"Region screen from the database, {args.weeks} weeks of demo sales, offscreen ({sys.platform}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})"
    )
    print_table(
        (
            "stores",
            "engine",
            "build s",
            "rows",
            "children",
            "cold s",
            "cold max gap ms",
            "of which modelling",
            "cached ms",
            "cached max gap ms",
            "verdict",
        ),
        rows,
        left=(0, 1, 10),
    )
    print(
        f"targets: cold ≤ {COLD_TARGET_S:.0f} s at 2,000 stores, cached ≤ {CACHED_TARGET_S * 1000:.0f} ms, "
        f"no gap over {GAP_TARGET_S * 1000:.0f} ms"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
