"""Wages imported with the staff list: a 时薪 column sets each person's own wage, an empty cell
pays them their role's, and a bad amount fails the file naming the line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from storemon.db.models import StaffMember
from storemon.importers import ImportFailed, import_staff
from tests.storemon.import_files import write_csv
from tests.storemon.test_import_staff import add_stores

HEADERS = ["工号", "姓名", "门店", "岗位", "时薪"]


def wages(factory) -> dict[str, Decimal | None]:
    with factory() as session:
        return {
            code: wage for code, wage in session.execute(select(StaffMember.code, StaffMember.hourly_wage))
        }


def test_a_wage_column_sets_own_wages_and_an_empty_cell_the_roles(session_factory, tmp_path):
    add_stores(session_factory)
    rows = [["E001", "王芳", "人民广场店", "店长", "¥52.50"], ["E002", "李娜", "人民广场店", "店员", ""]]
    import_staff(session_factory, write_csv(tmp_path / "员工.csv", HEADERS, rows))
    assert wages(session_factory) == {"E001": Decimal("52.50"), "E002": None}

    rows[0][4], rows[1][4] = "", "35"
    result = import_staff(session_factory, write_csv(tmp_path / "员工2.csv", HEADERS, rows))
    assert result.updated == 2
    assert wages(session_factory) == {"E001": None, "E002": Decimal("35.00")}


def test_a_file_without_a_wage_column_leaves_wages_alone(session_factory, tmp_path):
    add_stores(session_factory)
    import_staff(
        session_factory,
        write_csv(tmp_path / "a.csv", HEADERS, [["E001", "王芳", "人民广场店", "店长", "50"]]),
    )
    import_staff(
        session_factory, write_csv(tmp_path / "b.csv", HEADERS[:4], [["E001", "王芳", "人民广场店", "店长"]])
    )
    assert wages(session_factory) == {"E001": Decimal("50.00")}


@pytest.mark.parametrize(("cell", "problem"), [("-20", "zero or more"), ("thirty", "not an amount")])
def test_a_bad_wage_fails_the_file_with_its_line_and_column(sqlite_factory, tmp_path, cell, problem):
    add_stores(sqlite_factory)
    rows = [["E001", "王芳", "人民广场店", "店长", "50"], ["E002", "李娜", "人民广场店", "店员", cell]]
    with pytest.raises(ImportFailed) as failed:
        import_staff(sqlite_factory, write_csv(tmp_path / "bad.csv", HEADERS, rows))
    message = str(failed.value)
    assert ":3:" in message and "时薪" in message and problem in message
    assert wages(sqlite_factory) == {}
