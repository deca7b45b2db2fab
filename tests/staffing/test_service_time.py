"""Service minutes from the till: items per order, the drink mix, fallbacks and overrides."""

import numpy as np
import pytest

from staffing.service_time import (
    BASE_MINUTES,
    DEFAULT_DRINK_SHARE,
    DRINK_ITEM_MINUTES,
    OTHER_ITEM_MINUTES,
    estimate_service_minutes,
)


def test_estimate_from_items_and_source_says_so():
    rng = np.random.default_rng(4)
    items = rng.choice([1, 1, 1, 2, 2, 3], size=4008)
    est = estimate_service_minutes(items)
    ipo = items.mean()
    mix = DEFAULT_DRINK_SHARE * DRINK_ITEM_MINUTES + (1 - DEFAULT_DRINK_SHARE) * OTHER_ITEM_MINUTES
    assert est.minutes[0] == pytest.approx(BASE_MINUTES + ipo * mix)
    assert est.source[0] == f"estimated from 4,008 orders, {ipo:.1f} items per order"


def test_drink_mix_per_store_and_daypart_with_fallbacks_and_override():
    items = np.array([2] * 300 + [2] * 300 + [1] * 20)
    drinks = np.array([2] * 300 + [0] * 300 + [1] * 20)  # store 0 all drinks, store 1 all food
    group = np.array([0] * 300 + [1] * 300 + [2] * 20)
    est = estimate_service_minutes(
        items, group, drinks, n_groups=4, fallback_minutes=[np.nan, np.nan, 1.7, np.nan]
    )
    assert est.minutes[0] == pytest.approx(BASE_MINUTES + 2 * DRINK_ITEM_MINUTES)
    assert est.minutes[1] == pytest.approx(BASE_MINUTES + 2 * OTHER_ITEM_MINUTES)
    assert "100% hand-made drinks" in est.source[0]
    assert est.minutes[2] == 1.7 and est.source[2] == "store estimate (only 20 orders here)"
    assert est.minutes[3] == 2.0 and est.source[3] == "default"
    manual = estimate_service_minutes(
        items, group, drinks, n_groups=4, override=[2.5, np.nan, np.nan, np.nan]
    )
    assert manual.minutes[0] == 2.5 and manual.source[0] == "manual override (2.50 min)"
