"""The Region screen's services: store overview, heatmap, roster and tier what-ifs, exports."""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from storemon.services.access import SYSTEM, NotFound, actor_for
from storemon.services.export import Column, ExportError, columns_of, write_csv, write_rows, write_xlsx
from storemon.services.policy_files import load_policy_file
from storemon.services.region import (
    RosterWhatIfError,
    StoreOverview,
    region_heatmap,
    region_overview,
    roster_whatif,
    tier_whatif_by_store,
)
from storemon.services.stores import store_summaries
from storemon.services.whatif import tier_whatif

NOW = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)
EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "docs" / "examples" / "closed-bands.json"


@pytest.fixture
def east(demo_sessions):
    """The East region's overview, as its supervisor sees it, with the progress reported."""
    calls = []
    with demo_sessions() as session:
        supervisor = actor_for(session, "sup-east")
        rows = region_overview(session, supervisor, now=NOW, progress=lambda d, t: calls.append((d, t)))
    return rows, calls


def test_overview_has_every_store_in_scope_with_its_week_and_progress(east):
    rows, calls = east
    assert rows and all(r.code.startswith("SH") and r.region == "华东区 East" for r in rows)
    assert calls[0] == (0, len(rows)) and calls[-1] == (len(rows), len(rows))
    for row in rows:
        assert row.week_end == date(2026, 3, 8) and (row.week_end - row.week_start).days == 6
        assert 0 <= row.mean_wait_minutes <= row.p90_wait_minutes or row.p90_wait_minutes == 0
        assert 0 <= row.mean_pressure <= row.max_pressure <= 100
        assert row.red_shifts >= 0 and row.solo_hours_per_week >= 0
        assert len(row.hourly_utilisation) == 24
        assert row.hourly_utilisation[3] is None and row.hourly_utilisation[9] is not None


def test_overview_keeps_the_policy_verdict_and_shows_what_solo_stores_go_through(demo_sessions):
    with demo_sessions() as session:
        rows = {r.code: r for r in region_overview(session, SYSTEM, now=NOW)}
        summaries = store_summaries(session, SYSTEM)
    assert set(rows) == {s.code for s in summaries}
    gap = [s for s in summaries if s.policy_status == "gap"]
    assert gap, "the 12-store demo puts a store in the 5,000-6,000 gap"
    for summary in summaries:
        row = rows[summary.code]
        assert row.policy_status == summary.policy_status and row.policy_note == summary.policy_note
        assert row.in_gap == (summary.policy_status == "gap")
    assert all("5,000-6,000" in rows[s.code].policy_note for s in gap)
    solo = [r for r in rows.values() if r.rostered_staff_per_shift <= 1.0]
    staffed = [r for r in rows.values() if r.rostered_staff_per_shift >= 2.0]
    assert solo and staffed
    assert min(r.solo_hours_per_week for r in solo) > max(r.solo_hours_per_week for r in staffed)
    assert max(r.p90_wait_minutes for r in solo) > max(r.p90_wait_minutes for r in staffed)


def test_region_filter_and_cancel(demo_sessions):
    cancel = threading.Event()
    with demo_sessions() as session:
        supervisor = actor_for(session, "sup-east")
        in_scope = {s.code for s in store_summaries(session, supervisor)}
        east = region_overview(session, SYSTEM, supervisor.region_id, now=NOW)
        assert region_overview(session, supervisor, region_id=supervisor.region_id + 1, now=NOW) == []

        def stop_after_first(done: int, total: int) -> None:
            if done == 1:
                cancel.set()

        partial = region_overview(session, SYSTEM, now=NOW, progress=stop_after_first, cancel=cancel)
    assert {r.code for r in east} == in_scope
    assert len(partial) == 1


def test_heatmap_is_stores_by_opening_hours(east):
    rows, _ = east
    heatmap = region_heatmap(rows)
    assert heatmap.codes == tuple(r.code for r in rows)
    assert heatmap.utilisation.shape == (len(rows), len(heatmap.hours))
    assert heatmap.hours[0] == 7 and heatmap.hours[-1] in (19, 20)
    assert np.nanmax(heatmap.utilisation) > 0.5
    empty = region_heatmap([])
    assert empty.hours == () and empty.utilisation.shape == (0, 0)


def test_one_more_person_in_the_rush_cuts_waits_and_solo_hours(demo_sessions):
    with demo_sessions() as session:
        solo_store = max(store_summaries(session, SYSTEM), key=lambda r: r.solo_hours_per_week).id
        result = roster_whatif(session, SYSTEM, solo_store, 11 * 60, 14 * 60)
    assert result.after.staff_hours == pytest.approx(result.before.staff_hours + 21)
    assert result.after.mean_wait_minutes < result.before.mean_wait_minutes
    assert result.after.p90_wait_minutes < result.before.p90_wait_minutes
    assert result.after.solo_hours < result.before.solo_hours
    assert result.worst_pressure_after <= result.worst_pressure_before
    assert (result.week_end - result.week_start).days == 6


def test_roster_whatif_rounds_to_the_grid_and_rejects_impossible_shifts(demo_sessions):
    with demo_sessions() as session:
        store = store_summaries(session, SYSTEM)[0].id
        result = roster_whatif(session, SYSTEM, store, 7 * 60 + 7, 9 * 60 + 55)
        assert (result.start_minute, result.end_minute) == (7 * 60, 10 * 60)
        with pytest.raises(RosterWhatIfError, match="must start before it ends"):
            roster_whatif(session, SYSTEM, store, 14 * 60, 11 * 60)
        with pytest.raises(RosterWhatIfError):
            roster_whatif(session, SYSTEM, store, 20 * 60, 25 * 60)
        supervisor = actor_for(session, "sup-east")
        outside = next(s.id for s in store_summaries(session, SYSTEM) if not s.code.startswith("SH"))
        with pytest.raises(NotFound):
            roster_whatif(session, supervisor, outside, 7 * 60, 10 * 60)


def test_tier_whatif_by_store_matches_tier_whatif_and_reports_progress(demo_sessions):
    policy = load_policy_file(EXAMPLE_POLICY)
    calls = []
    with demo_sessions() as session:
        supervisor = actor_for(session, "sup-east")
        reference = {r.code: r for r in tier_whatif(session, supervisor, policy)}
        result = tier_whatif_by_store(session, supervisor, policy, progress=lambda d, t: calls.append((d, t)))
    assert {r.code for r in result.rows} == set(reference)
    for row in result.rows:
        assert row.current == reference[row.code].current and row.candidate == reference[row.code].candidate
    assert calls[-1] == (len(result.rows), len(result.rows))
    assert result.totals["solo_hours"]["candidate"] < result.totals["solo_hours"]["current"]
    assert result.policy_name == policy.name


@dataclass(frozen=True)
class _Row:
    code: str
    name: str
    wait: float
    day: date | None
    hours: tuple[float, ...] = ()


ROWS = [
    _Row("SH001", "人民广场店", 12.5, date(2026, 3, 2), (0.5,)),
    _Row("SH002", '=HYPERLINK("x")', 0.25, None),
]


def test_csv_is_utf8_with_a_bom_and_reads_back(tmp_path):
    path = tmp_path / "rows.csv"
    assert write_csv(path, ROWS) == 2
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["code", "name", "wait", "day"], "tuples are not columns"
    assert rows[1] == ["SH001", "人民广场店", "12.5", "2026-03-02"]
    assert rows[2][1].startswith("'="), "formula-like text stays text"
    assert rows[2][3] == ""


def test_xlsx_has_a_bold_header_sized_columns_and_typed_cells(tmp_path):
    path = tmp_path / "rows.xlsx"
    columns = [
        Column("门店编号", "code"),
        Column("门店", "name"),
        Column("Wait (min)", value=lambda r: r.wait * 2),
    ]
    assert write_xlsx(path, ROWS, columns, sheet_title="Stores: East/West") == 2
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet.title == "Stores EastWest"
    assert [c.value for c in sheet[1]] == ["门店编号", "门店", "Wait (min)"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet["C2"].value == 25.0 and sheet["A3"].value == "SH002"
    assert sheet["B3"].data_type == "s"
    assert sheet.column_dimensions["A"].width >= 10, "Chinese headers count double width"
    assert sheet.freeze_panes == "A2"
    assert not list(tmp_path.glob(".rows-*")), "no temporary file is left behind"


def test_export_errors_name_the_file_and_the_fix(tmp_path):
    with pytest.raises(ExportError, match=r"\.txt; name the file \.csv or \.xlsx"):
        write_rows(tmp_path / "rows.txt", ROWS)
    with pytest.raises(ExportError, match="does not exist"):
        write_rows(tmp_path / "missing" / "rows.csv", ROWS)
    with pytest.raises(ExportError, match="nothing to export"):
        write_rows(tmp_path / "rows.csv", [])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportError):
        write_rows(tmp_path / "rows.csv", ROWS, cancel=cancel)
    assert not (tmp_path / "rows.csv").exists()


def test_store_overview_exports_its_scalar_fields():
    names = [c.key for c in columns_of(StoreOverview)]
    assert "p90_wait_minutes" in names and "week_start" in names
    assert "hourly_utilisation" not in names
