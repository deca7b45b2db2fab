"""Pressure over a period for a region: every shift's index, level and reasons, plus burnout risk."""

from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from staffing.pressure import burnout_risk
from storemon.db.models import Store
from storemon.services.access import Actor, NotFound
from storemon.services.child_process import run_in_child, shares_processes
from storemon.services.door import resolve_actor
from storemon.services.store_days import PersonPressure, store_days_many

MAX_DAYS = 92
PARALLEL_MIN_STORES = 200
"""From this many stores a report uses two processes; below, a child's start-up (~2 s) and its own
forecast fit would cost more than half the modelling saves."""


@dataclass(frozen=True)
class ShiftPressureRow:
    """One person's shift in ``report pressure``."""

    store_code: str
    store_name: str
    day: date
    staff_code: str
    name: str
    shift_start: datetime
    shift_end: datetime
    index: float
    level: str
    reasons: str
    burnout_risk: bool
    burnout_note: str


def region_pressure(
    session: Session, actor: Actor, region_id: int | None, start: date, end: date, now: datetime | None = None
) -> list[ShiftPressureRow]:
    """Every shift from ``start`` to ``end`` (inclusive) in the region's stores the actor may see."""
    if end < start:
        raise NotFound(f"--to {end} is before --from {start}")
    if (end - start).days >= MAX_DAYS:
        raise NotFound(f"at most {MAX_DAYS} days per report; {start} to {end} is longer")
    stmt = actor.scope_stores(select(Store)).order_by(Store.code)
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    stores = session.scalars(stmt).all()
    if not stores:
        raise NotFound(f"region {region_id} has no stores you may see")
    days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    pressures = _pressures(session, actor, [store.id for store in stores], days, now or datetime.now(UTC))
    rows = []
    levels: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for store in stores:
        for day, people in pressures[store.id]:
            for person in people:
                levels[person.staff_code].append((day, person.level))
                rows.append((store, day, person))
    risk = {code: burnout_risk(history) for code, history in levels.items()}
    return [
        ShiftPressureRow(
            store_code=store.code,
            store_name=store.name,
            day=day,
            staff_code=person.staff_code,
            name=person.name,
            shift_start=person.shift_start,
            shift_end=person.shift_end,
            index=person.index,
            level=person.level,
            reasons="; ".join(r["explanation"] for r in person.reasons[:3]),
            burnout_risk=risk[person.staff_code].at_risk,
            burnout_note=risk[person.staff_code].explanation if risk[person.staff_code].at_risk else "",
        )
        for store, day, person in rows
    ]


DayPressures = dict[int, list[tuple[date, list[PersonPressure]]]]
"""Store id -> (day, the pressure of each shift that day) per day."""


def _pressures(
    session: Session, actor: Actor, store_ids: list[int], days: list[date], now: datetime
) -> DayPressures:
    """Every store's shift pressures over ``days``; from ``PARALLEL_MIN_STORES`` stores, the second
    half in a child process on the machine's other core while this process models the first (the
    day models are CPU-bound Python: threads would take turns on the GIL)."""
    url = session.get_bind().engine.url  # the bind is an Engine, or a Connection (a test's transaction)
    if len(store_ids) < PARALLEL_MIN_STORES or (os.cpu_count() or 1) < 2 or not shares_processes(url):
        return _model(session, actor, store_ids, days, now)
    half = len(store_ids) // 2
    with ThreadPoolExecutor(1, thread_name_prefix="storemon-pressure") as pool:
        theirs = pool.submit(
            run_in_child,
            url.render_as_string(hide_password=False),
            _pressures_task,
            {"actor": actor, "store_ids": store_ids[half:], "days": days, "now": now},
            died=lambda code: (
                f"modelling half of the stores stopped without a result (exit code {code}); "
                "run the report again, and with fewer stores (--region) if it happens again"
            ),
        )
        mine = _model(session, actor, store_ids[:half], days, now)
        return mine | theirs.result()


def _model(
    session: Session, actor: Actor, store_ids: list[int], days: list[date], now: datetime
) -> DayPressures:
    pictures = store_days_many(session, actor, {i: days for i in store_ids}, now, with_intervals=False)
    return {i: [(p.day, p.pressure) for p in pictures[i]] for i in store_ids}


def _pressures_task(services, *, progress, cancel, actor: Actor, store_ids, days, now) -> DayPressures:
    """Runs in the child process (``storemon.services.child_process``)."""
    del progress, cancel  # a report runs to the end
    with services.database.sessions() as session:
        return _model(session, resolve_actor(session, actor), store_ids, days, now)
