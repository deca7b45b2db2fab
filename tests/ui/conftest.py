"""A real offscreen Qt app on a small demo chain: the context every screen test starts from."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings

from storemon.services.api import Services
from storemon.services.database import open_database
from storemon.services.demo import build_demo
from ui.context import AppContext, AppEvents
from ui.i18n import install_translator
from ui.tasks import TaskRunner

UI_ANCHOR = date(2026, 3, 9)
UI_NOW = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai: the lunch rush is ahead
WAIT_MS = 15000  # one shared timeout for waitUntil/waitSignal (STYLE.md section 6)


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory):
    """One 8-store, 3-week demo chain per test session, copied for each test that writes."""
    path = tmp_path_factory.mktemp("ui-demo") / "demo.sqlite3"
    db = open_database(f"sqlite:///{path}")
    with db.sessions() as session:
        build_demo(session, stores=8, weeks=3, seed=5, anchor=UI_ANCHOR)
        session.commit()
    db.close()
    return path


@pytest.fixture
def ui_db(demo_db_file, tmp_path):
    """A private copy of the demo database for one test."""
    import shutil

    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_db_file, path)
    db = open_database(f"sqlite:///{path}")
    yield db
    db.close()


@pytest.fixture
def make_ctx(qapp, ui_db, tmp_path):
    """Build an AppContext acting as ``username`` (default: the administrator)."""
    created = []

    def make(username: str = "admin", language: str = "en") -> AppContext:
        services = Services(ui_db)
        settings = QSettings(str(tmp_path / f"ui-{len(created)}.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/language", language)
        install_translator(language)
        ctx = AppContext(
            services, services.auth.actor(username), TaskRunner(), AppEvents(), settings, clock=lambda: UI_NOW
        )
        ctx.changes.start(services)  # other processes' commits reach the screens, as in the app
        created.append(ctx)
        return ctx

    yield make
    for ctx in created:
        ctx.changes.stop()
        ctx.tasks.wait()
    install_translator("en")


@pytest.fixture
def ctx(make_ctx) -> AppContext:
    return make_ctx()
