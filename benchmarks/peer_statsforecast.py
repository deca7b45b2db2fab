"""Runs inside the peer venv (benchmarks/peer_env.py): statsforecast baselines for bench_demand.

    python peer_statsforecast.py in.npz out.npz

``in.npz`` holds ``orders[stores, days, intervals]`` (NaN: no sales that day), ``test_days``
and ``mstl_stores`` (how many stores, from the first, get MSTL; it is slow). For each of the
last ``test_days`` days it fits on the days before only and writes one-day-ahead means:

- ``ets``: AutoETS (weekly season) on daily totals, split over the day by the history's equal-
  weight weekday × interval share ("top-down ETS", the issue's baseline);
- ``mstl``: MSTL on the 15-minute series with daily and weekly seasons and an AutoETS trend.

A missing day is filled with the mean of the same weekday (ETS and MSTL need a full series);
a store with fewer than 14 days of sales gets the weekday mean instead.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoETS


def _filled(history: np.ndarray) -> np.ndarray:
    """``history[days, intervals]`` with missing days replaced by the same weekday's mean."""
    out = history.copy()
    n = out.shape[0]
    for k in range(7):
        rows = np.arange(n - 1 - k, -1, -7)[::-1] if n > k else np.array([], int)
        block = out[rows]
        mean = np.nanmean(block, axis=0) if np.isfinite(block).any() else np.zeros(out.shape[1])
        bad = ~np.isfinite(block).all(axis=1)
        block[bad] = np.nan_to_num(mean)
        out[rows] = block
    return out


def _weekday_share(history: np.ndarray, target_offset: int) -> np.ndarray:
    n = history.shape[0]
    rows = np.arange(n - 7 + target_offset % 7, -1, -7) if n >= 7 else np.arange(n)
    rows = rows[(rows >= 0) & (rows < n)]
    block = history[rows]
    block = block[np.isfinite(block).all(axis=1)]
    if not block.size:
        return np.full(history.shape[1], 1 / history.shape[1])
    total = block.sum(axis=0)
    return total / total.sum() if total.sum() > 0 else np.full(history.shape[1], 1 / history.shape[1])


def main(src: str, dst: str) -> None:
    data = np.load(src)
    orders, test_days, mstl_stores = data["orders"], int(data["test_days"]), int(data["mstl_stores"])
    n_stores, n_days, n_int = orders.shape
    ets = np.zeros((n_stores, test_days, n_int))
    mstl = np.full((n_stores, test_days, n_int), np.nan)
    seconds = {"ets": 0.0, "mstl": 0.0}
    for j, t in enumerate(range(n_days - test_days, n_days)):
        daily_rows, fine_rows, fallback = [], [], {}
        for s in range(n_stores):
            history = orders[s, :t]
            known = np.isfinite(history).all(axis=1)
            if known.sum() < 14:
                same = history[t - 7 :: -7] if t >= 7 else history[:0]
                same = same[np.isfinite(same).all(axis=1)]
                fallback[s] = same.mean(axis=0) if same.size else np.zeros(n_int)
                continue
            start = int(np.argmax(known))
            filled = _filled(history[start:])
            daily_rows.append(
                pd.DataFrame({"unique_id": s, "ds": np.arange(filled.shape[0]), "y": filled.sum(1)})
            )
            if s < mstl_stores:
                fine_rows.append(
                    pd.DataFrame({"unique_id": s, "ds": np.arange(filled.size), "y": filled.ravel()})
                )
        for s, mean in fallback.items():
            ets[s, j] = mean
            if s < mstl_stores:
                mstl[s, j] = mean
        if daily_rows:
            started = time.perf_counter()
            sf = StatsForecast(models=[AutoETS(season_length=7)], freq=1, n_jobs=1)
            out = sf.forecast(df=pd.concat(daily_rows), h=1)
            for uid, total in zip(out["unique_id"], out["AutoETS"], strict=True):
                ets[int(uid), j] = max(float(total), 0.0) * _weekday_share(orders[int(uid), :t], 0)
            seconds["ets"] += time.perf_counter() - started
        if fine_rows:
            started = time.perf_counter()
            model = MSTL(season_length=[n_int, 7 * n_int], trend_forecaster=AutoETS(model="ZZN"))
            sf = StatsForecast(models=[model], freq=1, n_jobs=1)
            out = sf.forecast(df=pd.concat(fine_rows), h=n_int)
            for uid, block in out.groupby("unique_id"):
                mstl[int(uid), j] = np.maximum(block["MSTL"].to_numpy(), 0.0)
            seconds["mstl"] += time.perf_counter() - started
    np.savez(dst, ets=ets, mstl=mstl, ets_seconds=seconds["ets"], mstl_seconds=seconds["mstl"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
