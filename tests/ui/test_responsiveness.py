"""The UI never freezes: a 1,000,000-row import and a region recompute run while a timer keeps firing."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

from benchmarks.bench_import import generate

TICK_MS = 20
# The import and the region model are CPU-bound Python in two worker threads, so the GUI thread
# competes with both for the GIL: measured worst gaps are 0.2-1.4 s on this 2-core machine
# (docs/performance.md, a known limit). Running the import on the GUI thread would freeze it for
# its whole 8-15 s, which this catches, as does the tick count below.
MAX_GAP_S = 3.0


@pytest.mark.slow
def test_event_loop_keeps_running_during_a_million_row_import_and_a_region_recompute(qtbot, ctx, tmp_path):
    csv_path = tmp_path / "pos-1m.csv"
    generate(csv_path, 1_000_000, stores=10, days=20)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(TICK_MS)
    results, progress = {}, []

    ctx.tasks.op(
        ctx.tasks,
        lambda control: ctx.services.imports.import_file(
            ctx.actor, "sales", csv_path, create_stores=True, progress=control.progress
        ),
        lambda result: results.update(imported=result),
        on_error=lambda exc: results.update(error=exc),
        on_progress=lambda done, total: progress.append(done),
    )
    ctx.tasks.op(
        ctx.tasks,
        lambda _c: ctx.services.region.overview(ctx.actor, None),
        lambda rows: results.update(region=rows),
        on_error=lambda exc: results.update(error=exc),
    )
    started = time.perf_counter()
    qtbot.waitUntil(
        lambda: ("imported" in results and "region" in results) or "error" in results, timeout=240_000
    )
    elapsed = time.perf_counter() - started
    timer.stop()
    assert "error" not in results, results.get("error")
    assert results["imported"].rows_imported == 1_000_000
    assert results["region"], "the region figures came back"
    assert progress and progress[-1] >= 900_000, "progress was reported along the way"
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) >= 0.5 * elapsed / (TICK_MS / 1000), f"{len(ticks)} ticks in {elapsed:.1f} s"
    assert max(gaps) < MAX_GAP_S, f"the event loop stalled for {max(gaps):.2f} s"
