"""Two ``storemon worker`` processes on one real PostgreSQL server divide the stores for the
rules job: both take batches, no store is evaluated twice in one cycle, and when one is killed
(SIGKILL, mid-batch or not) the survivor covers every store within one lease.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from pathlib import Path

import pytest

from storemon.db.engine import make_engine
from tests.conftest import create_pg_database
from tests.storemon.delivery_helpers import WorkerProcess, wait_until

EVERY, LEASE = 2, 4
RULES_ENV = {
    "STOREMON_RULES_EVERY_SECONDS": str(EVERY),
    "STOREMON_RULES_LEASE_SECONDS": str(LEASE),
    "STOREMON_RULES_BATCH_STORES": "2",  # the demo's 12 stores (ids 1-12) in 7 batches
}
STORES = set(range(1, 13))
LINE = re.compile(r"rules: cycle (\d+) batch (\S+) by (\S+): evaluated \[([\d, ]*)\] skipped \[([\d, ]*)\]")


def _ids(text: str) -> set[int]:
    return {int(x) for x in text.split(",") if x.strip()}


def batches(*logs: Path) -> list[tuple[int, str, set[int]]]:
    """Every batch a worker committed, from the workers' logs: (cycle, worker, stores covered)."""
    found = []
    for log in logs:
        for match in LINE.finditer(log.read_text(errors="replace") if log.exists() else ""):
            cycle, _batch, worker, evaluated, skipped = match.groups()
            found.append((int(cycle), worker, _ids(evaluated) | _ids(skipped)))
    return found


def covered(rows, worker: str | None = None) -> dict[int, set[int]]:
    """Per cycle, the stores covered (by ``worker`` only, when given)."""
    per_cycle: dict[int, set[int]] = defaultdict(set)
    for cycle, who, stores in rows:
        if worker is None or who == worker:
            per_cycle[cycle] |= stores
    return per_cycle


def assert_no_store_twice(rows) -> None:
    seen: dict[tuple[int, int], str] = {}
    for cycle, worker, stores in rows:
        for store in stores:
            assert (cycle, store) not in seen, f"store {store} evaluated twice in cycle {cycle}"
            seen[cycle, store] = worker


@pytest.mark.postgres
def test_two_workers_split_the_stores_and_the_survivor_takes_over(
    pg_server, demo_pg_template, storemon_home, tmp_path
):
    db_url = create_pg_database(pg_server, f"rules{os.getpid()}", demo_pg_template)
    make_engine(db_url).dispose()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = WorkerProcess(db_url, storemon_home, logs[0], extra_env=RULES_ENV)
    second = WorkerProcess(db_url, storemon_home, logs[1], extra_env=RULES_ENV)
    workers = [first, second]
    try:
        # Both take batches of the same cycles while both live (each its share first).
        def shared_cycles() -> bool:
            rows = batches(*logs)
            mine, theirs = covered(rows, first.worker_id), covered(rows, second.worker_id)
            return len([c for c in mine if mine[c] and theirs[c]]) >= 3

        wait_until(shared_cycles, 90, "three cycles in which both workers evaluate stores", every=0.2)
        assert first.alive and second.alive, first.log_tail() + second.log_tail()

        first.kill()
        killed_at = time.time()

        def survivor_covers_all() -> int | None:
            rows = batches(logs[1])
            full = [c for c, stores in covered(rows).items() if stores == STORES and c * EVERY >= killed_at]
            return min(full) if full else None

        cycle = wait_until(
            survivor_covers_all, 60, "the survivor to cover every store in one cycle", every=0.2
        )
        assert cycle * EVERY <= killed_at + LEASE + EVERY, (
            f"the survivor covered every store from cycle {cycle}, started "
            f"{cycle * EVERY - killed_at:.1f} s after the kill (lease {LEASE} s)"
        )
        assert second.stop() == 0, second.log_tail()

        rows = batches(*logs)
        assert_no_store_twice(rows)
        print(
            f"\n{len(rows)} batches; first worker {len([r for r in rows if r[1] == first.worker_id])}, "
            f"second {len([r for r in rows if r[1] == second.worker_id])}; survivor covered all 12 stores "
            f"from cycle started {cycle * EVERY - killed_at:.1f} s after the kill"
        )
    finally:
        for worker in workers:
            if worker.alive:
                worker.kill()
