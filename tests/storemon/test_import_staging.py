"""A large sales import never blocks a call for help, and is still all or nothing.

The import writes its rows in short transactions under a ``writing`` batch: meanwhile others
can write (a call for help commits in well under a second) and readers see none of its rows;
the last transaction makes all of them appear at once. A failed, cancelled or killed import
leaves nothing behind that anyone sees, and the next import clears what a killed one wrote.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from benchmarks.bench_import import generate
from storemon.db.import_state import STALE_AFTER, WRITING, finished
from storemon.db.models import ImportBatch, SalesBucket, SalesOrder, Store
from storemon.importers import ImportCancelled, ImportFailed, import_sales
from storemon.services.access import SYSTEM
from storemon.services.alert_service import raise_alert
from tests.storemon.import_files import table_counts

REPO = Path(__file__).resolve().parents[2]
ROWS = 100_000


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("staging") / "pos-100k.csv"
    orders = generate(path, ROWS, stores=8, days=30)
    return path, orders


def raw_and_visible(session_factory) -> tuple[int, int]:
    """(order rows written by anyone, orders readers see in the buckets)."""
    with session_factory() as session:
        raw = session.scalar(select(func.count()).select_from(SalesOrder))
        visible = session.scalar(
            select(func.coalesce(func.sum(SalesBucket.orders), 0)).where(finished(SalesBucket.batch_id))
        )
    return raw, visible


def in_thread(target) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = target()
        except BaseException as exc:  # noqa: BLE001 (handed to the test thread)
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_calls_commit_at_once_and_readers_see_all_or_nothing_during_a_big_import(session_factory, big_file):
    path, orders = big_file
    with session_factory.begin() as session:
        session.add(Store(code="K001", name="Kiosk store"))
    thread, outcome = in_thread(lambda: import_sales(session_factory, path, create_stores=True))

    seen_hidden_rows = False
    call_seconds: list[float] = []
    serial = 0
    while thread.is_alive():
        raw, visible = raw_and_visible(session_factory)
        assert visible in (0, orders), f"readers saw {visible} of {orders} orders: a half-written import"
        seen_hidden_rows |= raw > 0 and visible == 0
        if raw > 0:
            serial += 1
            started = time.perf_counter()
            with session_factory.begin() as session:
                store_id = session.scalar(select(Store.id).where(Store.code == "K001"))
                raise_alert(
                    session, rule="manager_call", store_id=store_id, dedup_key=f"during:{serial}",
                    title="Manager needed", severity="critical", now=datetime.now(UTC),
                    start_level=2, by=SYSTEM.username,
                )  # fmt: skip
            call_seconds.append(time.perf_counter() - started)
        time.sleep(0.005)
    thread.join()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].orders_added == orders
    assert raw_and_visible(session_factory) == (orders, orders)
    assert seen_hidden_rows, "the import's rows were written before they became visible"
    assert call_seconds, "calls for help were made while the import wrote"
    assert max(call_seconds) < 1.0, f"a call for help waited {max(call_seconds):.2f} s behind the import"


def test_a_cancel_in_the_middle_of_writing_removes_every_row_and_created_store(session_factory, big_file):
    path, _ = big_file
    before = table_counts(session_factory)
    cancel = threading.Event()
    thread, outcome = in_thread(
        lambda: import_sales(session_factory, path, create_stores=True, cancel=cancel)
    )
    while thread.is_alive() and raw_and_visible(session_factory)[0] == 0:
        time.sleep(0.005)
    cancel.set()
    thread.join()
    assert isinstance(outcome.get("error"), ImportCancelled), outcome
    assert table_counts(session_factory) == before, "a cancelled import leaves nothing behind"


def test_the_same_file_twice_at_once_is_refused_while_the_first_writes(session_factory, big_file):
    path, orders = big_file
    thread, outcome = in_thread(lambda: import_sales(session_factory, path, create_stores=True))
    while thread.is_alive() and raw_and_visible(session_factory)[0] == 0:
        time.sleep(0.005)
    with pytest.raises(ImportFailed, match="being imported right now"):
        import_sales(session_factory, path, create_stores=True)
    thread.join()
    assert "error" not in outcome, outcome.get("error")
    assert raw_and_visible(session_factory) == (orders, orders)


def test_a_killed_import_stays_invisible_and_the_next_import_clears_it(
    db_url, session_factory, big_file, tmp_path
):
    path, orders = big_file
    env = dict(os.environ, STOREMON_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO))
    env.pop("STOREMON_DB_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "storemon.cli", "--db", db_url, "import", "sales", str(path), "--create-stores"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while process.poll() is None and raw_and_visible(session_factory)[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, f"the import ended before it could be killed: {process.stderr.read()!r}"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    process.stderr.close()

    raw, visible = raw_and_visible(session_factory)
    assert raw > 0 and visible == 0, "the killed import's rows are there but nobody sees them"
    with pytest.raises(ImportFailed, match="being imported right now"):
        import_sales(session_factory, path, create_stores=True)

    # Two minutes later its heartbeat is stale: the next import removes it and runs.
    with session_factory.begin() as session:
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.state == WRITING)
            .values(alive_at=datetime.now(UTC) - STALE_AFTER - timedelta(seconds=1))
        )
    result = import_sales(session_factory, path, create_stores=True)
    assert result.orders_added == orders
    assert raw_and_visible(session_factory) == (orders, orders)
    with session_factory() as session:
        assert session.scalar(select(func.count()).where(ImportBatch.state == WRITING)) == 0
