"""The window's imports run in a child process: results, problems and cancels come back as if
the import had run in the window's own process, and nothing is half-written."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from benchmarks.bench_import import generate
from storemon.importers import ImportCancelled, ImportFailed
from storemon.services.api import Services
from storemon.services.database import open_database
from tests.storemon.import_files import table_counts, write_csv


@pytest.fixture
def services(db_url, storemon_home):
    database = open_database(db_url)
    services = Services(database)
    services.auth.create_first_admin("boss", "Counter-rush-2026-long", datetime.now(UTC))
    yield services
    database.close()


def test_a_good_file_comes_back_with_its_result_and_progress(services, tmp_path):
    path = tmp_path / "pos.csv"
    orders = generate(path, 3_000, stores=2, days=3)
    progress: list[tuple[int, int]] = []
    result = services.imports.import_file_in_child(
        "boss",
        "sales",
        path,
        create_stores=True,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert result.orders_added == orders
    assert sorted(result.stores_created) == ["S001", "S002"]
    assert progress and progress[-1][0] == 3_000


def test_a_bad_file_raises_its_problems_here_and_writes_nothing(services, tmp_path):
    before = table_counts(services.database.sessions)
    path = write_csv(
        tmp_path / "bad.csv",
        ["order_no", "date", "time", "store_id", "qty", "unit_price"],
        [["1", "2026-03-02", "09:00", "S1", "1", "20"], ["2", "2026-02-30", "09:05", "S1", "1", "20"]],
    )
    with pytest.raises(ImportFailed) as failed:
        services.imports.import_file_in_child("boss", "sales", path, create_stores=True)
    assert "bad.csv:3" in str(failed.value)
    assert table_counts(services.database.sessions) == before


def test_a_cancel_stops_the_child_and_nothing_is_written(services, tmp_path):
    path = tmp_path / "pos-big.csv"
    generate(path, 200_000, stores=4, days=20)
    before = table_counts(services.database.sessions)
    cancel = threading.Event()
    with pytest.raises(ImportCancelled):
        services.imports.import_file_in_child(
            "boss", "sales", path, create_stores=True, cancel=cancel,
            progress=lambda done, _total: cancel.set() if done >= 50_000 else None,
        )  # fmt: skip
    assert table_counts(services.database.sessions) == before
