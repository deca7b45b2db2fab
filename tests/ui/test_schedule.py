"""The Schedule screen as a store manager and a barista meet it: the week, its solo hours, edits."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt, QTime

from tests.ui.conftest import WAIT_MS
from tests.ui.screens import show_screen
from ui.views.schedule import ScheduleView

MONDAY = date(2026, 3, 9)  # the conftest's "today"
SOLO_STORE = "SH007"  # a small store of the UI demo chain: one person per shift, the policy asks for one


@pytest.fixture
def open_schedule(qtbot):
    def open_view(ctx, store: str = SOLO_STORE) -> ScheduleView:
        view = ScheduleView(ctx)
        show_screen(qtbot, view, 1100, lambda: view.model.week() is not None)
        combo = view.store_combo
        index = next(i for i in range(combo.count()) if combo.itemText(i).startswith(store))
        combo.setCurrentIndex(index)
        qtbot.waitUntil(lambda: view.model.week().store_code == store, timeout=WAIT_MS)
        return view

    return open_view


def strip_for(view: ScheduleView, day: date):
    return next(s for s in view.strips if s.day() == day)


def click_cell(qtbot, view: ScheduleView, row: int, day: date) -> None:
    index = view.model.index(row, view.model.week().days.index(day))
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.table.currentIndex() == index


def rows_with_and_without_a_shift(view: ScheduleView, day: date) -> tuple[int, int]:
    column = view.model.week().days.index(day)
    busy = [r for r in range(view.model.rowCount()) if view.model.shifts_at(view.model.index(r, column))]
    free = [
        r
        for r in range(view.model.rowCount())
        if r not in busy and view.model.person_at(r).works_here and view.model.person_at(r).active
    ]
    return busy[0], free[0]


def add_shift(qtbot, view: ScheduleView, row: int, day: date, start: QTime, end: QTime):
    click_cell(qtbot, view, row, day)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    dialog = view.shift_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.staff_id() == view.model.person_at(row).id
    dialog.start_edit.setTime(start)
    dialog.end_edit.setTime(end)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    return dialog


def test_a_solo_stores_coverage_strip_highlights_its_solo_hours(qtbot, ctx, open_schedule):
    view = open_schedule(ctx)
    week = view.model.week()
    opens = week.opens_at.hour * 60
    closes = week.closes_at.hour * 60
    strip = strip_for(view, MONDAY)
    assert strip.solo_periods() == [(opens, closes)]
    assert strip.shortfall_periods() == []  # the tier policy asks for one person here
    assert strip.staff_at(10 * 60) == 1
    hour = strip.hour_tooltip(strip.rect().center())
    assert "(solo)" in hour
    assert "Alone on the floor" in strip.accessibleDescription()
    assert "alone on the floor" in view.summary_label.text()
    assert "asks for 1 staff" in view.policy_banner.text()
    # Cells of shifts spent alone say so.
    busy, _free = rows_with_and_without_a_shift(view, MONDAY)
    tooltip = view.model.index(busy, week.days.index(MONDAY)).data(Qt.ItemDataRole.ToolTipRole)
    assert "Alone on the floor for 7 h" in tooltip


def test_a_store_below_its_tier_policy_has_its_short_hours_marked(qtbot, ctx, open_schedule):
    view = open_schedule(ctx, "SH001")  # revenue puts it in the two-person band; it is staffed solo
    strip = strip_for(view, MONDAY)
    assert strip.shortfall_periods() == strip.solo_periods() != []
    assert "Below policy" in strip.hour_tooltip(strip.rect().center())
    assert "asks for 2 staff" in view.policy_banner.text()


def test_an_overlapping_shift_is_refused_with_a_message(qtbot, ctx, open_schedule):
    view = open_schedule(ctx)
    busy, _free = rows_with_and_without_a_shift(view, MONDAY)
    before = len(view.model.week().shifts)
    dialog = add_shift(qtbot, view, busy, MONDAY, QTime(10, 0), QTime(12, 0))
    qtbot.waitUntil(lambda: bool(dialog.error_text()), timeout=WAIT_MS)
    person = view.model.person_at(busy)
    assert f"{person.name} already works 06:45–14:00" in dialog.error_text()
    assert "cannot overlap" in dialog.error_text()
    assert dialog.isVisible()
    week = ctx.services.schedule.week_roster(ctx.actor, SOLO_STORE, view.model.week().first_day)
    assert len(week.shifts) == before


def test_an_end_before_the_start_is_caught_before_saving(qtbot, ctx, open_schedule):
    view = open_schedule(ctx)
    _busy, free = rows_with_and_without_a_shift(view, MONDAY)
    click_cell(qtbot, view, free, MONDAY)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    dialog = view.shift_dialog
    dialog.start_edit.setTime(QTime(15, 0))
    dialog.end_edit.setTime(QTime(11, 0))
    assert dialog.error_text() == "The shift must end after it starts."
    assert not dialog.save_button.isEnabled()


def test_a_valid_shift_appears_in_the_grid_and_ends_solo_hours_there(qtbot, ctx, open_schedule):
    view = open_schedule(ctx)
    week = view.model.week()
    _busy, free = rows_with_and_without_a_shift(view, MONDAY)
    column = week.days.index(MONDAY)
    with qtbot.waitSignal(ctx.events.data_changed, timeout=WAIT_MS):
        dialog = add_shift(qtbot, view, free, MONDAY, QTime(13, 0), QTime(15, 0))  # now is 11:30
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: view.model.cell_text(free, column) == "13:00–15:00", timeout=WAIT_MS)
    strip = strip_for(view, MONDAY)
    opens, closes = week.opens_at.hour * 60, week.closes_at.hour * 60
    assert strip.solo_periods() == [(opens, 13 * 60), (15 * 60, closes)]
    assert strip.staff_at(14 * 60) == 2
    assert view.table.currentIndex() == view.model.index(free, column)


def test_a_shift_starting_before_now_is_added_only_when_confirmed(qtbot, ctx, open_schedule):
    view = open_schedule(ctx)
    _busy, free = rows_with_and_without_a_shift(view, MONDAY)
    column = view.model.week().days.index(MONDAY)
    dialog = add_shift(qtbot, view, free, MONDAY, QTime(9, 0), QTime(11, 0))  # now is 11:30
    qtbot.waitUntil(lambda: dialog.past_box is not None and dialog.past_box.isVisible(), timeout=WAIT_MS)
    assert "before now (11:30)" in dialog.past_box.text()
    assert "starts at 09:00, before now (11:30)" in dialog.error_text()
    assert dialog.isVisible() and view.model.cell_text(free, column) == ""
    qtbot.mouseClick(dialog.past_box.button(dialog.past_box.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and not dialog.save_button.isEnabled()  # nothing saved, and it says why

    dialog.start_edit.setTime(QTime(9, 15))  # changing the times asks again
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.past_box is not None and dialog.past_box.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(ctx.events.data_changed, timeout=WAIT_MS):
        qtbot.mouseClick(
            dialog.past_box.button(dialog.past_box.StandardButton.Yes), Qt.MouseButton.LeftButton
        )
    qtbot.waitUntil(lambda: view.model.cell_text(free, column) == "09:15–11:00", timeout=WAIT_MS)


def test_staff_see_their_store_read_only(qtbot, make_ctx, open_schedule):
    ctx = make_ctx("staff-sh007")
    view = open_schedule(ctx)
    assert view.store_combo.count() == 1
    assert view.read_only_notice.isVisible()
    assert not view.add_button.isVisible()
    busy, _free = rows_with_and_without_a_shift(view, MONDAY)
    index = view.model.index(busy, view.model.week().days.index(MONDAY))
    qtbot.mouseDClick(
        view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.visualRect(index).center()
    )
    assert view.shift_dialog is None
    assert view.add_shift() is None


def test_the_week_picker_moves_a_week_at_a_time(qtbot, ctx, open_schedule):
    view = open_schedule(ctx)
    first = view.model.week().first_day
    qtbot.mouseClick(view.next_week_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.model.week().first_day == first.fromordinal(first.toordinal() + 7), timeout=WAIT_MS
    )
    qtbot.mouseClick(view.this_week_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.week().first_day == first, timeout=WAIT_MS)
    assert MONDAY in view.model.week().days


def test_a_selected_shift_can_be_deleted_after_confirming(qtbot, ctx, open_schedule):
    view = open_schedule(ctx)
    busy, _free = rows_with_and_without_a_shift(view, MONDAY)
    column = view.model.week().days.index(MONDAY)
    click_cell(qtbot, view, busy, MONDAY)
    assert view.delete_button.isEnabled()
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    box = view.confirm_box
    assert box is not None and view.model.person_at(busy).name in box.text()
    yes = next(b for b in box.buttons() if b.text() == "Delete shift")
    with qtbot.waitSignal(ctx.events.data_changed, timeout=WAIT_MS):
        qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.cell_text(busy, column) == "", timeout=WAIT_MS)
    assert strip_for(view, MONDAY).unstaffed_periods()  # the store is now empty for part of Monday
