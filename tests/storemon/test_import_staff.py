"""Staff import: a staff list creates people, updates known codes, and maps job titles to roles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storemon.db.models import Role, StaffMember, Store
from storemon.importers import ImportFailed, import_staff
from tests.storemon.import_files import table_counts, write_csv

HEADERS = ["工号", "姓名", "门店", "岗位", "手机", "邮箱"]
ROWS = [
    ["E001", "王芳", "人民广场店", "店长", "13800000001", "wang.fang@example.com"],
    ["E002", "李娜", "人民广场店", "值班主管", "13800000002", ""],
    ["E003", "张伟", "静安寺店", "店员", "", ""],
    ["E004", "Sam Lee", "静安寺店", "barista", "", "sam@example.com"],
]


def add_stores(factory) -> None:
    with factory() as session:
        session.add_all([Store(code="S1", name="人民广场店"), Store(code="S2", name="静安寺店")])
        session.commit()


def people(factory) -> dict[str, tuple]:
    with factory() as session:
        query = select(
            StaffMember.code, StaffMember.name, Store.code, StaffMember.role, StaffMember.phone
        ).outerjoin(Store, Store.id == StaffMember.home_store_id)
        return {code: (name, store, role, phone) for code, name, store, role, phone in session.execute(query)}


def test_staff_list_with_chinese_headers_creates_people_with_roles(session_factory, tmp_path):
    add_stores(session_factory)
    path = write_csv(tmp_path / "员工.csv", HEADERS, ROWS, encoding="gbk")

    result = import_staff(session_factory, path)

    assert (result.created, result.updated, result.staff_created) == (4, 0, ["E001", "E002", "E003", "E004"])
    assert people(session_factory) == {
        "E001": ("王芳", "S1", Role.STORE_MANAGER, "13800000001"),
        "E002": ("李娜", "S1", Role.SHIFT_LEAD, "13800000002"),
        "E003": ("张伟", "S2", Role.STAFF, ""),
        "E004": ("Sam Lee", "S2", Role.STAFF, ""),
    }


def test_known_codes_are_updated_and_the_same_file_twice_changes_nothing(session_factory, tmp_path):
    add_stores(session_factory)
    first = write_csv(tmp_path / "staff.csv", HEADERS, ROWS)
    import_staff(session_factory, first)
    counts = table_counts(session_factory)

    again = import_staff(session_factory, first)
    assert again.already_imported
    assert table_counts(session_factory) == counts

    rows = [list(r) for r in ROWS]
    rows[2][3] = "值班主管"  # 张伟 promoted
    rows[2][4] = "13900000003"
    rows.append(["E005", "陈静", "S1", "shift_lead", "", ""])
    result = import_staff(session_factory, write_csv(tmp_path / "staff-v2.csv", HEADERS, rows))

    assert (result.created, result.updated, result.rows_imported) == (1, 1, 5)
    found = people(session_factory)
    assert found["E003"] == ("张伟", "S2", Role.SHIFT_LEAD, "13900000003")
    assert found["E005"] == ("陈静", "S1", Role.SHIFT_LEAD, "")
    assert len(found) == 5


def test_bad_lines_fail_the_file_with_line_numbers_and_write_nothing(sqlite_factory, tmp_path):
    add_stores(sqlite_factory)
    rows = [list(r) for r in ROWS]
    rows[1][3] = "厨师"  # line 3: not a role Storemon knows
    rows[2][5] = "zhang-at-example"  # line 4
    rows.append(["E001", "王芳", "人民广场店", "店长", "", ""])  # line 6: code listed twice
    rows.append(["E009", "赵敏", "外滩店", "店员", "", ""])  # line 7: no such store
    path = write_csv(tmp_path / "staff.csv", HEADERS, rows)
    before = table_counts(sqlite_factory)

    with pytest.raises(ImportFailed) as failed:
        import_staff(sqlite_factory, path)

    assert [(p.line, p.column) for p in failed.value.problems] == [
        (3, "岗位"),
        (4, "邮箱"),
        (6, "工号"),
        (7, "门店"),
    ]
    text = str(failed.value)
    assert "staff.csv:3: 岗位: '厨师' is not a role; expected one of staff, shift_lead" in text
    assert "listed twice (first on line 2)" in text
    assert "--create-stores" in text
    assert table_counts(sqlite_factory) == before

    result = import_staff(sqlite_factory, path, skip_bad=True)
    assert result.created == 2 and result.rejected_count == 4
    assert result.rejects_file is not None and result.rejects_file.exists()


def test_staff_list_without_codes_matches_by_name(sqlite_factory, tmp_path):
    add_stores(sqlite_factory)
    path = write_csv(tmp_path / "names.csv", ["Name", "Store", "Role"], [["Ana Ruiz", "S1", "Store Manager"]])
    import_staff(sqlite_factory, path)
    path2 = write_csv(tmp_path / "names2.csv", ["Name", "Store", "Role"], [["ana ruiz", "S2", "manager"]])

    result = import_staff(sqlite_factory, path2)

    assert (result.created, result.updated) == (0, 1)
    assert people(sqlite_factory) == {"ana-ruiz": ("ana ruiz", "S2", Role.STORE_MANAGER, "")}  # the file wins
