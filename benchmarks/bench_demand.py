"""Demand forecast backtest: the pooled count model against the baselines, on three datasets.

Rolling one day ahead over the last 28 days: each day is forecast from the days before it only
(a true ex-ante forecast), then scored. Datasets (benchmarks/demand_data.py):

(a) the demo chain (30 stores, 12 weeks; the structure the old model was written for);
(b) a chain generated with a different structure (negative-binomial noise, weather shocks,
    promotions, trend breaks, sparse small stores, stores opening mid-history);
(c) The Bread Basket, a real bakery in Edinburgh (one store, 162 days; CC0, see data/README.md).

Baselines in the same run: seasonal naive (same interval a week before), the equal-weight
weekday × interval mean of all history, the old model (staffing.demand, as the app shipped it
before issue 13),
and top-down AutoETS and MSTL from statsforecast in the peer venv (benchmarks/peer_env.py;
skipped with a note if it cannot be installed). Metrics are over the hours a store is open
(hours with sales on at least 5 % of its history days, plus any hour with sales):
hourly and daily RMSE and WAPE, mean Poisson deviance per store-hour (forecasts floored at
0.1 order), and for the model with quantiles the share of hourly actuals at or below P90 and
within P10-P90. Nothing is tuned on these windows: the model's settings are fixed by design
and its level smoothing is chosen on each history's own one-day-ahead errors.

The row "as the app runs it" is the same model with the app's settings and history window
(storemon/services/forecasts.py: the last half year plus any earlier surge occurrence, and a
store on its own history from 14 days of sales), so the figures hold for what managers see.

Run: PYTHONPATH=. .venv/bin/python -m benchmarks.bench_demand [--no-peers] [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.demand_data import bread_basket, demo_chain, shocked_chain
from staffing.demand import DemandHistory
from staffing.demand import forecast as old_forecast
from staffing.forecast import fit_count_model
from staffing.surge import SurgeCalendar
from storemon.services.forecasts import APP_MODEL, history_window

TEST_DAYS = 28
HOUR = 4  # intervals per hour
PEERS = ["statsforecast>=2.0"]
CACHE = Path(tempfile.gettempdir()) / "storemon-bench-demand"
"""statsforecast's forecasts do not depend on our model: kept here between runs, keyed by data and script."""


@dataclass
class Scores:
    name: str
    hourly_rmse: float
    hourly_wape: float
    daily_rmse: float
    daily_wape: float
    deviance: float
    p90_cover: float = float("nan")
    band_cover: float = float("nan")
    seconds: float = float("nan")


def _hours(x: np.ndarray) -> np.ndarray:
    """``[..., intervals]`` summed to hours (the last partial hour padded with zeros)."""
    pad = (-x.shape[-1]) % HOUR
    if pad:
        x = np.concatenate([x, np.zeros((*x.shape[:-1], pad))], axis=-1)
    return x.reshape(*x.shape[:-1], -1, HOUR).sum(-1)


def score(name, mean, actual, open_hours, p10=None, p90=None, seconds=float("nan")) -> Scores:
    """Scores of ``mean [stores, days, intervals]`` against ``actual`` where the day is known."""
    day_known = np.isfinite(actual).all(axis=2)
    a = _hours(np.nan_to_num(actual))
    f = _hours(mean)
    cells = day_known[:, :, None] & (open_hours[:, None, :] | (a > 0))
    err = (f - a)[cells]
    fa, aa = f[cells], a[cells]
    mu = np.maximum(fa, 0.1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = 2 * (np.where(aa > 0, aa * np.log(aa / mu), 0.0) - (aa - mu))
    daily_f = mean.sum(-1)[day_known]
    daily_a = np.nan_to_num(actual).sum(-1)[day_known]
    out = Scores(
        name,
        hourly_rmse=float(np.sqrt(np.mean(err**2))),
        hourly_wape=100 * float(np.abs(err).sum() / aa.sum()),
        daily_rmse=float(np.sqrt(np.mean((daily_f - daily_a) ** 2))),
        daily_wape=100 * float(np.abs(daily_f - daily_a).sum() / daily_a.sum()),
        deviance=float(dev.mean()),
        seconds=seconds,
    )
    if p90 is not None:
        out.p90_cover = 100 * float(np.mean(aa <= p90[cells]))
        out.band_cover = 100 * float(np.mean((aa <= p90[cells]) & (aa >= p10[cells])))
    return out


def rolling(orders, first, first_min, info, calendar):
    """One-day-ahead forecasts of every model we run in-process, for the last TEST_DAYS days."""
    n_stores, n_days, n_int = orders.shape
    shape = (n_stores, TEST_DAYS, n_int)
    ours, app, old, naive, wmean = (np.zeros(shape) for _ in range(5))
    n_hours = -(-n_int // HOUR)
    p10, p90 = np.zeros((n_stores, TEST_DAYS, n_hours)), np.zeros((n_stores, TEST_DAYS, n_hours))
    p90_fine, p90_day = np.zeros(shape), np.zeros((n_stores, TEST_DAYS))
    sources = []
    seconds = {"ours": 0.0, "old": 0.0}
    for j, t in enumerate(range(n_days - TEST_DAYS, n_days)):
        history = DemandHistory(orders[:, :t], first, first_interval_min=first_min)
        target = history.dates[-1] + 1
        started = time.perf_counter()
        fc = fit_count_model(history, calendar, peer_group=info["peer_group"]).predict([target])
        p10[:, j] = fc.quantile(0.1, HOUR)[:, 0]
        p90[:, j] = fc.quantile(0.9, HOUR)[:, 0]
        p90_fine[:, j] = fc.quantile(0.9)[:, 0]
        p90_day[:, j] = fc.quantile(0.9, n_int)[:, 0, 0]
        seconds["ours"] += time.perf_counter() - started
        ours[:, j] = fc.expected_orders[:, 0]
        sources.append(fc.source[:, 0])
        app[:, j] = app_forecast(history, calendar, info["peer_group"])
        started = time.perf_counter()
        old[:, j] = old_forecast(history, [target]).expected_orders[:, 0]
        seconds["old"] += time.perf_counter() - started
        week_ago = orders[:, t - 7]
        naive[:, j] = np.nan_to_num(week_ago)
        same = orders[:, t - 7 :: -7][:, ::-1]  # every earlier day with the same weekday
        with np.errstate(invalid="ignore"):
            m = np.nanmean(np.where(np.isfinite(same).all(axis=2, keepdims=True), same, np.nan), axis=1)
        wmean[:, j] = np.nan_to_num(m)
    extra = {"p90_fine": p90_fine, "p90_day": p90_day, "app": app}
    return ours, p10, p90, old, naive, wmean, seconds, np.array(sources).T, extra


def app_forecast(history: DemandHistory, calendar: SurgeCalendar, peer_group) -> np.ndarray:
    """The next day's mean as the app computes it (storemon/services/forecasts.py): only the days
    its history window reads (the recent half year and any earlier surge occurrence), and a store
    on its own history from 14 days of sales."""
    until = (history.dates[-1]).item()
    first, ranges = history_window(calendar, until, history.n_stores)
    first = max(first, history.start_date)
    dates = history.dates[(history.dates >= np.datetime64(first, "D"))]
    keep = np.zeros(dates.size, dtype=bool)
    for lo, hi in ranges:
        keep |= (dates >= np.datetime64(lo, "D")) & (dates <= np.datetime64(hi, "D"))
    orders = history.orders[:, -dates.size :].copy()
    orders[:, ~keep] = np.nan
    window = DemandHistory(orders, first, history.first_interval_min, history.interval_minutes)
    model = fit_count_model(window, calendar, APP_MODEL, peer_group)
    return model.predict([history.dates[-1] + 1]).expected_orders[:, 0]


def peers(orders, mstl_stores: int, enabled: bool, cached_only: bool = False):
    """Top-down ETS and MSTL from statsforecast in the peer venv, or (None, reason)."""
    CACHE.mkdir(exist_ok=True)
    if not enabled:
        return None, "peers skipped (--no-peers)"
    try:
        from benchmarks.peer_env import PeerEnvError, peer_python
    except ImportError as exc:  # pragma: no cover
        return None, f"peer_env unavailable: {exc}"
    try:
        python = peer_python(PEERS)
    except PeerEnvError as exc:
        return None, f"statsforecast not installed in the peer venv: {exc}"
    script = Path(__file__).resolve().parent / "peer_statsforecast.py"
    key = hashlib.sha256(orders.tobytes() + f"{TEST_DAYS},{mstl_stores}".encode() + script.read_bytes())
    cached = CACHE / f"statsforecast-{key.hexdigest()[:16]}.npz"
    if not cached.exists() and cached_only:
        return None, "statsforecast not run for this dataset (--cached-peers and no earlier result)"
    if not cached.exists():
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.npz"
            np.savez(src, orders=orders, test_days=TEST_DAYS, mstl_stores=mstl_stores)
            proc = subprocess.run(
                [str(python), str(script), str(src), str(cached)], capture_output=True, text=True
            )
            if proc.returncode != 0:
                return None, "statsforecast run failed: " + proc.stderr.strip().splitlines()[-1]
    out = np.load(cached)
    return {k: out[k] for k in out.files}, ""


def open_hours(orders: np.ndarray) -> np.ndarray:
    """Per store and hour: sales on at least 5 % of the known days before the test window."""
    history = orders[:, :-TEST_DAYS]
    known = np.isfinite(history).all(axis=2)
    hours = _hours(np.nan_to_num(history)) > 0
    share = (hours & known[:, :, None]).sum(1) / np.maximum(known.sum(1), 1)[:, None]
    return share >= 0.05


def run(label, data, calendar, use_peers, mstl_stores, cached_only=False):
    orders, first, first_min, info = data
    n_stores, n_days, n_int = orders.shape
    actual = orders[:, -TEST_DAYS:]
    hours = open_hours(orders)
    ours, p10, p90, old, naive, wmean, seconds, sources, extra = rolling(
        orders, first, first_min, info, calendar
    )
    rows = [
        score("pooled count model (new)", ours, actual, hours, p10, p90, seconds["ours"]),
        score("pooled model as the app runs it", extra["app"], actual, hours),
        score("old model (staffing.demand)", old, actual, hours, seconds=seconds["old"]),
        score("weekday x interval mean", wmean, actual, hours),
        score("seasonal naive (last week)", naive, actual, hours),
    ]
    peer, note = peers(orders, mstl_stores, use_peers, cached_only)
    if peer is not None:
        rows.append(
            score(
                "top-down AutoETS (statsforecast)",
                peer["ets"],
                actual,
                hours,
                seconds=float(peer["ets_seconds"]),
            )
        )
        covered = slice(0, min(mstl_stores, n_stores))
        if mstl_stores < n_stores:
            sub = (actual[covered], hours[covered])
            rows.append(score(f"weekday mean, first {mstl_stores} stores", wmean[covered], *sub))
            rows.append(
                score(
                    f"pooled model, first {mstl_stores} stores",
                    ours[covered],
                    *sub,
                    p10[covered],
                    p90[covered],
                )
            )
        rows.append(
            score(
                f"MSTL (statsforecast){'' if mstl_stores >= n_stores else f', first {mstl_stores} stores'}",
                peer["mstl"][covered],
                actual[covered],
                hours[covered],
                seconds=float(peer["mstl_seconds"]),
            )
        )
    last = np.datetime64(first, "D") + n_days - 1
    print(f"\n### {label}\n")
    print(
        f"{n_stores} stores, {n_days} days to {last}, {n_int} intervals of 15 min a day; rolling one day "
        f"ahead over the last {TEST_DAYS} days."
    )
    borrowed = int((sources == "similar stores").sum())
    if borrowed:
        print(
            f"{borrowed} store-days were forecast from similar stores (stores with under 28 days of sales)."
        )
    if note:
        print(note + ".")
    print()
    print(
        "| model | hourly RMSE | hourly WAPE | daily RMSE | daily WAPE | Poisson dev. | P90 cover | P10-P90 cover | s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cover = "—" if np.isnan(r.p90_cover) else f"{r.p90_cover:.1f} %"
        band = "—" if np.isnan(r.band_cover) else f"{r.band_cover:.1f} %"
        secs = "" if np.isnan(r.seconds) else f"{r.seconds:.1f}"
        print(
            f"| {r.name} | {r.hourly_rmse:.2f} | {r.hourly_wape:.1f} % | {r.daily_rmse:.1f} | "
            f"{r.daily_wape:.1f} % | {r.deviance:.3f} | {cover} | {band} | {secs} |"
        )
    day_known = np.isfinite(actual).all(axis=2)
    fine = day_known[:, :, None] & (
        np.repeat(hours, HOUR, axis=1)[:, None, :n_int] | (np.nan_to_num(actual) > 0)
    )
    fine_cover = 100 * np.mean((np.nan_to_num(actual) <= extra["p90_fine"])[fine])
    day_cover = 100 * np.mean((np.nan_to_num(actual).sum(-1) <= extra["p90_day"])[day_known])
    print(f"\nP90 coverage of the pooled model per 15 minutes {fine_cover:.1f} %, per day {day_cover:.1f} %.")
    model, mean = rows[0], rows[3]
    app = rows[1]
    ok = (
        model.hourly_rmse < mean.hourly_rmse
        and app.hourly_rmse < mean.hourly_rmse
        and 85 <= model.p90_cover <= 95
    )
    print(
        f"beats the weekday mean on hourly RMSE: {'yes' if model.hourly_rmse < mean.hourly_rmse else 'NO'}; "
        f"P90 coverage within 85-95 %: {'yes' if 85 <= model.p90_cover <= 95 else 'NO'}; "
        f"as the app runs it, beats the weekday mean: {'yes' if app.hourly_rmse < mean.hourly_rmse else 'NO'}"
    )
    return ok


def timing(stores: int = 2000, weeks: int = 8) -> None:
    orders, first, first_min, info = shocked_chain(stores=stores, weeks=weeks, seed=5)
    history = DemandHistory(orders, first, first_interval_min=first_min)
    started = time.perf_counter()
    model = fit_count_model(history, SurgeCalendar.default(), peer_group=info["peer_group"])
    fitted = time.perf_counter()
    fc = model.predict(history.dates[-1] + 1 + np.arange(7))
    for q in (0.1, 0.5, 0.9):
        fc.quantile(q)
    done = time.perf_counter()
    print(
        f"\nTiming: {stores:,} stores x {weeks} weeks x {orders.shape[2]} intervals: fit {fitted - started:.2f} s; "
        f"7-day forecast with P10/P50/P90 per interval {done - fitted:.2f} s (one core, shared machine)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peers", action="store_true", help="skip statsforecast (no peer venv)")
    parser.add_argument("--quick", action="store_true", help="smaller generated chain, no timing run")
    parser.add_argument(
        "--cached-peers", action="store_true", help="use statsforecast results of earlier runs only"
    )
    parser.add_argument(
        "--validation",
        action="store_true",
        help="score the 28 days before the test window instead (for choosing settings)",
    )
    args = parser.parse_args()
    use_peers = not args.no_peers
    print(
        f"Python {sys.version.split()[0]}, numpy {np.__version__}; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    datasets = [
        ("(a) Demo chain", demo_chain(), 30),
        ("(b) Chain with a different structure", shocked_chain(stores=60 if args.quick else 150), 10),
        ("(c) The Bread Basket, Edinburgh (real)", bread_basket(), 1),
    ]
    results = []
    for label, (orders, first, first_min, info), mstl_stores in datasets:
        if args.validation:
            orders, label = orders[:, :-TEST_DAYS], label + " - validation window"
        data = (orders, first, first_min, info)
        results.append(run(label, data, SurgeCalendar.default(), use_peers, mstl_stores, args.cached_peers))
    if not args.quick and not args.validation:
        timing()
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    print("all targets met:", "yes" if all(results) else "NO")


if __name__ == "__main__":
    main()
