"""The Region screen's overview off the window's process: modelled in a child process with the
same figures as in-process, kept while its stores' data is unchanged, modelled again as soon as
one of them changes (on SQLite and PostgreSQL), and stopped at once by a cancel."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storemon.db.changes import data_version
from storemon.db.models import RosterShift, Store
from storemon.services import region, region_cache
from storemon.services.api import Services
from storemon.services.changes import DATA_KINDS, ROSTER
from storemon.services.child_process import ChildCancelled
from storemon.services.database import open_database

NOW = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)


@pytest.fixture
def services(demo_url, monkeypatch):
    """The 12-store demo chain, modelled in a child process as a chain's would be."""
    monkeypatch.setattr(region_cache, "IN_PROCESS_MAX_STORES", 0)
    database = open_database(demo_url)
    yield Services(database)
    database.close()


def _shorten_a_shift(services: Services, code: str) -> int:
    """End the store's last shift of its last sales week after half an hour (a roster edit): the
    store's id."""
    with services.database.sessions.begin() as session:
        store = session.scalars(select(Store).where(Store.code == code)).one()
        shift = session.scalars(
            select(RosterShift)
            .where(RosterShift.store_id == store.id, RosterShift.starts_at < NOW - timedelta(hours=12))
            .order_by(RosterShift.starts_at.desc())
        ).first()
        shift.ends_at = shift.starts_at + timedelta(minutes=30)
        return store.id


def test_the_child_models_what_the_process_would_and_the_cache_keeps_it_until_a_store_changes(services):
    in_process = services.region.overview("admin", None, now=NOW)
    progress: list[tuple[int, int]] = []
    started = time.perf_counter()
    cold = services.region.overview_off_process(
        "admin", None, now=NOW, progress=lambda done, total: progress.append((done, total))
    )
    cold_s = time.perf_counter() - started
    assert cold == in_process, "the child's figures are the process's own"
    assert progress[-1] == (len(cold), len(cold))

    started = time.perf_counter()
    cached = services.region.overview_off_process("admin", None, now=NOW)
    assert cached == cold
    assert time.perf_counter() - started < min(1.0, cold_s / 2), "the unchanged week came from the cache"

    # A supervisor's scope is keyed apart: never the chain's rows.
    east = services.region.overview_off_process("sup-east", None, now=NOW)
    assert 0 < len(east) < len(cold) and len({r.region_id for r in east}) == 1

    changed = _shorten_a_shift(services, "SH001")
    fresh = services.region.overview_off_process("admin", None, now=NOW)
    before = {r.store_id: r for r in cold}
    after = {r.store_id: r for r in fresh}
    assert after[changed] != before[changed], "a roster edit of one store is modelled again"
    assert services.region.overview("admin", None, now=NOW) == fresh


def test_the_data_version_follows_the_stores_it_covers(services):
    with services.database.sessions() as session:
        ids = dict(session.execute(select(Store.code, Store.id)).all())
    sh001, others = ids["SH001"], [i for code, i in ids.items() if code != "SH001"]

    def version(store_ids):
        with services.database.engine.connect() as connection:
            return data_version(connection, store_ids, DATA_KINDS)

    mine, theirs = version([sh001]), version(others)
    assert version([sh001]) == mine, "reading it twice changes nothing"
    _shorten_a_shift(services, "SH001")
    assert version([sh001]) != mine
    assert version(others) == theirs, "another store's roster edit leaves these stores' version"


def test_with_the_feed_running_its_counters_are_the_version(services):
    """The window's feed notes every change; the cache then needs no read of the stores' rows."""
    first = services.region.overview_off_process("admin", None, now=NOW, feed_running=True)
    started = time.perf_counter()
    services.region.overview_off_process("admin", None, now=NOW, feed_running=True)
    assert time.perf_counter() - started < 0.5

    changed = _shorten_a_shift(services, "SH001")
    services.region.note_changes(frozenset({ROSTER}), frozenset({changed}))
    fresh = {
        r.store_id: r for r in services.region.overview_off_process("admin", None, now=NOW, feed_running=True)
    }
    assert fresh[changed] != {r.store_id: r for r in first}[changed]


def test_a_cancel_stops_the_child_at_once(services):
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()  # well before a child could have modelled 12 stores
    started = time.perf_counter()
    with pytest.raises(ChildCancelled):
        services.region.overview_off_process("admin", None, now=NOW, cancel=cancel)
    assert time.perf_counter() - started < 5
    assert not multiprocessing.active_children(), "the child process is gone"
    # Nothing partial was kept: the next call models every store.
    assert len(services.region.overview_off_process("admin", None, now=NOW)) == 12


def test_two_children_share_the_stores_and_their_parts_join_into_the_whole_overview(services, monkeypatch):
    """On two cores a chain's week is modelled by two children at once, each a run of whole chunks
    of stores; joined in order, their parts are the overview one process gives."""
    monkeypatch.setattr(region, "OVERVIEW_CHUNK", 5)  # the 12 stores: chunks of 5, 5 and 2
    monkeypatch.setattr(region_cache, "MAX_OVERVIEW_PROCESSES", 2)
    monkeypatch.setattr(region_cache.os, "cpu_count", lambda: 2)
    assert region_cache.overview_processes(12) == 2
    assert [len(region._part(list(range(12)), (k, 2), 5)) for k in range(2)] == [5, 7]
    in_process = services.region.overview("admin", None, now=NOW)
    progress: list[tuple[int, int]] = []
    shared = services.region.overview_off_process(
        "admin", None, now=NOW, progress=lambda done, total: progress.append((done, total))
    )
    assert shared == in_process
    assert progress[-1] == (12, 12) and all(total == 12 for _, total in progress)
    assert not multiprocessing.active_children(), "both children are gone"


def test_a_cancel_stops_both_children_at_once(services, monkeypatch):
    monkeypatch.setattr(region, "OVERVIEW_CHUNK", 5)
    monkeypatch.setattr(region_cache, "overview_processes", lambda stores: 2)
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()
    started = time.perf_counter()
    with pytest.raises(ChildCancelled):
        services.region.overview_off_process("admin", None, now=NOW, cancel=cancel)
    assert time.perf_counter() - started < 5
    assert not multiprocessing.active_children(), "neither child is left running"
