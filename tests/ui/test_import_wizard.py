"""The import wizard as a user meets it: pick a file, check it, import it, see what happened."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QWizard

from tests.ui.conftest import WAIT_MS
from ui.views.import_wizard import ImportWizard

HEADERS = ["Receipt No", "Date", "Time", "Store ID", "Qty", "Amount"]
BIG_ROWS = 200_000
BIG_FIRST_DAY = date(2026, 5, 1)


def write_sales(path: Path, rows: list[list[str]], headers: list[str] = HEADERS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(headers)
        out.writerows(rows)
    return path


def sales_rows(day: date, orders: int, lines_per_order: int = 2, store: str = "SH001") -> list[list[str]]:
    """``orders`` receipts of ``lines_per_order`` lines each, from 08:00 local time, 3 minutes apart."""
    rows = []
    when = datetime.combine(day, datetime.min.time()) + timedelta(hours=8)
    for n in range(orders):
        for line in range(lines_per_order):
            # Lines differ (quantity 1, 2, ...): an exact duplicate row is dropped.
            rows.append(
                [
                    f"T{n:05d}",
                    when.strftime("%Y-%m-%d"),
                    when.strftime("%H:%M:%S"),
                    store,
                    str(line + 1),
                    "18.50",
                ]
            )
        when += timedelta(minutes=3)
    return rows


@pytest.fixture(scope="session")
def big_sales_file(tmp_path_factory) -> Path:
    """200,000 one-line orders for SH001, 20 seconds apart from 1 May 2026 (no demo sales there)."""
    path = tmp_path_factory.mktemp("big") / "pos-200k.csv"
    days: dict[int, str] = {}
    lines = [",".join(HEADERS)]
    for n in range(BIG_ROWS):
        day, second = divmod(7 * 3600 + 20 * n, 86400)
        if day not in days:
            days[day] = (BIG_FIRST_DAY + timedelta(days=day)).isoformat()
        hour, rest = divmod(second, 3600)
        lines.append(f"R{n},{days[day]},{hour:02d}:{rest // 60:02d}:{rest % 60:02d},SH001,1,30.00")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def click(qtbot, widget) -> None:
    """Click where a user would: on the text of a check or radio box, the middle of anything else."""
    checkable = isinstance(widget, QAbstractButton) and widget.isCheckable()
    pos = QPoint(8, widget.height() // 2) if checkable else widget.rect().center()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def open_wizard(qtbot, ctx, path: Path, kind: str = "sales") -> ImportWizard:
    """Open the wizard, choose ``kind`` and type the file's path, then go to the mapping page."""
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    click(qtbot, wizard.source_page.kind_buttons[kind])
    qtbot.keyClicks(wizard.source_page.path_edit, str(path))
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentId() == ImportWizard.PREVIEW
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=WAIT_MS)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentId() == ImportWizard.MAPPING
    return wizard


def start_import(qtbot, wizard: ImportWizard) -> None:
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.isVisible() and commit.isEnabled()
    click(qtbot, commit)
    assert wizard.currentId() == ImportWizard.IMPORT


def orders_on(ctx, store: str, day: date) -> int:
    return sum(b.orders for b in ctx.services.stores.sales_for_day(ctx.actor, store, day))


def test_a_good_csv_imports_with_progress_to_100_percent_and_shows_the_numbers(qtbot, ctx, tmp_path):
    day = date(2026, 4, 1)
    path = write_sales(tmp_path / "pos.csv", sales_rows(day, orders=40))
    wizard = open_wizard(qtbot, ctx, path)
    preview = wizard.preview_page
    assert preview.table.columnCount() == len(HEADERS)
    assert preview.table.horizontalHeaderItem(0).text() == "Receipt No\n→ Order / receipt number"
    assert preview.table.item(0, 3).text() == "SH001"
    assert "UTF-8" in preview.info_label.text()
    assert [c.currentData() for c in wizard.mapping_page.combos] == [
        "order_id", "date", "time", "store_code", "quantity", "total"
    ]  # fmt: skip

    with qtbot.waitSignal(ctx.events.data_changed, timeout=WAIT_MS):
        start_import(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=WAIT_MS)

    bar = wizard.import_page.progress
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    assert bar.text() == "100 %"
    page = wizard.result_page
    assert page.heading.text() == "Import complete"
    values = {key: label.text() for key, label in page.summary_values.items()}
    assert values["rows_read"] == "80"
    assert values["rows_imported"] == "80"
    assert values["orders_added"] == "40"
    assert values["duplicates"] == "0"
    assert values["stores_created"] == "None"
    assert orders_on(ctx, "SH001", day) == 40
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()


def test_a_bad_line_is_listed_as_file_and_line_and_nothing_is_written(qtbot, ctx, tmp_path):
    day = date(2026, 3, 2)  # the demo chain has sales on this day
    before = ctx.services.stores.sales_for_day(ctx.actor, "SH001", day)
    rows = sales_rows(day, orders=10, lines_per_order=1)
    rows[3][2] = "25:99"  # line 5 of the file: line 1 is the header
    path = write_sales(tmp_path / "bad.csv", rows)
    wizard = open_wizard(qtbot, ctx, path)
    start_import(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=WAIT_MS)

    page = wizard.result_page
    assert page.heading.text() == "Nothing was imported"
    assert "Nothing was written to the database" in page.message.text()
    problems = page.problem_rows()
    assert len(problems) == 1
    assert problems[0][0] == "bad.csv:5"
    assert problems[0][1] == "Time"
    assert "25:99" in problems[0][2]
    assert ctx.services.stores.sales_for_day(ctx.actor, "SH001", day) == before

    change = wizard.button(QWizard.WizardButton.CustomButton1)
    assert change.isVisible()
    click(qtbot, change)
    assert wizard.currentId() == ImportWizard.MAPPING


def test_an_unrecognised_amount_column_must_be_matched_before_importing(qtbot, ctx, tmp_path):
    headers = [*HEADERS[:-1], "Betrag"]
    path = write_sales(tmp_path / "de.csv", sales_rows(date(2026, 4, 2), 3), headers)
    wizard = open_wizard(qtbot, ctx, path)
    page = wizard.mapping_page
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert not commit.isEnabled()
    assert "amount" in page.status_label.text()
    amount = page.combos[-1]
    amount.setCurrentIndex(amount.findData("total"))
    assert commit.isEnabled()
    start_import(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=WAIT_MS)
    assert wizard.result_page.summary_values["orders_added"].text() == "3"


def test_cancel_during_a_large_import_rolls_everything_back(qtbot, ctx, big_sales_file):
    wizard = open_wizard(qtbot, ctx, big_sales_file)
    start_import(qtbot, wizard)
    page = wizard.import_page
    qtbot.waitUntil(lambda: page.progress.value() >= 50_000, timeout=WAIT_MS)
    assert "rows read" in page.progress_label.text()
    click(qtbot, page.cancel_button)
    assert "Cancelling" in page.progress_label.text()
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=60_000)

    assert wizard.result_page.heading.text() == "Import cancelled"
    assert "Nothing was written" in wizard.result_page.message.text()
    assert orders_on(ctx, "SH001", BIG_FIRST_DAY) == 0
    assert orders_on(ctx, "SH001", BIG_FIRST_DAY + timedelta(days=10)) == 0


def test_the_window_stays_responsive_during_a_large_import(qtbot, ctx, big_sales_file):
    wizard = open_wizard(qtbot, ctx, big_sales_file)
    page = wizard.import_page
    ticks_while_running = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks_while_running.append(page.progress.value()) if page.running else None)
    timer.start()
    start_import(qtbot, wizard)
    # The timer keeps firing while the worker reads, and the progress bar moves in between.
    qtbot.waitUntil(
        lambda: len(ticks_while_running) >= 10 and page.progress.value() >= 50_000, timeout=WAIT_MS
    )
    assert page.running
    timer.stop()
    click(qtbot, page.cancel_button)
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=60_000)
    assert wizard.result_page.heading.text() == "Import cancelled"


def test_a_roster_imports_and_its_shifts_reach_the_schedule(qtbot, ctx, tmp_path):
    day = date(2026, 3, 24)  # after the demo roster ends
    people = [
        p
        for p in ctx.services.schedule.week_roster(ctx.actor, "SH001", date(2026, 3, 9)).people
        if p.works_here
    ]
    rows = [
        [people[0].code, day.isoformat(), "07:00", "15:00"],
        [people[1].code, day.isoformat(), "11:00", "19:00"],
    ]
    path = write_sales(tmp_path / "roster.csv", rows, ["工号", "日期", "上班时间", "下班时间"])
    wizard = open_wizard(qtbot, ctx, path, kind="roster")
    page = wizard.mapping_page
    assert page.store_combo.isVisible() and page.create_staff_check.isVisible()
    assert [c.currentData() for c in page.combos] == ["staff_code", "date", "start", "end"]
    start_import(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=WAIT_MS)
    assert wizard.result_page.summary_values["created"].text() == "2"
    week = ctx.services.schedule.week_roster(ctx.actor, "SH001", day)
    assert {(s.staff_code, s.start.hour, s.end.hour) for s in week.shifts if s.day == day} == {
        (people[0].code, 7, 15),
        (people[1].code, 11, 19),
    }


def test_a_staff_list_imports_and_creates_the_store_when_asked(qtbot, ctx, tmp_path):
    rows = [["NEW-01", "王小明", "NEW1", "店员"], ["NEW-02", "李小红", "NEW1", "店长"]]
    path = write_sales(tmp_path / "staff.csv", rows, ["工号", "姓名", "门店编号", "岗位"])
    wizard = open_wizard(qtbot, ctx, path, kind="staff")
    page = wizard.mapping_page
    assert not page.store_combo.isVisible() and not page.create_staff_check.isVisible()
    click(qtbot, page.create_stores_check)
    start_import(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=WAIT_MS)
    values = {key: label.text() for key, label in wizard.result_page.summary_values.items()}
    assert values["created"] == "2" and values["stores_created"] == "NEW1"
    assert "NEW1" in [s.code for s in ctx.services.stores.list(ctx.actor)]


def test_closing_the_window_during_an_import_cancels_it_first(qtbot, ctx, big_sales_file):
    wizard = open_wizard(qtbot, ctx, big_sales_file)
    start_import(qtbot, wizard)
    page = wizard.import_page
    qtbot.waitUntil(lambda: page.progress.value() >= 50_000, timeout=WAIT_MS)
    wizard.close()
    assert wizard.isVisible() and "Cancelling" in page.progress_label.text()
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=60_000)
    assert orders_on(ctx, "SH001", BIG_FIRST_DAY) == 0


def test_a_shopify_export_shows_how_its_columns_were_read_and_what_the_file_held(qtbot, ctx, tmp_path):
    """tests/data/pos: line-item columns with a prefix, order totals on first lines only, two exact
    duplicate rows, an order without a price, a row without a store."""
    fixture = Path(__file__).parents[1] / "data" / "pos" / "shopify_orders_export.csv"
    path = tmp_path / fixture.name  # the rejects file is written beside it
    path.write_bytes(fixture.read_bytes())
    wizard = open_wizard(qtbot, ctx, path)
    preview = wizard.preview_page
    headers = [preview.table.horizontalHeaderItem(i).text() for i in range(preview.table.columnCount())]
    assert "Lineitem quantity\n→ Quantity (items) · 80 %" in headers
    assert "Lineitem price\n→ Unit price · 80 %" in headers
    notes = preview.columns_label.text()
    assert (
        "“Lineitem quantity” is read as Quantity (items): it is “quantity” with “lineitem” around it."
        in notes
    )
    assert (
        "Revenue: “Lineitem quantity” × “Lineitem price” on each line (the file has no line total)." in notes
    )
    assert "“Total” looks like an order total (filled on each order's first line only)" in notes
    page = wizard.mapping_page
    click(qtbot, page.create_stores_check)
    click(qtbot, page.skip_bad_check)

    start_import(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=WAIT_MS)

    values = {key: label.text() for key, label in wizard.result_page.summary_values.items()}
    assert values["duplicate_rows"] == "2"
    assert values["priceless_orders"] == "1"
    assert values["file_sales"].startswith("19 orders in 3 stores over ")


def test_new_stores_get_the_chosen_time_zone_and_hours_read_from_their_sales(qtbot, ctx, tmp_path):
    first = date(2026, 6, 1)  # a Monday; every day opens at 08:00 and the last order is at 09:57
    rows = [row for k in range(7) for row in sales_rows(first + timedelta(days=k), 40, 1, store="NY01")]
    wizard = open_wizard(qtbot, ctx, write_sales(tmp_path / "ny.csv", rows))
    page = wizard.mapping_page
    assert not page.zone_combo.isVisible()
    click(qtbot, page.create_stores_check)
    assert page.zone_combo.isVisible() and page.zone_combo.currentText() == "Asia/Shanghai"
    page.zone_combo.setCurrentText("America/New_York")

    start_import(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == ImportWizard.RESULT, timeout=WAIT_MS)

    values = {key: label.text() for key, label in wizard.result_page.summary_values.items()}
    assert values["stores_created"] == "NY01"
    assert values["hours:NY01"].startswith("Mon 08:00–10:00, Tue 08:00–10:00")
    store = ctx.services.stores.settings(ctx.actor, "NY01")
    assert store.timezone == "America/New_York" and store.hours_text == "Mon-Sun 08:00-10:00"
    assert ctx.services.stores.sales_for_day(ctx.actor, "NY01", first)[0].start.isoformat() == (
        "2026-06-01T08:00:00-04:00"
    )
