"""A small demo chain in a fresh database, on both engines (fixtures for every test package).

The chain is built once per engine and test session, then cloned for each test (a file copy
on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL): every test still gets its own
database, without paying for the demo each time.
"""

from __future__ import annotations

import itertools
import os
import shutil
from datetime import date

import pytest

from storemon.db.engine import make_engine, make_session_factory
from storemon.db.migrate import upgrade
from storemon.services.demo import build_demo
from tests.conftest import create_pg_database

DEMO_ANCHOR = date(2026, 3, 9)  # a Monday inside the 3.15 season, so the surge shows in the data
_clones = itertools.count()


def _fill(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        build_demo(session, stores=12, weeks=3, seed=11, anchor=DEMO_ANCHOR)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def demo_sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo-template") / "demo.sqlite3"
    _fill(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def demo_pg_template(pg_server):
    _fill(create_pg_database(pg_server, "storemon_demo_template", "storemon_template"))
    return "storemon_demo_template"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_url(request, tmp_path) -> str:
    """A private copy of the 12-store, 3-week demo chain on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "demo.sqlite3"
        shutil.copy(request.getfixturevalue("demo_sqlite_template"), path)
        return f"sqlite:///{path}"
    template = request.getfixturevalue("demo_pg_template")
    server = request.getfixturevalue("pg_server")
    return create_pg_database(server, f"demo{os.getpid()}_{next(_clones)}", template)


@pytest.fixture
def demo_sessions(demo_url):
    """Sessions on a database holding a 12-store, 3-week demo chain."""
    engine = make_engine(demo_url)
    yield make_session_factory(engine)
    engine.dispose()
