"""Many stores' days in one call: the same StoreDays as one store at a time, on both engines."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from storemon.db.models import Store
from storemon.services import store_days as store_days_module
from storemon.services.access import SYSTEM, NotFound, actor_for
from storemon.services.store_days import store_days, store_days_many
from tests.demo_chain import DEMO_ANCHOR

NOW = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)


def _weeks(stores: list[Store]) -> dict[int, list]:
    """Past days with sales, today and forecast days; each store a different window, one store
    with days that are not consecutive."""
    wanted = {}
    for k, store in enumerate(stores):
        last = DEMO_ANCHOR + timedelta(days=k % 3)
        wanted[store.id] = [last - timedelta(days=d) for d in range(6, -1, -1)]
    wanted[stores[0].id] = [DEMO_ANCHOR - timedelta(days=9), DEMO_ANCHOR - timedelta(days=2), DEMO_ANCHOR]
    return wanted


def _same(a: Any, b: Any) -> bool:
    """Equal, except that unrounded floats (a pressure reason's parameters) may differ in the last
    bits: the batched backlog kernel adds the same terms for many rows at once."""
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return a == b


def test_batched_days_equal_store_by_store_field_by_field(demo_sessions, monkeypatch):
    # Few rows per model call, so the chain is modelled in several chunks across stores.
    monkeypatch.setattr(store_days_module, "MODEL_ROWS", 10)
    with demo_sessions() as session:
        stores = list(session.scalars(select(Store).order_by(Store.code)))
        wanted = _weeks(stores)
        batched = store_days_many(session, SYSTEM, wanted, NOW)
        assert list(batched) == list(wanted)
        for store in stores:
            alone = store_days(session, SYSTEM, store.id, wanted[store.id], NOW)
            assert [d.day for d in batched[store.id]] == wanted[store.id]
            for one, many in zip(alone, batched[store.id], strict=True):
                for f in dataclasses.fields(one):
                    assert _same(getattr(many, f.name), getattr(one, f.name)), (store.code, one.day, f.name)
        sources = {d.demand_source for days in batched.values() for d in days}
        assert sources == {"actual", "forecast"}
        assert any(d.pressure for days in batched.values() for d in days)


def test_batched_days_keep_the_actors_scope(demo_sessions):
    with demo_sessions() as session:
        supervisor = actor_for(session, "sup-east")
        stores = list(session.scalars(select(Store).order_by(Store.code)))
        inside = [s for s in stores if s.region_id == supervisor.region_id]
        outside = [s for s in stores if s.region_id != supervisor.region_id]
        assert inside and outside
        seen = store_days_many(session, supervisor, {s.id: [DEMO_ANCHOR] for s in inside}, NOW)
        assert set(seen) == {s.id for s in inside}
        with pytest.raises(NotFound):
            store_days_many(
                session, supervisor, {inside[0].id: [DEMO_ANCHOR], outside[0].id: [DEMO_ANCHOR]}, NOW
            )
