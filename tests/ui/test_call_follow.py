"""Calls you can follow: a colleague accepts the backup call in another process (or from the
phone), and within 2 s Today's buttons, its calls panel and its chart, and the kiosk at the counter,
say who is coming and when, by name; a refresh or a fresh window keeps it; pressing Call backup
again shows it instead of sending anew; borrowed staff carry their store."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSettings, Qt, QTime

from storemon.services.access import SYSTEM
from storemon.services.api import Services
from tests.ui.conftest import UI_NOW, WAIT_MS
from tests.ui.test_attention import live_db  # noqa: F401
from tests.ui.test_kiosk import _sign_in, clock, kiosk, people  # noqa: F401
from tests.ui.test_phone_answers import _answer_from_phone
from tests.ui.test_schedule import MONDAY, click_cell, open_schedule  # noqa: F401
from ui.context import AppContext, AppEvents
from ui.tasks import TaskRunner
from ui.views.today import TodayView

LIVE_MS = 2000
"""The promise: what another PC commits is on screen within 2 s (SQLite's change counter is read
once a second)."""
ROOT = Path(__file__).resolve().parents[2]

ACCEPT = """
import sys
from datetime import datetime, timedelta
from storemon.services.api import Services
from storemon.services.database import open_database
url, who, alert, now, minutes = sys.argv[1:]
now = datetime.fromisoformat(now)
db = open_database(url)
Services(db).calls.accept_cover(who, int(alert), now, now + timedelta(minutes=int(minutes)))
db.close()
"""


def _accept_in_another_process(database, who: str, alert_id: int, minutes: int) -> None:
    """A colleague's PC accepts the cover: another Python process writing to the same database."""
    url = database.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-c", ACCEPT, url, who, str(alert_id), UI_NOW.isoformat(), str(minutes)]
    subprocess.run(args, check=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def live_ctx(qapp, live_db, tmp_path):  # noqa: F811 - the fixture imported above
    """Contexts on the SQLite demo chain or a fresh PostgreSQL one, each with its change feed."""
    made = []

    def make(username: str) -> AppContext:
        services = Services(live_db)
        settings = QSettings(str(tmp_path / f"{username}-{len(made)}.ini"), QSettings.Format.IniFormat)
        ctx = AppContext(
            services, services.auth.actor(username), TaskRunner(), AppEvents(), settings, clock=lambda: UI_NOW
        )
        ctx.changes.start(services)
        assert ctx.changes.wait_ready(), "the change feed never started"
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.changes.stop()
        ctx.tasks.wait()


def _today(qtbot, ctx) -> TodayView:
    view = TodayView(ctx)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    qtbot.waitUntil(lambda: view.call_buttons.backup_button.isEnabled(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: view._picture is not None, timeout=WAIT_MS)
    return view


def _call_backup(qtbot, view: TodayView) -> int:
    buttons = view.call_buttons
    with qtbot.waitSignal(buttons.call_sent, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(buttons.backup_button, Qt.MouseButton.LeftButton)
    return sent.args[1]


def _state(ctx, alert_id: int):
    (state,) = [s for s in ctx.services.calls.states(SYSTEM, ctx.actor.store_id) if s.alert.id == alert_id]
    return state


def _shown(view: TodayView, alert_id: int) -> list[str]:
    """What Today says about the call: its button's line, its panel row, the chart's cover marks."""
    panel = view.store_calls.state_labels.get(alert_id)
    return [
        view.call_buttons.backup_status.text(),
        panel.text() if panel is not None else "",
        " | ".join(m.label for m in view.timeline.covers.marks),
    ]


def test_a_cover_accepted_on_another_pc_shows_by_name_in_today_and_its_chart_and_survives_refresh(
    qtbot,
    live_ctx,
    live_db,  # noqa: F811 - the fixture imported above
):
    ctx = live_ctx("mgr-sh001")
    view = _today(qtbot, ctx)
    alert_id = _call_backup(qtbot, view)
    # Someone of another store of the region if asked (the SQLite chain has one), else the store's own.
    offers = _state(ctx, alert_id).offers
    offer = next((o for o in offers if o.store_code != "SH001"), offers[0])
    qtbot.waitUntil(lambda: alert_id in view.store_calls.state_labels, timeout=WAIT_MS)
    asked = view.store_calls.state_labels[alert_id].toolTip()
    assert offer.name in asked and offer.username not in asked, asked

    _accept_in_another_process(live_db, offer.username, alert_id, 30)
    # The cover runs from the arrival until 15:00 or the person's own next shift, if sooner.
    ends = _state(ctx, alert_id).cover_shift.end.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert "12:45" <= ends <= "15:00"
    if offer.store_code != "SH001":
        coming = f"{offer.name} is coming, expected 12:00 (from {offer.store_code})"
        cover = f"Cover: {offer.name} 12:00–{ends}, borrowed from {offer.store_code}"
    else:
        coming = f"{offer.name} is coming, expected 12:00"
        cover = f"Cover: {offer.name} 12:00–{ends}"
    expected = [coming, coming, cover]
    qtbot.waitUntil(lambda: _shown(view, alert_id) == expected, timeout=LIVE_MS)
    assert not any(offer.username in text for text in _shown(view, alert_id)), "names, not user ids"

    # A refresh reads it again from the database.
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        view.refresh()
    qtbot.waitUntil(lambda: _shown(view, alert_id) == expected, timeout=WAIT_MS)
    # Pressing Call backup again while the call is open shows who is coming; no second call.
    assert _call_backup(qtbot, view) == alert_id
    qtbot.waitUntil(lambda: view.call_buttons.backup_status.text() == coming, timeout=WAIT_MS)
    # A fresh window (another PC, a restart) shows the same.
    again = _today(qtbot, live_ctx("mgr-sh001"))
    qtbot.waitUntil(lambda: _shown(again, alert_id) == expected, timeout=WAIT_MS)


def test_the_sqlite_chain_borrows_from_another_store_of_the_region(make_ctx):
    """The test above meets a borrowed colleague on the 8-store chain (SH004 is in SH001's region)."""
    ctx = make_ctx("mgr-sh001")
    alert_id = ctx.services.calls.call_backup(ctx.actor, "SH001", UI_NOW)
    assert any(o.store_code != "SH001" for o in _state(ctx, alert_id).offers)


def test_the_kiosk_tells_the_counter_a_colleague_is_coming(qtbot, kiosk, people):  # noqa: F811
    services = kiosk.ctx.services
    assert kiosk.coming.text() == ""
    _sign_in(qtbot, kiosk, people["staff"])
    qtbot.mouseClick(kiosk.page("home").help_tile, Qt.MouseButton.LeftButton)
    help_page = kiosk.page("help")
    qtbot.mouseClick(help_page.reason_buttons["queue"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(kiosk.relief_changed, timeout=WAIT_MS):
        qtbot.mouseClick(help_page.send_button, Qt.MouseButton.LeftButton)
    # The store manager calls backup from Today; a colleague of another store accepts from the phone.
    alert_id = services.calls.call_backup("mgr-sh001", "SH001", UI_NOW + timedelta(minutes=1))
    (state,) = [s for s in services.calls.states(SYSTEM, kiosk.terminal.store.id) if s.alert.id == alert_id]
    offer = next(o for o in state.offers if o.store_code != "SH001")
    _answer_from_phone(services, alert_id, offer.username, "accept", 20)

    line = f"{offer.name} is coming, expected 11:50 (from {offer.store_code})"
    qtbot.waitUntil(lambda: kiosk.coming.text() == line, timeout=LIVE_MS)
    status = kiosk.page("help_status").status_label
    qtbot.waitUntil(lambda: f"{offer.name} is coming, expected 11:50." in status.text(), timeout=WAIT_MS)
    # Whoever is at the counter sees it, signed in or not.
    kiosk.sign_out()
    assert kiosk.coming.isVisible() and kiosk.coming.text() == line


def test_staff_of_another_store_of_the_region_can_be_rostered_as_borrowed(qtbot, ctx, open_schedule):  # noqa: F811
    view = open_schedule(ctx)
    week = view.model.week()
    click_cell(qtbot, view, 0, MONDAY)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    dialog = view.shift_dialog
    qtbot.waitUntil(lambda: dialog.borrowed_count > 0, timeout=WAIT_MS)
    neighbours = ctx.services.schedule.borrowable_people(ctx.actor, week.store_code)
    free = next(
        p
        for p in neighbours
        if not any(
            s.staff_id == p.id and s.day == MONDAY
            for s in ctx.services.schedule.week_roster(ctx.actor, p.home_store, MONDAY).shifts
        )
    )
    combo = dialog.person_combo
    index = combo.findData(free.id)
    assert combo.itemText(index).endswith(f"borrowed from {free.home_store}")
    combo.setCurrentIndex(index)
    dialog.start_edit.setTime(QTime(13, 0))  # after "now" (11:30): a past start needs confirming
    dialog.end_edit.setTime(QTime(15, 0))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(p.id == free.id for p in view.model.week().people), timeout=WAIT_MS)
    row = next(r for r in range(view.model.rowCount()) if view.model.person_at(r).id == free.id)
    heading = view.model.headerData(row, Qt.Orientation.Vertical)
    assert heading == f"{free.name}\nborrowed from {free.home_store}"
    column = view.model.week().days.index(MONDAY)
    assert f"Borrowed from {free.home_store}" in view.model.data(
        view.model.index(row, column), Qt.ItemDataRole.ToolTipRole
    )
    # "Add" on the borrowed colleague's row proposes them again, on another day.
    click_cell(qtbot, view, row, MONDAY + timedelta(days=1))
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    again = view.shift_dialog
    qtbot.waitUntil(lambda: again.borrowed_count > 0, timeout=WAIT_MS)
    assert again.staff_id() == free.id
