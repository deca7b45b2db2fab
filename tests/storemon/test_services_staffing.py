"""Store-day staffing figures as the Today screen and `report staffing` show them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from staffing.day import StaffingTargets
from storemon.cli import main
from storemon.db.models import Store
from storemon.services.access import SYSTEM
from storemon.services.setting_keys import save_staffing_targets
from storemon.services.store_days import store_day, store_days
from storemon.services.stores import store_summaries
from tests.storemon.conftest import DEMO_ANCHOR

NOW = datetime(2026, 3, 9, 4, tzinfo=UTC)  # 12:00 in Shanghai on the anchor day


def _solo_store(session) -> str:
    """The busiest store that runs solo all day: the person the product is for."""
    solo = [r for r in store_summaries(session, SYSTEM) if r.rostered_staff_per_shift == 1.0]
    return max(solo, key=lambda r: r.avg_daily_revenue).code


def test_solo_store_morning_rush_is_overloaded_and_pressure_names_the_solo_time(demo_sessions):
    with demo_sessions() as session:
        code = _solo_store(session)
        day = store_day(session, SYSTEM, code, date(2026, 3, 4), now=NOW)
    assert day.demand_source == "actual"
    rush = [i for i in day.intervals if 7 <= i.start.hour < 10]
    assert all(i.rostered_staff == 1 and i.effective_servers < 1 for i in rush)
    assert max(i.utilisation or 0 for i in rush) >= 0.9
    assert max(i.required_staff for i in rush) >= 2
    morning = day.pressure[0]
    assert morning.level in ("red", "amber") and morning.shift_start.hour < 8
    alone = next(r for r in morning.reasons if r["factor"] == "alone")
    assert alone["explanation"].startswith("alone 06:45-14:00")
    assert day.solo_minutes >= 12 * 60


def test_backlog_carries_the_rush_into_the_next_intervals(demo_sessions):
    with demo_sessions() as session:
        day = store_day(session, SYSTEM, _solo_store(session), date(2026, 3, 4), now=NOW)
    overloaded = [k for k, i in enumerate(day.intervals) if i.utilisation and i.utilisation >= 1]
    assert overloaded
    after = day.intervals[overloaded[0] + 1]
    assert after.backlog > 0
    assert all(i.mean_wait_minutes <= 20 for i in day.intervals), "customers walk away before waiting long"
    assert all(i.steady_wait_minutes is not None for i in day.intervals), "Erlang-A settles even past ρ = 1"
    assert day.intervals[overloaded[0]].walked_away >= 1, "the overload shows as walk-aways"
    assert day.lost_orders == pytest.approx(sum(i.walked_away for i in day.intervals), abs=0.5)


def test_future_day_uses_the_forecast_and_a_store_service_time_overrides_the_till(demo_sessions):
    with demo_sessions() as session:
        code = _solo_store(session)
        before = store_day(session, SYSTEM, code, DEMO_ANCHOR, now=NOW)
        # The chain's service time is only the fallback: this store's till has enough orders.
        save_staffing_targets(session, StaffingTargets(service_minutes=1.0))
        chain_changed = store_day(session, SYSTEM, code, DEMO_ANCHOR, now=NOW)
        store = session.scalars(select(Store).where(Store.code == code)).one()
        store.service_minutes = 1.5
        faster = store_day(session, SYSTEM, code, DEMO_ANCHOR, now=NOW)
        store.service_minutes = 3.0
        slower = store_day(session, SYSTEM, code, DEMO_ANCHOR, now=NOW)
    assert before.demand_source == "forecast" and all(i.actual_orders is None for i in before.intervals)
    assert sum(i.expected_orders for i in before.intervals) > 20
    # the demo's till: 1.45 items an order, no categories -> 0.5 + 1.45 × 0.975 ≈ 1.9 min
    assert before.service_minutes == pytest.approx(1.91, abs=0.05)
    assert before.service_minutes_source.startswith("estimated from") and "items per order" in (
        before.service_minutes_source
    )
    assert chain_changed.service_minutes == before.service_minutes
    assert (faster.service_minutes, faster.service_minutes_source) == (1.5, "manual override (1.50 min)")
    assert faster.lost_orders < before.lost_orders < slower.lost_orders
    assert faster.day_mean_wait_minutes < before.day_mean_wait_minutes < slower.day_mean_wait_minutes


def test_demo_chain_waits_stay_under_20_minutes_and_every_interval_reports_walk_aways(demo_sessions):
    days = [date(2026, 3, 2) + timedelta(days=k) for k in range(7)]
    with demo_sessions() as session:
        codes = [r.code for r in store_summaries(session, SYSTEM)]
        weeks = [store_days(session, SYSTEM, code, days, now=NOW) for code in codes]
    intervals = [i for week in weeks for d in week for i in d.intervals]
    assert max(i.mean_wait_minutes for i in intervals) <= 20
    assert all(isinstance(i.walked_away, float) and i.walked_away >= 0 for i in intervals)
    assert sum(d.lost_orders for week in weeks for d in week) > 0


def test_report_staffing_cli_json_and_csv(capsys):
    main(["demo", "--stores", "6", "--weeks", "3", "--anchor", "2026-03-09"])
    capsys.readouterr()
    assert main(["report", "stores"]) == 0
    stores = json.loads(capsys.readouterr().out)
    solo = max(
        (r for r in stores if r["rostered_staff_per_shift"] == 1.0), key=lambda r: r["avg_daily_revenue"]
    )["code"]
    assert main(["report", "staffing", "--store", solo, "--date", "2026-03-04"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["service_minutes_source"].startswith("estimated from")
    assert report["lost_orders"] > 0 and report["lost_revenue"] > report["lost_orders"]
    assert all("walked_away" in i for i in report["intervals"])
    rush = [i for i in report["intervals"] if "T07:30" <= i["start"][10:16] < "T09:30"]
    assert max(i["utilisation"] or 0 for i in rush) >= 0.9
    top = report["pressure"][0]
    assert top["level"] in ("red", "amber")
    assert any("alone" in r["explanation"] for r in top["reasons"])
    assert main(["report", "staffing", "--store", solo, "--date", "2026-03-04", "--format", "csv"]) == 0
    header, *rest = capsys.readouterr().out.splitlines()
    assert header.startswith(
        "start,expected_orders,actual_orders,rostered_staff,effective_servers,utilisation"
    )
    assert "staff_code,name,shift_start,shift_end,pressure_index,level,reasons" in rest
    modelled = rest.index(
        "service_minutes,service_minutes_source,chore_minutes_per_hour,patience_minutes,"
        "p90_wait_minutes,lost_orders,lost_revenue"
    )
    assert ',"estimated from ' in rest[modelled + 1] and ",18.0,4.0," in rest[modelled + 1]
