"""Calibrating the pressure index from the command line, on the demo chain, on both engines.

The demo's check-ins come from hours alone, orders per person-hour, incidents and each person's
own lean (``storemon.services.demo._check_ins``), not from the index: the fit has something real
to find, and being alone is what drives that process most.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from staffing.pressure import DEFAULT_CONFIG
from storemon.cli import main
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import AuditEntry, CheckIn, RosterShift
from storemon.services import setting_keys
from storemon.services.access import SYSTEM
from storemon.services.api import Services
from storemon.services.database import open_database
from storemon.services.pressure_calibration import MIN_CHECKINS
from storemon.services.timegrid import local_midnight
from tests.demo_chain import DEMO_ANCHOR

LAST = DEMO_ANCHOR - timedelta(days=1)
CALIBRATE = ["pressure", "calibrate", "--until", LAST.isoformat()]


def _run(capsys, demo_url: str, *args: str, user: str | None = None) -> tuple[int, str, str]:
    argv = ["--db", demo_url, *(["--as", user] if user else []), *CALIBRATE, *args]
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def _checkins_between(demo_url: str, first: date, last: date) -> int:
    """Check-ins of shifts that ended inside the period (Shanghai days), counted in the database."""
    engine = make_engine(demo_url)
    try:
        with make_session_factory(engine)() as session:
            start = local_midnight(first, "Asia/Shanghai")
            end = local_midnight(last + timedelta(days=1), "Asia/Shanghai")
            return session.scalar(
                select(func.count())
                .select_from(CheckIn)
                .join(RosterShift, RosterShift.id == CheckIn.shift_id)
                .where(RosterShift.starts_at >= start, RosterShift.starts_at < end)
            )
    finally:
        engine.dispose()


def _config(demo_url: str):
    engine = make_engine(demo_url)
    try:
        with make_session_factory(engine)() as session:
            return setting_keys.pressure_config(session)
    finally:
        engine.dispose()


def test_the_report_fits_the_demo_check_ins_and_changes_nothing(demo_url, capsys):
    status, out, _ = _run(capsys, demo_url, "--weeks", "3", "--format", "json")
    assert status == 0
    report = json.loads(out)
    assert report["enough"] and report["check_ins"] >= MIN_CHECKINS
    assert report["check_ins"] == _checkins_between(demo_url, LAST - timedelta(days=20), LAST)
    assert report["shifts"] > report["check_ins"]
    weights = {w["factor"]: w for w in report["weights"]}
    # The hidden process weighs hours alone most: the fit gives being alone the most points.
    assert max(weights, key=lambda f: weights[f]["fitted_points"]) == "alone"
    assert weights["alone"]["coefficient"] > 0
    # Rosters carry no breaks: no_break is not in the data and keeps its points.
    assert not weights["no_break"]["fitted"]
    assert weights["no_break"]["fitted_points"] == DEFAULT_CONFIG.no_break_points
    fitted_total = sum(w["fitted_points"] for w in weights.values()) + report["checkin_points"]
    assert fitted_total == pytest.approx(100)
    assert report["fitted_rank_correlation"] > report["current_rank_correlation"]
    assert 0 < report["pseudo_r2"] < 1 and report["log_likelihood"] > report["null_log_likelihood"]
    assert "follow what staff report better" in report["verdict"]

    status, out, _ = _run(capsys, demo_url, "--weeks", "3")
    assert status == 0
    assert f"with a check-in: {report['check_ins']} (needed: {MIN_CHECKINS})" in out
    assert "alone" in out and "not in data" in out and "run again with --accept" in out
    assert _config(demo_url) == DEFAULT_CONFIG  # reading changed nothing


def test_accepting_stores_the_weights_and_later_store_days_use_them(demo_url, capsys):
    database = open_database(demo_url)
    services = Services(database)
    try:
        store, day = "SH001", LAST - timedelta(days=2)
        before = services.staffing.store_day(SYSTEM, store, day)
        status, out, _ = _run(capsys, demo_url, "--weeks", "3", "--accept", "--format", "json")
        assert status == 0
        report = json.loads(out)
        config = _config(demo_url)
        fitted = {w["factor"]: w["fitted_points"] for w in report["weights"]}
        assert config.alone_points == pytest.approx(fitted["alone"])
        assert config.incident_points == pytest.approx(fitted["incidents"])
        assert config.wait_points + config.utilisation_points + config.busy_points + config.rush_points == (
            pytest.approx(fitted["load"])
        )
        assert config != DEFAULT_CONFIG

        after = services.staffing.store_day(SYSTEM, store, day)
        alone_before = {
            p.shift_id: r["points"] for p in before.pressure for r in p.reasons if r["factor"] == "alone"
        }
        alone_after = {
            p.shift_id: r["points"] for p in after.pressure for r in p.reasons if r["factor"] == "alone"
        }
        assert alone_before and alone_before.keys() == alone_after.keys()
        ratio = config.alone_points / DEFAULT_CONFIG.alone_points
        for shift_id, points in alone_before.items():
            assert alone_after[shift_id] == pytest.approx(points * ratio, abs=0.11)
        with database.sessions() as session:
            entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
            assert entry.subject == setting_keys.PRESSURE_CONFIG.name and entry.actor == SYSTEM.username
            assert entry.details["check_ins"] == report["check_ins"]
    finally:
        database.close()

    # Accepted weights are the current ones now: a second report proposes (about) the same.
    status, out, _ = _run(capsys, demo_url, "--weeks", "3", "--format", "json")
    again = {w["factor"]: w for w in json.loads(out)["weights"]}
    assert again["alone"]["current_points"] == pytest.approx(fitted["alone"])


def test_a_staff_member_may_neither_calibrate_nor_accept(demo_url, capsys):
    for extra in ([], ["--accept"]):
        status, out, err = _run(capsys, demo_url, "--weeks", "3", *extra, user="staff-sh001")
        assert status == 2 and out == ""
        assert "staff-sh001 (staff) may not" in err and "only head-office roles" in err
    status, _, err = _run(capsys, demo_url, "--weeks", "3", "--accept", user="mgr-sh001")
    assert status == 2 and "may not change chain-wide settings" in err
    assert _config(demo_url) == DEFAULT_CONFIG


def test_too_few_check_ins_give_the_verdict_and_accept_refuses(demo_url, capsys):
    status, out, _ = _run(capsys, demo_url, "--weeks", "1", "--format", "json")
    assert status == 0
    report = json.loads(out)
    have = _checkins_between(demo_url, LAST - timedelta(days=6), LAST)
    assert 0 < have < MIN_CHECKINS and report["check_ins"] == have
    assert not report["enough"] and report["proposed"] is None
    assert report["verdict"].startswith(f"not enough check-ins: {have} of the {MIN_CHECKINS} needed")

    status, out, err = _run(capsys, demo_url, "--weeks", "1", "--accept")
    assert status == 2 and out == ""
    assert f"nothing accepted: not enough check-ins: {have} of the {MIN_CHECKINS} needed" in err
    assert _config(demo_url) == DEFAULT_CONFIG
    database = open_database(demo_url)
    try:
        with database.sessions() as session:
            audited = select(func.count()).select_from(AuditEntry)
            assert not session.scalar(audited.where(AuditEntry.subject == setting_keys.PRESSURE_CONFIG.name))
    finally:
        database.close()


def test_weeks_out_of_range_is_a_clear_message(demo_url, capsys):
    status, _, err = _run(capsys, demo_url, "--weeks", "0")
    assert status == 2 and "--weeks 0: use 1 to 26" in err
