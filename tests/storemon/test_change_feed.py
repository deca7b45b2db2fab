"""The change feed: a commit on another connection reaches a watcher within a second, saying what
changed and for which store; a rollback says nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import queue
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from storemon.db.changes import ALERTS, SALES, SETTINGS, Change, decode, encode
from storemon.db.models import Notification, Store
from storemon.services.api import Services
from storemon.services.database import open_database
from storemon.services.demo import build_demo

NOW = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)


@pytest.fixture
def chain(db_url):
    """A small demo chain on each engine, and a feed watching it."""
    database = open_database(db_url)
    with database.sessions() as session:
        build_demo(session, stores=2, weeks=1, seed=3, anchor=date(2026, 3, 9))
        session.commit()
    seen: queue.Queue = queue.Queue()
    stop, ready = threading.Event(), threading.Event()
    services = Services(database)
    thread = services.db.watch_changes(lambda kinds, stores: seen.put((kinds, stores)), stop, ready)
    assert ready.wait(10), "the feed never started"
    yield services, seen
    stop.set()
    thread.join(5)
    database.close()


def _next_kinds(seen: queue.Queue, timeout: float = 3.0) -> frozenset[str]:
    kinds, _stores = seen.get(timeout=timeout)
    return kinds


def _next(seen: queue.Queue, kind: str, timeout: float = 3.0) -> frozenset[int]:
    """The stores of the next change of ``kind`` (other kinds, such as the jobs, are skipped)."""
    deadline = datetime.now().timestamp() + timeout
    while (left := deadline - datetime.now().timestamp()) > 0:
        try:
            kinds, stores = seen.get(timeout=left)
        except queue.Empty:
            break
        if kind in kinds:
            return stores
    raise AssertionError(f"no {kind!r} change within {timeout} s")


def test_a_relief_request_is_an_alerts_change_of_its_store(chain, db_url):
    services, seen = chain
    other = Services(open_database(db_url))  # another connection pool, as another PC would have
    store = other.stores.list("admin")[0]
    other.calls.relief_request("staff-sh001", store.code, "queue to the door", NOW)
    assert _next(seen, ALERTS) == {store.id}
    # The outbox dispatcher's delivery marks are nothing any screen shows: no wake-up.
    with other.database.sessions.begin() as session:
        session.execute(update(Notification).values(attempts=Notification.attempts + 1, last_error="timeout"))
    with pytest.raises(AssertionError):
        _next(seen, ALERTS, timeout=2.0)
    # Reading them is: the badge drops on every PC of that person.
    with other.database.sessions.begin() as session:
        session.execute(update(Notification).values(read_at=NOW))
    assert ALERTS in _next_kinds(seen)


def test_a_settings_edit_is_a_settings_change_and_a_rollback_says_nothing(chain, db_url):
    services, seen = chain
    other = Services(open_database(db_url))
    with other.database.sessions() as session:
        store = session.query(Store).first()
        store.name = "Renamed by the rollback"
        session.flush()
        session.rollback()
    with pytest.raises(AssertionError):
        _next(seen, SETTINGS, timeout=2.0)
    with other.database.sessions.begin() as session:
        store = session.query(Store).first()
        store.name = "Renamed for real"
        store_id = store.id
    assert _next(seen, SETTINGS) == {store_id}


def test_payloads_round_trip_and_foreign_ones_mean_everything():
    change = Change({ALERTS: {3, 5}, SALES: None})
    assert decode(encode(change)).stores == {ALERTS: {3, 5}, SALES: None}
    assert decode(encode(change)).flat() == (frozenset({ALERTS, SALES}), frozenset())
    assert ALERTS in decode("not json").stores


def test_an_imports_heartbeat_is_no_change_but_its_last_transaction_is(chain, db_url):
    from sqlalchemy import update

    from storemon.db.models import ImportBatch

    services, seen = chain
    other = Services(open_database(db_url))
    with other.database.sessions.begin() as session:
        batch = ImportBatch(
            kind="sales", source_name="pos.csv", fingerprint="f" * 64, imported_at=NOW, state="writing"
        )
        session.add(batch)
        session.flush()
        batch_id = batch.id
    _next(seen, SALES)  # a new batch: shown once, though its rows are not visible yet
    with other.database.sessions.begin() as session:
        session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(alive_at=NOW))
    with pytest.raises(AssertionError):
        _next(seen, SALES, timeout=2.0)
    with other.database.sessions.begin() as session:
        session.execute(
            update(ImportBatch).where(ImportBatch.id == batch_id).values(state="done", alive_at=None)
        )
    assert _next(seen, SALES) == frozenset(), "the batch's rows may be any store's"
