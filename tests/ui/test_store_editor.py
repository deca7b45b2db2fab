"""The store editor as head office and a regional manager use it, opened from the Region screen."""

from __future__ import annotations

from datetime import time

from PySide6.QtCore import QPoint, Qt, QTime
from PySide6.QtWidgets import QDialogButtonBox, QMenu
from sqlalchemy import select

from storemon.db.models import AuditEntry, Region, Store, StoreHours, TierPolicy
from storemon.services.stores import StoreChanges
from tests.ui.conftest import WAIT_MS
from tests.ui.test_region import open_region
from tests.ui.test_schedule import SOLO_STORE, click_cell, open_schedule  # noqa: F401 (a fixture, used by name)
from ui.views.region import RegionView
from ui.views.store_editor import StoreEditorDialog


def _row_of(view: RegionView, code: str) -> int:
    return next(r for r in range(view.proxy.rowCount()) if view.proxy.index(r, 0).data() == code)


def _menu_actions(qtbot, view: RegionView, code: str) -> dict[str, object]:
    """Right-click the store's row; the context menu's actions by text."""
    index = view.proxy.index(_row_of(view, code), 0)
    rect = view.table.visualRect(index)
    view.table.customContextMenuRequested.emit(QPoint(rect.center()))
    menu = view.findChildren(QMenu)[-1]
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    actions = {a.text(): a for a in menu.actions()}
    menu.close()
    return actions


def _open_editor(qtbot, view: RegionView, code: str) -> StoreEditorDialog:
    _menu_actions(qtbot, view, code)["Store settings…"].trigger()
    dialog = next(d for d in view.findChildren(StoreEditorDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.settings is not None and dialog.save_button.isEnabled(), timeout=WAIT_MS)
    return dialog


def _store(ctx, code: str) -> tuple[Store, dict[int, tuple[time, time]], str, str]:
    with ctx.services.database.sessions() as session:
        store = session.scalars(select(Store).where(Store.code == code)).one()
        hours = {h.weekday: (h.opens_at, h.closes_at) for h in session.scalars(
            select(StoreHours).where(StoreHours.store_id == store.id)
        )}  # fmt: skip
        region = store.region.code if store.region else ""
        policy = store.tier_policy.name if store.tier_policy else ""
        session.expunge(store)
        return store, hours, region, policy


def test_head_office_changes_zone_hours_and_settings_from_the_region_screen(qtbot, ctx):
    with ctx.services.database.sessions() as session:
        other_region = session.scalars(select(Region).order_by(Region.code.desc())).first().code
        session.add(TierPolicy(name="Weekend rule"))
        session.commit()
    view = open_region(qtbot, ctx)
    dialog = _open_editor(qtbot, view, "SH001")
    assert dialog.zone_combo.currentText() == "Asia/Shanghai"
    assert dialog.opens_edits[5].time() == QTime(7, 0)

    dialog.zone_combo.setCurrentText("America/New_York")
    dialog.opens_edits[5].setTime(QTime(8, 30))
    dialog.closes_edits[6].setTime(QTime(18, 0))
    dialog.service_box.setValue(1.5)
    dialog.patience_box.setValue(6)
    dialog.chore_box.setValue(4)
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData(other_region))
    dialog.policy_combo.setCurrentIndex(dialog.policy_combo.findData("Weekend rule"))
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    store, hours, region, policy = _store(ctx, "SH001")
    assert store.timezone == "America/New_York"
    assert hours == {5: (time(8, 30), store.closes_at), 6: (store.opens_at, time(18))}
    assert (store.service_minutes, store.patience_minutes, store.chore_minutes_per_hour) == (1.5, 6.0, 4.0)
    assert (region, policy) == (other_region, "Weekend rule")
    with ctx.services.database.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "store.edit")).one()
    assert (entry.actor, entry.subject) == ("admin", "store SH001")
    assert not dialog.isVisible()


def test_the_chain_setting_is_the_lowest_step_and_saves_as_none(qtbot, ctx):
    view = open_region(qtbot, ctx)
    dialog = _open_editor(qtbot, view, "SH001")
    dialog.service_box.setValue(2.0)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert _store(ctx, "SH001")[0].service_minutes == 2.0

    dialog = _open_editor(qtbot, view, "SH001")
    assert dialog.service_box.value() == 2.0
    dialog.service_box.setValue(dialog.service_box.minimum())
    assert dialog.service_box.text() == "Chain setting"
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert _store(ctx, "SH001")[0].service_minutes is None


def test_same_opening_and_closing_time_is_refused_before_saving(qtbot, ctx):
    view = open_region(qtbot, ctx)
    dialog = _open_editor(qtbot, view, "SH001")

    dialog.closes_edits[2].setTime(dialog.opens_edits[2].time())

    assert dialog.error_text() == "Wednesday: opening and closing are the same time."
    assert not dialog.save_button.isEnabled()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert _store(ctx, "SH001")[1] == {}


def test_a_regional_manager_edits_hours_but_not_the_zone_region_or_policy(qtbot, make_ctx):
    ctx = make_ctx("sup-east")
    view = open_region(qtbot, ctx)
    dialog = _open_editor(qtbot, view, "SH001")

    assert dialog.opens_edits[0].isEnabled() and dialog.patience_box.isEnabled()
    assert not dialog.zone_combo.isEnabled()
    assert not dialog.region_combo.isEnabled() and not dialog.policy_combo.isEnabled()
    dialog.opens_edits[0].setTime(QTime(6, 45))
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert _store(ctx, "SH001")[1][0][0] == time(6, 45)


def test_a_store_manager_is_not_offered_the_editor(qtbot, make_ctx):
    view = open_region(qtbot, make_ctx("mgr-sh001"))
    actions = _menu_actions(qtbot, view, "SH001")
    assert "Open on Today" in actions and "Store settings…" not in actions


def test_a_new_shift_on_a_saturday_that_opens_later_starts_at_its_opening(qtbot, ctx, open_schedule):  # noqa: F811
    ctx.services.stores.edit(ctx.actor, SOLO_STORE, StoreChanges(hours={5: (time(9, 30), time(17))}))
    view = open_schedule(ctx)
    saturday = next(d for d in view.model.week().days if d.weekday() == 5)

    click_cell(qtbot, view, 0, saturday)
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)

    assert view.shift_dialog.start_edit.time() == QTime(9, 30)
    view.shift_dialog.reject()
