"""The surge calendar (holidays, promotions): demand factors by date, as head office edits it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from staffing.surge import SurgeCalendar, SurgePeriod
from storemon.db.models import Store
from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case
from storemon.services.setting_values import (
    SURGE_CALENDAR,
    ChainSettingsError,
    audit_change,
    bad_setting,
    now_or_utc,
    read_value,
    write_value,
)

# ------------------------------------------------------------------------------------ surge calendar


def surge_to_json(calendar: SurgeCalendar) -> dict[str, Any]:
    return {
        "periods": [
            {
                "label": p.label,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "demand_factor": p.demand_factor,
                "alert_sensitivity": p.alert_sensitivity,
                "yearly": p.yearly,
                "stores": None if p.stores is None else sorted(p.stores),
            }
            for p in calendar.periods
        ]
    }


def surge_from_json(data: Mapping[str, Any]) -> SurgeCalendar:
    """Inverse of ``surge_to_json``; raises ValueError naming the period that is wrong."""
    if not isinstance(data, Mapping) or not isinstance(data.get("periods"), list):
        raise ValueError('expected {"periods": [...]}')
    periods = []
    for number, raw in enumerate(data["periods"], start=1):
        try:
            stores = raw.get("stores")
            periods.append(
                SurgePeriod(
                    label=str(raw["label"]),
                    start=date.fromisoformat(raw["start"]),
                    end=date.fromisoformat(raw["end"]),
                    demand_factor=float(raw.get("demand_factor", 1.0)),
                    alert_sensitivity=float(raw.get("alert_sensitivity", 1.0)),
                    yearly=bool(raw.get("yearly", False)),
                    stores=None if stores is None else frozenset(str(s) for s in stores),
                )
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"period {number}: {exc}") from exc
    return SurgeCalendar(tuple(periods))


def load_surge_calendar(session: Session) -> SurgeCalendar:
    """The chain's surge calendar; the built-in 3·15 season until someone edits it."""
    data = read_value(session, SURGE_CALENDAR)
    if data is None:
        return SurgeCalendar.default()
    try:
        return surge_from_json(data)
    except ValueError as exc:
        raise bad_setting(SURGE_CALENDAR, exc) from exc


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
    data = surge_to_json(calendar)
    write_value(session, SURGE_CALENDAR, data)
    audit_change(session, actor, "settings.save", SURGE_CALENDAR, {"periods": labels}, now_or_utc(now))
    return surge_from_json(data)
