"""Advice a manager can act on: "Add these shifts" and "Call backup for HH:MM–HH:MM" on Today and
under the roster what-if, driven as a user would."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt

from tests.ui.conftest import UI_NOW, WAIT_MS
from tests.ui.test_today import open_today
from ui.format import clock
from ui.views.today import TodayView
from ui.widgets.whatif_panel import RosterWhatIfPanel, TierWhatIfPanel

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "docs" / "examples" / "closed-bands.json"


def _find_cover(qtbot, view: TodayView):
    with qtbot.waitSignal(view.recommendation_shown, timeout=WAIT_MS):
        qtbot.mouseClick(view.fix_button, Qt.MouseButton.LeftButton)
    return view.fix_actions


def _staff_at(view: TodayView, moment: datetime) -> int:
    return next(i.rostered_staff for i in view._picture.store_day.intervals if i.start == moment)


def test_add_these_shifts_creates_exactly_the_recommended_shifts_and_the_day_updates(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    view = open_today(qtbot, ctx)
    actions = _find_cover(qtbot, view)
    drafts = actions.drafts.drafts
    assert actions.isVisible() and actions.add_button.isVisible() and drafts
    assert actions.add_button.text() == f"Add these {len(drafts)} shift(s)…"
    assert all(d.start >= UI_NOW for d in drafts), "no draft starts before now (11:30)"
    people_before = view.pressure_list.table.topLevelItemCount()
    staffed_before = [_staff_at(view, d.start) for d in drafts]

    qtbot.mouseClick(actions.add_button, Qt.MouseButton.LeftButton)
    dialog = actions.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.rowCount() == len(drafts)
    for row, draft in enumerate(drafts):
        assert dialog.table.item(row, dialog.START).text() == clock(draft.start)
        assert dialog.table.item(row, dialog.END).text() == clock(draft.end)
        assert draft.staff_id is not None  # someone free is suggested for each
        assert dialog.person_combos[row].currentData() == draft.staff_id
    assert dialog.save_button.text() == f"Add {len(drafts)} shift(s)" and dialog.save_button.isEnabled()

    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):  # the roster changed: Today reloads
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert actions.dialog is None  # confirmed and closed

    day = UI_NOW.astimezone(SHANGHAI).date()
    roster = ctx.services.schedule.week_roster(ctx.actor, "SH001", day, 1)
    made = {(e.staff_id, e.start, e.end) for e in roster.shifts}
    assert {(d.staff_id, d.start, d.end) for d in drafts} <= made
    assert view.pressure_list.table.topLevelItemCount() == people_before + len(drafts)
    assert [_staff_at(view, d.start) for d in drafts] == [n + 1 for n in staffed_before]
    assert not view.fix_actions.isVisible()  # the old advice is gone with the old roster


def test_unticking_a_draft_and_choosing_nobody_are_caught_before_saving(qtbot, make_ctx):
    view = open_today(qtbot, make_ctx("mgr-sh001"))
    actions = _find_cover(qtbot, view)
    qtbot.mouseClick(actions.add_button, Qt.MouseButton.LeftButton)
    dialog = actions.dialog
    dialog.person_combos[0].setCurrentIndex(0)  # "Choose who…"
    assert not dialog.save_button.isEnabled()
    assert dialog.error_text() == "Choose who works each ticked shift."
    for row in range(dialog.table.rowCount()):
        dialog.table.item(row, dialog.INCLUDE).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.error_text() == "Tick at least one shift to add." and not dialog.save_button.isEnabled()


def test_call_backup_for_the_window_raises_the_call_with_that_window(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    view = open_today(qtbot, ctx)
    actions = _find_cover(qtbot, view)
    start, end = actions.drafts.backup_window
    assert actions.call_button.isVisible()
    assert actions.call_button.text() == f"Call backup for {clock(start)}–{clock(end)}"
    with qtbot.waitSignal(view.call_buttons.call_sent, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(actions.call_button, Qt.MouseButton.LeftButton)
    kind, alert_id = sent.args
    assert kind == "backup" and "Sent" in view.call_buttons.backup_status.text()
    alert, _timeline = ctx.services.alerts.detail(ctx.actor, alert_id)
    assert alert.rule == "backup_call"
    window = alert.details["window"]
    assert (datetime.fromisoformat(window["start"]), datetime.fromisoformat(window["end"])) == (start, end)


def test_the_roster_what_if_offers_the_person_as_shifts_and_a_backup_call(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    store = next(r for r in ctx.services.region.overview(ctx.actor, None, now=UI_NOW) if r.code == "SH001")
    panel = RosterWhatIfPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1200, 500)
    panel.show()
    panel.set_store(store)
    panel.set_times(14 * 60, 16 * 60)
    qtbot.mouseClick(panel.try_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    actions = panel.actions
    assert actions.isVisible() and len(actions.drafts.drafts) == 7  # today 14:00 is still ahead
    assert actions.call_button.text() == "Call backup for 14:00–16:00"
    assert panel.result.before_days and len(panel.result.before_days) == 7
    with qtbot.waitSignal(actions.backup_called, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(actions.call_button, Qt.MouseButton.LeftButton)
    alert, _timeline = ctx.services.alerts.detail(ctx.actor, sent.args[0])
    assert datetime.fromisoformat(alert.details["window"]["start"]).astimezone(SHANGHAI).hour == 14


def test_the_tier_what_if_offers_the_candidates_staffing_for_the_selected_store(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")  # one store: the comparison is quick
    panel = TierWhatIfPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1200, 500)
    panel.show()
    panel.load_policy_file(EXAMPLE_POLICY)
    qtbot.waitUntil(lambda: "closed-bands.json" in panel.policy_combo.currentText(), timeout=WAIT_MS)
    qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    row = panel.result.rows[0]
    assert row.code == "SH001" and row.candidate_staff_per_shift == 2 and not panel.actions.isVisible()

    qtbot.mouseClick(
        panel.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.table.visualItemRect(panel.table.item(0, 0)).center(),
    )
    qtbot.waitUntil(lambda: panel.actions.isVisible(), timeout=WAIT_MS)
    drafts = panel.actions.drafts.drafts
    expected = ctx.services.staffing.policy_drafts(ctx.actor, row.store_id, 2, UI_NOW).drafts
    assert drafts == expected and drafts
    assert all(d.start >= UI_NOW for d in drafts)

    qtbot.mouseClick(panel.actions.add_button, Qt.MouseButton.LeftButton)
    dialog = panel.actions.dialog
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [(e.start, e.end) for e in saved.args[0]] == [(d.start, d.end) for d in drafts]
    # The coming week now has the candidate's two people whenever the store is open.
    assert ctx.services.staffing.policy_drafts(ctx.actor, row.store_id, 2, UI_NOW).drafts == ()
