"""The pooled forecast in the app: `storemon forecast`, a new store borrowing from similar stores,
its early warnings, and staffing planned to the chosen quantile (issue 13)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import insert, select, update

from staffing.forecast import SOURCE_OWN, SOURCE_SIMILAR, SOURCE_SURGE, PlanningSettings
from staffing.surge import CONSUMER_RIGHTS_SEASON
from storemon.cli import main
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import ImportBatch, RosterShift, SalesBucket, StaffMember, Store
from storemon.services.access import SYSTEM
from storemon.services.alert_service import list_alerts
from storemon.services.forecasts import chain_model, forecast_store, save_planning
from storemon.services.rules import evaluate
from storemon.services.store_days import store_day
from storemon.services.stores import store_summaries
from storemon.services.timegrid import local_midnight
from tests.storemon.conftest import DEMO_ANCHOR

NOW = datetime(2026, 3, 9, 4, tzinfo=UTC)  # 12:00 in Shanghai on the anchor day
SIX_AM = datetime(2026, 3, 8, 22, 0, tzinfo=UTC)  # 06:00 on the 9th in Shanghai


def _forecast(db: str, *args: str, capsys) -> str:
    assert main(["--db", db, "forecast", *args]) == 0
    return capsys.readouterr().out


@pytest.fixture
def cli_demo(tmp_path, capsys) -> str:
    db = f"sqlite:///{tmp_path / 'chain.sqlite3'}"
    assert main(["--db", db, "demo", "--stores", "6", "--weeks", "3", "--anchor", "2026-03-09"]) == 0
    capsys.readouterr()
    return db


def _first_code(db: str) -> str:
    engine = make_engine(db)
    with make_session_factory(engine)() as session:
        code = session.scalars(select(Store.code).order_by(Store.code)).first()
    engine.dispose()
    return code


def test_forecast_cli_json_and_csv_per_interval_with_local_times(cli_demo, capsys):
    code = _first_code(cli_demo)
    rows = json.loads(
        _forecast(
            cli_demo,
            "--store",
            code,
            "--from",
            "2026-03-09",
            "--to",
            "2026-03-10",
            "--format",
            "json",
            capsys=capsys,
        )
    )
    assert len(rows) == 2 * 96
    assert list(rows[0]) == ["start", "expected_orders", "p10", "p50", "p90", "source"]
    assert (
        rows[0]["start"] == "2026-03-09T00:00:00+08:00" and rows[-1]["start"] == "2026-03-10T23:45:00+08:00"
    )
    rush = [r for r in rows if "T07:00" <= r["start"][10:16] < "T10:00"]
    assert all(r["p10"] <= r["p50"] <= r["p90"] for r in rows)
    assert sum(r["expected_orders"] for r in rush) > 30, "the morning rush is forecast"
    assert {r["source"] for r in rows} == {"own history"}
    text = _forecast(
        cli_demo,
        "--store",
        code,
        "--from",
        "2026-03-09",
        "--to",
        "2026-03-10",
        "--format",
        "csv",
        capsys=capsys,
    )
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == ["start", "expected_orders", "p10", "p50", "p90", "source"]
    assert [(r["start"], float(r["expected_orders"]), int(r["p90"])) for r in table] == [
        (r["start"], r["expected_orders"], r["p90"]) for r in rows
    ]
    readable = _forecast(
        cli_demo, "--store", code, "--from", "2026-03-09", "--to", "2026-03-09", capsys=capsys
    )
    assert readable.splitlines()[0].split() == ["start", "expected_orders", "p10", "p50", "p90", "source"]
    assert "T03:00" not in readable, "the table leaves out night hours with nothing expected"


def test_a_new_york_store_forecasts_in_its_own_clock_across_the_dst_change(cli_demo, capsys):
    code = _first_code(cli_demo)
    engine = make_engine(cli_demo)
    with make_session_factory(engine).begin() as session:
        session.execute(update(Store).where(Store.code == code).values(timezone="America/New_York"))
    engine.dispose()
    text = _forecast(
        cli_demo,
        "--store",
        code,
        "--from",
        "2026-03-07",
        "--to",
        "2026-03-09",
        "--format",
        "csv",
        capsys=capsys,
    )
    starts = [r["start"] for r in csv.DictReader(io.StringIO(text))]
    assert starts[0] == "2026-03-07T00:00:00-05:00" and starts[-1] == "2026-03-09T23:45:00-04:00"
    assert sum(s.startswith("2026-03-08") for s in starts) == 92, "the 23-hour day has 92 quarter hours"
    assert "2026-03-08T02:00:00-05:00" not in starts and "2026-03-08T03:00:00-04:00" in starts
    autumn = _forecast(cli_demo, "--store", code, "--from", "2026-11-01", "--to", "2026-11-01", "--format", "csv",
                       "--history-until", "2026-03-08", capsys=capsys)  # fmt: skip
    starts = [r["start"] for r in csv.DictReader(io.StringIO(autumn))]
    assert len(starts) == 96, "the repeated hour is one wall-clock hour of the forecast"
    assert "2026-11-01T01:00:00-04:00" in starts and "2026-11-01T02:00:00-05:00" in starts


def test_history_until_ignores_every_later_sale(cli_demo, capsys):
    code = _first_code(cli_demo)
    args = ("--store", code, "--from", "2026-03-09", "--to", "2026-03-11", "--format", "json")
    ex_ante = _forecast(cli_demo, *args, "--history-until", "2026-03-01", capsys=capsys)
    latest = _forecast(cli_demo, *args, capsys=capsys)
    engine = make_engine(cli_demo)
    with make_session_factory(engine).begin() as session:
        store = session.scalars(select(Store).where(Store.code == code)).one()
        later = local_midnight(date(2026, 3, 2), store.timezone)
        changed = session.execute(
            update(SalesBucket)
            .where(SalesBucket.store_id == store.id, SalesBucket.bucket_start >= later)
            # Three times the customers with the same baskets (the service time from the till,
            # which follows items per order, stays the same).
            .values(
                orders=SalesBucket.orders * 3, items=SalesBucket.items * 3, revenue=SalesBucket.revenue * 3
            )
        ).rowcount
    engine.dispose()
    assert changed > 100
    assert _forecast(cli_demo, *args, "--history-until", "2026-03-01", capsys=capsys) == ex_ante
    tripled = json.loads(_forecast(cli_demo, *args, capsys=capsys))
    before = json.loads(latest)
    assert sum(r["expected_orders"] for r in tripled) > 1.5 * sum(r["expected_orders"] for r in before), (
        "without --history-until the tripled week does count"
    )


def test_history_reaching_into_the_forecast_is_refused(cli_demo, capsys):
    code = _first_code(cli_demo)
    status = main(
        [
            "--db",
            cli_demo,
            "forecast",
            "--store",
            code,
            "--from",
            "2026-03-09",
            "--to",
            "2026-03-09",
            "--history-until",
            "2026-03-09",
        ]
    )
    assert status == 2
    assert "history must end before the first forecast day" in capsys.readouterr().err


def _solo_store(session) -> Store:
    solo = [r for r in store_summaries(session, SYSTEM) if r.rostered_staff_per_shift == 1.0]
    code = max(solo, key=lambda r: r.avg_daily_revenue).code
    return session.scalars(select(Store).where(Store.code == code)).one()


def _new_store_like(session, model: Store, days: list[date]) -> Store:
    """A store opened two days ago, like ``model`` (tier, region, hours), with ``model``'s sales of
    those days and ``model``'s roster on the anchor day."""
    new = Store(
        code="NEW01",
        name="New store",
        region_id=model.region_id,
        timezone=model.timezone,
        opens_at=model.opens_at,
        closes_at=model.closes_at,
        tier_policy_id=model.tier_policy_id,
    )
    batch = ImportBatch(kind="sales", source_name="new.csv", fingerprint="new-store", imported_at=NOW)
    session.add_all([new, batch])
    session.flush()
    start, end = (
        local_midnight(min(days), model.timezone),
        local_midnight(max(days) + timedelta(days=1), model.timezone),
    )
    for bucket in session.scalars(
        select(SalesBucket).where(
            SalesBucket.store_id == model.id,
            SalesBucket.bucket_start >= start,
            SalesBucket.bucket_start < end,
        )
    ).all():
        session.add(
            SalesBucket(
                store_id=new.id,
                bucket_start=bucket.bucket_start,
                orders=bucket.orders,
                items=bucket.items,
                revenue=bucket.revenue,
                batch_id=batch.id,
            )
        )
    person = StaffMember(code="NEW01-1", name="Lin Xin", home_store_id=new.id)
    session.add(person)
    session.flush()
    day_start = local_midnight(DEMO_ANCHOR, model.timezone)
    for shift in session.scalars(
        select(RosterShift).where(
            RosterShift.store_id == model.id,
            RosterShift.starts_at >= day_start,
            RosterShift.starts_at < day_start + timedelta(days=1),
        )
    ).all():
        session.add(
            RosterShift(store_id=new.id, staff_id=person.id, starts_at=shift.starts_at, ends_at=shift.ends_at)
        )
    session.flush()
    return new


def test_a_new_store_with_two_days_of_sales_borrows_from_similar_stores_and_is_warned(demo_sessions):
    with demo_sessions.begin() as session:
        model = _solo_store(session)
        new = _new_store_like(
            session, model, [DEMO_ANCHOR - timedelta(days=2), DEMO_ANCHOR - timedelta(days=1)]
        )
        day = store_day(session, SYSTEM, new.code, DEMO_ANCHOR, now=NOW)
        peer = store_day(session, SYSTEM, model.code, DEMO_ANCHOR, now=NOW)
        assert day.forecast_source == SOURCE_SIMILAR
        assert peer.forecast_source == "own history"
        new_total = sum(i.expected_orders for i in day.intervals)
        peer_total = sum(i.expected_orders for i in peer.intervals)
        assert 0.5 * peer_total < new_total < 2 * peer_total, "scaled by its first days, not zero"
        rush = [i for i in day.intervals if 7 <= i.start.hour < 10]
        assert max(i.required_staff for i in rush) >= 2, "its rush needs a second person"
        fc = forecast_store(session, new, [DEMO_ANCHOR], now=NOW)
        assert fc.own_days == 2 and fc.borrowed
        run = evaluate(session, SIX_AM, store_ids=[new.id])
        assert run.raised.get("early_warning", 0) == 1
        warning = list_alerts(session, SYSTEM, rule="early_warning")
        assert [w.store_id for w in warning] == [new.id]
        assert warning[0].details["from"] > SIX_AM.isoformat()


def test_planned_staffing_follows_the_quantile_setting_and_a_past_day_plans_from_the_forecast(demo_sessions):
    with demo_sessions.begin() as session:
        code = _solo_store(session).code
        mean_day = store_day(session, SYSTEM, code, DEMO_ANCHOR, now=NOW)
        past = store_day(session, SYSTEM, code, date(2026, 3, 4), now=NOW)
        save_planning(session, SYSTEM, PlanningSettings(plan_quantile=0.9))
        high_day = store_day(session, SYSTEM, code, DEMO_ANCHOR, now=NOW)
        store = session.scalars(select(Store).where(Store.code == code)).one()
        morning = local_midnight(date(2026, 3, 4), store.timezone)
        session.execute(
            update(SalesBucket)
            .where(
                SalesBucket.store_id == store.id,
                SalesBucket.bucket_start >= morning,
                SalesBucket.bucket_start < morning + timedelta(days=1),
            )
            # Three times the customers with the same baskets (the service time from the till,
            # which follows items per order, stays the same).
            .values(
                orders=SalesBucket.orders * 3, items=SalesBucket.items * 3, revenue=SalesBucket.revenue * 3
            )
        )
        save_planning(session, SYSTEM, PlanningSettings())
        busier_past = store_day(session, SYSTEM, code, date(2026, 3, 4), now=NOW)
    assert mean_day.planned_for == "mean" and high_day.planned_for == "p90"
    assert [i.planned_orders for i in mean_day.intervals] == [i.expected_orders for i in mean_day.intervals]
    assert sum(i.planned_orders for i in high_day.intervals) > 1.1 * sum(
        i.expected_orders for i in high_day.intervals
    )
    assert sum(i.required_staff for i in high_day.intervals) > sum(
        i.required_staff for i in mean_day.intervals
    )
    assert [i.mean_wait_minutes for i in high_day.intervals] == [
        i.mean_wait_minutes for i in mean_day.intervals
    ], "waits are the expected ones whatever staffing is planned for"
    # A past day: what happened follows its sales, what could have been planned follows the forecast.
    assert past.demand_source == busier_past.demand_source == "actual"
    assert busier_past.day_mean_wait_minutes > past.day_mean_wait_minutes
    assert [i.required_staff for i in busier_past.intervals] == [i.required_staff for i in past.intervals]
    assert sum(i.actual_orders or 0 for i in busier_past.intervals) == 3 * sum(
        i.actual_orders or 0 for i in past.intervals
    )


def test_planning_setting_refuses_quantiles_and_surges_it_cannot_use(demo_sessions):
    from storemon.services.setting_values import ChainSettingsError

    with pytest.raises(ValueError, match="between 0.5 and 0.99"):
        PlanningSettings(plan_quantile=0.3)
    with demo_sessions.begin() as session, pytest.raises(ChainSettingsError, match="no surge period"):
        save_planning(session, SYSTEM, PlanningSettings(surges_turned_on=frozenset({"Golden week"})))


def test_a_surge_applies_only_when_turned_on_where_the_history_cannot_estimate_it(demo_sessions):
    season = "3·15 consumer-rights season"
    with demo_sessions.begin() as session:
        store = _solo_store(session)
        plain = forecast_store(session, store, [DEMO_ANCHOR], now=NOW)
        save_planning(session, SYSTEM, PlanningSettings(surges_turned_on=frozenset({season})))
        raised = forecast_store(session, store, [DEMO_ANCHOR], now=NOW)
        day = store_day(session, SYSTEM, store.code, DEMO_ANCHOR, now=NOW)
    assert plain.source == ("own history",)
    assert raised.source == ("surge",) and day.forecast_source == "surge"
    assert raised.expected.sum() == pytest.approx(1.15 * plain.expected.sum(), rel=1e-6)


def test_the_weekly_report_says_a_new_stores_days_are_estimated_from_similar_stores(demo_sessions, tmp_path):
    from storemon.services.reports import weekly_store_report, write_report

    with demo_sessions.begin() as session:
        model = _solo_store(session)
        new = _new_store_like(
            session, model, [DEMO_ANCHOR - timedelta(days=2), DEMO_ANCHOR - timedelta(days=1)]
        )
        report = weekly_store_report(session, SYSTEM, new.code, "2026-W11", NOW)
        older = weekly_store_report(session, SYSTEM, model.code, "2026-W11", NOW)
    write_report(report, tmp_path / "new.csv", "csv", "en")
    text = (tmp_path / "new.csv").read_text(encoding="utf-8-sig")
    assert text.count("estimated from similar stores") == 7
    assert all(d.borrowed for d in report.days) and not any(d.borrowed for d in older.days)
    assert all(d.orders > 0 for d in report.days), "every day of the new store has orders to plan for"


def test_the_chains_fit_is_kept_until_new_sales_arrive(demo_sessions):
    yesterday = DEMO_ANCHOR - timedelta(days=1)
    with demo_sessions() as session:
        store = _solo_store(session)
        first = chain_model(session, yesterday)
        before = forecast_store(session, store, [DEMO_ANCHOR], now=NOW).expected.sum()
    with demo_sessions() as session:
        assert chain_model(session, yesterday) is first, "nothing new: the fit is reused"
    with demo_sessions.begin() as session:
        store = session.get(Store, store.id)
        batch = ImportBatch(kind="sales", source_name="late.csv", fingerprint="late", imported_at=NOW)
        session.add(batch)
        session.flush()
        start = local_midnight(yesterday, store.timezone)
        for bucket in session.scalars(
            select(SalesBucket).where(
                SalesBucket.store_id == store.id,
                SalesBucket.bucket_start >= start,
                SalesBucket.bucket_start < start + timedelta(days=1),
            )
        ).all():
            session.add(
                SalesBucket(
                    store_id=store.id,
                    bucket_start=bucket.bucket_start,
                    orders=2 * bucket.orders,
                    items=bucket.items,
                    revenue=bucket.revenue,
                    batch_id=batch.id,
                )
            )
    with demo_sessions() as session:
        assert chain_model(session, yesterday) is not first, "a late import of yesterday's sales is used"
        after = forecast_store(session, session.get(Store, store.id), [DEMO_ANCHOR], now=NOW).expected.sum()
    assert after > 1.05 * before


def _chain_with_last_years_season(session, lift: float) -> list[Store]:
    """Four stores with sales around last year's 3·15 season (``lift`` times a plain day inside it)
    and over the eight weeks before 9 March 2026, when this year's season has been running."""
    stores = [Store(code=f"S{k}", name=f"Store {k}", timezone="Asia/Shanghai") for k in range(4)]
    batch = ImportBatch(kind="sales", source_name="pos.csv", fingerprint="years", imported_at=NOW)
    session.add_all([*stores, batch])
    session.flush()
    rng = np.random.default_rng(4)
    quarter = np.arange(56)  # 07:00-21:00
    shape = 6 * np.exp(-(((quarter - 8) / 4) ** 2)) + 3 * np.exp(-(((quarter - 24) / 5) ** 2)) + 1
    days = [date(2025, 1, 16) + timedelta(days=k) for k in range(90)]
    days += [date(2026, 1, 12) + timedelta(days=k) for k in range(56)]
    rows = []
    for day in days:
        factor = lift if CONSUMER_RIGHTS_SEASON.active(np.array([day], dtype="datetime64[D]"))[0] else 1.0
        for store in stores:
            counts = rng.poisson(shape * factor)
            origin = local_midnight(day, store.timezone) + timedelta(hours=7)
            rows += [
                {
                    "store_id": store.id,
                    "bucket_start": origin + timedelta(minutes=15 * int(i)),
                    "orders": int(counts[i]),
                    "items": int(counts[i]),
                    "revenue": Decimal(int(counts[i]) * 30),
                    "batch_id": batch.id,
                }
                for i in np.flatnonzero(counts)
            ]
    session.execute(insert(SalesBucket), rows)
    return stores


def test_a_season_seen_last_year_is_estimated_from_the_chains_own_sales(session_factory):
    with session_factory.begin() as session:
        stores = _chain_with_last_years_season(session, lift=1.4)
        monday, after = date(2026, 3, 9), date(2026, 3, 16)  # in the season and the Monday after
        fc = forecast_store(session, stores[0], [monday, after], history_until=date(2026, 3, 8), now=NOW)
        fit = chain_model(session, date(2026, 3, 8))
    assert fc.source == (SOURCE_SURGE, SOURCE_OWN), "not turned on: estimated from last year"
    assert fit.model.surge_effects[CONSUMER_RIGHTS_SEASON.label] == pytest.approx(np.full(4, 1.4), rel=0.1)
    assert fc.expected[0].sum() / fc.expected[1].sum() == pytest.approx(1.4, rel=0.1)


def test_a_chain_without_sales_for_half_a_year_forecasts_nothing_from_an_old_season(demo_sessions):
    long_after = datetime(2026, 12, 2, 4, tzinfo=UTC)
    with demo_sessions() as session:
        store = _solo_store(session)
        fc = forecast_store(session, store, [date(2026, 12, 2)], now=long_after)
    assert fc.expected.sum() == 0 and fc.own_days == 0


def test_a_promotion_entered_for_next_week_applies_without_past_sales(demo_sessions):
    from staffing.surge import SurgePeriod
    from storemon.services.surge_calendar import load_surge_calendar, save_surge_calendar

    with demo_sessions.begin() as session:
        store = _solo_store(session)
        plain = forecast_store(session, store, [DEMO_ANCHOR, DEMO_ANCHOR + timedelta(days=7)], now=NOW)
        promotion = SurgePeriod("Spring promotion", DEMO_ANCHOR, DEMO_ANCHOR + timedelta(days=2), 1.2, 1.0)
        save_surge_calendar(session, SYSTEM, load_surge_calendar(session).with_period(promotion))
        raised = forecast_store(session, store, [DEMO_ANCHOR, DEMO_ANCHOR + timedelta(days=7)], now=NOW)
    assert raised.source == (SOURCE_SURGE, SOURCE_OWN)
    assert raised.expected[0].sum() == pytest.approx(1.2 * plain.expected[0].sum(), rel=1e-6)
    assert raised.expected[1].sum() == pytest.approx(plain.expected[1].sum(), rel=1e-6)
