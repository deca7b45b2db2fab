"""The surge calendar (holidays, promotions): demand factors by date, as head office edits it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from staffing.surge import SurgeCalendar
from storemon.db.models import Store
from storemon.services import setting_keys
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case
from storemon.services.setting_values import ChainSettingsError, save_setting

# ------------------------------------------------------------------------------------ surge calendar


load_surge_calendar = setting_keys.SURGE_CALENDAR.load
"""The chain's surge calendar; the built-in 3·15 season until someone edits it."""


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_surge_calendar(
    session: Session, actor: Actor, calendar: SurgeCalendar, now: datetime | None = None
) -> SurgeCalendar:
    labels = [p.label.strip() for p in calendar.periods]
    if any(not label for label in labels):
        raise ChainSettingsError("every surge period needs a label")
    if len(set(labels)) != len(labels):
        raise ChainSettingsError("two surge periods have the same label; labels must differ")
    codes = set(session.scalars(select(Store.code)))
    for period in calendar.periods:
        unknown = sorted((period.stores or frozenset()) - codes)
        if unknown:
            raise ChainSettingsError(
                f"surge period {period.label!r}: no store has the code(s) {', '.join(unknown)}"
            )
        if period.stores is not None and not period.stores:
            raise ChainSettingsError(
                f"surge period {period.label!r}: name at least one store or none for all"
            )
    return save_setting(session, actor, setting_keys.SURGE_CALENDAR, calendar, {"periods": labels}, now)
