"""Shared fixtures: a private Storemon home per test, SQLite and a real PostgreSQL server.

Database fixtures are parametrised over both engines; PostgreSQL tests skip with a visible
reason where its binaries are missing, and fail instead when STOREMON_REQUIRE_POSTGRES=1 (CI).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # real Qt, no display needed

import pytest
from sqlalchemy import text

from storemon.db.engine import make_engine, make_session_factory
from storemon.db.migrate import upgrade
from tests.pgserver import PgServer, find_bindir

pytest_plugins = ["tests.demo_chain"]  # the demo chain, shared by every test package

REQUIRE_POSTGRES = os.environ.get("STOREMON_REQUIRE_POSTGRES") == "1"
_db_counter = itertools.count()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``slow`` tests (minutes of work) are opt-in: they run only when ``-m`` names them."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: opt-in, run with `pytest -m slow`")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def storemon_home(tmp_path, monkeypatch):
    """Every test gets its own data, config and log folders and no inherited database URL."""
    home = tmp_path / "storemon-home"
    monkeypatch.setenv("STOREMON_HOME", str(home))
    monkeypatch.delenv("STOREMON_DB_URL", raising=False)
    return home


@pytest.fixture(scope="session", autouse=True)
def _compiled_queue_kernel() -> None:
    """Load or compile numba's uniformization kernel once, before any test's clock starts: a
    fresh clone has no numba cache and the first model would otherwise spend its 1-2 s (far more
    on a thread beside a busy GUI) inside some test's timeout."""
    from staffing.day import warm_up

    warm_up()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    server = PgServer.start(bindir)
    template = make_engine(create_pg_database(server, "storemon_template"))
    upgrade(template)
    template.dispose()
    yield server
    server.stop()


def create_pg_database(server: PgServer, name: str, template: str | None = None) -> str:
    """``CREATE DATABASE name`` (a copy of ``template``, when given) on ``server``; its URL."""
    admin = make_engine(server.url("postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
    admin.dispose()
    return server.url(name)


def _fresh_pg_database(server: PgServer) -> str:
    """A new database cloned from the migrated template: a clean schema in a few milliseconds."""
    return create_pg_database(server, f"t{os.getpid()}_{next(_db_counter)}", "storemon_template")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """The URL of a fresh, migrated database on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    return _fresh_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A fresh, migrated SQLite database only (for tests that are about one PC)."""
    url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def sqlite_factory(sqlite_url):
    """Sessions on a fresh SQLite database, for tests about reading files: the database code they
    reach is covered on both engines by the tests that use ``session_factory``."""
    engine = make_engine(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)
