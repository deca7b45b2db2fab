"""The pooled count forecast: what a store manager would notice in its numbers."""

from datetime import date, timedelta

import numpy as np
import pytest

from benchmarks.demand_data import shocked_chain
from staffing.demand import DemandHistory
from staffing.forecast import (
    SOURCE_OWN,
    SOURCE_SIMILAR,
    SOURCE_SURGE,
    CountModelConfig,
    fit_count_model,
    forecast_counts,
    peer_groups,
)
from staffing.surge import CONSUMER_RIGHTS_SEASON, SurgeCalendar

INTERVALS = 56  # 07:00-21:00
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 1.1, 1.4, 1.3])  # Monday..Sunday
SEASON = CONSUMER_RIGHTS_SEASON.label


def day_shape() -> np.ndarray:
    """Orders per 15 minutes on a plain weekday: morning rush near 09:00, lunch near 13:00."""
    t = np.arange(INTERVALS)
    return 30 * np.exp(-(((t - 8) / 4) ** 2)) + 20 * np.exp(-(((t - 24) / 5) ** 2)) + 3


def rate(start: date, n_days: int, scale: float = 1.0) -> np.ndarray:
    weekdays = (start.weekday() + np.arange(n_days)) % 7
    return scale * day_shape()[None, :] * WEEKDAY_FACTOR[weekdays][:, None]


def history(orders: np.ndarray, start: date, **kw) -> DemandHistory:
    return DemandHistory(orders, start, first_interval_min=7 * 60, **kw)


def test_a_stable_pattern_is_given_back_exactly_without_noise_and_closely_with_it():
    start = date(2026, 4, 6)  # a Monday
    monday, saturday = "2026-06-29", "2026-07-04"
    clean = forecast_counts(history(rate(start, 84), start), [monday, saturday], SurgeCalendar())
    assert clean.expected_orders[0, 0] == pytest.approx(day_shape(), rel=1e-6)
    assert clean.expected_orders[0, 1] == pytest.approx(1.4 * day_shape(), rel=1e-6)
    assert clean.source[0].tolist() == [SOURCE_OWN, SOURCE_OWN]

    rng = np.random.default_rng(5)
    errors = []
    for weeks in (3, 12):
        noisy = rng.poisson(np.broadcast_to(rate(start, 7 * weeks), (20, 7 * weeks, INTERVALS)))
        fc = forecast_counts(history(noisy.astype(float), start), [start + timedelta(days=7 * weeks)])
        errors.append(np.abs(fc.expected_orders[:, 0] / day_shape() - 1).mean())
    assert errors[1] < errors[0] and errors[1] < 0.06


def test_quantiles_are_ordered_and_bracket_what_happens():
    start = date(2026, 4, 6)
    rng = np.random.default_rng(8)
    truth = rate(start, 63)
    noisy = rng.poisson(np.broadcast_to(truth, (10, 63, INTERVALS))).astype(float)
    fc = forecast_counts(history(noisy[:, :56], start), np.datetime64(start) + 56 + np.arange(7))
    assert (fc.p10 <= fc.p50).all() and (fc.p50 <= fc.p90).all()
    assert fc.p90.shape == fc.expected_orders.shape == (10, 7, INTERVALS)
    covered = np.mean(noisy[:, 56:] <= fc.p90)
    assert 0.85 <= covered <= 0.97
    hourly_p90 = fc.quantile(0.9, 4)
    assert hourly_p90.shape == (10, 7, INTERVALS // 4)
    assert (hourly_p90 >= fc.p90.reshape(10, 7, -1, 4).max(axis=-1)).all()


def test_a_new_store_with_two_days_of_sales_borrows_from_similar_stores():
    start = date(2026, 4, 6)
    rng = np.random.default_rng(2)
    chain = rng.poisson(np.stack([rate(start, 56, k) for k in (0.8, 1.0, 1.2, 1.0, 0.9)])).astype(float)
    newcomer = np.full((1, 56, INTERVALS), np.nan)
    newcomer[0, -2:] = rng.poisson(rate(start + timedelta(days=54), 2, 0.5))  # half as busy
    orders = np.concatenate([chain, newcomer])
    groups = np.array([0, 0, 0, 0, 0, 0])
    fc = forecast_counts(history(orders, start), ["2026-06-01"], peer_group=groups)  # a Monday
    new = fc.expected_orders[5, 0]
    assert fc.source[5, 0] == SOURCE_SIMILAR and fc.source[0, 0] == SOURCE_OWN
    assert new.sum() > 0 and (new > 0).all()
    assert new.sum() == pytest.approx(0.5 * day_shape().sum(), rel=0.3)
    assert np.argmax(new) == np.argmax(day_shape())  # the peers' morning rush
    assert (fc.p90[5, 0] >= fc.p90[1, 0] * 0.3).all()  # wide, not zero


def test_a_store_with_no_sales_at_all_gets_the_peers_and_is_labelled_so():
    start = date(2026, 4, 6)
    rng = np.random.default_rng(4)
    orders = rng.poisson(np.stack([rate(start, 56)] * 3)).astype(float)
    orders[2] = np.nan
    fc = forecast_counts(history(orders, start), ["2026-06-02"])
    assert fc.source[2, 0] == SOURCE_SIMILAR
    assert fc.expected_orders[2, 0].sum() == pytest.approx(fc.expected_orders[0, 0].sum(), rel=0.1)


def test_no_surge_unless_the_data_covers_it_or_a_manager_turned_it_on():
    start = date(2025, 11, 3)  # twelve weeks, all before the season: the data does not cover it
    past = history(rate(start, 84), start)
    in_season, after = "2026-03-10", "2026-04-07"  # both Tuesdays
    plain = forecast_counts(past, [in_season, after])
    assert plain.surge_factor[0].tolist() == [1.0, 1.0]
    assert plain.expected_orders[0, 0] == pytest.approx(plain.expected_orders[0, 1])
    assert plain.source[0].tolist() == [SOURCE_OWN, SOURCE_OWN]

    turned_on = forecast_counts(past, [in_season, after], config=CountModelConfig(surges_turned_on={SEASON}))
    assert turned_on.surge_factor[0].tolist() == [1.15, 1.0]
    assert turned_on.expected_orders[0, 0] == pytest.approx(1.15 * plain.expected_orders[0, 0])
    assert turned_on.source[0].tolist() == [SOURCE_SURGE, SOURCE_OWN]


def test_a_surge_seen_last_year_is_estimated_and_applied_this_year():
    start = date(2025, 1, 6)
    n_days = 406  # to 2026-02-15: covers last year's season, ends before this year's
    dates = np.datetime64(start) + np.arange(n_days)
    truth = rate(start, n_days) * np.where(CONSUMER_RIGHTS_SEASON.active(dates), 1.3, 1.0)[:, None]
    rng = np.random.default_rng(9)
    orders = rng.poisson(np.broadcast_to(truth, (4, n_days, INTERVALS))).astype(float)
    model = fit_count_model(history(orders, start))
    assert model.surge_effects[SEASON] == pytest.approx(np.full(4, 1.3), rel=0.06)
    fc = model.predict(["2026-03-10", "2026-04-07"])  # Tuesdays, in and after the season
    assert fc.source[0].tolist() == [SOURCE_SURGE, SOURCE_OWN]
    ratio = fc.expected_orders[:, 0].sum(-1) / fc.expected_orders[:, 1].sum(-1)
    assert ratio == pytest.approx(np.full(4, 1.3), rel=0.08)


def test_a_season_already_running_when_the_history_ends_is_not_counted_twice():
    start = date(2025, 1, 6)
    n_days = 427  # to 2026-03-08: last year's season, and this year's since 20 February
    dates = np.datetime64(start) + np.arange(n_days)
    truth = rate(start, n_days) * np.where(CONSUMER_RIGHTS_SEASON.active(dates), 1.3, 1.0)[:, None]
    rng = np.random.default_rng(10)
    orders = rng.poisson(np.broadcast_to(truth, (4, n_days, INTERVALS))).astype(float)
    fc = fit_count_model(history(orders, start)).predict(["2026-03-10", "2026-03-24"])  # Tuesdays
    expected = rate(date(2026, 3, 10), 1)[0].sum() * np.array([1.3, 1.0])
    assert fc.expected_orders.sum(-1) == pytest.approx(np.broadcast_to(expected, (4, 2)), rel=0.08), (
        "in the season 1.3 times a plain day, and a plain day after it: the running season's days "
        "do not lift the level the season's factor is then applied to"
    )


def test_beats_the_weekday_mean_on_a_chain_it_was_not_built_for():
    orders, first, first_min, info = shocked_chain(stores=24, weeks=10, seed=3)
    n_days = orders.shape[1]
    ours, mean, actual = [], [], []
    for t in range(n_days - 7, n_days):
        past = DemandHistory(orders[:, :t], first, first_interval_min=first_min)
        fc = fit_count_model(past, peer_group=info["peer_group"]).predict([past.dates[-1] + 1])
        ours.append(fc.expected_orders[:, 0])
        same = orders[:, t - 7 :: -7]
        mean.append(np.nan_to_num(np.nanmean(same, axis=1)))
        actual.append(orders[:, t])
    ours, mean, actual = (np.stack(x, axis=1) for x in (ours, mean, actual))
    known = np.isfinite(actual).all(axis=2)
    hourly = [np.nan_to_num(x).reshape(*x.shape[:2], -1, 4).sum(-1)[known] for x in (ours, mean, actual)]
    rmse = [np.sqrt(np.mean((f - hourly[2]) ** 2)) for f in hourly[:2]]
    assert rmse[0] < rmse[1]  # bench_demand.py runs the full 28-day version


def test_bad_peer_groups_and_settings_are_refused():
    start = date(2026, 4, 6)
    past = history(rate(start, 14), start)
    with pytest.raises(ValueError, match="peer_group"):
        fit_count_model(past, peer_group=np.array([0, 1]))
    with pytest.raises(ValueError, match="smoothing"):
        CountModelConfig(level_smoothing=(0.0,))


def test_peer_groups_combine_the_callers_similarity_columns():
    groups = peer_groups(["A", "A", "B", "A"], [420, 420, 420, 480])
    assert groups[0] == groups[1] and len(set(groups.tolist())) == 3
    with pytest.raises(ValueError, match="one value per store"):
        peer_groups([1, 2], [1, 2, 3])
