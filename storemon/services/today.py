"""The Today screen's picture of one store-day (the store manager's screen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from storemon.services.access import Actor, visible_store
from storemon.services.call_state import CoverShift, day_covers
from storemon.services.day_figures import DayFigures, figures_of_days
from storemon.services.door import use_case
from storemon.services.labour import DayLabour, day_labour
from storemon.services.setting_keys import pressure_config
from storemon.services.store_days import StoreDay, shifts_between, store_day, targets_for


@dataclass(frozen=True)
class TodayPicture:
    """A store-day as the Today screen shows it: the staffing figures and the yardsticks to read them by."""

    store_day: StoreDay
    timezone: str
    """The store's IANA time zone; every time in ``store_day`` is already local to it."""
    target_wait_minutes: float
    """The store's target queue wait: above it, conflicts start (DOMAIN.md section 5)."""
    busy_utilisation: float
    """Utilisation at or above which an interval counts as busy and as part of a rush."""
    amber_at: float
    red_at: float
    """Pressure index thresholds of the amber and red levels."""
    solo_full_minutes: float
    """Minutes alone on the floor at which a shift's "alone" factor scores its full points."""
    covers: tuple[CoverShift, ...] = field(default=())
    """The day's shifts worked as cover for a backup call or by staff borrowed from another store."""
    labour: DayLabour | None = None
    """The day's labour cost and its share of sales (``labour.day_labour``)."""
    figures: DayFigures | None = None
    """The day's figures as every other screen shows them (``day_figures``)."""


@use_case()
def today_picture(
    session, actor: Actor, store: int | str, day: date, now: datetime | None = None
) -> TodayPicture:
    """The store-day's staffing picture with the wait target and pressure thresholds it is judged by."""
    row = visible_store(session, actor, store)
    config = pressure_config(session)
    modelled = store_day(session, actor, row.id, day, now)
    return TodayPicture(
        store_day=modelled,
        timezone=row.timezone,
        target_wait_minutes=targets_for(session, row).target_wait_minutes,
        busy_utilisation=config.busy_threshold,
        amber_at=config.amber_at,
        red_at=config.red_at,
        solo_full_minutes=config.alone_full_min,
        covers=tuple(day_covers(session, row, day, shifts_between(session, row, day, 1))),
        labour=day_labour(session, actor, row.id, day, now),
        figures=figures_of_days(session, row, [modelled])[0],
    )
