"""Hostile import input is refused with file:line and nothing written: dates outside any sales
history, two columns that both claim one field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storemon.db.models import SalesOrder
from storemon.importers import ImportFailed, import_sales


def _sales(path, rows, header=("Date", "Time", "Store", "Receipt", "Total")) -> None:
    path.write_text("\n".join([",".join(header), *[",".join(r) for r in rows]]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-30"])
def test_a_date_outside_any_sales_history_is_refused_with_its_line(session_factory, tmp_path, day):
    path = tmp_path / "sales.csv"
    _sales(path, [("2026-03-02", "08:15", "SH001", "R1", "30"), (day, "08:16", "SH001", "R2", "25")])
    with pytest.raises(ImportFailed) as failed:
        import_sales(session_factory, path, create_stores=True)
    text = str(failed.value)
    assert "sales.csv:3" in text and "outside 1990-2100" in text and "unexpected" not in text
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(SalesOrder)) == 0


def test_two_total_columns_are_refused_naming_both(session_factory, tmp_path):
    path = tmp_path / "sales.csv"
    _sales(
        path,
        [("2026-03-02", "08:15", "SH001", "R1", "30", "31")],
        header=("Date", "Time", "Store", "Receipt", "Total", "total"),
    )
    with pytest.raises(ImportFailed) as failed:
        import_sales(session_factory, path, create_stores=True)
    assert "'Total' and 'total' both look like the total" in str(failed.value)
    assert "--map 'total'=" in str(failed.value)
