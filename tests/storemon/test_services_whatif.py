"""What-if and recommendations as a regional manager uses them before deciding."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from staffing.policy import SOURCE_RULE
from storemon.cli import main
from storemon.services.access import SYSTEM, actor_for
from storemon.services.policy_files import PolicyFileError, load_policy_file
from storemon.services.pressure_report import region_pressure
from storemon.services.stores import store_summaries
from storemon.services.whatif import recommend_for_day, tier_whatif, whatif_totals
from tests.storemon.test_services_staffing import NOW, _solo_store

EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "docs" / "examples" / "closed-bands.json"


def test_closed_bands_policy_cuts_solo_hours_and_waits_at_the_cost_of_staff_hours(demo_sessions):
    with demo_sessions() as session:
        rows = tier_whatif(session, SYSTEM, load_policy_file(EXAMPLE_POLICY))
        gap_codes = {r.code for r in store_summaries(session, SYSTEM) if r.policy_status == "gap"}
    totals = whatif_totals(rows)
    assert totals["solo_hours"]["candidate"] < totals["solo_hours"]["current"]
    assert totals["mean_wait_minutes"]["candidate"] < totals["mean_wait_minutes"]["current"]
    assert totals["staff_hours"]["candidate"] > totals["staff_hours"]["current"]
    assert totals["stores_in_gap"]["candidate"] == 0
    gap_rows = [r for r in rows if r.code in gap_codes]
    assert gap_rows and all(r.candidate_staff_per_shift == 2 for r in gap_rows)


def test_source_rule_leaves_gap_stores_unassigned_in_the_what_if(demo_sessions):
    with demo_sessions() as session:
        rows = tier_whatif(session, SYSTEM, SOURCE_RULE)
    gap = [r for r in rows if r.in_gap]
    assert gap and all(r.candidate_staff_per_shift is None and r.candidate == r.current for r in gap)


def test_recommendation_for_a_solo_rush_adds_cover_in_the_morning(demo_sessions):
    with demo_sessions() as session:
        rec = recommend_for_day(session, SYSTEM, _solo_store(session), date(2026, 3, 4), now=NOW)
    assert rec.additions and rec.additions[0].first * 15 < 10 * 60, "cover starts before 10:00"
    assert rec.after.max_wait_minutes < rec.before.max_wait_minutes
    assert rec.after.solo_hours < rec.before.solo_hours


def test_region_pressure_lists_every_shift_with_reasons_and_scope(demo_sessions):
    with demo_sessions() as session:
        supervisor = actor_for(session, "sup-east")
        rows = region_pressure(
            session, supervisor, supervisor.region_id, date(2026, 3, 2), date(2026, 3, 3), NOW
        )
        everything = region_pressure(session, SYSTEM, None, date(2026, 3, 2), date(2026, 3, 3), NOW)
    assert rows and len(rows) < len(everything)
    assert all(r.store_code.startswith("SH") for r in rows)
    assert {r.level for r in rows} <= {"green", "amber", "red"}
    red = [r for r in rows if r.level == "red"]
    assert red and all(r.reasons for r in red)


def test_a_chain_sized_pressure_report_split_over_two_processes_equals_the_one_process_report(
    demo_sessions, monkeypatch
):
    """From ``PARALLEL_MIN_STORES`` stores half the report is modelled in a child process: its
    rows, burnout verdicts included, are exactly those of the report modelled in one process."""
    from storemon.services import pressure_report

    days = (date(2026, 3, 2), date(2026, 3, 8))
    with demo_sessions() as session:
        alone = region_pressure(session, SYSTEM, None, *days, NOW)
        monkeypatch.setattr(pressure_report, "PARALLEL_MIN_STORES", 2)
        monkeypatch.setattr(pressure_report.os, "cpu_count", lambda: 2)
        children = []
        real_run = pressure_report.run_in_child
        monkeypatch.setattr(
            pressure_report, "run_in_child", lambda *a, **k: children.append(a[2]) or real_run(*a, **k)
        )
        split = region_pressure(session, SYSTEM, None, *days, NOW)
    assert len(children) == 1 and len(children[0]["store_ids"]) == 6, "half the 12 stores went to the child"
    assert split == alone
    assert len({r.store_code for r in split}) == 12 and any(r.burnout_risk for r in split)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"name": "x", "bands": [\n  {"max_revenue": 5000, "staff_per_shift": 0}\n]}',
            ":2: band 1: staff_per_shift",
        ),
        ('{"name": "x",\n "bands": [}', ":2: not valid JSON"),
        (
            '{"name": "x", "bands": [\n {"max_revenue": 5000, "staff_per_shift": 1},\n {"min": 5000, "staff_per_shift": 2}]}',
            ":3: band 2: unknown fields ['min']",
        ),
        ('{"name": "x", "bands": []}', ":1: expected an object"),
    ],
)
def test_bad_policy_files_name_the_line_and_the_fix(tmp_path, text, message):
    path = tmp_path / "policy.json"
    path.write_text(text)
    with pytest.raises(PolicyFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_policy_file(path)


def test_whatif_tiers_cli_prints_stores_and_totals(capsys):
    main(["demo", "--stores", "6", "--weeks", "2", "--anchor", "2026-03-09"])
    capsys.readouterr()
    assert main(["whatif", "tiers", str(EXAMPLE_POLICY), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["stores"]) == 6 and report["issues"] == []
    assert set(report["total"]) >= {
        "staff_hours",
        "solo_hours",
        "mean_wait_minutes",
        "p90_wait_minutes",
        "red_shifts",
    }
    assert main(["recommend", "--store", "SH001", "--date", "2026-03-04"]) == 0
    assert "explanation" in json.loads(capsys.readouterr().out)
