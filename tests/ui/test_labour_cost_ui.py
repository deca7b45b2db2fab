"""Labour cost on the screens as a manager reads it: the Today tile, the cover's price, the
Schedule's cost per shift and per day, the Region's labour % and the what-ifs' added cost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt

from storemon.services.access import SYSTEM
from tests.ui.conftest import UI_NOW, WAIT_MS
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
    assert view.tiles["labour"].note.text() == f"{past.labour_percent:.1f} % of sales"


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
