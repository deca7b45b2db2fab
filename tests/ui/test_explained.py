"""Explained numbers: tooltips that say what a figure means and who a call pages, the shipped
guides in Help, a verdict that never contradicts the waits beside it, and a 1366×768 screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QScrollArea
from sqlalchemy import select

from alerts.escalation import DEFAULT_POLICY
from storemon.db.models import Store, User
from storemon.services.access import SYSTEM
from storemon.services.region import StoreOverview
from tests.ui.conftest import UI_NOW, WAIT_MS
from ui import palette
from ui.help_docs import BUNDLED, PRESSURE, bundle_files, doc_path
from ui.main_window import MainWindow
from ui.models.stores_table import COLUMN_INDEX, LONG_WAITS, StoresTableModel, shown_status
from ui.widgets.call_buttons import CallButtons


def _today_loaded(window: MainWindow) -> bool:
    today = window.views.get("today")
    return today is not None and today._picture is not None and not window.ctx.tasks.busy


def _window(qtbot, ctx, width: int = 1366, height: int = 768) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    window.show_view("today")
    qtbot.waitUntil(lambda: _today_loaded(window), timeout=WAIT_MS)
    return window


def test_every_today_tile_explains_its_figure_and_yardstick(qtbot, make_ctx):
    window = _window(qtbot, make_ctx("mgr-sh001"))
    tiles = window.views["today"].tiles
    assert all(len(tile.toolTip()) > 60 for tile in tiles.values())
    assert "target of 3.0 min" in tiles["wait"].toolTip()
    assert "Amber from 35, red from 65" in tiles["pressure"].toolTip()
    assert "How pressure is computed" in tiles["pressure"].toolTip()
    assert "From 85%" in tiles["utilisation"].toolTip()


def _store_manager_name(ctx, store_code: str) -> str:
    with ctx.services.database.sessions() as session:
        store = session.scalars(select(Store).where(Store.code == store_code)).one()
        return session.scalars(
            select(User.display_name).where(User.store_id == store.id, User.role == "store_manager")
        ).one()


def _call_buttons(qtbot, ctx, store_code: str) -> CallButtons:
    buttons = CallButtons(ctx)
    qtbot.addWidget(buttons)
    store = next(s for s in ctx.services.stores.list(ctx.actor) if s.code == store_code)
    buttons.set_store(store.id, store.timezone)
    qtbot.waitUntil(lambda: bool(buttons.manager_button.toolTip()), timeout=WAIT_MS)
    return buttons


def test_call_buttons_say_who_is_paged_first_from_the_escalation_policy(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    manager = _store_manager_name(ctx, "SH001")
    buttons = _call_buttons(qtbot, ctx, "SH001")
    tip = buttons.manager_button.toolTip()
    assert "Paged first — level 2, Shift lead / store manager" in tip and manager in tip
    assert "If nobody acknowledges within 5 min — level 3, Operations supervisor" in tip
    backup = buttons.backup_button.toolTip()
    assert "Paged first — level 1, Frontline staff" in backup and "Cover offered to:" in backup

    # Head office changes who level 2 is: the tooltip follows the policy, not a fixed text.
    levels = list(DEFAULT_POLICY.levels)
    levels[1] = replace(levels[1], targets=("user:director",))
    ctx.services.policies.save_escalation_policy(
        SYSTEM, replace(DEFAULT_POLICY, levels=tuple(levels)), UI_NOW
    )
    again = _call_buttons(qtbot, ctx, "SH001")
    tip = again.manager_button.toolTip()
    assert "周总监" in tip and manager not in tip.split("\n")[1]


def _overview(status: str, mean_wait: float) -> StoreOverview:
    return StoreOverview(
        store_id=1,
        code="SH025",
        name="Test",
        region_id=None,
        region="East",
        tier_policy="Rule",
        policy_staff_per_shift=2,
        rostered_staff_per_shift=2.1,
        avg_daily_revenue=9000.0,
        policy_status=status,
        policy_note="policy asks for 2",
        solo_hours_per_week=0.0,
        mean_wait_minutes=mean_wait,
        p90_wait_minutes=mean_wait * 2,
        lost_orders=0.0,
        lost_revenue=0.0,
        red_shifts=0,
        mean_pressure=20.0,
        max_pressure=30.0,
        week_start=date(2026, 3, 2),
        week_end=date(2026, 3, 8),
    )


def test_covered_is_never_shown_in_green_beside_a_mean_wait_over_target(qtbot):
    model = StoresTableModel()
    model.set_rows([_overview("covered", 23.6), _overview("covered", 2.4), _overview("gap", 23.6)])
    model.set_target_wait(3.0)
    column = COLUMN_INDEX["policy_status"]
    texts = [model.data(model.index(row, column)) for row in range(3)]
    assert texts == ["Policy met, waits too long", "Covered", "In a policy gap"]
    long_wait = model.index(0, column)
    assert model.data(long_wait, Qt.ItemDataRole.BackgroundRole).color() == palette.WARN.qfill()
    assert model.data(model.index(1, column), Qt.ItemDataRole.BackgroundRole).color() == palette.OK.qfill()
    assert "23.6 min on average against a target of 3.0 min" in model.data(
        long_wait, Qt.ItemDataRole.ToolTipRole
    )
    assert shown_status(_overview("covered", 3.0), 3.0) == "covered", "at the target is covered"
    assert shown_status(_overview("covered", 3.1), 3.0) == LONG_WAITS


def test_region_checks_its_verdicts_against_the_chain_wait_target(qtbot, ctx):
    # A strict target: every store that meets its policy now keeps customers waiting too long.
    targets = ctx.services.settings.staffing_targets()
    ctx.services.settings.save_staffing_targets(SYSTEM, replace(targets, target_wait_minutes=0.2))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.show_view("region")
    region = window.views["region"]
    qtbot.waitUntil(lambda: region.model.rowCount() > 0 and not ctx.tasks.busy, timeout=60_000)
    assert region.model.target_wait_minutes == 0.2
    column = COLUMN_INDEX["policy_status"]
    rows = [region.model.row_at(row) for row in range(region.model.rowCount())]
    shown = [region.model.data(region.model.index(row, column)) for row in range(len(rows))]
    covered = [row for row, text in zip(rows, shown, strict=True) if text == "Covered"]
    assert all(row.mean_wait_minutes <= 0.2 for row in covered), "never green beside a long wait"
    assert "Policy met, waits too long" in shown, [r.policy_status for r in rows]
    exported = next(c for c in region.export_columns() if c.header.startswith("Policy status"))
    assert [exported.of(row) for row in rows] == shown, "the export says what the screen says"


def test_help_opens_the_shipped_guides_offline(qtbot, make_ctx):
    window = MainWindow(make_ctx("mgr-sh001"))
    qtbot.addWidget(window)
    window.show()
    window.guide_action.trigger()
    browser = window.help_browser
    assert browser is not None and browser.isVisible()
    assert browser.browser.source().isLocalFile()
    assert browser.browser.toPlainText().startswith("Store manager's guide")
    assert browser.browser.document().toMarkdown().count("\n") > 50, "the whole guide, rendered"
    window.pressure_help_action.trigger()
    assert browser.browser.toPlainText().startswith("The shift pressure index")
    assert browser.picker.currentData() == PRESSURE and browser.back_button.isEnabled()
    assert browser.note.isHidden(), "an English reader is not told the guides are in English"

    region_window = MainWindow(make_ctx("sup-east"))
    qtbot.addWidget(region_window)
    region_window.guide_action.trigger()
    assert region_window.help_browser.browser.toPlainText().startswith("Regional manager")


def test_every_shipped_guide_and_its_screenshots_are_in_the_bundle_list():
    shipped = {relative for _source, relative in bundle_files()}
    assert set(BUNDLED) <= shipped
    assert any(relative.startswith("screenshots/") for relative in shipped)
    assert all(source.is_file() for source, _relative in bundle_files())
    assert all(doc_path(name).is_file() for name in BUNDLED)


def _inside(window: MainWindow, widget) -> bool:
    corner = widget.mapTo(window, widget.rect().topLeft())
    return QRect(corner, widget.size()).intersected(window.rect()) == QRect(corner, widget.size())


def test_screens_fit_a_1366_by_768_laptop(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    window = _window(qtbot, ctx)
    assert (window.width(), window.height()) == (1366, 768)
    today = window.views["today"]
    why = today.pressure_list.details_area.viewport()
    assert why.height() >= 5 * today.pressure_list.details.fontMetrics().lineSpacing(), "several lines of why"
    scroll = today.findChild(QScrollArea, "todayScroll")
    assert not scroll.verticalScrollBar().isVisible(), "the whole day fits without scrolling"
    for tile in today.tiles.values():
        assert tile.value_label.width() >= tile.value_label.sizeHint().width(), tile.objectName()
    for widget in (today.call_buttons.backup_button, today.call_buttons.manager_button, today.chart_box):
        assert widget.isVisible() and _inside(window, widget)
    for key, *_ in window.screens:
        window.show_view(key)
        view = window.view(key)
        qtbot.waitUntil(lambda view=view: view.isVisible(), timeout=WAIT_MS)
        page = window.stack.currentWidget()
        hint = view.minimumSizeHint()
        assert hint.width() <= page.width() and hint.height() <= page.height(), (key, hint, page.size())


def test_a_long_tile_note_at_1366_by_768_never_squeezes_the_chart_under_its_legend(qtbot, ui_db, make_ctx):
    """A new store's demand tile wraps to three lines (Chinese, 1366 wide): the chart keeps its
    minimum and its legend stays below the plot (it once overlapped the time axis)."""
    from tests.storemon.test_forecasts import _new_store_like

    with ui_db.sessions.begin() as session:
        model = session.scalars(select(Store).where(Store.code == "SH001")).one()
        _new_store_like(session, model, [date(2026, 3, 7), date(2026, 3, 8)])
    ctx = make_ctx("admin", "zh_CN")
    window = _window(qtbot, ctx)
    today = window.views["today"]
    new = next(s for s in today._stores if s.code == "NEW01")
    with qtbot.waitSignal(today.loaded, timeout=WAIT_MS):
        ctx.events.store_selected.emit(new.id)
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=WAIT_MS)
    qtbot.wait(100)  # the layout settles after the tile's note wrapped
    note = today.tiles["demand"].note
    assert note.height() >= note.heightForWidth(note.width()) > note.fontMetrics().lineSpacing() * 2
    chart = today.timeline
    assert today.chart_box.height() >= today.chart_box.minimumSizeHint().height()
    assert chart.legend.geometry().top() >= chart.plot_widget.geometry().bottom()
    assert today.pressure_list.details_area.viewport().height() >= 5 * note.fontMetrics().lineSpacing()


def test_a_chinese_reader_is_told_the_guides_are_in_english(qtbot, make_ctx):
    window = MainWindow(make_ctx("mgr-sh001", "zh_CN"))
    qtbot.addWidget(window)
    window.show()
    window.guide_action.trigger()
    note = window.help_browser.note
    assert not note.isHidden() and note.text()
