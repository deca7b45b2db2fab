"""Expected orders per interval: learned from history, surges divided out of the past and applied to the future."""

from datetime import date, timedelta

import numpy as np
import pytest

from staffing.demand import DemandConfig, DemandHistory, backtest, forecast, weekday_profile
from staffing.surge import SurgeCalendar, SurgePeriod

INTERVALS = 56  # 07:00-21:00
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 1.1, 1.4, 1.3])  # Monday..Sunday
NO_SURGE = SurgeCalendar()


def day_shape() -> np.ndarray:
    """Orders per 15 minutes on a plain weekday: morning rush near 09:00, lunch near 13:00."""
    t = np.arange(INTERVALS)
    return 30 * np.exp(-(((t - 8) / 4) ** 2)) + 20 * np.exp(-(((t - 24) / 5) ** 2)) + 3


def expected_rate(start: date, n_days: int, growth_per_day: float = 1.0) -> np.ndarray:
    """The true orders per interval, [days, intervals], for history starting on ``start``."""
    days = np.arange(n_days)
    weekdays = (start.weekday() + days) % 7
    return day_shape()[None, :] * WEEKDAY_FACTOR[weekdays][:, None] * (growth_per_day**days)[:, None]


def history(rate: np.ndarray, start: date, **kw) -> DemandHistory:
    return DemandHistory(rate, start, first_interval_min=7 * 60, **kw)


def test_forecast_beats_same_interval_last_week():
    start = date(2026, 4, 6)
    rng = np.random.default_rng(7)
    rate = expected_rate(start, 84, growth_per_day=1.004)  # +2.8 % a week
    noisy = rng.poisson(np.broadcast_to(rate, (3, *rate.shape))).astype(float)
    result = backtest(history(noisy, start), holdout_weeks=2, calendar=NO_SURGE)
    assert result.holdout_start == start + timedelta(days=70)
    assert result.n_intervals == 3 * 14 * INTERVALS
    assert result.mape < result.naive_mape
    assert result.wape < result.naive_wape
    assert (result.store_wape < result.naive_store_wape).all()


def test_noise_free_history_gives_back_its_weekday_profile():
    start = date(2026, 4, 6)
    fc = forecast(history(expected_rate(start, 56), start), ["2026-06-01", "2026-06-06"], NO_SURGE)
    assert fc.expected_orders.shape == (1, 2, INTERVALS)
    assert fc.expected_orders[0, 0] == pytest.approx(day_shape())  # Monday
    assert fc.expected_orders[0, 1] == pytest.approx(1.4 * day_shape())  # Saturday
    assert fc.arrivals_per_hour == pytest.approx(4 * fc.expected_orders)


def test_surge_factor_applies_on_2026_03_10_but_not_2026_04_10():
    start = date(2025, 11, 3)  # twelve weeks, all before the season
    fc = forecast(history(expected_rate(start, 84), start), [date(2026, 3, 10), date(2026, 4, 10)])
    assert fc.surge_factor[0].tolist() == [1.15, 1.0]
    assert fc.expected_orders[0, 0] == pytest.approx(1.15 * day_shape())  # Tuesday, in season
    assert fc.expected_orders[0, 1] == pytest.approx(1.1 * day_shape())  # Friday, not in season


def test_an_added_promotion_raises_the_forecast_for_its_dates():
    start = date(2026, 4, 6)
    past = history(expected_rate(start, 56), start)
    promo = SurgeCalendar.default().with_period(
        SurgePeriod("summer latte", date(2026, 7, 1), date(2026, 7, 7), 1.3)
    )
    with_promo = forecast(past, ["2026-07-01", "2026-07-08"], promo).expected_orders[0]
    without = forecast(past, ["2026-07-01", "2026-07-08"]).expected_orders[0]
    assert with_promo[0] == pytest.approx(1.3 * without[0])
    assert with_promo[1] == pytest.approx(without[1])


def test_a_past_promotion_does_not_inflate_the_baseline():
    start = date(2026, 4, 6)
    rate = expected_rate(start, 56)
    rate[21:28] *= 1.5  # week 4 was a promotion
    promo = SurgePeriod("buy one get one", start + timedelta(days=21), start + timedelta(days=27), 1.5)
    known = weekday_profile(history(rate, start), SurgeCalendar((promo,)))
    forgotten = weekday_profile(history(rate, start), NO_SURGE)
    assert known[0, 0] == pytest.approx(day_shape())
    assert (forgotten[0, 0] > day_shape() * 1.01).all()


def test_the_consumer_rights_season_in_history_is_divided_out():
    start = date(2026, 1, 5)
    rate = expected_rate(start, 84)
    dates = np.datetime64(start) + np.arange(84)
    rate *= SurgeCalendar.default().factor_for(dates)[:, None]
    fc = forecast(history(rate, start), ["2026-04-06"])  # a Monday after the season
    assert fc.expected_orders[0, 0] == pytest.approx(day_shape())


def test_missing_days_and_intervals_are_ignored():
    start = date(2026, 4, 6)
    rate = expected_rate(start, 56)
    rate[14:17] = np.nan  # the till was down for three days
    rate[30, 10:20] = np.nan  # an export lost part of a day
    fc = forecast(history(rate, start), ["2026-06-01", "2026-06-03"], NO_SURGE)
    assert np.isfinite(fc.expected_orders).all()
    assert fc.expected_orders[0, 0] == pytest.approx(day_shape())
    assert fc.expected_orders[0, 1] == pytest.approx(day_shape())


def test_a_weekday_never_seen_falls_back_to_the_other_days():
    start = date(2026, 4, 6)
    rate = expected_rate(start, 28, 1.0)
    rate[6::7] = np.nan  # never any Sunday data
    fc = forecast(history(rate, start), ["2026-05-10"], NO_SURGE)  # a Sunday
    assert np.isfinite(fc.expected_orders).all() and (fc.expected_orders > 0).all()


def test_growth_is_followed_but_damped_and_clipped():
    start = date(2026, 4, 6)
    growing = history(expected_rate(start, 56, growth_per_day=1.01), start)
    target = start + timedelta(days=63)  # Monday, one week after the history ends
    truth = day_shape() * 1.01**63
    last_monday = day_shape() * 1.01**49
    fc = forecast(growing, [target], NO_SURGE)
    assert (fc.expected_orders[0, 0] < truth).all()
    assert fc.expected_orders[0, 0] == pytest.approx(last_monday, rel=0.1)
    assert fc.growth_per_day[0] == pytest.approx(0.5 * np.log(1.01), rel=0.05)
    flat = forecast(growing, [target], NO_SURGE, DemandConfig(trend_damping=0))
    assert (flat.expected_orders[0, 0] < fc.expected_orders[0, 0]).all()
    capped = forecast(growing, [target], NO_SURGE, DemandConfig(trend_damping=1, trend_limits=(0.9, 1.05)))
    assert capped.expected_orders[0, 0] == pytest.approx(1.05 * flat.expected_orders[0, 0])


def test_shapes_for_several_stores_and_store_specific_promotions():
    start = date(2026, 4, 6)
    rate = np.stack([expected_rate(start, 28) * k for k in (1.0, 2.0, 0.5)])
    local = SurgePeriod("mall opening", date(2026, 5, 4), date(2026, 5, 4), 1.5, stores=frozenset({"B"}))
    stores = history(rate, start, store_ids=("A", "B", "C"))
    fc = forecast(stores, ["2026-05-04", "2026-05-05"], NO_SURGE.with_period(local))
    assert fc.expected_orders.shape == (3, 2, INTERVALS)
    assert fc.surge_factor.tolist() == [[1.0, 1.0], [1.5, 1.0], [1.0, 1.0]]
    assert fc.expected_orders[1, 0] == pytest.approx(2.0 * 1.5 * day_shape())
    assert fc.expected_orders[2, 1] == pytest.approx(0.5 * day_shape())
    assert backtest(stores, holdout_weeks=1, calendar=NO_SURGE).store_wape.shape == (3,)


def test_bad_history_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        DemandHistory(-np.ones((7, 4)), date(2026, 1, 1))
    with pytest.raises(ValueError, match="store ids"):
        DemandHistory(np.ones((2, 7, 4)), date(2026, 1, 1), store_ids=("A",))
    with pytest.raises(ValueError, match="week"):
        backtest(DemandHistory(np.ones((14, 4)), date(2026, 1, 1)), holdout_weeks=2)
