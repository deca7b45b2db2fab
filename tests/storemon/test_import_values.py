"""Cell parsing and file reading as the import wizard sees them: formats real exports use."""

from __future__ import annotations

import csv
from datetime import date, datetime, time

import openpyxl
import pytest

from storemon.importers import ImportFailed, preview
from storemon.importers.base import CellError
from storemon.importers.values import (
    DAY,
    parse_date,
    parse_money,
    parse_quantity,
    parse_time,
    parse_timestamp,
)

MARCH_2 = date(2026, 3, 2).toordinal() * DAY


@pytest.mark.parametrize(
    "text",
    ["2026-03-02", "2026/3/2", "2026.03.02", "2026年3月2日", "2026年03月02日", "20260302", "2 Mar 2026",
     "March 2, 2026", "02-Mar-2026", "2/3/2026 ", date(2026, 3, 2), datetime(2026, 3, 2, 9, 0)],
)  # fmt: skip
def test_unambiguous_dates(text):
    assert parse_date(text, day_first=True if text == "2/3/2026 " else None) == MARCH_2


def test_day_month_order_is_only_guessed_when_the_value_decides_it():
    assert parse_date("25/03/2026") == date(2026, 3, 25).toordinal() * DAY
    assert parse_date("03/25/2026") == date(2026, 3, 25).toordinal() * DAY
    with pytest.raises(CellError, match="ambiguous.*--day-first"):
        parse_date("02/03/2026")
    assert parse_date("02/03/2026", day_first=True) == MARCH_2
    assert parse_date("03/02/2026", day_first=False) == MARCH_2
    with pytest.raises(CellError, match="not a real date"):
        parse_date("2026-02-30")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("08:15", 29700), ("8:15:03", 29703), ("08:15:03.250", 29703), ("8:15 PM", 72900), ("12:05 am", 300),
     ("8时15分", 29700), ("下午 3:20", 55200), ("081503", 29703), (time(8, 15), 29700), ("0.34375", 29700)],
)  # fmt: skip
def test_times(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["25:00", "8", "noon", "", "13:00 PM"])
def test_bad_times_say_what_is_expected(text):
    with pytest.raises(CellError, match="expected e.g. 08:15"):
        parse_time(text)


def test_timestamps_in_common_formats():
    at_815 = MARCH_2 + 8 * 3600 + 15 * 60
    assert parse_timestamp("2026-03-02 08:15") == at_815
    assert parse_timestamp("2026-03-02T08:15:00") == at_815
    assert parse_timestamp("2026/3/2 8:15") == at_815
    assert parse_timestamp("2026年3月2日 8:15") == at_815
    assert parse_timestamp("2026年3月2日8时15分") == at_815
    assert parse_timestamp("Mar 2, 2026 8:15 AM") == at_815
    assert parse_timestamp(datetime(2026, 3, 2, 8, 15)) == at_815
    assert parse_timestamp("2026-03-02T00:15:00Z") == (MARCH_2 + 15 * 60, 0)
    assert parse_timestamp("2026-03-02 08:15:00+08:00") == (at_815, 8 * 3600)
    with pytest.raises(CellError, match="no time of day"):
        parse_timestamp("2026-03-02")


@pytest.mark.parametrize(
    ("text", "units"),
    [("12.50", 125000), ("¥12.5", 125000), ("￥1,234.50", 12345000), ("12,50", 125000), ("1.234,50", 12345000),
     ("(3.00)", -30000), ("-3", -30000), ("28元", 280000), (15.5, 155000), ("0.333", 3330)],
)  # fmt: skip
def test_money(text, units):
    assert parse_money(text) == units


def test_bad_money_and_quantities():
    with pytest.raises(CellError, match="not an amount"):
        parse_money("abc")
    assert parse_quantity("2") == 2 and parse_quantity("2.0") == 2
    with pytest.raises(CellError, match="whole number"):
        parse_quantity("1.5")
    with pytest.raises(CellError, match="negative quantity"):
        parse_quantity("-1")


def test_preview_of_a_gbk_tab_separated_export(tmp_path):
    path = tmp_path / "pos.txt"
    with open(path, "w", encoding="gbk", newline="") as fh:
        out = csv.writer(fh, delimiter="\t")
        out.writerow(["流水号", "交易日期", "交易时间", "门店编号", "商品名称", "数量", "实收金额"])
        for n in range(30):
            out.writerow([f"T{n}", "2026-03-02", "08:15", "S1", "拿铁", "1", "28"])

    shown = preview(path, "sales", rows=5)

    assert (shown.format, shown.encoding, shown.delimiter, shown.header_line) == ("csv", "gb18030", "\t", 1)
    assert shown.mapping == {
        "流水号": "order_id",
        "交易日期": "date",
        "交易时间": "time",
        "门店编号": "store_code",
        "数量": "quantity",
        "实收金额": "order_total",
    }
    assert shown.rows[0] == ["T0", "2026-03-02", "08:15", "S1", "拿铁", "1", "28"] and len(shown.rows) == 5
    assert shown.usable


def test_preview_says_what_is_missing_and_checks_the_mapping(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Bon", "Wann", "Betrag"])
    wb.active.append(["1", datetime(2026, 3, 2, 8, 15), 3.5])
    path = tmp_path / "kasse.xlsx"
    wb.save(path)

    shown = preview(path, "sales")
    assert shown.format == "xlsx" and not shown.usable
    assert any("date and time column" in m and "'Wann'" in m for m in shown.missing)
    assert shown.rows == [["1", "2026-03-02 08:15:00", "3.5"]]

    mapped = preview(path, "sales", mapping={"Wann": "datetime", "Betrag": "total", "Bon": "order_id"})
    assert mapped.mapping == {"Bon": "order_id", "Wann": "datetime", "Betrag": "total"}
    assert mapped.missing == [m for m in mapped.missing if "store" in m]

    wrong = preview(path, "sales", mapping={"When": "datetime", "Betrag": "price"})
    assert [p.column for p in wrong.problems] == ["When", "Betrag"]
    assert "'Bon', 'Wann', 'Betrag'" in wrong.problems[0].message
    assert "not a field" in wrong.problems[1].message


def test_preview_refuses_what_is_not_a_table(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    with pytest.raises(ImportFailed, match="not a CSV or XLSX"):
        preview(path, "sales")


def test_preview_of_excel_unicode_text_utf16(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_text("订单号\t下单时间\t金额\nA1\t2026-03-02 08:15\t28\n", encoding="utf-16")
    shown = preview(path, "sales")
    assert (shown.encoding, shown.delimiter) == ("utf-16", "\t")
    assert shown.mapping == {"订单号": "order_id", "下单时间": "datetime", "金额": "total"}
