"""The manager never misses a call: a relief request raised by another process (the kiosk PC, the CLI)
shows on the main window within two seconds (badge, banner, Today's call panel) and is acknowledged
from the banner; an import on another PC refreshes Today. SQLite and PostgreSQL, real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date

import pytest
from PySide6.QtCore import QSettings, Qt

from storemon.services.api import Services
from storemon.services.database import Database, open_database
from storemon.services.demo import build_demo
from tests.conftest import create_pg_database
from tests.storemon.import_files import write_csv
from tests.ui.conftest import UI_NOW, WAIT_MS
from tests.ui.screens import ROOT
from ui.context import AppContext, AppEvents
from ui.main_window import MainWindow
from ui.tasks import TaskRunner
from ui.widgets.attention import SOUND_KEY, sound_enabled

PAGE_WITHIN_MS = 2000


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live_db(request, ui_db):
    """The demo chain on SQLite (the shared copy), or a small one on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield ui_db
        return
    server = request.getfixturevalue("pg_server")
    database = open_database(create_pg_database(server, f"attention_{os.getpid()}_{time.monotonic_ns()}"))
    with database.sessions() as session:
        build_demo(session, stores=2, weeks=1, seed=5, anchor=date(2026, 3, 9))
        session.commit()
    yield database
    database.close()


def _cli(database: Database, home, *args: str) -> subprocess.Popen:
    """``storemon --db URL ARGS`` as another process (another PC, the kiosk) would run it."""
    url = database.engine.url.render_as_string(hide_password=False)
    env = dict(os.environ, STOREMON_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("STOREMON_DB_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "storemon.cli", "--db", url, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(qtbot, process: subprocess.Popen) -> str:
    """Wait for the process with the event loop running; its output (it must succeed)."""
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=120_000)
    output = process.stdout.read()
    assert process.returncode == 0, output
    return output


def _window(qtbot, qapp, database: Database, tmp_path, username: str, clock=None) -> MainWindow:
    services = Services(database)
    settings = QSettings(str(tmp_path / f"{username}.ini"), QSettings.Format.IniFormat)
    settings.setValue("main_window/last_view", "today")
    options = {"clock": clock} if clock else {}
    ctx = AppContext(services, services.auth.actor(username), TaskRunner(), AppEvents(), settings, **options)
    ctx.changes.start(services)
    assert ctx.changes.wait_ready(), "the change feed never started"
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.unread.pages is not None, timeout=WAIT_MS)
    return window


def _stop(window: MainWindow) -> None:
    window.ctx.changes.stop()
    window.unread.stop()
    window.ctx.tasks.wait()


def test_a_relief_request_from_another_process_pages_the_manager_and_is_acknowledged_from_the_banner(
    qtbot, qapp, live_db, tmp_path
):
    window = _window(qtbot, qapp, live_db, tmp_path, "mgr-sh001")
    today = window.view("today")
    qtbot.waitUntil(lambda: today.current_store() is not None, timeout=WAIT_MS)
    assert window.attention_banner.isHidden() and window.unread_count == 0
    beeps = []
    window.unread.new_pages.connect(beeps.append)

    relief = _cli(
        live_db, tmp_path, "--as", "staff-sh001", "relief",
        "--store", "SH001", "--reason", "Queue to the door, alone", "--urgency", "high",
    )  # fmt: skip
    alert_id = int(_finish(qtbot, relief).split()[-1])
    committed = time.monotonic()

    def paged() -> bool:
        alerts_item = next(
            window.nav.item(r)
            for r in range(window.nav.count())
            if window.nav.item(r).data(Qt.UserRole) == "alerts"
        )
        return (
            window.attention_banner.isVisible()
            and "Relief requested: Queue to the door, alone" in window.attention_banner.text_label.text()
            and alerts_item.text() == "Alerts (1)"
            and window.windowTitle() == "(1) Storemon"
            and today.store_calls.isVisible()
            and [c.id for c in today.store_calls.calls] == [alert_id]
        )

    qtbot.waitUntil(paged, timeout=PAGE_WITHIN_MS)
    assert time.monotonic() - committed < PAGE_WITHIN_MS / 1000
    assert [p.alert.id for p in beeps[0]] == [alert_id], "announced once: beep and taskbar flash"
    assert window.attention_banner.ack_button.text() == "Acknowledge"
    assert "Critical" in window.attention_banner.text_label.text()
    assert today.store_calls.ack_buttons[alert_id].isEnabled()

    with qtbot.waitSignal(window.attention_banner.acted, timeout=WAIT_MS):
        qtbot.mouseClick(window.attention_banner.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.attention_banner.isHidden, timeout=WAIT_MS)
    view, _steps = window.ctx.services.alerts.detail("admin", alert_id)
    assert (view.status, view.owner) == ("acknowledged", "mgr-sh001")
    # Today's panel says who has it, and offers no acknowledge any more.
    qtbot.waitUntil(lambda: alert_id not in today.store_calls.ack_buttons, timeout=WAIT_MS)
    assert [c.status for c in today.store_calls.calls] == ["acknowledged"]
    _stop(window)


def test_the_banner_opens_the_alert_and_a_page_elsewhere_does_not_reach_another_store(
    qtbot, qapp, ui_db, tmp_path
):
    window = _window(qtbot, qapp, ui_db, tmp_path, "mgr-sh001", clock=lambda: UI_NOW)
    services = window.ctx.services
    other = services.auth.actor("staff-sh004")
    services.calls.relief_request(other, other.store_id, "Not this manager's store", UI_NOW, "high")
    staff = services.auth.actor("staff-sh001")
    mine = services.calls.relief_request(staff, staff.store_id, "Milk ran out", UI_NOW, "normal")
    qtbot.waitUntil(window.attention_banner.isVisible, timeout=WAIT_MS)
    assert [p.alert.id for p in window.unread.pages] == [mine], "only pages addressed to this manager"
    window.attention_banner.open_button.click()
    alerts = window.views["alerts"]
    assert window.current_view_key() == "alerts"
    qtbot.waitUntil(lambda: alerts.selected_alert_id() == mine, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.unread_count == 0, timeout=WAIT_MS)  # seen on the Alerts screen
    assert window.windowTitle() == "Storemon"
    assert window.attention_banner.isVisible(), "seen is not answered: the page waits for Acknowledge"
    _stop(window)


def test_sound_is_on_in_the_stores_and_off_at_head_office_unless_chosen_in_settings(qtbot, make_ctx):
    from ui.views.settings import SettingsView

    manager, director = make_ctx("mgr-sh001"), make_ctx("director")
    assert sound_enabled(manager) and not sound_enabled(director)
    screen = SettingsView(director)
    qtbot.addWidget(screen)
    assert not screen.page_sound.isChecked()
    screen.page_sound.click()
    assert sound_enabled(director)
    manager.settings.setValue(SOUND_KEY, False)
    assert not sound_enabled(manager)


def test_an_import_on_another_pc_refreshes_today(qtbot, qapp, live_db, tmp_path):
    window = _window(qtbot, qapp, live_db, tmp_path, "mgr-sh001", clock=lambda: UI_NOW)
    today = window.view("today")
    qtbot.waitUntil(lambda: today._picture is not None and not today.ctx.tasks.busy, timeout=WAIT_MS)
    before = sum(today.timeline.actual_bars.opts["height"])
    rows = [
        [f"T{n}", "2026-03-09", f"09:{n:02d}:00", "SH001", "", "Latte", "1", "28.00"] for n in range(30)
    ]  # 30 orders between 09:00 and 09:29 today, in SH001
    path = write_csv(
        tmp_path / "pos.csv",
        ["Receipt No", "Date", "Time", "Store ID", "Location", "Item", "Qty", "Unit Price"],
        rows,
    )
    with qtbot.waitSignal(today.loaded, timeout=WAIT_MS):
        _finish(qtbot, _cli(live_db, tmp_path, "import", "sales", str(path)))
    qtbot.waitUntil(lambda: sum(today.timeline.actual_bars.opts["height"]) == before + 30, timeout=WAIT_MS)
    _stop(window)


def test_a_colleague_asked_to_cover_accepts_from_the_banner(qtbot, qapp, ui_db, tmp_path):
    services = Services(ui_db)
    manager = services.auth.actor("mgr-sh004")
    alert_id = services.calls.call_backup(manager, manager.store_id, UI_NOW, "Two machines down")
    asked = next(
        user
        for user in ("staff-sh001", "staff-sh007", "lead-sh004", "staff-sh004")
        if services.alerts.my_cover_offers(services.auth.actor(user))
    )
    window = _window(qtbot, qapp, ui_db, tmp_path, asked, clock=lambda: UI_NOW)
    banner = window.attention_banner
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    assert "You are asked to cover at SH004" in banner.text_label.text()
    assert "(since 11:30)" in banner.text_label.text(), "the store's time, Shanghai"
    assert banner.ack_button.text() == "Accept cover"
    with qtbot.waitSignal(banner.acted, timeout=WAIT_MS) as acted:
        qtbot.mouseClick(banner.ack_button, Qt.MouseButton.LeftButton)
    assert acted.args == ["accept_cover"]
    qtbot.waitUntil(banner.isHidden, timeout=WAIT_MS)
    view, _steps = services.alerts.detail("admin", alert_id)
    assert view.details["covered_by"] == asked and view.status == "acknowledged"
    _stop(window)
