"""Order-count quantiles: exact where we sum the mass, within one order where we approximate."""

import math

import numpy as np
import pytest

from staffing.counts import count_quantile, count_quantiles


def brute_force_quantile(q: float, mean: float, dispersion: float) -> int:
    """Smallest k whose CDF reaches q, summing pmfs written with lgamma (independent of the code)."""
    if mean == 0:
        return 0
    cdf, k = 0.0, 0
    while True:
        if dispersion == 0:
            logp = -mean + k * math.log(mean) - math.lgamma(k + 1)
        else:
            r = 1 / dispersion
            logp = (
                math.lgamma(k + r)
                - math.lgamma(r)
                - math.lgamma(k + 1)
                + r * math.log(r / (r + mean))
                + k * math.log(mean / (r + mean))
            )
        cdf += math.exp(logp)
        if cdf >= q * (1 - 1e-12):
            return k
        k += 1


MEANS = [0.05, 0.4, 1.0, 2.5, 7.0, 18.0, 42.0, 90.0]
DISPERSIONS = [0.0, 0.02, 0.1, 0.35, 1.0]


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9, 0.975])
def test_exact_quantiles_agree_with_a_brute_force_cdf_sum(q):
    mean, disp = np.meshgrid(MEANS, DISPERSIONS)
    got = count_quantile(q, mean, disp)
    want = np.vectorize(lambda m, a: brute_force_quantile(q, m, a))(mean, disp)
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize(("mean", "disp"), [(800.0, 0.0), (1500.0, 0.001), (700.0, 0.0005), (2500.0, 0.0)])
def test_near_normal_large_means_are_within_one_order_of_the_exact_quantile(mean, disp):
    got = count_quantiles([0.1, 0.5, 0.9], mean, disp)
    for q, k in zip([0.1, 0.5, 0.9], got, strict=True):
        assert abs(int(k) - brute_force_quantile(q, mean, disp)) <= 1


def test_quantiles_are_ordered_and_grow_with_the_mean_and_the_spread():
    rng = np.random.default_rng(3)
    mean = rng.gamma(1.0, 20.0, 500)
    disp = rng.uniform(0, 0.6, 500)
    p10, p50, p90 = count_quantiles([0.1, 0.5, 0.9], mean, disp)
    assert (p10 <= p50).all() and (p50 <= p90).all()
    assert (count_quantile(0.9, mean * 1.5, disp) >= p90).all()
    assert (count_quantile(0.9, mean, disp + 0.2) >= p90).all()


def test_no_orders_expected_means_zero_and_bad_levels_are_refused():
    assert count_quantiles([0.1, 0.9], np.zeros(3), 0.3).tolist() == [[0, 0, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="between 0 and 1"):
        count_quantile(1.0, 3.0, 0.1)
    with pytest.raises(ValueError, match="non-negative"):
        count_quantile(0.5, -1.0, 0.1)
