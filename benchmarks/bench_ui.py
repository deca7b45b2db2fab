"""Cold start to an interactive main window on the demo chain (target: under 2 s).

Builds the default demo chain once, then starts a fresh interpreter several times that opens
the database, builds the main window, shows it and reports when the event loop first runs
(the window answers input from then on). Offscreen Qt; the first run warms the OS file cache
and is reported separately. Run: .venv/bin/python benchmarks/bench_ui.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 6

CHILD = r"""
import time, sys
start = time.perf_counter()
from PySide6.QtCore import QTimer
from storemon.services.database import open_database
from ui.app import WindowHost, build_context, default_actor, ensure_app
from storemon.services.api import Services
database = open_database(sys.argv[1])
app = ensure_app()
ctx = build_context(database, default_actor(Services(database), None), app)
host = WindowHost(ctx)
host.window.show()
def ready():
    print(f"interactive {time.perf_counter() - start:.3f}", flush=True)
    host.window.close()
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
ctx.tasks.wait()
"""


def main() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as tmp:
        env["STOREMON_HOME"] = tmp
        url = f"sqlite:///{tmp}/demo.sqlite3"
        subprocess.run(
            [sys.executable, "-m", "storemon.cli", "--db", url, "demo"],
            env=env,
            check=True,
            capture_output=True,
        )
        walls, insides = [], []
        for _ in range(RUNS):
            began = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, url],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            walls.append(time.perf_counter() - began)
            insides.append(float(out.split()[-1]))
    warm_walls, warm_insides = walls[1:], insides[1:]
    print("Cold start to an interactive main window, demo chain (30 stores), offscreen Qt\n")
    print(f"{'measure':<46}{'first run':>10}{'median':>10}{'max':>10}")
    print(
        f"{'process start -> window interactive (wall, s)':<46}{walls[0]:>10.2f}"
        f"{statistics.median(warm_walls):>10.2f}{max(warm_walls):>10.2f}"
    )
    print(
        f"{'imports + database + window (in process, s)':<46}{insides[0]:>10.2f}"
        f"{statistics.median(warm_insides):>10.2f}{max(warm_insides):>10.2f}"
    )
    met = statistics.median(warm_walls) < 2.0
    print(f"\ntarget: < 2 s from process start -> {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
