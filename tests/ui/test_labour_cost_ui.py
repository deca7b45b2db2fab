"""Labour cost on the screens as a manager reads it: the Today tile, the cover's price, the
Schedule's cost per shift and per day, the Region's labour % and the what-ifs' added cost."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt

from storemon.services.access import SYSTEM
from tests.ui.conftest import UI_NOW, WAIT_MS
from tests.ui.test_policies import open_view  # noqa: F401  (a fixture)
from tests.ui.test_schedule import open_schedule  # noqa: F401  (a fixture)
from tests.ui.test_today import open_today


def _yuan(text: str) -> Decimal:
    return Decimal("".join(ch for ch in text if ch.isdigit() or ch == "."))


def test_today_tile_shows_the_days_labour_cost_and_its_share_of_sales_so_far(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    view = open_today(qtbot, ctx)
    tile = view.tiles["labour"]
    labour = ctx.services.labour.day_labour(SYSTEM, "SH001", date(2026, 3, 9), UI_NOW)
    assert tile.caption.text() == "Labour cost"
    assert tile.value_label.text() == f"¥{labour.cost:,.0f}" and labour.cost > 0
    assert labour.cost_to_date < labour.cost  # 11:30: the afternoon is still to be worked
    assert tile.note.text() == "No sales yet to compare with"  # the demo's POS has not sent today's sales
    # a past day: the whole day's wages over its sales
    with qtbot.waitSignal(view.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(view.prev_button, Qt.MouseButton.LeftButton)
    past = ctx.services.labour.day_labour(SYSTEM, "SH001", date(2026, 3, 8))
    assert view.tiles["labour"].note.text() == f"{past.labour_percent:.1f}% of sales"


def test_the_cover_found_for_today_says_what_it_costs(qtbot, make_ctx):
    ctx = make_ctx("mgr-sh001")
    view = open_today(qtbot, ctx)
    with qtbot.waitSignal(view.recommendation_shown, timeout=WAIT_MS):
        qtbot.mouseClick(view.fix_button, Qt.MouseButton.LeftButton)
    hours = sum(float(view.additions_table.item(r, 2).text()) for r in range(view.additions_table.rowCount()))
    assert hours > 0
    assert f"The cover costs ¥{hours * 32:,.0f} in wages." in view.fix_verdict.text()


def test_the_today_tile_in_chinese(qtbot, make_ctx):
    view = open_today(qtbot, make_ctx("mgr-sh001", "zh_CN"))
    assert view.tiles["labour"].value_label.text().startswith("¥")


def test_schedule_shows_each_shifts_cost_and_each_days(qtbot, make_ctx, open_schedule):  # noqa: F811
    from tests.ui.test_schedule import MONDAY

    view = open_schedule(make_ctx("mgr-sh001"), "SH001")
    week = view.model.week()
    column = week.days.index(MONDAY)
    heading = view.model.headerData(column, Qt.Orientation.Horizontal)
    assert heading.splitlines()[-1] == f"¥{week.day_costs[column]:,.0f}" and week.day_costs[column] > 0
    busy = next(r for r in range(view.model.rowCount()) if view.model.shifts_at(view.model.index(r, column)))
    shift = view.model.shifts_at(view.model.index(busy, column))[0]
    tooltip = view.model.data(view.model.index(busy, column), Qt.ItemDataRole.ToolTipRole)
    wage = shift.labour.hourly_wage
    assert f"Labour cost ¥{shift.labour.cost:,.0f} (¥{wage:,.2f} an hour, the role's wage)" in tooltip
    assert shift.labour.cost == (Decimal(shift.minutes) * wage / 60).quantize(Decimal("0.01"))
    total = sum(week.day_costs)
    assert view.summary_label.text().endswith(f"labour ¥{total:,.0f}")


def test_region_table_has_each_stores_labour_percent(qtbot, ctx):
    from tests.ui.test_region import open_region, shown
    from ui.models.stores_table import COLUMN_INDEX

    view = open_region(qtbot, ctx)
    percents = shown(view, "labour_percent")
    assert len(percents) == 8 and all(p != "—" and 0 < float(p) < 100 for p in percents)
    row = next(r for r in view._rows if r.code == "SH001")
    week = [row.week_start + timedelta(days=k) for k in range((row.week_end - row.week_start).days + 1)]
    figures = ctx.services.labour.stores_labour(SYSTEM, {row.store_id: week})[row.store_id]
    assert (row.labour_cost, row.labour_percent) == (figures.cost, figures.labour_percent)
    assert (
        shown(view, "labour_percent")[shown(view, "code").index("SH001")] == f"{figures.labour_percent:.1f}"
    )
    at = shown(view, "code").index("SH001")
    tooltip = view.proxy.index(at, COLUMN_INDEX["labour_percent"]).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == f"Wages ¥{row.labour_cost:,.0f} over the last sales week"


def test_one_more_person_from_11_to_14_costs_96_a_day(qtbot, ctx):
    from tests.ui.test_region import open_region, shown

    view = open_region(qtbot, ctx)
    at = shown(view, "code").index("SH001")
    qtbot.mouseClick(
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.table.visualRect(view.proxy.index(at, 0)).center(),
    )
    panel = view.roster_panel
    view.tabs.setCurrentWidget(panel)
    panel.start_combo.setCurrentIndex(panel.start_combo.findText("11:00"))
    panel.end_combo.setCurrentIndex(panel.end_combo.findText("14:00"))
    qtbot.mouseClick(panel.try_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    assert panel.result.added_cost_per_day == Decimal("96.00")  # 3 h at the staff wage of ¥32
    assert panel.result.added_cost == Decimal("672.00")  # every day of the week
    assert "Labour cost: ¥96 a day, +¥672 over the week." in panel.headline.text()
    last = panel.table.rowCount() - 1
    assert (panel.table.item(last, 0).text(), panel.table.item(last, 3).text()) == ("Labour cost", "+¥672")


def test_a_candidate_tier_policy_shows_each_stores_added_wages_and_the_total(qtbot, make_ctx, monkeypatch):
    from tests.ui.test_region import EXAMPLE_POLICY, open_region

    view = open_region(qtbot, make_ctx("sup-east"))
    panel = view.tier_panel
    view.tabs.setCurrentWidget(panel)
    monkeypatch.setattr(
        "ui.widgets.whatif_panel.QFileDialog.getOpenFileName", lambda *a, **k: (str(EXAMPLE_POLICY), "")
    )
    qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "closed-bands.json" in panel.policy_combo.currentText(), timeout=WAIT_MS)
    qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    cost_column = panel.table.columnCount() - 1
    assert panel.table.horizontalHeaderItem(cost_column).text() == "Labour cost\nper week"
    for r, row in enumerate(panel.result.rows):
        extra = row.candidate.staff_hours - row.current.staff_hours
        assert row.added_cost == Decimal(str(round(extra * 32, 2)))
        assert panel.table.item(r, cost_column).text() == ("+" if extra > 0 else "−" if extra < 0 else "") + (
            f"¥{abs(extra) * 32:,.0f}"
        )
    total = sum(r.added_cost for r in panel.result.rows)
    assert panel.table.item(panel.table.rowCount() - 1, cost_column).text() == f"+¥{total:,.0f}"
    assert f"Labour cost: +¥{total:,.0f} a week." in panel.headline.text()


def test_head_office_sets_the_staff_wage_in_policies_and_the_cost_follows(qtbot, ctx, open_view):  # noqa: F811
    view = open_view(ctx)
    page = view.wages
    view.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: "staff" in page.spins, timeout=WAIT_MS)
    spin = page.spins["staff"]
    assert spin.value() == 32.0 and spin.isEnabled() and "starting default" in spin.toolTip()
    assert not page.save_button.isEnabled()
    spin.setValue(30.5)
    assert page.dirty and page.save_button.isEnabled()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.kind == "success", timeout=WAIT_MS)
    assert not page.dirty and spin.toolTip() == ""
    wages = {w.role: w.hourly_wage for w in ctx.services.labour.role_wages(SYSTEM)}
    assert wages["staff"] == Decimal("30.50") and wages["shift_lead"] == Decimal("38.00")
    assert ctx.services.region.roster_whatif(SYSTEM, "SH001", 11 * 60, 14 * 60).added_cost_per_day == Decimal(
        "91.50"
    )


def test_a_store_manager_reads_the_wages_but_cannot_change_them(qtbot, make_ctx, open_view):  # noqa: F811
    view = open_view(make_ctx("mgr-sh001"))
    qtbot.waitUntil(lambda: "staff" in view.wages.spins, timeout=WAIT_MS)
    assert not view.wages.spins["staff"].isEnabled()


def test_a_store_manager_gives_a_person_their_own_wage_from_the_schedule(qtbot, make_ctx, open_schedule):  # noqa: F811
    ctx = make_ctx("mgr-sh001")
    view = open_schedule(ctx, "SH001")
    assert view.wages_button.isVisible()
    before = sum(view.model.week().day_costs)
    dialog = view.open_wages()
    qtbot.waitUntil(lambda: len(dialog.spins) > 0, timeout=WAIT_MS)
    code = next(iter(dialog.spins))
    spin = dialog.spins[code]
    assert spin.value() == 0 and spin.text().startswith("role's wage (¥")
    assert not dialog.save_button.isEnabled()
    spin.setValue(60)
    assert dialog.changes() == {code: Decimal("60.00")} and dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.changes() and not dialog._busy, timeout=WAIT_MS)
    mine = {p.staff_code: p for p in ctx.services.labour.person_wages(ctx.actor, "SH001")}[code]
    assert (mine.hourly_wage, mine.source) == (Decimal("60.00"), "person")
    qtbot.waitUntil(
        lambda: sum(view.model.week().day_costs) > before, timeout=WAIT_MS
    )  # the roster re-priced
    dialog.spins[code].setValue(0)  # back to the role's wage
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.changes() and not dialog._busy, timeout=WAIT_MS)
    assert {p.staff_code: p.source for p in ctx.services.labour.person_wages(ctx.actor, "SH001")}[
        code
    ] == "role"


def test_a_barista_has_no_wages_button_and_no_per_shift_cost(qtbot, make_ctx, open_schedule):  # noqa: F811
    view = open_schedule(make_ctx("staff-sh001"), "SH001")
    assert not view.wages_button.isVisible()
    week = view.model.week()
    assert all(s.labour is None for s in week.shifts) and sum(week.day_costs) > 0
