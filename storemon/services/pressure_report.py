"""Pressure over a period for a region: every shift's index, level and reasons, plus burnout risk."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from staffing.pressure import burnout_risk
from storemon.db.models import Store
from storemon.services.access import Actor, NotFound
from storemon.services.store_days import store_days_many

MAX_DAYS = 92


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
    rows = []
    levels: dict[str, list[tuple[date, str]]] = defaultdict(list)
    pictures = store_days_many(
        session, actor, {store.id: days for store in stores}, now, with_intervals=False
    )
    for store in stores:
        for picture in pictures[store.id]:
            for person in picture.pressure:
                levels[person.staff_code].append((picture.day, person.level))
                rows.append((store, picture.day, person))
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
