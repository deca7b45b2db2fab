"""Expected orders per store and 15-minute interval: weekday profile × trend × surge calendar.

The model, vectorised over stores (docs: ``forecast``):

1. Deseasonalise: divide history by the surge factor of its dates, so a past promotion or
   3·15 season does not inflate the baseline.
2. Profile ``P[store, weekday, interval]``: the mean of past values of the same weekday and
   interval, weighted ``0.5 ** (age_days / half_life_days)`` so recent weeks count more. NaN
   (missing data) carries no weight.
3. Trend: daily growth rate from the level of the last two weeks against the four weeks before
   (each measured against the profile), damped, applied from the profile's weighted mean age to
   the target date, and clipped.
4. Multiply by the surge factor of the target date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from staffing.surge import DateLike, SurgeCalendar, as_days, weekday

DEFAULT_CALENDAR = SurgeCalendar.default()


@dataclass(frozen=True)
class DemandConfig:
    """Forecast settings; the defaults suit a store with a few months of history."""

    half_life_days: float = 14.0
    """Weight halves every two weeks: about six weeks of effective history per weekday."""
    trend_recent_days: int = 14
    """Recent window for the trend (whole weeks, so every weekday counts equally)."""
    trend_baseline_days: int = 28
    """Window before the recent one that the trend compares against (whole weeks)."""
    trend_damping: float = 0.5
    """Share of the measured growth rate that is extrapolated; two weeks of growth is noisy."""
    trend_limits: tuple[float, float] = (0.8, 1.25)
    """The trend multiplier never goes below or above these."""

    def __post_init__(self) -> None:
        if self.half_life_days <= 0 or self.trend_recent_days < 1 or self.trend_baseline_days < 1:
            raise ValueError("half-life and trend windows must be positive")
        if not 0 <= self.trend_damping <= 1:
            raise ValueError(f"trend_damping must be within 0..1, got {self.trend_damping}")
        lo, hi = self.trend_limits
        if not 0 < lo <= 1 <= hi:
            raise ValueError(f"trend_limits must bracket 1, got {self.trend_limits}")


DEFAULT_CONFIG = DemandConfig()


@dataclass(frozen=True)
class DemandHistory:
    """Orders per store, day and interval: ``orders[stores, days, intervals]``; NaN = missing.

    A 2-D ``orders[days, intervals]`` is one store. Day 0 is ``start_date``; interval 0 starts
    ``first_interval_min`` minutes after local midnight (420 = 07:00).
    """

    orders: np.ndarray
    start_date: date
    first_interval_min: int = 0
    interval_minutes: int = 15
    store_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        orders = np.asarray(self.orders, dtype=float)
        if orders.ndim == 2:
            orders = orders[None]
        if orders.ndim != 3:
            raise ValueError(
                f"orders must be [days, intervals] or [stores, days, intervals], got {orders.shape}"
            )
        if np.isinf(orders).any() or (orders < 0).any():
            raise ValueError("orders must be non-negative counts (NaN for missing)")
        if self.store_ids and len(self.store_ids) != orders.shape[0]:
            raise ValueError(f"{len(self.store_ids)} store ids for {orders.shape[0]} stores")
        object.__setattr__(self, "orders", orders)
        object.__setattr__(self, "store_ids", tuple(self.store_ids))

    @property
    def n_stores(self) -> int:
        return self.orders.shape[0]

    @property
    def n_days(self) -> int:
        return self.orders.shape[1]

    @property
    def dates(self) -> np.ndarray:
        """The date of each day, ``datetime64[D]``."""
        return np.datetime64(self.start_date, "D") + np.arange(self.n_days)

    def head(self, n_days: int) -> DemandHistory:
        """The first ``n_days`` days (history as it was known on day ``n_days``)."""
        return DemandHistory(
            self.orders[:, :n_days],
            self.start_date,
            self.first_interval_min,
            self.interval_minutes,
            self.store_ids,
        )

    def surge_factor(self, calendar: SurgeCalendar, dates: np.ndarray) -> np.ndarray:
        """Surge factor ``[stores, dates]``; store-specific periods need ``store_ids``."""
        if self.store_ids:
            return calendar.factor_for(dates, self.store_ids)
        return np.repeat(calendar.factor_for(dates)[None, :], self.n_stores, axis=0)


@dataclass(frozen=True)
class DemandForecast:
    """Expected orders ``[stores, dates, intervals]`` and the pieces that made them."""

    dates: np.ndarray
    expected_orders: np.ndarray
    surge_factor: np.ndarray
    """``[stores, dates]``: calendar factor applied to each target date."""
    growth_per_day: np.ndarray
    """``[stores]``: damped daily growth rate of the trend term (0.01 = +1 % a day)."""
    first_interval_min: int
    interval_minutes: int
    store_ids: tuple[str, ...] = ()

    @property
    def arrivals_per_hour(self) -> np.ndarray:
        """Expected orders as an hourly rate λ, the unit the queue model takes."""
        return self.expected_orders * (60.0 / self.interval_minutes)


@dataclass(frozen=True)
class BacktestResult:
    """Errors of the model and of "same interval last week" on the held-out weeks, in percent.

    MAPE averages |forecast - actual| / actual over intervals with actual > 0 (quiet intervals
    inflate it); WAPE is sum |forecast - actual| / sum actual over all compared intervals, the
    fairer headline. Both forecasts are compared on the same intervals (actual and last week known).
    """

    holdout_start: date
    holdout_days: int
    n_intervals: int
    mape: float
    wape: float
    naive_mape: float
    naive_wape: float
    store_wape: np.ndarray
    naive_store_wape: np.ndarray


def _weighted_profile(
    history: DemandHistory, calendar: SurgeCalendar, config: DemandConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deseasonalised history, profile ``[s, weekday, i]`` and the profile's weighted mean age in days."""
    days = history.dates
    x = history.orders / history.surge_factor(calendar, days)[:, :, None]
    age = (days[-1] - days).astype(float)
    weights = 0.5 ** (age / config.half_life_days)
    by_weekday = (weekday(days)[:, None] == np.arange(7)) * weights[:, None]  # [d, 7]
    known = np.isfinite(x)
    values = np.where(known, x, 0.0)
    total = np.einsum("sdi,dk->ski", values, by_weekday)
    weight = np.einsum("sdi,dk->ski", known, by_weekday)
    age_sum = np.einsum("sdi,dk->ski", known, by_weekday * age[:, None])
    # A weekday-interval never observed falls back to that interval on any weekday, else to 0.
    empty = weight == 0
    if empty.any():
        total, weight, age_sum = (
            np.where(empty, a.sum(axis=1, keepdims=True), a) for a in (total, weight, age_sum)
        )
    safe = np.where(weight > 0, weight, 1.0)
    return x, total / safe, age_sum / safe


def _growth_per_day(x: np.ndarray, typical: np.ndarray, config: DemandConfig) -> np.ndarray:
    """Damped daily growth rate per store from the level of two windows; 0 where a window is empty.

    A window's level is its orders over what the profile expects for the same known weekdays and
    intervals (``typical``, shaped like ``x``), so missing days or a weekend-heavy window do not
    read as growth.
    """
    n_days = x.shape[1]
    age = n_days - 1 - np.arange(n_days)
    recent = age < config.trend_recent_days
    prior = ~recent & (age < config.trend_recent_days + config.trend_baseline_days)
    known = np.isfinite(x)
    actual = np.where(known, x, 0.0)
    typical = np.where(known, typical, 0.0)

    def level(window: np.ndarray) -> np.ndarray:
        expected = typical[:, window].sum(axis=(1, 2))
        out = np.zeros_like(expected)
        return np.divide(actual[:, window].sum(axis=(1, 2)), expected, out=out, where=expected > 0)

    lvl_recent, lvl_prior = level(recent), level(prior)
    ratio = np.divide(
        lvl_recent, lvl_prior, out=np.ones_like(lvl_recent), where=(lvl_recent > 0) & (lvl_prior > 0)
    )
    centre_distance = (config.trend_recent_days + config.trend_baseline_days) / 2
    return config.trend_damping * np.log(ratio) / centre_distance


def weekday_profile(
    history: DemandHistory, calendar: SurgeCalendar = DEFAULT_CALENDAR, config: DemandConfig = DEFAULT_CONFIG
) -> np.ndarray:
    """Typical orders ``[stores, weekday (Mon=0), interval]`` with surges divided out, no trend."""
    return _weighted_profile(history, calendar, config)[1]


def forecast(
    history: DemandHistory,
    target_dates: DateLike | Iterable[DateLike],
    calendar: SurgeCalendar = DEFAULT_CALENDAR,
    config: DemandConfig = DEFAULT_CONFIG,
) -> DemandForecast:
    """Expected orders per store, target date and interval.

    ``expected = profile[weekday] × clip(exp(g × (days ahead + profile age))) × surge factor``,
    where ``g`` is the damped daily growth rate (module docstring).
    """
    targets = as_days(target_dates)
    x, profile, profile_age = _weighted_profile(history, calendar, config)
    growth = _growth_per_day(x, profile[:, weekday(history.dates), :], config)
    ahead = (targets - history.dates[-1]).astype(float)  # days after the last history day
    span = ahead[None, :, None] + profile_age[:, weekday(targets), :]
    trend = np.clip(np.exp(growth[:, None, None] * span), *config.trend_limits)
    surge = history.surge_factor(calendar, targets)
    expected = profile[:, weekday(targets), :] * trend * surge[:, :, None]
    return DemandForecast(
        dates=targets,
        expected_orders=expected,
        surge_factor=surge,
        growth_per_day=growth,
        first_interval_min=history.first_interval_min,
        interval_minutes=history.interval_minutes,
        store_ids=history.store_ids,
    )


def _errors(
    predicted: np.ndarray, actual: np.ndarray, compared: np.ndarray
) -> tuple[float, float, np.ndarray]:
    """MAPE and WAPE in percent over the ``compared`` intervals; WAPE also per store."""
    error = np.where(compared, np.abs(predicted - actual), 0.0)
    actual = np.where(compared, actual, 0.0)
    positive = actual > 0
    mape = 100 * float((error[positive] / actual[positive]).mean()) if positive.any() else float("nan")
    wape = 100 * float(error.sum() / actual.sum()) if positive.any() else float("nan")
    store_actual = actual.sum(axis=(1, 2))
    store_wape = np.full(store_actual.shape, np.nan)
    np.divide(100 * error.sum(axis=(1, 2)), store_actual, out=store_wape, where=store_actual > 0)
    return mape, wape, store_wape


def backtest(
    history: DemandHistory,
    holdout_weeks: int = 2,
    calendar: SurgeCalendar = DEFAULT_CALENDAR,
    config: DemandConfig = DEFAULT_CONFIG,
) -> BacktestResult:
    """Fit on all but the last ``holdout_weeks`` weeks, forecast those, and score model and naive.

    The naive forecast is the actual of the same interval seven days earlier; in the second
    held-out week that is a held-out actual, so naive forecasts only 7 days ahead while the model
    forecasts up to ``7 × holdout_weeks`` days ahead (a comparison slanted towards naive).
    """
    holdout = 7 * holdout_weeks
    cut = history.n_days - holdout
    if holdout_weeks < 1 or cut < 7:
        raise ValueError(f"need at least one week of history before {holdout_weeks} held-out weeks")
    predicted = forecast(history.head(cut), history.dates[cut:], calendar, config).expected_orders
    actual = history.orders[:, cut:]
    naive = history.orders[:, cut - 7 : history.n_days - 7]
    compared = np.isfinite(actual) & np.isfinite(naive)
    mape, wape, store = _errors(predicted, actual, compared)
    naive_mape, naive_wape, naive_store = _errors(naive, actual, compared)
    return BacktestResult(
        holdout_start=history.dates[cut].item(),
        holdout_days=holdout,
        n_intervals=int(compared.sum()),
        mape=mape,
        wape=wape,
        naive_mape=naive_mape,
        naive_wape=naive_wape,
        store_wape=store,
        naive_store_wape=naive_store,
    )
