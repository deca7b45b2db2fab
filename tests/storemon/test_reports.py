"""Weekly reports as a manager gets them: the week's days and people, as CSV, XLSX and PDF files."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storemon.db.models import Role, Store
from storemon.services.access import SYSTEM, Actor, NotFound
from storemon.services.export import ExportError
from storemon.services.reports import (
    ReportError,
    label,
    parse_iso_week,
    regional_comparison,
    weekly_store_report,
    write_report,
)
from storemon.services.store_days import store_days
from tests.storemon.conftest import DEMO_ANCHOR

WEEK = "2026-W10"  # Monday 2 March to Sunday 8 March: the last full week of demo sales
NOW = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)
DAYS = [DEMO_ANCHOR - timedelta(days=7 - k) for k in range(7)]


def _store(session, code: str = "SH001") -> Store:
    return session.scalars(select(Store).where(Store.code == code)).one()


def _expected_days(session, store_id: int) -> list[dict]:
    """The figures ``report staffing`` shows for each day, summed the way a manager would."""
    result = []
    for day in store_days(session, SYSTEM, store_id, DAYS, NOW):
        result.append(
            {
                "day": day.day.isoformat(),
                "orders": sum(i.actual_orders or 0 for i in day.intervals),
                "staff_hours": sum(i.rostered_staff for i in day.intervals) / 4,
                "solo_hours": day.solo_minutes / 60,
                "red_shifts": sum(p.level == "red" for p in day.pressure),
                "worst_pressure": max((p.index for p in day.pressure), default=0.0),
            }
        )
    return result


def test_parse_iso_week_gives_monday_to_sunday_and_explains_bad_input():
    name, days = parse_iso_week("2026-w10")
    assert name == WEEK and days == DAYS and days[0].weekday() == 0
    for bad in ("2026-10", "2026-W54", "W10", "2026-W00"):
        with pytest.raises(ReportError, match="YYYY-Www, e.g. 2026-W10"):
            parse_iso_week(bad)


def test_weekly_report_days_match_store_days(demo_sessions):
    with demo_sessions() as session:
        store = _store(session)
        report = weekly_store_report(session, SYSTEM, store.code, WEEK, NOW)
        expected = _expected_days(session, store.id)
        shifts = sum(len(d.pressure) for d in store_days(session, SYSTEM, store.id, DAYS, NOW))
    assert (report.store_name, report.week_start, report.week_end) == (store.name, DAYS[0], DAYS[-1])
    assert [d.day.isoformat() for d in report.days] == [e["day"] for e in expected]
    for row, want in zip(report.days, expected, strict=True):
        assert row.demand_source == "actual" and row.revenue > 0
        assert row.orders == want["orders"]
        assert row.staff_hours == pytest.approx(want["staff_hours"])
        assert row.solo_hours == pytest.approx(want["solo_hours"], abs=0.01)
        assert (row.red_shifts, row.worst_pressure) == (want["red_shifts"], want["worst_pressure"])
        assert row.p90_wait_minutes >= 0
    week = report.week
    assert week.orders == sum(e["orders"] for e in expected)
    assert week.solo_hours == pytest.approx(sum(e["solo_hours"] for e in expected), abs=0.05)
    assert week.worst_pressure == max(e["worst_pressure"] for e in expected)
    assert sum(p.shifts for p in report.people) == shifts
    assert report.summary.code == store.code and report.summary.policy_status


def test_people_are_ranked_by_worst_shift_with_their_red_shifts(demo_sessions):
    with demo_sessions() as session:
        report = weekly_store_report(session, SYSTEM, "SH001", WEEK, NOW)
        week = store_days(session, SYSTEM, _store(session).id, DAYS, NOW)
    assert [p.max_pressure for p in report.people] == sorted(
        (p.max_pressure for p in report.people), reverse=True
    )
    for person in report.people:
        shifts = [p for d in week for p in d.pressure if p.staff_code == person.staff_code]
        assert person.shifts == len(shifts)
        assert person.max_pressure == max(p.index for p in shifts)
        assert person.red_shifts == sum(p.level == "red" for p in shifts)


def test_a_store_manager_cannot_report_on_another_store(demo_sessions):
    with demo_sessions() as session:
        own = _store(session)
        other = session.scalars(select(Store).where(Store.id != own.id).order_by(Store.code)).first()
        manager = Actor("mgr-sh001", Role.STORE_MANAGER, own.id, own.region_id)
        assert weekly_store_report(session, manager, own.id, WEEK, NOW).store_id == own.id
        with pytest.raises(NotFound):
            weekly_store_report(session, manager, other.code, WEEK, NOW)


def test_regional_comparison_ranks_the_regions_stores_worst_first(demo_sessions):
    with demo_sessions() as session:
        region_id = _store(session).region_id
        comparison = regional_comparison(session, SYSTEM, region_id, WEEK, NOW)
        codes = set(session.scalars(select(Store.code).where(Store.region_id == region_id)))
        single = weekly_store_report(session, SYSTEM, "SH001", WEEK, NOW)
    assert {row.code for row in comparison.stores} == codes
    keys = [(-r.week.red_shifts, -r.week.worst_pressure) for r in comparison.stores]
    assert keys == sorted(keys)
    assert next(r for r in comparison.stores if r.code == "SH001").week == single.week


def _sh001_report_and_days(demo_sessions):
    """SH001's weekly report and the store-day model's numbers for the same seven days."""
    with demo_sessions() as session:
        report = weekly_store_report(session, SYSTEM, "SH001", WEEK, NOW)
        return report, _expected_days(session, _store(session).id)


def test_csv_holds_the_seven_days_with_a_bom_and_the_store_days_numbers(demo_sessions, tmp_path):
    report, expected = _sh001_report_and_days(demo_sessions)
    path = tmp_path / "week.csv"
    write_report(report, path, "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    days_block, people_block, key_block = raw.decode("utf-8-sig").split("\r\n\r\n")
    rows = list(csv.DictReader(days_block.splitlines()))
    assert [r["Day"] for r in rows] == [e["day"] for e in expected]
    assert [r["Weekday"] for r in rows] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for row, want in zip(rows, expected, strict=True):
        assert int(row["Orders"]) == want["orders"]
        assert float(row["Solo hours"]) == pytest.approx(want["solo_hours"], abs=0.01)
        assert float(row["Staff-hours"]) == pytest.approx(want["staff_hours"])
        assert int(row["Red shifts"]) == want["red_shifts"]
        assert float(row["Worst pressure"]) == want["worst_pressure"]
    people = list(csv.DictReader(people_block.splitlines()))
    assert {p["Staff code"] for p in people} == {p.staff_code for p in report.people}
    key_numbers = dict(csv.reader(key_block.splitlines()[1:]))
    assert key_numbers["Store"] == f"SH001 {report.store_name}" and key_numbers["Week"] == WEEK
    assert int(key_numbers["Orders"]) == sum(e["orders"] for e in expected)


def test_chinese_csv_has_chinese_headers_and_weekdays(demo_sessions, tmp_path):
    with demo_sessions() as session:
        report = weekly_store_report(session, SYSTEM, "SH001", WEEK, NOW)
    path = tmp_path / "周报.csv"
    write_report(report, path, "csv", "zh_CN")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").split("\n\n")[0].splitlines()))
    assert [r["星期"] for r in rows] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    assert {r["需求来源"] for r in rows} == {"实际"}


def test_xlsx_has_a_sheet_per_table_with_bold_headers_and_fitted_widths(demo_sessions, tmp_path):
    report, expected = _sh001_report_and_days(demo_sessions)
    path = tmp_path / "week.xlsx"
    write_report(report, path, "xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Days", "People", "Key numbers"]
    days = book["Days"]
    header = [c.value for c in days[1]]
    assert header[:4] == ["Day", "Weekday", "Demand", "Orders"] and all(c.font.bold for c in days[1])
    assert days.freeze_panes == "A2" and days.max_row == 8
    assert all(
        days.column_dimensions[col].width >= len(name) for col, name in zip("ABCD", header, strict=False)
    )
    values = [dict(zip(header, (c.value for c in row), strict=True)) for row in days.iter_rows(min_row=2)]
    for row, want in zip(values, expected, strict=True):
        assert row["Day"].date().isoformat() == want["day"]
        assert row["Orders"] == want["orders"]
        assert row["Solo hours"] == pytest.approx(want["solo_hours"], abs=0.01)
        assert row["Worst pressure"] == want["worst_pressure"]
    assert book["People"].max_row == len(report.people) + 1


def test_unknown_format_or_language_is_refused(demo_sessions, tmp_path):
    with demo_sessions() as session:
        report = weekly_store_report(session, SYSTEM, "SH001", WEEK, NOW)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ReportError, match="en, zh_CN"):
        write_report(report, out / "x.csv", "csv", "fr")
    with pytest.raises(ExportError, match="csv or xlsx"):
        write_report(report, out / "x.ods", "ods")
    assert not list(out.iterdir())


# -- the PDF --------------------------------------------------------------------------------------
@pytest.fixture
def sqlite_demo(demo_sqlite_template, tmp_path):
    """The demo chain on SQLite only: painting the PDF says nothing about the database engine."""
    from storemon.db.engine import make_engine, make_session_factory

    path = tmp_path / "pdf-demo.sqlite3"
    shutil.copy(demo_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield make_session_factory(engine)
    engine.dispose()


def _pdf_pages(path: Path) -> int:
    """Pages per poppler's pdfinfo, else by counting page objects in the file."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)[1])
    return len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))


def _pdf_text(path: Path) -> str:
    """The text a reader extracts: poppler's pdftotext, else Qt's own PDF reader."""
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    document.load(str(path))
    return "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))


def _first_page_image(path: Path):
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    document.load(str(path))
    size = document.pagePointSize(0).toSize()
    return document.render(0, QSize(size.width() * 2, size.height() * 2))


def _has_colour(image, colour, step: int = 3) -> bool:
    from PySide6.QtGui import QColor

    want = QColor(colour)
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            c = image.pixelColor(x, y)
            if abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 12:
                return True
    return False


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_pdf_is_two_a4_pages_with_the_store_labels_and_charts(qapp, sqlite_demo, tmp_path, language):
    from ui import report_render

    with sqlite_demo() as session:
        report = weekly_store_report(session, SYSTEM, "SH001", WEEK, NOW)
    assert len(report.people) <= report_render.PEOPLE_PER_PAGE
    path = tmp_path / f"week-{language}.pdf"
    assert report_render.write_pdf(report, path, language) == 2
    assert path.read_bytes().startswith(b"%PDF-")
    assert _pdf_pages(path) == 2

    text = _pdf_text(path)
    assert report.store_name in text  # the store's Chinese name, e.g. 人民广场店
    assert WEEK in text and "SH001-01" in text
    for key in ("weekly_title", "key_numbers", "chart_solo", "people"):
        assert label(key, language) in text
    if language == "zh_CN":
        assert "周一" in text and "红色班次" in text

    image = _first_page_image(path)
    assert image.width() > 1000
    assert _has_colour(image, report_render.WAIT_BAR.name()), "the p90 wait bars are missing"
    assert _has_colour(image, report_render.SOLO_BAR.name()), "the solo hour bars are missing"

    if shutil.which("pdffonts") and language == "zh_CN":
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"WenQuanYi|NotoSansCJK|Noto Sans CJK", fonts), fonts


def test_pdf_people_pages_follow_the_number_of_people(qapp, sqlite_demo, tmp_path):
    """A store with many people gets more pages, each with its running header and page number."""
    from dataclasses import replace

    from ui import report_render

    with sqlite_demo() as session:
        report = weekly_store_report(session, SYSTEM, "SH001", WEEK, NOW)
    person = report.people[0]
    crowd = [replace(person, staff_code=f"X{n:03d}", name=f"员工{n}") for n in range(30)]
    path = tmp_path / "crowd.pdf"
    assert report_render.write_pdf(replace(report, people=crowd), path, "en") == 4
    assert _pdf_pages(path) == 4
    text = _pdf_text(path)
    assert "Page 4 of 4" in text and "X029" in text and "员工29" in text


def test_pdf_into_a_missing_folder_says_which_folder(qapp, sqlite_demo, tmp_path):
    from ui.report_render import write_pdf

    with sqlite_demo() as session:
        report = weekly_store_report(session, SYSTEM, "SH001", WEEK, NOW)
    with pytest.raises(ExportError, match="does not exist"):
        write_pdf(report, tmp_path / "nowhere" / "week.pdf")


# -- the command line ------------------------------------------------------------------------------
@pytest.fixture
def demo_home(storemon_home):
    from storemon.cli import main

    assert main(["demo", "--stores", "6", "--weeks", "3", "--anchor", DEMO_ANCHOR.isoformat()]) == 0
    return storemon_home


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_cli_report_weekly_writes_the_file(qapp, demo_home, tmp_path, capsys, fmt):
    from storemon.cli import main

    capsys.readouterr()
    out = tmp_path / f"SH001-{WEEK}.{fmt}"
    args = ["report", "weekly", "--store", "SH001", "--week", WEEK, "--format", fmt, "--output", str(out)]
    assert main([*args, "--language", "zh_CN"]) == 0
    assert str(out) in capsys.readouterr().out
    assert out.stat().st_size > 0
    if fmt == "pdf":
        assert _pdf_pages(out) == 2 and "门店周报" in _pdf_text(out)


def test_cli_report_weekly_explains_a_bad_week(demo_home, tmp_path, capsys):
    from storemon.cli import main

    capsys.readouterr()
    code = main(
        ["report", "weekly", "--store", "SH001", "--week", "March", "--output", str(tmp_path / "w.csv")]
    )
    assert code == 2
    assert "not an ISO week; write it as YYYY-Www" in capsys.readouterr().err
    assert not (tmp_path / "w.csv").exists()


def test_the_weekly_report_prints_the_newest_audit_checkpoint(demo_home, tmp_path, capsys):
    """With this PC's audit key the report writes a checkpoint and prints it; without, it says how
    to get one. A later ``audit verify`` can then be held against the printed head."""
    from storemon.cli import main
    from storemon.config import app_paths
    from storemon.services.audit_anchor import CHECKPOINT_FILE, read_checkpoints

    out = tmp_path / "week.csv"
    args = ["report", "weekly", "--store", "SH001", "--week", WEEK, "--format", "csv", "--output", str(out)]
    assert main(args) == 0
    assert "no checkpoint yet: run `storemon audit key` on the head-office PC" in out.read_text("utf-8-sig")

    assert main(["call", "manager", "--store", "SH001", "--note", "queue out of the door"]) == 0
    assert main(["audit", "key"]) == 0
    capsys.readouterr()
    assert main(args) == 0
    (_, newest), *_ = reversed(read_checkpoints(app_paths().backup_dir / CHECKPOINT_FILE))
    printed = out.read_text("utf-8-sig")
    assert f"{newest.entries:,} entries, newest hash {newest.head_hash[:16]}" in printed
    assert newest.entries > 0 and newest.head_hash
