"""Support resources for staff: the hotline, mutual-aid contacts and mental-health sessions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storemon.services.access import HEAD_OFFICE, Actor
from storemon.services.door import use_case
from storemon.services.setting_keys import Codec, Key
from storemon.services.setting_values import (
    SUPPORT_RESOURCES,
    ChainSettingsError,
    save_setting,
)

# ------------------------------------------------------------------------------------ support resources

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{1,30}([ ]*(ext\.?|x|转)[ ]*[0-9]{1,6})?$", re.IGNORECASE)


@dataclass(frozen=True)
class AidContact:
    """A colleague staff may call for mutual aid (团队互助)."""

    name: str
    phone: str
    note: str = ""


@dataclass(frozen=True)
class SupportResources:
    """Where staff get support (DOMAIN.md section 4); the kiosk shows it on the staff screen."""

    hotline_number: str = ""
    hotline_hours: str = ""
    mutual_aid: tuple[AidContact, ...] = field(default_factory=tuple)
    mental_health_sessions: str = ""
    stress_training: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "hotline": {"number": self.hotline_number, "hours": self.hotline_hours},
            "mutual_aid": [{"name": c.name, "phone": c.phone, "note": c.note} for c in self.mutual_aid],
            "mental_health_sessions": self.mental_health_sessions,
            "stress_training": self.stress_training,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SupportResources:
        if not isinstance(data, Mapping):
            raise ValueError("expected an object")
        hotline = data.get("hotline") or {}
        return cls(
            hotline_number=str(hotline.get("number", "")),
            hotline_hours=str(hotline.get("hours", "")),
            mutual_aid=tuple(
                AidContact(str(c.get("name", "")), str(c.get("phone", "")), str(c.get("note", "")))
                for c in data.get("mutual_aid") or []
            ),
            mental_health_sessions=str(data.get("mental_health_sessions", "")),
            stress_training=str(data.get("stress_training", "")),
        )


def _check_phone(value: str, what: str) -> None:
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 3:
        raise ChainSettingsError(
            f"{what}: {value!r} is not a phone number (digits, spaces, +, -, brackets; e.g. 400-820-1234)"
        )


def check_support_resources(resources: SupportResources) -> SupportResources:
    """Trimmed resources, or an error naming the field to fix."""
    cleaned = SupportResources(
        resources.hotline_number.strip(),
        resources.hotline_hours.strip(),
        tuple(AidContact(c.name.strip(), c.phone.strip(), c.note.strip()) for c in resources.mutual_aid),
        resources.mental_health_sessions.strip(),
        resources.stress_training.strip(),
    )
    if cleaned.hotline_number:
        _check_phone(cleaned.hotline_number, "support hotline")
    elif cleaned.hotline_hours:
        raise ChainSettingsError("support hotline: hours are given but no number")
    for number, contact in enumerate(cleaned.mutual_aid, start=1):
        if not contact.name:
            raise ChainSettingsError(f"mutual-aid contact {number}: give a name")
        if not contact.phone:
            raise ChainSettingsError(f"mutual-aid contact {contact.name}: give a phone number")
        _check_phone(contact.phone, f"mutual-aid contact {contact.name}")
    return cleaned


SUPPORT_RESOURCES_KEY: Key[SupportResources] = Key(
    SUPPORT_RESOURCES,
    Codec(SupportResources.from_json, SupportResources.to_json),
    SupportResources,
    "Policies > Support",
)


load_support_resources = SUPPORT_RESOURCES_KEY.load
"""The chain's support resources; none until head office enters them."""


@use_case(write=True, needs=HEAD_OFFICE, doing="change chain-wide settings")
def save_support_resources(
    session: Session, actor: Actor, resources: SupportResources, now: datetime | None = None
) -> SupportResources:
    return save_setting(session, actor, SUPPORT_RESOURCES_KEY, check_support_resources(resources), {}, now)
