"""The storemon command as a user runs it: output, exit status and messages."""

from __future__ import annotations

import json
import subprocess
import sys

from storemon.cli import main

REPORT_FIELDS = {
    "id",
    "code",
    "name",
    "region",
    "tier_policy",
    "avg_daily_revenue",
    "policy_staff_per_shift",
    "policy_status",
    "policy_note",
    "rostered_staff_per_shift",
    "solo_hours_per_week",
}


def test_demo_then_report_stores_lists_the_chain_with_gap_stores_marked(capsys, storemon_home):
    assert main(["demo", "--anchor", "2026-03-09"]) == 0
    err = capsys.readouterr().err
    assert "Created the database schema" in err and "Demo chain: 30 stores" in err
    assert (storemon_home / "data" / "storemon.sqlite3").exists()

    assert main(["report", "stores", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 30
    assert set(rows[0]) == REPORT_FIELDS
    gap = [r for r in rows if r["policy_status"] == "gap"]
    assert gap and all(
        5000 <= r["avg_daily_revenue"] < 6000 and r["policy_staff_per_shift"] is None for r in gap
    )
    assert all("not covered" in r["policy_note"] or "covered by no band" in r["policy_note"] for r in gap)

    assert main(["report", "stores", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",")[:3] == ["id", "code", "name"] and len(lines) == len(rows) + 1

    assert main(["demo"]) == 2
    assert "already holds stores" in capsys.readouterr().err


def test_report_sales_for_a_store_day(capsys):
    main(["demo", "--stores", "6", "--weeks", "2", "--anchor", "2026-03-09"])
    capsys.readouterr()
    assert main(["report", "sales", "--store", "SH001", "--date", "2026-03-02", "--format", "json"]) == 0
    buckets = json.loads(capsys.readouterr().out)
    assert buckets and buckets[0]["start"].startswith("2026-03-02T07:00:00+08:00")
    assert set(buckets[0]) == {"start", "orders", "items", "revenue"}


def test_acting_as_a_store_manager_limits_the_report(capsys):
    main(["demo", "--stores", "6", "--weeks", "1", "--anchor", "2026-03-09"])
    capsys.readouterr()
    assert main(["--as", "mgr-sh001", "report", "stores"]) == 0
    assert [r["code"] for r in json.loads(capsys.readouterr().out)] == ["SH001"]
    assert main(["--as", "mgr-sh001", "report", "sales", "--store", "SZ002", "--date", "2026-03-02"]) == 2
    assert "outside your scope" in capsys.readouterr().err


def test_database_url_precedence_cli_over_env_over_settings(tmp_path, monkeypatch, storemon_home, capsys):
    settings = storemon_home / "config" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text(f'database_url = "sqlite:///{tmp_path / "from-settings.sqlite3"}"\n')
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "from-settings.sqlite3").exists()
    monkeypatch.setenv("STOREMON_DB_URL", f"sqlite:///{tmp_path / 'from-env.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "from-env.sqlite3").exists()
    assert main(["--db", f"sqlite:///{tmp_path / 'from-cli.sqlite3'}", "db", "upgrade"]) == 0
    assert (tmp_path / "from-cli.sqlite3").exists()
    assert capsys.readouterr().out.count("Created the database schema") == 3
    assert main(["--db", f"sqlite:///{tmp_path / 'from-cli.sqlite3'}", "db", "upgrade"]) == 0
    assert "schema is current" in capsys.readouterr().out


def test_broken_settings_file_names_the_file_and_the_fix(storemon_home, capsys):
    settings = storemon_home / "config" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text("database_url = \n")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert str(settings) in err and "not valid TOML" in err and "Traceback" not in err


def test_unreachable_postgresql_is_a_clear_message_not_a_traceback(capsys):
    assert main(["--db", "postgresql://storemon@127.0.0.1:9/storemon", "db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "cannot open the database" in err and "127.0.0.1:9" in err and "Check that the server" in err
    assert "Traceback" not in err


def test_console_script_runs_in_a_fresh_interpreter(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "storemon.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("storemon ")


def test_import_sales_from_the_command_line_all_or_nothing_and_idempotent(tmp_path, capsys):
    from tests.storemon.test_import_sales import EN_HEADERS, pos_rows, write_csv

    rows = pos_rows(orders=60)
    good = write_csv(tmp_path / "pos.csv", EN_HEADERS, rows)
    assert main(["import", "sales", str(good), "--create-stores"]) == 0
    out = capsys.readouterr().out
    assert "imported" in out and "new orders" in out and "created stores" in out

    assert main(["import", "sales", str(good), "--create-stores"]) == 0
    assert "already imported; nothing changed" in capsys.readouterr().out

    broken = [list(r) for r in pos_rows(orders=60, first=5001)]
    broken[40][1] = "2026-02-30"
    bad = write_csv(tmp_path / "bad.csv", EN_HEADERS, broken)
    assert main(["report", "stores"]) == 0
    before = capsys.readouterr().out
    assert main(["import", "sales", str(bad), "--create-stores"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv:42: Date:" in err and "Traceback" not in err
    assert main(["report", "stores"]) == 0
    assert capsys.readouterr().out == before, "the failed import wrote nothing"


def test_rules_run_is_for_head_office_and_the_worker_not_staff(capsys, storemon_home):
    main(["demo", "--stores", "3", "--weeks", "1", "--anchor", "2026-03-09"])
    capsys.readouterr()
    assert main(["--as", "staff-sh001", "rules", "run", "--at", "2026-03-09T10:00+08:00"]) == 2
    assert "may not run the chain's alert rules" in capsys.readouterr().err
    assert main(["--as", "mgr-sh001", "rules", "run"]) == 2  # a store manager neither
    capsys.readouterr()
    assert main(["rules", "run", "--at", "2026-03-09T10:00+08:00"]) == 0  # the local administrator
    assert "rules at 2026-03-09T02:00:00+00:00" in capsys.readouterr().out
