"""Roster import: shifts in the store's local time, past midnight, duplicates skipped, overlaps refused."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest
from sqlalchemy import select

from storemon.db.models import Role, RosterShift, StaffMember, Store
from storemon.importers import ImportFailed, import_roster
from tests.storemon import import_files
from tests.storemon.import_files import table_counts, write_xlsx

write_csv = partial(import_files.write_csv, encoding="utf-8")  # rostering tools write no byte order mark

HEADERS = ["工号", "门店", "日期", "上班时间", "下班时间", "岗位"]
ROWS = [
    ["E001", "S1", "2026-03-02", "07:00", "15:00", "值班主管"],
    ["E002", "S1", "2026-03-02", "12:00", "20:00", ""],
    ["E002", "S1", "2026-03-03", "22:00", "02:00", ""],  # past midnight
    ["E003", "人民广场店", "2026-03-03", "07:00", "11:30", "店员"],
]


def add_people(factory) -> None:
    with factory() as session:
        s1 = Store(code="S1", name="人民广场店")
        session.add(s1)
        session.add(Store(code="LDN", name="Soho", timezone="Europe/London"))
        session.flush()
        session.add_all(
            [
                StaffMember(code="E001", name="王芳", home_store_id=s1.id, role=Role.STORE_MANAGER),
                StaffMember(code="E002", name="李娜", home_store_id=s1.id, role=Role.SHIFT_LEAD),
                StaffMember(code="E003", name="张伟", home_store_id=s1.id),
            ]
        )
        session.commit()


def shifts(factory) -> list[tuple]:
    with factory() as session:
        query = (
            select(StaffMember.code, Store.code, RosterShift.starts_at, RosterShift.ends_at, RosterShift.role)
            .join(StaffMember, StaffMember.id == RosterShift.staff_id)
            .join(Store, Store.id == RosterShift.store_id)
            .order_by(RosterShift.starts_at, StaffMember.code)
        )
        return [tuple(r) for r in session.execute(query)]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_roster_in_local_time_with_a_shift_past_midnight(session_factory, tmp_path):
    add_people(session_factory)
    result = import_roster(session_factory, write_csv(tmp_path / "排班.csv", HEADERS, ROWS))

    assert (result.rows_read, result.rows_imported) == (4, 4)
    # Shanghai is UTC+8; a role left empty is the person's own role.
    assert shifts(session_factory) == [
        ("E001", "S1", utc(2026, 3, 1, 23), utc(2026, 3, 2, 7), Role.SHIFT_LEAD),
        ("E002", "S1", utc(2026, 3, 2, 4), utc(2026, 3, 2, 12), Role.SHIFT_LEAD),
        ("E003", "S1", utc(2026, 3, 2, 23), utc(2026, 3, 3, 3, 30), Role.STAFF),
        ("E002", "S1", utc(2026, 3, 3, 14), utc(2026, 3, 3, 18), Role.SHIFT_LEAD),
    ]


def test_same_roster_twice_and_an_overlapping_roster_add_only_new_shifts(session_factory, tmp_path):
    add_people(session_factory)
    first = write_csv(tmp_path / "week.csv", HEADERS, ROWS)
    import_roster(session_factory, first)
    counts = table_counts(session_factory)

    assert import_roster(session_factory, first).already_imported
    assert table_counts(session_factory) == counts

    rows = [*ROWS, ["E003", "S1", "2026-03-04", "07:00", "15:00", ""]]
    result = import_roster(session_factory, write_csv(tmp_path / "week-v2.csv", HEADERS, rows))

    assert (result.rows_imported, result.skipped_duplicates) == (1, 4)
    assert len(shifts(session_factory)) == 5


def test_bad_line_and_overlapping_shifts_fail_the_file(sqlite_factory, tmp_path):
    add_people(sqlite_factory)
    import_roster(sqlite_factory, write_csv(tmp_path / "stored.csv", HEADERS, ROWS[:1]))
    before = table_counts(sqlite_factory)
    rows = [
        ["E002", "S1", "2026-03-05", "07:00", "15:00", ""],
        ["E002", "S1", "2026-03-05", "14:00", "18:00", ""],  # line 3 overlaps line 2
        ["E003", "S1", "2026-03-05", "7 o'clock", "15:00", ""],  # line 4: not a time
        ["E001", "S1", "2026-03-02", "14:00", "16:00", ""],  # line 5 overlaps the stored 07:00-15:00
        ["E404", "S1", "2026-03-05", "07:00", "15:00", ""],  # line 6: nobody has this code
    ]
    path = write_csv(tmp_path / "bad.csv", HEADERS, rows)

    with pytest.raises(ImportFailed) as failed:
        import_roster(sqlite_factory, path)

    problems = {p.line: p for p in failed.value.problems}
    assert sorted(problems) == [3, 4, 5, 6]
    assert "overlaps E002's shift on line 2 (S1 2026-03-05 07:00-15:00)" in problems[3].message
    assert str(problems[4]).startswith('bad.csv:4: 上班时间: "7 o\'clock" is not a time')
    assert "already has a shift S1 2026-03-02 07:00-15:00" in problems[5].message
    assert "unknown staff member 'E404'" in problems[6].message and "--create-staff" in problems[6].message
    assert table_counts(sqlite_factory) == before


def test_create_staff_and_xlsx_roster_with_names_and_times(sqlite_factory, tmp_path):
    add_people(sqlite_factory)
    path = write_xlsx(
        tmp_path / "rota.xlsx",
        [
            ["Name", "Store", "Date", "Start", "End", "Role"],
            ["Ana Ruiz", "Soho", datetime(2026, 7, 1), "21:30", "1:15", "barista"],
            ["李娜", "人民广场店", "2026/7/1", "8:00 AM", "4:00 PM", None],
        ],
    )

    with pytest.raises(ImportFailed, match="rota.xlsx:2: Name: unknown staff member 'Ana Ruiz'"):
        import_roster(sqlite_factory, path)
    result = import_roster(sqlite_factory, path, create_staff=True)

    assert result.staff_created == ["ana-ruiz"]
    assert shifts(sqlite_factory) == [
        ("E002", "S1", utc(2026, 7, 1, 0), utc(2026, 7, 1, 8), Role.SHIFT_LEAD),
        ("ana-ruiz", "LDN", utc(2026, 7, 1, 20, 30), utc(2026, 7, 2, 0, 15), Role.STAFF),  # London: UTC+1
    ]
