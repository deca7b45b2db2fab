"""Service minutes per order from the till: items per order and, where categories exist, the mix.

A counter's time per order is a fixed part (greeting, payment, handing over) plus a part per item,
and hand-made drinks take far longer than bottled drinks or pastries (DOMAIN.md §5: hand-crafted
drinks 1.5–4 min per order). So for each group of orders (a store, or a store's daypart):

    minutes = base + items·(drink_share·drink_item + (1 − drink_share)·other_item)

with ``drink_share`` the share of items that are hand-made drinks when categories exist, else the
chain default. The per-part minutes are defaults to be replaced by a store's own timing; the data
decide only items per order and the mix. Fallbacks: a group with fewer than ``min_orders`` orders
takes ``fallback_minutes`` (e.g. its store's estimate when the group is a daypart) or the chain
default, and a manual override always wins. Every estimate carries a source string for reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

DEFAULT_SERVICE_MINUTES = 2.0
BASE_MINUTES = 0.5
"""Per order: greeting, payment, handing over."""
DRINK_ITEM_MINUTES = 1.2
"""Per hand-made drink (espresso drinks, tea, blended)."""
OTHER_ITEM_MINUTES = 0.3
"""Per other item (bottled drinks, pastries, snacks: pick, bag)."""
DEFAULT_DRINK_SHARE = 0.75
"""Share of items that are hand-made drinks when the till has no categories."""
MIN_ORDERS = 200


@dataclass(frozen=True)
class ServiceTimeEstimate:
    """Per group: minutes per order, where they come from, and the data behind them."""

    minutes: np.ndarray
    source: tuple[str, ...]
    orders: np.ndarray
    items_per_order: np.ndarray
    drink_share: np.ndarray
    """Share of items that are hand-made drinks (NaN where the till has no categories)."""


def estimate_service_minutes(
    items_per_order: ArrayLike,
    group: ArrayLike | None = None,
    drink_items: ArrayLike | None = None,
    n_groups: int | None = None,
    override: ArrayLike | None = None,
    fallback_minutes: ArrayLike | None = None,
    min_orders: int = MIN_ORDERS,
    default_minutes: float = DEFAULT_SERVICE_MINUTES,
    weights: ArrayLike | None = None,
) -> ServiceTimeEstimate:
    """Minutes per order for each group of orders (one array entry per order in, one per group out).

    ``items_per_order``: items on each order; ``group``: each order's group index (0..n_groups−1;
    None: one group); ``drink_items``: hand-made drink items on each order, or None (NaN entries:
    order without categories); ``override``: per group, a store's manual minutes (NaN: none);
    ``fallback_minutes``: per group, used where the data are too few (NaN: the chain default).
    ``weights``: how many orders each entry stands for, when the till gives totals per 15-minute
    bucket rather than single orders (``items_per_order`` and ``drink_items`` are then per order
    on average); None: one order each.
    """
    items = np.asarray(items_per_order, dtype=float).ravel()
    if np.any(~np.isfinite(items)) or np.any(items < 0):
        raise ValueError("items_per_order must be finite and >= 0")
    g = np.zeros(items.size, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64).ravel()
    if g.size != items.size or (g.size and g.min() < 0):
        raise ValueError("group must give each order a group index >= 0")
    size = int(n_groups if n_groups is not None else (g.max() + 1 if g.size else 1))
    w = np.ones(items.size) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.size != items.size or np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite, >= 0 and one per entry")
    orders = np.bincount(g, weights=w, minlength=size)
    item_sum = np.bincount(g, weights=items * w, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        ipo = np.where(orders > 0, item_sum / np.maximum(orders, 1), np.nan)
    share = np.full(size, np.nan)
    if drink_items is not None:
        drinks = np.asarray(drink_items, dtype=float).ravel()
        known = np.isfinite(drinks)
        d_sum = np.bincount(g[known], weights=(drinks * w)[known], minlength=size)
        i_sum = np.bincount(g[known], weights=(items * w)[known], minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(i_sum > 0, np.clip(d_sum / np.maximum(i_sum, 1e-12), 0, 1), np.nan)
    mix = np.where(np.isfinite(share), share, DEFAULT_DRINK_SHARE)
    estimate = BASE_MINUTES + ipo * (mix * DRINK_ITEM_MINUTES + (1 - mix) * OTHER_ITEM_MINUTES)
    fb = (
        np.full(size, np.nan)
        if fallback_minutes is None
        else np.broadcast_to(np.asarray(fallback_minutes, dtype=float), (size,))
    )
    ov = (
        np.full(size, np.nan)
        if override is None
        else np.broadcast_to(np.asarray(override, dtype=float), (size,))
    )
    minutes = np.empty(size)
    sources = []
    for k in range(size):
        if np.isfinite(ov[k]):
            minutes[k] = ov[k]
            sources.append(f"manual override ({ov[k]:.2f} min)")
        elif orders[k] >= min_orders:
            minutes[k] = estimate[k]
            text = f"estimated from {orders[k]:,.0f} orders, {ipo[k]:.1f} items per order"
            if np.isfinite(share[k]):
                text += f", {100 * share[k]:.0f}% hand-made drinks"
            sources.append(text)
        elif np.isfinite(fb[k]):
            minutes[k] = fb[k]
            sources.append(f"store estimate (only {orders[k]:,.0f} orders here)")
        else:
            minutes[k] = default_minutes
            sources.append("default" if orders[k] == 0 else f"default (only {orders[k]:,.0f} orders)")
    return ServiceTimeEstimate(minutes, tuple(sources), orders, ipo, share)
