"""Order histories for judging demand forecasts: the demo chain, a chain built differently, a real bakery.

Each function returns ``(orders[stores, days, intervals], first_day, first_interval_min, info)``
with NaN for days a store had no sales (closed, or not open yet). Numpy only, no database, so
tests can use :func:`shocked_chain` too.

- :func:`demo_chain` follows ``storemon/services/demo.py`` (``_sales``): revenue levels, store
  types, the same day profile, weekly trend, day noise, the 3·15 season and Poisson orders. It
  is the structure the old forecast was written for, so it flatters it.
- :func:`shocked_chain` is built differently on purpose: negative-binomial noise, regional
  weather-like shocks (AR(1) plus rainy days that also move the afternoon), unannounced
  promotions, trend breaks, peaks at random times, small sparse stores and stores that open
  during the history.
- :func:`bread_basket` reads ``benchmarks/data/bread_basket_orders.csv``: distinct
  transactions per 15 minutes of The Bread Basket, a bakery in Edinburgh (2016-10-30 to
  2017-04-09; source and licence in benchmarks/data/README.md).
"""

from __future__ import annotations

import csv
from datetime import date, time, timedelta
from pathlib import Path

import numpy as np

from staffing.surge import SurgeCalendar
from storemon.services.demo import STORE_TYPES, day_profile, revenue_levels

DATA = Path(__file__).resolve().parent / "data"

# --- (a) the demo chain -----------------------------------------------------------------------


def demo_chain(stores: int = 30, weeks: int = 12, seed: int = 7, anchor: date = date(2026, 4, 20)):
    """The demo chain's sales per 15 minutes, 07:00-21:00 local, ``weeks`` weeks before ``anchor``."""
    rng = np.random.default_rng(seed)
    first = anchor - timedelta(days=7 * weeks)
    n_days = 7 * weeks
    days = [first + timedelta(days=k) for k in range(n_days)]
    surge = SurgeCalendar.default().factor_for(days)
    revenue = revenue_levels(stores, rng)
    kinds = [list(STORE_TYPES)[int(rng.integers(len(STORE_TYPES)))] for _ in range(stores)]
    tickets = rng.uniform(30, 38, stores)
    orders = np.zeros((stores, n_days, 56))
    for s in range(stores):
        weekend_factor, morning = STORE_TYPES[kinds[s]]
        closes = time(20) if kinds[s] == "office" else time(21)
        trend = rng.normal(0.003, 0.004)
        for d, day in enumerate(days):
            weekend = day.weekday() >= 5
            level = revenue[s] * (weekend_factor if weekend else 1.0) * surge[d]
            level *= (1 + trend) ** (d / 7) * rng.lognormal(0, 0.06)
            expected = level / tickets[s] * day_profile(time(7), closes, weekend, morning)
            orders[s, d] = rng.poisson(expected)[28:84]
    info = {"peer_group": np.array([list(STORE_TYPES).index(k) for k in kinds])}
    return orders, first, 7 * 60, info


# --- (b) a chain with a different structure ---------------------------------------------------


def shocked_chain(stores: int = 120, weeks: int = 12, seed: int = 11, start: date = date(2025, 9, 1)):
    """Orders per 15 minutes, 06:00-22:00, from a generator unlike the forecast's own model.

    Per store: a size spread over two orders of magnitude (a quarter are sparse small stores
    of 10-30 orders a day), opening hours, one to three peaks at random times whose weekend
    timing and height differ, its own weekday factors, negative-binomial noise with its own
    size (2-20). Per region (4): weather as an AR(1) log-shock and rainy days (-25 %, and the
    afternoon loses more). Per store: unannounced promotions (+20-60 % for 3-7 days), a trend
    break for a third of the stores (x0.65-1.4 from a random day), slow drift, and one store in
    ten opens during the history (NaN before). One chain-wide bank holiday halves the day.
    """
    rng = np.random.default_rng(seed)
    n_days = 7 * weeks
    n_int = 64
    t = np.arange(n_int) * 15 + 6 * 60 + 7.5  # minutes after midnight, interval centres
    wd = (np.arange(n_days) + start.weekday()) % 7
    weekend = wd >= 5

    size = np.exp(rng.uniform(np.log(40), np.log(900), stores))
    small = rng.random(stores) < 0.25
    size[small] = rng.uniform(10, 30, small.sum())
    region = rng.integers(0, 4, stores)
    opens = rng.choice([6 * 60, 7 * 60, 7 * 60 + 30, 8 * 60, 9 * 60], stores)
    closes = rng.choice([17 * 60, 19 * 60, 20 * 60, 21 * 60, 22 * 60], stores)
    nb_size = rng.uniform(2, 20, stores)

    shapes = np.zeros((stores, 2, n_int))  # weekday, weekend
    for s in range(stores):
        for w in range(2):
            shape = np.full(n_int, 0.15)
            for _ in range(rng.integers(1, 4)):
                centre = rng.uniform(opens[s] + 30, closes[s] - 30) + (60 * rng.uniform(0, 1.5) if w else 0)
                shape += rng.uniform(0.5, 2.0) * np.exp(-0.5 * ((t - centre) / rng.uniform(25, 120)) ** 2)
            shape *= (t >= opens[s]) & (t < closes[s])
            shapes[s, w] = shape / shape.sum()
    weekday_factor = np.exp(rng.normal(0, 0.12, (stores, 7)))
    weekday_factor[:, 5:] *= np.exp(rng.normal(0, 0.3, (stores, 1)))

    weather = np.zeros((4, n_days))
    for d in range(1, n_days):
        weather[:, d] = 0.7 * weather[:, d - 1] + rng.normal(0, 0.08, 4)
    rain = rng.random((4, n_days)) < 0.12
    level = np.ones((stores, n_days))
    drift = rng.normal(0, 0.002, stores)
    level *= np.exp(drift[:, None] * np.arange(n_days))
    breaks = rng.random(stores) < 0.33
    for s in np.flatnonzero(breaks):
        level[s, rng.integers(14, n_days) :] *= rng.uniform(0.65, 1.4)
    for s in range(stores):
        for _ in range(rng.poisson(1.2)):
            d0 = rng.integers(0, n_days)
            level[s, d0 : d0 + rng.integers(3, 8)] *= rng.uniform(1.2, 1.6)
    holiday = n_days // 2 + 3
    level[:, holiday] *= 0.5

    day = size[:, None] * weekday_factor[:, wd] * level * np.exp(weather[region])
    day *= np.where(rain[region], 0.75, 1.0)
    afternoon = np.clip((t - 14 * 60) / 240, 0, 1)
    orders = np.zeros((stores, n_days, n_int))
    for s in range(stores):
        profile = shapes[s, weekend.astype(int)]  # [days, intervals]
        rain_bend = np.where(rain[region[s]][:, None], 1 - 0.3 * afternoon[None, :], 1.0)
        mean = day[s][:, None] * profile * rain_bend
        gamma = rng.gamma(nb_size[s], mean / nb_size[s])
        orders[s] = rng.poisson(gamma)
    opens_late = rng.random(stores) < 0.1
    first_day = np.where(opens_late, rng.integers(14, n_days - 35, stores), 0)
    for s in np.flatnonzero(opens_late):
        orders[s, : first_day[s]] = np.nan
    info = {"peer_group": (size > 120).astype(int) * 2 + (closes >= 20 * 60).astype(int)}
    return orders, start, 6 * 60, info


# --- (c) a real bakery ------------------------------------------------------------------------


def bread_basket(path: Path = DATA / "bread_basket_orders.csv"):
    """The Bread Basket (Edinburgh): transactions per 15 minutes, 07:00-20:00; days without sales NaN.

    28 of 9,465 transactions fall outside 07:00-20:00 and are left out.
    """
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    days = sorted({date.fromisoformat(r["date"]) for r in rows})
    first = days[0]
    n_days = (days[-1] - first).days + 1
    orders = np.full((1, n_days, 52), np.nan)
    for d in days:
        orders[0, (d - first).days] = 0.0
    for r in rows:
        h, m = map(int, r["interval_start"].split(":"))
        k = (h * 60 + m - 7 * 60) // 15
        if 0 <= k < 52:
            orders[0, (date.fromisoformat(r["date"]) - first).days, k] += int(r["orders"])
    return orders, first, 7 * 60, {"peer_group": np.zeros(1, dtype=int)}
