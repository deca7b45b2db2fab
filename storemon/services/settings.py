"""Business settings every PC of a chain shares, stored in the ``settings`` table as JSON.

Each setting is a frozen dataclass from the pure packages; unknown or invalid stored values are
reported with the setting's key instead of crashing the app.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from staffing.day import StaffingTargets
from staffing.pressure import PressureConfig
from storemon.db.models import Setting
from storemon.errors import StoremonError

T = TypeVar("T")

STAFFING_TARGETS = "staffing.targets"
PRESSURE_CONFIG = "staffing.pressure"


class SettingError(StoremonError):
    """A stored setting cannot be used."""


def _load(session: Session, key: str, cls: type[T]) -> T:
    row = session.get(Setting, key)
    if row is None:
        return cls()
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(row.value) - known
    if unknown:
        raise SettingError(f"setting {key!r}: unknown fields {sorted(unknown)}; known are {sorted(known)}")
    try:
        return cls(**row.value)
    except (TypeError, ValueError) as exc:
        raise SettingError(
            f"setting {key!r}: {exc}. Fix it in Settings or reset it to the defaults."
        ) from exc


def _save(session: Session, key: str, value: Any) -> None:
    data = dataclasses.asdict(value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=data))
    else:
        row.value = data


def staffing_targets(session: Session) -> StaffingTargets:
    """Service time, solo share and wait targets for the chain."""
    return _load(session, STAFFING_TARGETS, StaffingTargets)


def save_staffing_targets(session: Session, targets: StaffingTargets) -> None:
    _save(session, STAFFING_TARGETS, targets)


def pressure_config(session: Session) -> PressureConfig:
    """Weights and thresholds of the pressure index."""
    return _load(session, PRESSURE_CONFIG, PressureConfig)


def save_pressure_config(session: Session, config: PressureConfig) -> None:
    _save(session, PRESSURE_CONFIG, config)
