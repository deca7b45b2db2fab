"""The compiled series (numba) and the numpy series give the same transient distributions."""

from __future__ import annotations

import os

import numpy as np
import pytest

from staffing import backlog, uniformization
from staffing.backlog import backlog_day


def _chains(seed: int, states: int = 30, columns: int = 40):
    rng = np.random.default_rng(seed)
    p = rng.random((states, columns))
    p /= p.sum(axis=0)
    n = np.arange(states, dtype=float)[:, None]
    birth = np.where(n < states - 1, rng.uniform(0.0, 3.0, columns), 0.0)
    servers = rng.integers(1, 4, columns)
    death = rng.uniform(0.2, 1.0, columns) * np.minimum(n, servers) + 0.1 * np.maximum(n - servers, 0)
    birth[:, 0] = 0.0  # a column where nothing arrives
    death[:, 1] = 0.0
    birth[:, 1] = 0.0  # and one where nothing moves at all
    return p, birth, death


@pytest.mark.skipif(not uniformization.compiled(), reason="numba is not installed")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_compiled_and_numpy_series_agree(seed, monkeypatch):
    p, birth, death = _chains(seed)
    end_c, mean_c = uniformization.transient(p, birth, death, 15.0)
    monkeypatch.setattr(uniformization.SERIES, "_function", None)
    end_n, mean_n = uniformization.transient(p, birth, death, 15.0)
    np.testing.assert_allclose(end_c, end_n, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mean_c, mean_n, rtol=0, atol=1e-12)
    np.testing.assert_allclose(end_c.sum(axis=0), 1.0, atol=1e-9)  # orders are conserved
    np.testing.assert_array_equal(end_c[:, 1], p[:, 1])  # nothing moves: the distribution stays


def _numpy_only(monkeypatch) -> None:
    """From here on this test runs backlog_day's numpy path (as without numba)."""
    monkeypatch.setattr(backlog.DAY, "_function", None)
    monkeypatch.setattr(uniformization.SERIES, "_function", None)


_FIGURES = (
    "served",
    "queue_start",
    "queue_end",
    "mean_queue",
    "backlog_end",
    "mean_wait",
    "wait_probability",
    "utilisation",
    "walked_away",
    "served_share",
    "walked_away_after_close",
)


def _days():
    """Days unlike each other: walk-aways, nobody walking away with orders left from the night
    before, a queue cap with fractional staff, hours with nobody on, and a closed day."""
    rng = np.random.default_rng(5)
    orders = rng.gamma(3.0, 4.0, size=(12, 64)) * np.sin(np.linspace(0, np.pi, 64)) ** 2
    orders[11] = 0.0
    staff = rng.integers(0, 3, size=(12, 64)).astype(float)
    return [
        {"arrivals_per_interval": orders, "service_minutes": 2.2, "servers": staff, "patience_minutes": 9.0},
        {
            "arrivals_per_interval": orders,
            "service_minutes": 2.2,
            "servers": np.maximum(staff, 1.0),
            "initial_in_store": np.arange(12) % 3,
        },
        {
            "arrivals_per_interval": orders,
            "service_minutes": 2.2,
            "servers": staff * 0.7,
            "patience_minutes": 5.0,
            "queue_cap": 4,
        },
    ]


@pytest.mark.skipif(not uniformization.compiled(), reason="numba is not installed")
@pytest.mark.parametrize("case", range(3))
def test_a_whole_day_is_the_same_compiled_and_in_numpy(case, monkeypatch):
    """The compiled day (each row through all its intervals in numba) gives every figure and the
    states arrivals find as the numpy path does, interval by interval for the whole batch."""
    inputs = _days()[case]
    compiled = backlog_day(**inputs)
    assert backlog.DAY.get() is not None, "the compiled day failed: see the log"
    _numpy_only(monkeypatch)
    in_numpy = backlog_day(**inputs)
    for name in _FIGURES:
        np.testing.assert_allclose(
            getattr(compiled, name), getattr(in_numpy, name), rtol=0, atol=1e-9, err_msg=name
        )
    found, expected = compiled._arrival_states, in_numpy._arrival_states
    top = max(found.shape[-1], expected.shape[-1])
    arriving = np.asarray(inputs["arrivals_per_interval"]) > 0  # nobody arrives: nobody finds a state
    np.testing.assert_allclose(
        np.pad(found, [(0, 0), (0, 0), (0, top - found.shape[-1])])[arriving],
        np.pad(expected, [(0, 0), (0, 0), (0, top - expected.shape[-1])])[arriving],
        atol=1e-12,
    )
    assert compiled.mean_wait.max() > 1.0 and compiled.walked_away.sum() > 0 or case == 1  # real queues


@pytest.mark.skipif(not uniformization.compiled(), reason="numba is not installed")
def test_a_rows_compiled_day_does_not_depend_on_the_rows_beside_it():
    """A store-day gets exactly the same figures alone as in a region's batch."""
    inputs = _days()[0]
    together = backlog_day(**inputs)
    for row in (0, 4, 11):
        alone = backlog_day(
            inputs["arrivals_per_interval"][row], 2.2, inputs["servers"][row], patience_minutes=9.0
        )
        for name in _FIGURES[:-1]:
            np.testing.assert_array_equal(getattr(alone, name), getattr(together, name)[row], err_msg=name)
        # The walk-aways after closing are summed in numpy, which adds one row's states pairwise.
        np.testing.assert_allclose(
            alone.walked_away_after_close, together.walked_away_after_close[row], rtol=1e-14
        )


def test_many_masks_in_one_call_match_each_mask_on_its_own():
    """A store-day and its shifts' customer p90 in one call (as the rules cycle asks) equal the
    p90 of each mask computed alone, to the solver's tolerance."""
    from staffing.day import StaffingTargets, model_day

    rng = np.random.default_rng(11)
    orders = rng.gamma(3.0, 3.5, size=(3, 96)) * (np.sin(np.linspace(0, np.pi, 96)) ** 2)
    staff = np.where(np.arange(96) % 96 >= 28, 1.0, 0.0) + (np.arange(96) // 8 % 3 == 1)
    model = model_day(orders, np.broadcast_to(staff, orders.shape), StaffingTargets(patience_minutes=8.0))
    masks, days = [], []
    for day in range(3):
        for first, end in [(0, 96), (28, 60), (56, 90), (40, 44)]:
            mask = np.zeros(96, dtype=bool)
            mask[first:end] = True
            masks.append(mask)
            days.append(day)
    together = model.wait_quantiles(np.array(masks), np.array(days))
    alone = [
        float(model_day(orders[d], staff, StaffingTargets(patience_minutes=8.0)).wait_quantile(0.9, m))
        for m, d in zip(masks, days, strict=True)
    ]
    np.testing.assert_allclose(together, alone, atol=2e-3)
    assert max(alone) > 1.0  # real waits, not a quiet day's zeros


@pytest.mark.skipif(not uniformization.compiled(), reason="numba is not installed")
def test_the_compiled_and_numpy_wait_quantiles_agree(monkeypatch):
    """Each shift's customer p90 solved row by row (numba) equals the numpy solver's, which moves
    every row at once, to the solver's tolerance; quiet rows answer 0 on both paths."""
    from staffing import wait_quantile_kernel
    from staffing.day import StaffingTargets, model_day

    rng = np.random.default_rng(23)
    orders = rng.gamma(2.5, 4.0, size=(6, 96)) * (np.sin(np.linspace(0, np.pi, 96)) ** 2)
    orders[5] = 0.0  # a closed day: nobody to wait
    staff = np.where((np.arange(96) >= 26) & (np.arange(96) < 88), 1.0, 0.0) + (np.arange(96) // 6 % 4 == 1)
    model = model_day(orders, np.broadcast_to(staff, orders.shape), StaffingTargets(patience_minutes=7.0))
    masks, days = [], []
    for day in range(6):
        for first, end in [(0, 96), (26, 58), (50, 88), (70, 74)]:
            mask = np.zeros(96, dtype=bool)
            mask[first:end] = True
            masks.append(mask)
            days.append(day)
    masks, days = np.array(masks), np.array(days)
    compiled = model.wait_quantiles(masks, days)
    assert wait_quantile_kernel.QUANTILES.get() is not None, "the compiled kernel failed: see the log"
    monkeypatch.setattr(wait_quantile_kernel.QUANTILES, "_function", None)
    in_numpy = model.wait_quantiles(masks, days)
    np.testing.assert_allclose(compiled, in_numpy, atol=1e-3)
    assert compiled.max() > 2.0  # real queues
    assert (compiled[days == 5] == 0).all() and (in_numpy[days == 5] == 0).all()


_CACHE_MISSES = """
import numpy as np

from staffing.backlog import DAY
from staffing.day import StaffingTargets, model_day, warm_up
from staffing.uniformization_compiled import unpacked
from staffing.wait_quantile_kernel import QUANTILES

kernels = (DAY.get(), unpacked, QUANTILES.get())
warm_up()
compiled = [len(k.signatures) for k in kernels]
orders = np.random.default_rng(3).poisson(6.0, (3, 40)).astype(float)
model = model_day(orders, np.ones_like(orders), StaffingTargets(patience_minutes=4.0))
model.wait_quantiles(np.ones_like(orders, dtype=bool), np.arange(3))
added = sum(len(k.signatures) for k in kernels) - sum(compiled)
print(sum(sum(k.stats.cache_misses.values()) for k in kernels), added)
"""


@pytest.mark.skipif(not uniformization.compiled(), reason="numba is not installed")
def test_a_second_process_loads_every_kernel_from_numbas_cache_without_compiling(tmp_path):
    """Every process that models (the app, each Region child) loads the kernels compiled by an
    earlier one: a miss costs 0.7 s per process and one more file in the cache each time. And the
    kernels ``warm_up`` compiles are the ones a real model uses."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(root)}
    env.pop("STOREMON_PURE_NUMPY", None)

    def misses() -> int:
        """Cache misses in a fresh process; the model it runs after ``warm_up`` compiles nothing
        more (a second specialisation cost 7 s at the first real model of each install)."""
        run = subprocess.run(
            [sys.executable, "-c", _CACHE_MISSES],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        missed, added_by_real_use = map(int, run.stdout.split()[-2:])
        assert added_by_real_use == 0
        return missed

    assert misses() > 0  # the first process compiles into the empty cache
    files = sorted(p.name for p in tmp_path.rglob("*.nbc"))
    assert misses() == 0
    assert sorted(p.name for p in tmp_path.rglob("*.nbc")) == files


@pytest.mark.skipif(not uniformization.compiled(), reason="numba is not installed")
def test_a_kernel_numba_cannot_cache_still_compiles_in_memory():
    """Where numba finds no file to key its cache by (a frozen bundle), the kernel still compiles."""
    from numba import njit

    from staffing.compiled import numba_jit

    namespace: dict = {}
    exec(compile("def twice(x):\n    return 2 * x\n", "<a bundled module>", "exec"), namespace)
    with pytest.raises(RuntimeError, match="cannot cache"):
        njit(cache=True)(namespace["twice"])
    assert numba_jit()(namespace["twice"])(21) == 42
