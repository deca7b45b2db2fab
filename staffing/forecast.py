"""Expected orders per store and interval with P10/P50/P90: a pooled count model (issue 13).

The old model (``staffing.demand``) averaged each weekday × interval cell of one store over about
five effective weeks, so noise won and a store without history forecast zero. This one pools:

1. **Shape.** Each store's share of a day's orders per interval is shrunk towards the shape of
   similar stores (empirical Bayes: a Dirichlet prior whose strength is estimated from how far
   stores really differ, beyond sampling noise); each weekday's shape is then shrunk towards
   the store's own all-week shape, bent by how the peers' weekdays differ (weekend rushes come
   later). Weekday totals are shrunk towards the peers' weekday totals the same way.
2. **Level.** Daily totals divided by the weekday factor are followed by exponential smoothing;
   the smoothing rate is chosen per store among a few values by its own one-day-ahead errors
   in the history (nothing is tuned on the days being forecast). A single day's jump is
   limited to a factor of ``level_step_limit`` so one promotion does not carry over.
3. **Spread.** Orders in a cell are negative binomial around ``level × weekday total × share``:
   variance ``mean + mean² · (day shock + cell noise + shape uncertainty)``. The day shock
   (weather, a bus that did not come) is shared by all intervals of a day; it and the cell
   noise are estimated per store from one-day-ahead residuals and shrunk towards the chain.
   Because the day shock is shared, sums over an hour or a day get the right (wider) spread.
4. **New stores.** A store with fewer than ``own_history_days`` days of sales takes its shape
   and weekday totals from its peers (``peer_group``, supplied by the caller: same tier,
   region, opening hours) scaled by its own first days, and is labelled "similar stores";
   with no sales at all its level is the peers' median.
5. **Surges.** A calendar period is estimated from the data when the history covers an
   occurrence of it (the ratio of its days to the weeks around it, per store, shrunk to the
   chain). A period the data does not cover is applied only if its label is in
   ``surges_turned_on`` (a manager turned it on), with its calendar factor.

Numpy only; vectorised over stores: 2,000 stores × 8 weeks fit in 1.3-2.8 s and a 7-day
forecast with P10/P50/P90 per interval takes 0.8-2.1 s on the loaded 2-core project machine
(benchmarks/bench_demand.py times it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from staffing.counts import count_quantiles
from staffing.demand import DemandHistory
from staffing.surge import DateLike, SurgeCalendar, as_days, weekday

SOURCE_OWN = "own history"
SOURCE_SIMILAR = "similar stores"
SOURCE_SURGE = "surge"


@dataclass(frozen=True)
class CountModelConfig:
    """Settings of the pooled count model; every default was chosen by design, not on test data."""

    profile_half_life_days: float = 56.0
    """Weight of a past day in the shape halves every eight weeks: shapes change slowly."""
    level_smoothing: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5)
    """Smoothing rates the level may use; each store takes the one with the smallest
    one-day-ahead error on its own history."""
    level_step_limit: float = 2.5
    """A single day moves the level as if it were at most this factor above or below it."""
    weekday_prior_days: float = 2.0
    """Weekday totals are shrunk towards the peers' as if the peers added this many days."""
    own_history_days: int = 28
    """Fewer days of own sales than this: the forecast is labelled "similar stores"."""
    surges_turned_on: frozenset[str] = frozenset()
    """Labels of calendar periods a manager turned on: applied with their calendar factor
    when the history does not cover them. Periods the data covers are estimated instead."""
    surge_min_days: int = 5
    """An occurrence of a period is estimated from at least this many days of sales in it."""
    surge_reference_days: int = 28
    """Days before and after an occurrence that it is compared with."""

    def __post_init__(self) -> None:
        if self.profile_half_life_days <= 0 or self.own_history_days < 1:
            raise ValueError("half-life and own-history days must be positive")
        if not self.level_smoothing or not all(0 < a <= 1 for a in self.level_smoothing):
            raise ValueError(f"level smoothing rates must lie in (0, 1], got {self.level_smoothing}")
        if self.level_step_limit <= 1:
            raise ValueError(f"level_step_limit must exceed 1, got {self.level_step_limit}")
        object.__setattr__(self, "surges_turned_on", frozenset(self.surges_turned_on))


DEFAULT_COUNT_CONFIG = CountModelConfig()


@dataclass(frozen=True)
class CountModel:
    """A fitted model: what :func:`fit_count_model` learnt, ready to :meth:`predict` any dates."""

    last_day: np.datetime64
    level: np.ndarray
    """``[stores]``: orders on a day whose weekday total is 1, at the end of the history."""
    level_rate: np.ndarray
    """``[stores]``: the exponential-smoothing rate each store's level uses."""
    rate: np.ndarray
    """``[stores, weekday, interval]``: expected orders per unit level (weekday total × share)."""
    shape_cv2: np.ndarray
    """``[stores, weekday, interval]``: squared coefficient of variation of the estimated rate."""
    day_shock: np.ndarray
    """``[stores]``: variance of the day's multiplicative shock shared by its intervals."""
    cell_noise: np.ndarray
    """``[stores]``: variance of the multiplicative noise of one interval beyond Poisson."""
    level_cv2: np.ndarray
    """``[stores]``: extra uncertainty of the level of a store with few or no days of sales."""
    own_days: np.ndarray
    """``[stores]``: days with sales in the history."""
    source: np.ndarray
    """``[stores]``: "own history" or "similar stores"."""
    surge_effects: dict[str, np.ndarray]
    """Per calendar label estimated from the data: factor ``[stores]`` (NaN: not covered)."""
    calendar: SurgeCalendar
    config: CountModelConfig
    first_interval_min: int
    interval_minutes: int
    store_ids: tuple[str, ...] = ()

    def subset(self, rows: Iterable[int]) -> CountModel:
        """The model of some stores only (rows of the history), so one store's forecast costs
        one store's work though it was fitted with the whole chain."""
        idx = np.asarray(list(rows), dtype=np.int64)
        per_store = (
            "level",
            "level_rate",
            "rate",
            "shape_cv2",
            "day_shock",
            "cell_noise",
            "level_cv2",
            "own_days",
            "source",
        )
        return replace(
            self,
            **{name: getattr(self, name)[idx] for name in per_store},
            surge_effects={label: effect[idx] for label, effect in self.surge_effects.items()},
            store_ids=tuple(self.store_ids[i] for i in idx) if self.store_ids else (),
        )

    def predict(self, target_dates: DateLike | Iterable[DateLike]) -> CountForecast:
        """Mean, spread and source of every store, target date and interval."""
        targets = as_days(target_dates)
        n_stores = self.level.size
        ahead = np.maximum((targets - self.last_day).astype(np.int64), 1)
        twd = weekday(targets)
        surge = np.ones((n_stores, targets.size))
        for period in self.calendar.periods:
            active = period.active(targets)
            if not active.any():
                continue
            applies = _applies(period, self.store_ids, n_stores)
            effect = self.surge_effects.get(period.label)
            if effect is not None:
                factor = np.where(np.isfinite(effect), effect, 1.0)
            elif period.label in self.config.surges_turned_on:
                factor = np.full(n_stores, period.demand_factor)
            else:
                continue
            surge[np.ix_(applies, active)] *= factor[applies, None]
        mean = self.level[:, None, None] * self.rate[:, twd, :] * surge[:, :, None]
        growth = 1 + (ahead[None, :] - 1) * self.level_rate[:, None] ** 2
        day = self.day_shock[:, None] * growth + self.level_cv2[:, None]
        cell = self.cell_noise[:, None, None] + self.shape_cv2[:, twd, :]
        source = np.where(surge != 1.0, SOURCE_SURGE, self.source[:, None])
        return CountForecast(
            dates=targets,
            expected_orders=mean,
            day_dispersion=day,
            cell_dispersion=cell,
            surge_factor=surge,
            source=source,
            first_interval_min=self.first_interval_min,
            interval_minutes=self.interval_minutes,
            store_ids=self.store_ids,
        )


@dataclass(frozen=True)
class CountForecast:
    """Expected orders ``[stores, dates, intervals]`` with the spread to give any quantile.

    ``expected_orders``, ``surge_factor``, ``arrivals_per_hour`` and ``store_ids`` mean what
    they mean in ``staffing.demand.DemandForecast``, so either feeds the queue model.
    """

    dates: np.ndarray
    expected_orders: np.ndarray
    day_dispersion: np.ndarray
    """``[stores, dates]``: variance of the day shock shared by the day's intervals."""
    cell_dispersion: np.ndarray
    """``[stores, dates, intervals]``: variance of the noise of each interval on its own."""
    surge_factor: np.ndarray
    """``[stores, dates]``: surge factor applied (1.0: none)."""
    source: np.ndarray
    """``[stores, dates]``: "own history", "similar stores" or "surge" (a surge was applied)."""
    first_interval_min: int
    interval_minutes: int
    store_ids: tuple[str, ...] = ()
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def arrivals_per_hour(self) -> np.ndarray:
        """Expected orders as an hourly rate λ, the unit the queue model takes."""
        return self.expected_orders * (60.0 / self.interval_minutes)

    @property
    def dispersion(self) -> np.ndarray:
        """``[stores, dates, intervals]``: ``a`` in ``variance = mean + a · mean²`` per interval."""
        return self.day_dispersion[:, :, None] + self.cell_dispersion

    def buckets(self, intervals_per_bucket: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean and dispersion of sums over consecutive intervals (4 = hours, all = the day).

        The day shock is shared within a bucket, so its variance grows with the square of the
        bucket's mean; the cell noise adds up interval by interval.
        """
        mean, cell = self.expected_orders, self.cell_dispersion
        n = mean.shape[-1]
        k = int(intervals_per_bucket)
        if k < 1:
            raise ValueError("a bucket holds at least one interval")
        pad = (-n) % k
        if pad:
            widths = [(0, 0), (0, 0), (0, pad)]
            mean, cell = np.pad(mean, widths), np.pad(cell, widths)
        shape = (*mean.shape[:2], -1, k)
        total = mean.reshape(shape).sum(-1)
        cell_var = (mean * mean * cell).reshape(shape).sum(-1)
        safe = np.where(total > 0, total, 1.0)
        disp = self.day_dispersion[:, :, None] + cell_var / (safe * safe)
        return total, np.where(total > 0, disp, 0.0)

    def quantile(self, q: float, intervals_per_bucket: int = 1) -> np.ndarray:
        """The ``q`` quantile of orders per interval (or per bucket of intervals)."""
        key = (float(q), int(intervals_per_bucket))
        if key not in self._cache:
            mean, disp = self.buckets(intervals_per_bucket)
            self._cache[key] = count_quantiles([q], mean, disp)[0]
        return self._cache[key]

    def planned(self, q: float | None, intervals_per_bucket: int = 4) -> np.ndarray:
        """Orders per interval to plan staff for: the mean (``q`` None), else the ``q`` quantile
        of each bucket of intervals (4: an hour), spread over its intervals as the mean is.

        The hour, not the quarter hour: a quarter hour's quantile is a small whole number (the
        median of 0.7 expected orders is 0), which would plan a rush as jumps between 0 and 2.
        """
        if q is None:
            return self.expected_orders
        k = int(intervals_per_bucket)
        mean, _ = self.buckets(k)
        high = self.quantile(q, k)
        ratio = np.where(mean > 0, high / np.where(mean > 0, mean, 1.0), 0.0)
        n = self.expected_orders.shape[-1]
        return self.expected_orders * np.repeat(ratio, k, axis=-1)[..., :n]

    @property
    def p10(self) -> np.ndarray:
        return self.quantile(0.1)

    @property
    def p50(self) -> np.ndarray:
        return self.quantile(0.5)

    @property
    def p90(self) -> np.ndarray:
        return self.quantile(0.9)


@dataclass(frozen=True)
class PlanningSettings:
    """How staffing is planned from the forecast: the chain's setting ``staffing.forecast``."""

    plan_quantile: float | None = None
    """None: plan staff for the expected orders (the mean). Else plan for this quantile of each
    hour's orders (0.5-0.99; 0.9: staff as if every hour were as busy as one in ten gets)."""
    surges_turned_on: frozenset[str] = frozenset()
    """Yearly surge-calendar periods (the 3·15 season, a holiday) applied with their calendar
    factor where the sales history holds no earlier occurrence to estimate them from; a dated
    period (a promotion) is turned on by being entered (``storemon.services.forecasts``)."""

    def __post_init__(self) -> None:
        q = self.plan_quantile
        if q is not None and not 0.5 <= q <= 0.99:
            raise ValueError(f"plan_quantile must be between 0.5 and 0.99 (or none: the mean), got {q}")
        object.__setattr__(self, "surges_turned_on", frozenset(self.surges_turned_on))

    @property
    def plan_label(self) -> str:
        """ "mean" or "p90" and the like, as the CLI and reports name it."""
        return "mean" if self.plan_quantile is None else f"p{round(self.plan_quantile * 100):d}"


def peer_groups(*columns: np.ndarray | Iterable) -> np.ndarray:
    """One integer group per store from any number of per-store columns (tier, region, opening
    and closing minute, ...): stores with equal values in every column share a group."""
    if not columns:
        raise ValueError("give at least one column of per-store values")
    codes = [
        np.unique(np.asarray(list(c) if not isinstance(c, np.ndarray) else c), return_inverse=True)[1]
        for c in columns
    ]
    if len({c.size for c in codes}) != 1:
        raise ValueError("every column needs one value per store")
    return np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)[1].ravel()


def forecast_counts(
    history: DemandHistory,
    target_dates: DateLike | Iterable[DateLike],
    calendar: SurgeCalendar | None = None,
    config: CountModelConfig = DEFAULT_COUNT_CONFIG,
    peer_group: np.ndarray | None = None,
) -> CountForecast:
    """Fit on ``history`` and forecast ``target_dates``: the one call most callers need."""
    return fit_count_model(history, calendar, config, peer_group).predict(target_dates)


def fit_count_model(
    history: DemandHistory,
    calendar: SurgeCalendar | None = None,
    config: CountModelConfig = DEFAULT_COUNT_CONFIG,
    peer_group: np.ndarray | None = None,
) -> CountModel:
    """Fit the pooled count model to every store of ``history`` at once.

    ``calendar`` lists the surge periods (default: the built-in 3·15 season); a period only
    changes the forecast when the data covers it or ``config.surges_turned_on`` names it.
    ``peer_group`` gives each store an integer group (stores of one group are "similar": the
    caller decides, e.g. same tier, region and opening hours); ``None`` makes the whole chain
    one group. A store with no sales yet must still be a row of ``history`` (all NaN).
    """
    calendar = SurgeCalendar.default() if calendar is None else calendar
    y = history.orders
    n_stores, n_days, n_int = y.shape
    days = history.dates
    wd = weekday(days)
    groups = _groups(peer_group, n_stores)

    known = np.isfinite(y).all(axis=2)  # a day with a missing interval counts as missing
    y = np.where(known[:, :, None], y, 0.0)
    own_days = known.sum(axis=1)
    mature = own_days >= config.own_history_days
    peers = _Peers(groups, mature, own_days)
    onehot = (wd[:, None] == np.arange(7)).astype(float)  # [days, 7]
    recency = 0.5 ** ((n_days - 1 - np.arange(n_days)) / config.profile_half_life_days)
    weight = known * recency  # [stores, days]

    # Rough weekday factors and a centred level, to normalise days before anything is pooled.
    totals = y.sum(axis=2)
    f0 = _weekday_totals(totals, weight, onehot, None, peers, 2.0)
    day_effect = np.ones((n_stores, n_days))
    centred = _centred_level(np.where(known, totals / f0[:, wd], np.nan))
    effects = _surge_effects(calendar, history, known, totals / f0[:, wd], config, day_effect)
    if effects:
        y = y / day_effect[:, :, None]
        totals = y.sum(axis=2)
        centred = _centred_level(np.where(known, totals / f0[:, wd], np.nan))
    exposure = np.where(known, np.nan_to_num(centred), 0.0)  # level-days behind each day

    # Shape: counts per weekday and interval, weighted by recency.
    counts = np.stack([np.einsum("sdi,sd->si", y[:, wd == k], weight[:, wd == k]) for k in range(7)], axis=1)
    week_counts = counts.sum(axis=1)  # [s, i]
    store_share = _shares(week_counts)
    peer_share = peers.mean(store_share)
    share_all, _ = _eb_shares(week_counts, _fallback(peer_share, store_share))
    weekday_share = _shares(counts)
    peer_weekday = peers.mean(weekday_share)
    bend = peer_weekday / np.maximum(peer_share[:, None, :], 1e-9)
    prior = share_all[:, None, :] * np.clip(np.where(peer_weekday > 0, bend, 1.0), 0.2, 5.0)
    prior = _shares(prior, fallback=share_all[:, None, :])
    shares, concentration = _eb_shares(counts, prior)

    # Weekday totals per unit of level, shrunk towards the peers'.
    g_weekday = _weekday_totals(totals, weight, onehot, exposure, peers, config.weekday_prior_days)
    rate = g_weekday[:, :, None] * shares
    n_k = counts.sum(axis=2)
    share_cv2 = (1 - shares) / np.maximum(shares, 1e-9) / (n_k[:, :, None] + concentration + 1)

    # Level: exponential smoothing of weekday-adjusted daily totals, rate chosen per store.
    daily = g_weekday[:, wd]
    lam = np.where(known, totals / np.maximum(daily, 1e-9), np.nan)
    level, level_rate, predicted, scored = _smooth_level(lam, known, config, totals, daily)

    # Spread from one-day-ahead residuals of the last four weeks (original scale, surges put back).
    recent = slice(max(0, n_days - 28), n_days)
    on = scored[:, recent]
    day_scale = np.where(on, predicted[:, recent], 0.0) * day_effect[:, recent]
    mu = rate[:, wd[recent], :] * day_scale[:, :, None]
    actual = y[:, recent] * (day_effect[:, recent] * on)[:, :, None]
    day_shock, cell_noise = _dispersion(actual, mu, on)
    days_k = weight @ onehot  # effective days behind each weekday total
    total_cv2 = day_shock[:, None] / (days_k + config.weekday_prior_days)
    shape_cv2 = np.minimum(share_cv2, 4.0) + total_cv2[:, :, None]

    # Stores without (enough) sales: peers' level, wider spread.
    has_level = np.isfinite(level)
    peer_level = _peer_median(level, groups, mature & has_level)
    level_cv2 = np.where(own_days > 0, day_shock / np.maximum(np.minimum(own_days, 10), 1), 0.0)
    level_cv2 = np.where(mature, 0.0, level_cv2)
    spread = _log_spread(level, mature & has_level)
    level_cv2 = np.where(has_level, level_cv2, spread)
    level = np.where(has_level, level, peer_level)
    level = np.nan_to_num(level)
    source = np.where(mature, SOURCE_OWN, SOURCE_SIMILAR)

    return CountModel(
        last_day=days[-1],
        level=level,
        level_rate=level_rate,
        rate=rate,
        shape_cv2=shape_cv2,
        day_shock=day_shock,
        cell_noise=cell_noise,
        level_cv2=level_cv2,
        own_days=own_days,
        source=source,
        surge_effects=effects,
        calendar=calendar,
        config=config,
        first_interval_min=history.first_interval_min,
        interval_minutes=history.interval_minutes,
        store_ids=history.store_ids,
    )


# --- pieces -----------------------------------------------------------------------------------


def _groups(peer_group: np.ndarray | None, n_stores: int) -> np.ndarray:
    if peer_group is None:
        return np.zeros(n_stores, dtype=np.int64)
    groups = np.asarray(peer_group)
    if groups.shape != (n_stores,):
        raise ValueError(f"peer_group needs one entry per store ({n_stores}), got shape {groups.shape}")
    return np.unique(groups, return_inverse=True)[1].ravel()


class _Peers:
    """Equal-weight means over each store's similar stores: the mature stores of its group, else
    any mature store, else any store with sales. Equal weights, so one big store does not set
    the chain's shape. Works through group sums, so 2,000 stores cost no 2,000 × 2,000 matrix."""

    def __init__(self, groups: np.ndarray, mature: np.ndarray, own_days: np.ndarray) -> None:
        n_groups = int(groups.max()) + 1 if groups.size else 0
        member = groups[None, :] == np.arange(n_groups)[:, None]  # [groups, stores]
        pool = next((p for p in (mature, own_days > 0) if p.any()), np.ones_like(mature))
        weights = member & pool[None, :]
        empty = ~weights.any(axis=1)
        weights[empty] = pool[None, :]
        self.weights = weights / weights.sum(axis=1, keepdims=True)
        self.groups = groups

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Peer mean of ``values [stores, ...]`` for every store, shaped like ``values``."""
        flat = values.reshape(values.shape[0], -1)
        return (self.weights @ flat)[self.groups].reshape(values.shape)


def _shares(counts: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    """Counts over the last axis as shares; an all-zero row takes ``fallback`` (or uniform)."""
    total = counts.sum(axis=-1, keepdims=True)
    uniform = np.full_like(counts, 1.0 / counts.shape[-1])
    alt = uniform if fallback is None else np.broadcast_to(fallback, counts.shape)
    return np.where(total > 0, counts / np.where(total > 0, total, 1.0), alt)


def _fallback(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    ok = primary.sum(axis=-1, keepdims=True) > 0
    return np.where(ok, primary, secondary)


def _eb_shares(counts: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, float]:
    """Posterior mean shares under a Dirichlet prior centred on ``prior`` (rows on the last axis).

    The prior's concentration ``A`` comes from the data by the method of moments, pooled over
    all rows: the spread of observed shares around the prior beyond multinomial sampling noise
    is ``1/(A + 1)`` of the multinomial spread of one draw.
    """
    n = counts.sum(axis=-1, keepdims=True)
    x = counts / np.where(n > 0, n, 1.0)
    pq = prior * (1 - prior)
    use = (n > 1)[..., 0]
    if use.any():
        excess = ((x - prior) ** 2 - pq / np.maximum(n, 1)).sum(axis=-1)
        base = (pq * (1 - 1 / np.maximum(n, 1))).sum(axis=-1)
        w = n[..., 0]
        tau = float((w * excess)[use].sum() / max((w * base)[use].sum(), 1e-12))
    else:
        tau = 0.0
    concentration = 1.0 / max(tau, 1e-6) - 1.0
    concentration = float(np.clip(concentration, 1.0, 1e6))
    return (counts + concentration * prior) / (n + concentration), concentration


def _weekday_totals(
    totals: np.ndarray,
    weight: np.ndarray,
    onehot: np.ndarray,
    exposure: np.ndarray | None,
    peers: _Peers,
    prior_days: float,
) -> np.ndarray:
    """Orders per unit level on each weekday ``[stores, 7]``, shrunk towards the peers'.

    ``exposure`` is the level behind each day; without it the result is each weekday's mean
    daily total relative to the store's mean day (the rough factor used before a level exists).
    """
    num = (np.nan_to_num(totals) * weight) @ onehot
    den = ((1.0 if exposure is None else exposure) * weight) @ onehot
    if exposure is None:
        scale = num.sum(axis=1, keepdims=True) / np.maximum(den.sum(axis=1, keepdims=True), 1e-12)
        den = den * np.where(scale > 0, scale, 1.0)
    own = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    peer = peers.mean(np.nan_to_num(own, nan=1.0))
    mean_den = den / np.maximum(weight @ onehot, 1e-12)  # level per weekday day
    pseudo = prior_days * np.where(mean_den > 0, mean_den, 1.0)
    out = (num + pseudo * peer) / (den + pseudo)
    return np.where(out > 0, out, np.where(peer > 0, peer, 1.0))


def _centred_level(lam: np.ndarray, half_window: int = 7) -> np.ndarray:
    """Mean of the known values within ±``half_window`` days (NaN where none)."""
    known = np.isfinite(lam)
    v = np.where(known, lam, 0.0)
    pad = [(0, 0), (half_window + 1, half_window)]
    cv = np.cumsum(np.pad(v, pad), axis=1)
    ck = np.cumsum(np.pad(known.astype(float), pad), axis=1)
    width = 2 * half_window + 1
    s = cv[:, width:] - cv[:, :-width]
    k = ck[:, width:] - ck[:, :-width]
    out = np.full(lam.shape, np.nan)
    np.divide(s, k, out=out, where=k > 0)
    return out


def _applies(period, store_ids: tuple[str, ...], n_stores: int) -> np.ndarray:
    if store_ids:
        return np.array([period.applies_to(s) for s in store_ids])
    return np.full(n_stores, period.stores is None)


def _surge_effects(
    calendar: SurgeCalendar,
    history: DemandHistory,
    known: np.ndarray,
    lam: np.ndarray,
    config: CountModelConfig,
    day_effect: np.ndarray,
) -> dict[str, np.ndarray]:
    """Estimate each period the history covers; multiply ``day_effect`` (in place) by it.

    Effect of one period for one store: mean weekday-adjusted daily total on its days over the
    mean on the ``surge_reference_days`` before and after (days of other periods excluded),
    shrunk towards the chain's effect with two weeks of prior weight. Only occurrences with a
    week of history on both sides count: compared with one side only, a surge and a trend
    look the same (an occurrence still running at the end of the history is left out of the
    estimate, but its days are divided by the effect like the others).
    """
    days = history.dates
    n_stores = known.shape[0]
    any_period = np.zeros(days.size, dtype=bool)
    actives = []
    for period in calendar.periods:
        active = period.active(days)
        actives.append(active)
        any_period |= active
    effects: dict[str, np.ndarray] = {}
    index = np.arange(days.size)
    for period, every_day in zip(calendar.periods, actives, strict=True):
        active = _complete_runs(every_day, 7)
        if active.sum() < config.surge_min_days:
            continue
        on = np.flatnonzero(active)
        distance = np.abs(index[:, None] - on[None, :]).min(axis=1)
        reference = ~any_period & (distance <= config.surge_reference_days)
        applies = _applies(period, history.store_ids, n_stores)
        inside = known & active[None, :]
        around = known & reference[None, :]
        n_in, n_ref = inside.sum(axis=1), around.sum(axis=1)
        ok = applies & (n_in >= config.surge_min_days) & (n_ref >= 7)
        if not ok.any():
            continue
        mean_in = np.where(inside, lam, 0).sum(axis=1) / np.maximum(n_in, 1)
        mean_ref = np.where(around, lam, 0).sum(axis=1) / np.maximum(n_ref, 1)
        ok &= (mean_in > 0) & (mean_ref > 0)
        if not ok.any():
            continue
        log_ratio = np.log(np.where(ok, mean_in, 1.0) / np.where(ok, mean_ref, 1.0))
        chain = float(np.average(log_ratio[ok], weights=n_in[ok]))
        own = (n_in * log_ratio + 14.0 * chain) / (n_in + 14.0)
        effect = np.where(applies, np.exp(np.where(ok, own, chain)), np.nan)
        effects[period.label] = effect
        # Estimated from complete occurrences, but taken out of every day of the period: a season
        # still running at the end of the history must not lift the level it is applied to again.
        day_effect[np.ix_(applies, every_day)] *= effect[applies, None]
    return effects


def _complete_runs(active: np.ndarray, margin: int) -> np.ndarray:
    """``active`` without the runs of days that start or end within ``margin`` days of an edge."""
    out = active.copy()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], active.astype(np.int8), [0]])))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if start < margin or stop > active.size - margin:
            out[start:stop] = False
    return out


def _smooth_level(
    lam: np.ndarray, known: np.ndarray, config: CountModelConfig, totals: np.ndarray, daily: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exponential smoothing of ``lam [stores, days]`` for every candidate rate at once.

    Returns the final level and the chosen rate per store, the one-day-ahead level for every
    day under that rate, and which days are scored (after a store's first week of sales).
    """
    alphas = np.asarray(config.level_smoothing)[:, None]
    n_stores, n_days = lam.shape
    rank = np.cumsum(known, axis=1)
    first_week = known & (rank <= 7)
    init = np.where(first_week, lam, 0).sum(axis=1) / np.maximum(first_week.sum(axis=1), 1)
    started = np.zeros(n_stores, dtype=bool)
    level = np.tile(init, (alphas.shape[0], 1))
    predicted = np.full((alphas.shape[0], n_stores, n_days), np.nan)
    limit = config.level_step_limit
    for d in range(n_days):
        k = known[:, d]
        predicted[:, :, d] = np.where(started, level, np.nan)
        x = np.clip(lam[:, d], level / limit, level * limit)
        level = np.where(k, level + alphas * (x - level), level)
        started |= k
    scored = known & (rank > 7)
    err = np.where(scored, totals - np.nan_to_num(predicted) * daily, 0.0)
    sse = (err * err).sum(axis=2)  # [alphas, stores]
    chain_best = int(np.argmin(sse.sum(axis=1)))
    best = np.where(scored.sum(axis=1) >= 14, np.argmin(sse, axis=0), chain_best)
    cols = np.arange(n_stores)
    final = np.where(started, level[best, cols], np.nan)
    return final, alphas[best, 0], predicted[best, cols], scored


def _dispersion(actual: np.ndarray, mu: np.ndarray, scored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day-shock and cell-noise variances per store from one-day-ahead residuals, by moments.

    ``E[(y - m)² - m] = m²·(day + cell)`` per cell; per day ``E[(T - M)² - M] = M²·day +
    Σ m²·cell``. Stores with little history lean on the chain's figures (two weeks of weight).
    """
    r_cell = ((actual - mu) ** 2 - mu).sum(axis=(1, 2))
    q_cell = (mu * mu).sum(axis=(1, 2))
    t, m = actual.sum(axis=2), mu.sum(axis=2)
    r_day = ((t - m) ** 2 - m).sum(axis=1)
    q_day = (m * m).sum(axis=1)

    def solve(rc, qc, rd, qd):
        total = np.maximum(rc / np.maximum(qc, 1e-12), 0.0)
        day = (rd - total * qc) / np.maximum(qd - qc, 1e-12)
        day = np.clip(day, 0.0, total)
        return day, np.maximum(total - day, 0.0)

    chain_day, chain_cell = solve(r_cell.sum(), q_cell.sum(), r_day.sum(), q_day.sum())
    own_day, own_cell = solve(r_cell, q_cell, r_day, q_day)
    n = scored.sum(axis=1)
    w = n / (n + 14.0)
    day = w * own_day + (1 - w) * chain_day
    cell = w * own_cell + (1 - w) * chain_cell
    return np.maximum(day, 0.002), np.maximum(cell, 0.002)


def _peer_median(level: np.ndarray, groups: np.ndarray, usable: np.ndarray) -> np.ndarray:
    out = np.full(level.shape, np.nan)
    overall = float(np.median(level[usable])) if usable.any() else np.nan
    for g in np.unique(groups):
        members = usable & (groups == g)
        out[groups == g] = float(np.median(level[members])) if members.any() else overall
    return out


def _log_spread(level: np.ndarray, usable: np.ndarray) -> float:
    if usable.sum() < 2:
        return 1.0
    return float(np.var(np.log(np.maximum(level[usable], 1e-9))))
