"""Labour cost on the command line, as a manager reads it: `report staffing`, what-ifs,
recommendations and `storemon wages`, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from storemon.cli import main

EXAMPLE_POLICY = Path(__file__).resolve().parents[2] / "docs" / "examples" / "closed-bands.json"
DAY = "2026-03-06"


def _run(capsys, db: str, *args: str) -> str:
    capsys.readouterr()
    assert main(["--db", db, *args]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def test_report_staffing_carries_each_shifts_cost_the_days_cost_and_labour_percent(demo_url, capsys):
    report = json.loads(_run(capsys, demo_url, "report", "staffing", "--store", "SH001", "--date", DAY))
    labour = report["labour"]
    assert labour["currency"] == "CNY" and labour["shifts"]
    assert labour["cost"] == round(sum(s["cost"] for s in labour["shifts"]), 2) > 0
    assert labour["labour_percent"] == round(labour["cost"] / labour["revenue"] * 100, 1)
    for shift in labour["shifts"]:
        assert shift["cost"] == float(
            (Decimal(shift["minutes"]) * Decimal("32") / 60).quantize(Decimal("0.01"))
        ) or (shift["role"] != "staff")

    text = _run(capsys, demo_url, "report", "staffing", "--store", "SH001", "--date", DAY, "--format", "csv")
    shifts, day = [list(csv.DictReader(io.StringIO(block))) for block in text.strip().split("\n\n")[-2:]]
    assert [s["staff_code"] for s in shifts] == [s["staff_code"] for s in labour["shifts"]]
    assert all(Decimal(s["labour_cost"]) > 0 and s["hourly_wage"] and s["paid_minutes"] for s in shifts)
    assert Decimal(day[0]["labour_cost"]) == sum(Decimal(s["labour_cost"]) for s in shifts)
    assert Decimal(day[0]["labour_cost"]) == Decimal(str(labour["cost"]))
    assert float(day[0]["labour_percent_of_sales"]) == labour["labour_percent"]
    assert day[0]["currency"] == "CNY"


def test_a_persons_wage_set_on_the_command_line_shows_in_the_report(demo_url, capsys):
    before = json.loads(_run(capsys, demo_url, "report", "staffing", "--store", "SH001", "--date", DAY))[
        "labour"
    ]
    person = before["shifts"][0]["staff_code"]
    out = _run(capsys, demo_url, "wages", "set", "--staff", person, "99")
    assert f"{person}" in out and "99.00 CNY an hour (own wage)" in out
    listed = _run(capsys, demo_url, "wages", "list", "--store", "SH001")
    assert "own wage" in listed and "staff             32.00 CNY    default" in listed
    after = json.loads(_run(capsys, demo_url, "report", "staffing", "--store", "SH001", "--date", DAY))[
        "labour"
    ]
    mine = [s for s in after["shifts"] if s["staff_code"] == person]
    assert all(s["hourly_wage"] == 99.0 and s["wage_source"] == "person" for s in mine)
    assert after["cost"] > before["cost"]
    _run(capsys, demo_url, "wages", "set", "--staff", person, "role")
    again = json.loads(_run(capsys, demo_url, "report", "staffing", "--store", "SH001", "--date", DAY))[
        "labour"
    ]
    assert again["cost"] == before["cost"]


def test_wages_set_refuses_bad_input_with_what_to_give(demo_url, capsys):
    capsys.readouterr()
    assert main(["--db", demo_url, "wages", "set", "--role", "staff", "-3"]) == 2
    assert "must be zero or more; give a number such as 32.50" in capsys.readouterr().err
    assert main(["--db", demo_url, "wages", "set", "--staff", "NOBODY", "30"]) == 2
    assert "no person with code 'NOBODY'" in capsys.readouterr().err


def test_what_ifs_and_recommendations_carry_their_cost(demo_url, capsys):
    _run(capsys, demo_url, "wages", "set", "--role", "staff", "30")
    rec = json.loads(
        _run(capsys, demo_url, "recommend", "--store", "SH001", "--date", DAY)
    )  # a day short of cover
    hours = sum(a["hours"] for a in rec["additions"])
    assert hours > 0 and rec["added_cost"] == hours * 30
    tiers = json.loads(_run(capsys, demo_url, "whatif", "tiers", str(EXAMPLE_POLICY), "--format", "json"))
    for store in tiers["stores"]:
        extra = store["candidate"]["staff_hours"] - store["current"]["staff_hours"]
        assert store["added_cost"] == round(extra * 30, 2)
    total = tiers["total"]["added_cost"]["candidate"]
    assert total == round(sum(s["added_cost"] for s in tiers["stores"]), 2)
    # Stores the candidate staffs differently are priced (more hours cost, fewer save; the net may be 0).
    assert any(store["added_cost"] != 0 for store in tiers["stores"])
